// DbtProjectIndex: the normalized, queryable view of one manifest.json (nodes of every resource
// type, lineage, file lookup, grouping, search). Built from DbtIndexData, which either this thread
// or a worker (see manifestWorker.ts) produced.
import { invertCsr, traverse, type Csr } from './lineage';
import { DbtManifestError } from './manifestErrors';
import { loadManifestData, readEntryCode, scanEntrySpans } from './manifestLoader';
import { normalizePath } from './manifestNormalize';
import type { DbtIndexData, DbtLoadOptions, DbtManifestFile, DbtManifestWarning, DbtNode, DbtNodeCode, DbtProjectInfo, DbtResourceType } from './manifestTypes';
import { t } from '../core/l10n';

export type DbtGroupKey = 'folder' | 'package' | 'tag' | 'materialization';

export interface DbtLineageOptions {
  readonly upstreamDepth: number;
  readonly downstreamDepth: number;
  /** Data and unit tests hang off almost every model; off by default. */
  readonly includeTests?: boolean;
  /** Bound on the answer (default 2000 nodes). */
  readonly maxNodes?: number;
  /** Bound on the edges (default 20,000); the walk stops there, it does not gather and cut. */
  readonly maxEdges?: number;
  /** Exposures that consume a shown node, even past downstreamDepth (default true). */
  readonly includeExposures?: boolean;
}

export interface DbtLineageEdge {
  readonly from: string;
  readonly to: string;
}

export interface DbtLineage {
  /** Each with its distance from the start: negative upstream, positive downstream. */
  readonly nodes: readonly { readonly node: DbtNode; readonly depth: number }[];
  readonly edges: readonly DbtLineageEdge[];
  /** True when maxNodes or maxEdges (or the work bound) cut the answer short. */
  readonly truncated: boolean;
  /** Adjacency entries the walk looked at (bounded, whatever the graph's density). */
  readonly edgesVisited: number;
}

export interface DbtSearchOptions {
  readonly limit?: number;
  readonly resourceTypes?: readonly DbtResourceType[];
}

const TEST_TYPES: ReadonlySet<DbtResourceType> = new Set(['test', 'unit_test']);
/** findByFile answers the editor's "which node is this file": buildable nodes first. */
const FILE_PRIORITY: readonly DbtResourceType[] = ['model', 'snapshot', 'seed', 'analysis', 'function', 'test', 'unit_test', 'operation'];

export class DbtProjectIndex {
  readonly info: DbtProjectInfo;
  readonly warnings: readonly DbtManifestWarning[];
  /** Warnings beyond the kept ones, counted. */
  readonly droppedWarnings: number;
  readonly file: DbtManifestFile;
  private readonly all: readonly DbtNode[];
  private readonly byId = new Map<string, number>();
  private readonly byType = new Map<DbtResourceType, DbtNode[]>();
  private readonly parentGraph: Csr;
  private readonly childGraph: Csr;
  private byFile: Map<string, number[]> | undefined;
  private latestByBaseId: Map<string, number> | undefined;
  private codeSpans: Float64Array | undefined;
  private spansByIdPromise: Promise<Map<string, [number, number]>> | undefined;

  constructor(data: DbtIndexData) {
    this.info = data.info;
    this.warnings = data.warnings;
    this.droppedWarnings = data.droppedWarnings;
    this.file = data.file;
    this.all = data.nodes;
    this.codeSpans = data.codeSpans;
    this.parentGraph = { offsets: data.parentOffsets, targets: data.parentIndexes };
    this.childGraph = invertCsr(this.parentGraph, data.nodes.length);
    data.nodes.forEach((node, i) => {
      this.byId.set(node.uniqueId, i);
      let list = this.byType.get(node.resourceType);
      if (!list) this.byType.set(node.resourceType, (list = []));
      list.push(node);
    });
  }

  get size(): number {
    return this.all.length;
  }

  /** Every node, enabled and disabled. */
  nodes(): readonly DbtNode[] {
    return this.all;
  }

  /**
   * A node by unique_id. An unversioned id of a versioned model (`model.pkg.dim_customers`)
   * resolves to its latest version, as `ref('dim_customers')` does.
   */
  getNode(uniqueId: string): DbtNode | undefined {
    const i = this.byId.get(uniqueId) ?? this.latestVersions().get(uniqueId);
    return i === undefined ? undefined : this.all[i];
  }

  nodesByType(type: DbtResourceType, options: { includeDisabled?: boolean } = {}): readonly DbtNode[] {
    const list = this.byType.get(type) ?? [];
    return options.includeDisabled ? list : list.filter((n) => !n.disabled);
  }

  parents(uniqueId: string): readonly string[] {
    return this.neighbours(this.parentGraph, uniqueId);
  }

  children(uniqueId: string): readonly string[] {
    return this.neighbours(this.childGraph, uniqueId);
  }

  lineage(uniqueId: string, options: DbtLineageOptions): DbtLineage {
    const start = this.indexOf(uniqueId);
    if (start === undefined) return { nodes: [], edges: [], truncated: false, edgesVisited: 0 };
    const skip = options.includeTests ? () => false : (i: number) => TEST_TYPES.has(this.all[i].resourceType);
    const leaf = options.includeExposures === false ? undefined : (i: number) => this.all[i].resourceType === 'exposure';
    const bound = (d: number) => Math.max(0, Math.floor(d));
    const limits = { maxNodes: options.maxNodes ?? 2000, maxEdges: options.maxEdges ?? 20_000 };
    const result = traverse(start, this.parentGraph, this.childGraph, bound(options.upstreamDepth), bound(options.downstreamDepth), limits, skip, leaf);
    return {
      nodes: [...result.depth].map(([i, depth]) => ({ node: this.all[i], depth })),
      edges: result.edges.map(([p, c]) => ({ from: this.all[p].uniqueId, to: this.all[c].uniqueId })),
      truncated: result.truncated,
      edgesVisited: result.edgesVisited,
    };
  }

  /**
   * Nodes defined in a file, for "reveal the current file's model". Accepts a path relative to the
   * project, to the workspace, or absolute, with either slash: matches `original_file_path` (or a
   * yml `patch_path`) as a suffix on path-segment boundaries. Nodes of the root project come first
   * unless the path goes through dbt_packages/.
   */
  findByFile(filePath: string): DbtNode[] {
    const map = this.fileMap();
    const segments = normalizePath(filePath).split('/').filter((s) => s !== '' && s !== '.');
    let hits: number[] = [];
    for (let from = 0; from < segments.length && hits.length === 0; from++) {
      const suffix = segments.slice(from).join('/');
      hits = map.get(suffix) ?? map.get(suffix.toLowerCase()) ?? [];
    }
    const inPackages = segments.some((s) => s === 'dbt_packages' || s === 'dbt_modules');
    const project = this.info.projectName;
    const rank = (n: DbtNode) => {
      const own = n.packageName === project ? 0 : 1;
      const type = FILE_PRIORITY.indexOf(n.resourceType);
      return (inPackages ? 1 - own : own) * 100 + (type < 0 ? 50 : type) + (n.disabled ? 1000 : 0);
    };
    return hits.map((i) => this.all[i]).sort((a, b) => rank(a) - rank(b));
  }

  /** Groups nodes of one resource type (default: models), enabled only; a node with n tags is in n groups. */
  groupBy(key: DbtGroupKey, resourceType: DbtResourceType = 'model'): Map<string, DbtNode[]> {
    const groups = new Map<string, DbtNode[]>();
    const add = (k: string, node: DbtNode) => {
      let list = groups.get(k);
      if (!list) groups.set(k, (list = []));
      list.push(node);
    };
    for (const node of this.nodesByType(resourceType)) {
      if (key === 'folder') add(node.folder, node);
      else if (key === 'package') add(node.packageName, node);
      else if (key === 'materialization') add(node.materialization ?? '', node);
      else if (node.tags.length === 0) add('', node);
      else for (const tag of node.tags) add(tag, node);
    }
    return groups;
  }

  /** Case-insensitive: exact name, then name prefix, then name/alias/id/relation substring, then description. */
  search(text: string, options: DbtSearchOptions = {}): DbtNode[] {
    const q = text.trim().toLowerCase();
    if (!q) return [];
    const types = options.resourceTypes ? new Set(options.resourceTypes) : undefined;
    const scored: [number, DbtNode][] = [];
    for (const node of this.all) {
      if (node.disabled || (types && !types.has(node.resourceType))) continue;
      const name = node.name.toLowerCase();
      let score = -1;
      if (name === q) score = 0;
      else if (name.startsWith(q)) score = 1;
      else if (name.includes(q)) score = 2;
      else if ([node.alias, node.uniqueId, node.relationName].some((s) => s?.toLowerCase().includes(q))) score = 3;
      else if (node.description.toLowerCase().includes(q)) score = 4;
      if (score >= 0) scored.push([score, node]);
    }
    scored.sort((a, b) => a[0] - b[0] || a[1].name.localeCompare(b[1].name) || a[1].uniqueId.localeCompare(b[1].uniqueId));
    return scored.slice(0, options.limit ?? 50).map(([, n]) => n);
  }

  /**
   * Raw and compiled code of a node, re-read from the manifest file. Code is most of a manifest's
   * bytes and is looked at one node at a time, so the index does not hold it. Fails with `stale`
   * when the file changed since the load (the caller reloads) and `nodeNotFound` for unknown ids.
   */
  async readCode(uniqueId: string, signal?: AbortSignal): Promise<DbtNodeCode> {
    const i = this.indexOf(uniqueId);
    if (i === undefined) throw new DbtManifestError('nodeNotFound', t('No node {0} in the manifest.', uniqueId));
    const id = this.all[i].uniqueId;
    let span: [number, number] | undefined;
    if (this.codeSpans && this.codeSpans[2 * i] >= 0) span = [this.codeSpans[2 * i], this.codeSpans[2 * i + 1]];
    else {
      // Fast-path indexes have no offsets: one scan of the file finds them all, once.
      this.spansByIdPromise ??= scanEntrySpans(this.file, signal).catch((error: unknown) => {
        this.spansByIdPromise = undefined;
        throw error;
      });
      span = (await this.spansByIdPromise).get(id);
    }
    if (!span) throw new DbtManifestError('nodeNotFound', t('The manifest has no entry for {0}.', id));
    return readEntryCode(this.file, id, span[0], span[1]);
  }

  private indexOf(uniqueId: string): number | undefined {
    return this.byId.get(uniqueId) ?? this.latestVersions().get(uniqueId);
  }

  private neighbours(graph: Csr, uniqueId: string): readonly string[] {
    const i = this.indexOf(uniqueId);
    if (i === undefined) return [];
    const out: string[] = [];
    for (let k = graph.offsets[i]; k < graph.offsets[i + 1]; k++) out.push(this.all[graph.targets[k]].uniqueId);
    return out;
  }

  private latestVersions(): Map<string, number> {
    if (!this.latestByBaseId) {
      this.latestByBaseId = new Map();
      this.all.forEach((node, i) => {
        if (node.version === undefined || node.disabled) return;
        const suffix = `.v${node.version}`;
        if (!node.uniqueId.endsWith(suffix)) return;
        const base = node.uniqueId.slice(0, -suffix.length);
        const isLatest = node.latestVersion === undefined || String(node.latestVersion) === String(node.version);
        if (isLatest || !this.latestByBaseId!.has(base)) this.latestByBaseId!.set(base, i);
      });
    }
    return this.latestByBaseId;
  }

  private fileMap(): Map<string, number[]> {
    if (!this.byFile) {
      const map = new Map<string, number[]>();
      const add = (p: string | undefined, i: number) => {
        if (!p) return;
        for (const key of new Set([p, p.toLowerCase()])) {
          const list = map.get(key);
          if (!list) map.set(key, [i]);
          else if (list[list.length - 1] !== i) list.push(i);
        }
      };
      this.all.forEach((node, i) => {
        add(node.originalFilePath, i);
        // Sources, exposures, metrics... are defined in the yml; models are only documented there.
        if (node.originalFilePath === undefined || !/\.(ya?ml)$/i.test(node.originalFilePath)) add(node.patchPath, i);
      });
      this.byFile = map;
    }
    return this.byFile;
  }
}

/**
 * Loads and indexes a manifest on this thread: the fast path blocks for one JSON.parse (~1 s per
 * 100 MB); use loadManifestInWorker in the extension host for large projects.
 */
export async function loadManifest(path: string, options: DbtLoadOptions = {}): Promise<DbtProjectIndex> {
  return new DbtProjectIndex(await loadManifestData(path, options));
}
