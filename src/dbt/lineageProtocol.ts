// The message protocol between the lineage panel host and its webview. Both ends validate what
// they receive: the host only opens files of nodes it sent (by id, never a path from the page), and
// the webview only draws well-formed, bounded graphs. No `vscode`, no DOM: shared by src/ and media/.

export const LINEAGE_LIMITS = {
  maxNodes: 5_000,
  maxEdges: 20_000,
  maxDepth: 50,
  maxText: 2_000,
  maxCoordinate: 10_000_000,
} as const;

/** Depth choices offered by the selector; `LINEAGE_LIMITS.maxDepth` stands for "all". */
export const DEPTH_CHOICES = [1, 2, 3, 5, 10, LINEAGE_LIMITS.maxDepth] as const;

export const LINEAGE_RESOURCE_TYPES = ['model', 'seed', 'snapshot', 'test', 'unit_test', 'analysis', 'operation', 'source', 'exposure', 'metric', 'semantic_model', 'saved_query', 'function', 'other'] as const;
export type LineageResourceType = (typeof LINEAGE_RESOURCE_TYPES)[number];

export interface WireLineageNode {
  id: string;
  name: string;
  resourceType: LineageResourceType;
  materialization?: string;
  packageName: string;
  /** Distance from the focus: negative upstream, positive downstream. */
  depth: number;
  x: number;
  y: number;
  /** Whether the host can open a file for it. */
  hasFile: boolean;
}

export interface LineageGraphMessage {
  type: 'graph';
  focusId: string;
  focusName: string;
  upstreamDepth: number;
  downstreamDepth: number;
  nodes: WireLineageNode[];
  /** [from, to] as indexes into `nodes`. */
  edges: [number, number][];
  width: number;
  height: number;
  nodeWidth: number;
  nodeHeight: number;
  truncated: boolean;
  maxNodes: number;
}

/** Which node the panel shows, kept by the webview (vscode.setState) so a window reload brings it back. */
export interface LineageRestoreState {
  v: 1;
  projectKey: string;
  uniqueId: string;
  upstream: number;
  downstream: number;
}

export type HostToLineage =
  | LineageGraphMessage
  | { type: 'error'; message: string }
  | { type: 'loading'; focusName: string }
  | { type: 'remember'; state: LineageRestoreState };

export type LineageToHost =
  | { type: 'ready' }
  | { type: 'openNode'; id: string }
  | { type: 'focusNode'; id: string }
  | { type: 'setDepth'; upstream: number; downstream: number };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isText = (v: unknown, max: number = LINEAGE_LIMITS.maxText): v is string => typeof v === 'string' && v.length <= max;
const isDepth = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= LINEAGE_LIMITS.maxDepth;
const isCoord = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= LINEAGE_LIMITS.maxCoordinate;

/** The host's check of what the webview posted. */
export function parseLineageToHost(raw: unknown): LineageToHost | undefined {
  if (!isObj(raw)) return undefined;
  switch (raw.type) {
    case 'ready':
      return { type: 'ready' };
    case 'openNode':
    case 'focusNode':
      return isText(raw.id, 1_000) && raw.id.length > 0 ? { type: raw.type, id: raw.id } : undefined;
    case 'setDepth':
      return isDepth(raw.upstream) && isDepth(raw.downstream) ? { type: 'setDepth', upstream: raw.upstream, downstream: raw.downstream } : undefined;
    default:
      return undefined;
  }
}

function parseNode(raw: unknown): WireLineageNode | undefined {
  if (!isObj(raw)) return undefined;
  const { id, name, resourceType, materialization, packageName, depth, x, y, hasFile } = raw;
  if (!isText(id, 1_000) || !isText(name) || !isText(packageName)) return undefined;
  if (!(LINEAGE_RESOURCE_TYPES as readonly unknown[]).includes(resourceType)) return undefined;
  if (materialization !== undefined && !isText(materialization, 100)) return undefined;
  if (!Number.isInteger(depth) || Math.abs(depth as number) > 10_000 || !isCoord(x) || !isCoord(y) || typeof hasFile !== 'boolean') return undefined;
  return { id, name, resourceType: resourceType as LineageResourceType, ...(materialization !== undefined ? { materialization } : {}), packageName, depth: depth as number, x, y, hasFile };
}

/**
 * The check of a saved lineage state: by the webview before keeping it, and by the host on what
 * VS Code hands back after a reload (the webview's word, so never trusted as is).
 */
export function parseLineageRestoreState(raw: unknown): LineageRestoreState | undefined {
  if (!isObj(raw) || raw.v !== 1) return undefined;
  const { projectKey, uniqueId, upstream, downstream } = raw;
  if (!isText(projectKey, 4_096) || !projectKey || !isText(uniqueId, 1_000) || !/^[a-z_]+\.\S+$/.test(uniqueId)) return undefined;
  if (!isDepth(upstream) || !isDepth(downstream)) return undefined;
  return { v: 1, projectKey, uniqueId, upstream, downstream };
}

/** The webview's check of what the host posted. */
export function parseHostToLineage(raw: unknown): HostToLineage | undefined {
  if (!isObj(raw)) return undefined;
  if (raw.type === 'remember') {
    const state = parseLineageRestoreState(raw.state);
    return state ? { type: 'remember', state } : undefined;
  }
  if (raw.type === 'error') return isText(raw.message) ? { type: 'error', message: raw.message } : undefined;
  if (raw.type === 'loading') return isText(raw.focusName) ? { type: 'loading', focusName: raw.focusName } : undefined;
  if (raw.type !== 'graph') return undefined;
  const { focusId, focusName, upstreamDepth, downstreamDepth, nodes, edges, width, height, nodeWidth, nodeHeight, truncated, maxNodes } = raw;
  if (!isText(focusId, 1_000) || !isText(focusName) || !isDepth(upstreamDepth) || !isDepth(downstreamDepth)) return undefined;
  if (!Array.isArray(nodes) || nodes.length > LINEAGE_LIMITS.maxNodes || !Array.isArray(edges) || edges.length > LINEAGE_LIMITS.maxEdges) return undefined;
  if (!isCoord(width) || !isCoord(height) || !isCoord(nodeWidth) || !isCoord(nodeHeight) || typeof truncated !== 'boolean' || !Number.isInteger(maxNodes)) return undefined;
  const parsedNodes: WireLineageNode[] = [];
  for (const n of nodes) {
    const node = parseNode(n);
    if (!node) return undefined;
    parsedNodes.push(node);
  }
  const parsedEdges: [number, number][] = [];
  for (const e of edges) {
    if (!Array.isArray(e) || e.length !== 2) return undefined;
    const [a, b] = e as unknown[];
    if (!Number.isInteger(a) || !Number.isInteger(b) || (a as number) < 0 || (b as number) < 0 || (a as number) >= parsedNodes.length || (b as number) >= parsedNodes.length) return undefined;
    parsedEdges.push([a as number, b as number]);
  }
  return { type: 'graph', focusId, focusName, upstreamDepth, downstreamDepth, nodes: parsedNodes, edges: parsedEdges, width, height, nodeWidth, nodeHeight, truncated, maxNodes: maxNodes as number };
}
