// Collects normalized entries from either parse path and finishes them into DbtIndexData: checks that
// the file is a manifest of a version we read, and builds the lineage graph from depends_on.nodes
// (Fusion writes empty parent_map/child_map, and depends_on is what dbt derives those maps from).
import type { Formatter } from '../core/format';
import { DbtManifestError, RERUN_DBT } from './manifestErrors';
import { isObject, normalizeEntry, schemaVersionOf, WarningSink } from './manifestNormalize';
import type { DbtIndexData, DbtManifestFile, DbtNode, DbtProjectInfo } from './manifestTypes';
import { t } from '../core/l10n';

export const DEFAULT_MAX_SCHEMA_VERSION = 20;
export const NEWEST_TESTED_SCHEMA_VERSION = 20;

/** What a parse path learnt about the top level of the file. */
export interface TopLevelFacts {
  /** Key -> JSON kind of its value ('object', 'array', 'string', 'number', 'literal'). */
  readonly kinds: ReadonlyMap<string, string>;
  readonly metadata: unknown;
  /** Pre-v1 manifests keep generated_at at the top level. */
  readonly generatedAt: unknown;
  readonly macroCount: number;
  readonly docCount: number;
}

export class IndexBuilder {
  readonly sink = new WarningSink();
  private readonly nodes: DbtNode[] = [];
  private readonly deps: (readonly string[])[] = [];
  private readonly ids = new Map<string, number>();
  private readonly spans: number[] | undefined;

  constructor(
    private readonly file: DbtManifestFile,
    withSpans: boolean,
  ) {
    this.spans = withSpans ? [] : undefined;
  }

  add(section: string, key: string, raw: unknown, start = -1, end = -1): void {
    const entry = normalizeEntry(section, key, raw, false, this.sink);
    if (entry) this.put(entry.node, entry.dependsOn, start, end);
  }

  /** `disabled` maps an id to a list of node dicts (several when configs differ per target). */
  addDisabled(key: string, raw: unknown, start = -1, end = -1): void {
    if (!Array.isArray(raw)) {
      this.sink.add({ reason: 'invalidNode', uniqueId: key, section: 'disabled', message: t('Disabled entry is not a list; skipped.') });
      return;
    }
    const entry = normalizeEntry('disabled', key, raw[0], true, this.sink);
    if (entry) this.put(entry.node, entry.dependsOn, start, end);
  }

  warnSection(section: string, kind: string): void {
    this.sink.add({ reason: 'invalidSection', section, message: kind === 'array' ? t('{0} is an array, not a map; ignored.', section) : t('{0} is a {1}, not a map; ignored.', section, kind) });
  }

  warnTooLarge(section: string, key: string, bytes: number, fmt: Formatter): void {
    this.sink.add({
      reason: 'entryTooLarge',
      section,
      uniqueId: key,
      message: t('Entry is {0}, above the per-entry limit; skipped.', fmt.bytes(bytes)),
    });
  }

  private put(node: DbtNode, dependsOn: readonly string[], start: number, end: number): void {
    const at = this.ids.get(node.uniqueId);
    if (at !== undefined) {
      // Fusion sorts keys, so `disabled` can come before `nodes`: an enabled node wins.
      if (this.nodes[at].disabled && !node.disabled) {
        this.nodes[at] = node;
        this.deps[at] = dependsOn;
        if (this.spans) (this.spans[2 * at] = start), (this.spans[2 * at + 1] = end);
      } else if (!node.disabled) {
        this.sink.add({ reason: 'duplicateId', uniqueId: node.uniqueId, message: t('The id appears twice; the first entry was kept.') });
      }
      return;
    }
    this.ids.set(node.uniqueId, this.nodes.length);
    this.nodes.push(node);
    this.deps.push(dependsOn);
    this.spans?.push(start, end);
  }

  finish(facts: TopLevelFacts, maxSchemaVersion: number): DbtIndexData {
    const info = this.checkIdentity(facts, maxSchemaVersion);
    const n = this.nodes.length;
    const parentOffsets = new Int32Array(n + 1);
    const parents: number[] = [];
    for (let i = 0; i < n; i++) {
      parentOffsets[i] = parents.length;
      if (this.nodes[i].disabled) continue;
      const seen = new Set<number>();
      for (const dep of this.deps[i]) {
        const p = this.ids.get(dep);
        if (p === undefined || this.nodes[p].disabled) {
          this.sink.add({ reason: 'danglingDependency', uniqueId: this.nodes[i].uniqueId, message: t('Depends on {0}, which is not in the manifest (or is disabled).', dep) });
        } else if (!seen.has(p)) {
          seen.add(p);
          parents.push(p);
        }
      }
    }
    parentOffsets[n] = parents.length;
    return {
      info,
      nodes: this.nodes,
      parentOffsets,
      parentIndexes: Int32Array.from(parents),
      warnings: this.sink.warnings,
      droppedWarnings: this.sink.dropped,
      file: this.file,
      codeSpans: this.spans ? Float64Array.from(this.spans) : undefined,
    };
  }

  private checkIdentity(facts: TopLevelFacts, maxSchemaVersion: number): DbtProjectInfo {
    const meta = isObject(facts.metadata) ? facts.metadata : {};
    const url = meta.dbt_schema_version;
    const nodesKind = facts.kinds.get('nodes');
    if (typeof url === 'string' && schemaVersionOf(url, 'manifest') === undefined) {
      const other = /\/dbt\/([a-z-]+)\/v\d+/.exec(url)?.[1];
      throw new DbtManifestError('notAManifest', other ? t('This is a dbt {0} file, not a manifest.', other) : t('The file is not a dbt manifest (unknown dbt_schema_version).'), 'Open target/manifest.json.');
    }
    if (nodesKind === undefined || (url === undefined && !['macros', 'parent_map', 'child_map'].some((k) => facts.kinds.has(k)))) {
      throw new DbtManifestError('notAManifest', 'The file is JSON but not a dbt manifest (no nodes).', 'Open target/manifest.json.');
    }
    if (nodesKind !== 'object') {
      throw new DbtManifestError('invalidShape', nodesKind === 'array' ? t("The manifest's nodes is an array, not a map.") : t("The manifest's nodes is a {0}, not a map.", nodesKind), RERUN_DBT);
    }
    const schemaVersion = schemaVersionOf(url, 'manifest');
    if (schemaVersion !== undefined && (schemaVersion < 1 || schemaVersion > maxSchemaVersion)) {
      throw new DbtManifestError('unsupportedVersion', t('Manifest schema v{0} is not supported (v1 to v{1} are).', schemaVersion, maxSchemaVersion), 'Update Gatehouse, or use a dbt version that writes a supported manifest.');
    }
    if (schemaVersion !== undefined && schemaVersion > NEWEST_TESTED_SCHEMA_VERSION) {
      this.sink.add({ reason: 'newerSchema', message: t('Manifest schema v{0} is newer than Gatehouse was tested with; some fields may be missing.', schemaVersion) });
    }
    const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
    return {
      projectName: str(meta.project_name) ?? this.likelyProject(),
      schemaVersion,
      dbtVersion: str(meta.dbt_version),
      adapterType: str(meta.adapter_type),
      generatedAt: str(meta.generated_at) ?? str(facts.generatedAt),
      macroCount: facts.macroCount,
      docCount: facts.docCount,
    };
  }

  /** Before v10 there is no project_name: take the package that owns most models. */
  private likelyProject(): string | undefined {
    const counts = new Map<string, number>();
    for (const node of this.nodes) if (node.resourceType === 'model') counts.set(node.packageName, (counts.get(node.packageName) ?? 0) + 1);
    let best: string | undefined;
    for (const [pkg, c] of counts) if (best === undefined || c > (counts.get(best) ?? 0)) best = pkg;
    return best;
  }
}
