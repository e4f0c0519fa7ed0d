// A node's lineage from the manifest index, laid out, as the message the lineage webview draws.
// No `vscode`: the host panel calls it, unit tests call it on large synthetic projects.
import type { DbtProjectIndex } from './manifest';
import { layoutLineage } from './lineageLayout';
import { LINEAGE_LIMITS, LINEAGE_RESOURCE_TYPES, type LineageGraphMessage, type LineageResourceType } from './lineageProtocol';

export const NODE_WIDTH = 190;
export const NODE_HEIGHT = 34;

export interface LineageRequest {
  focusId: string;
  upstreamDepth: number;
  downstreamDepth: number;
  /** Nodes at most (default and ceiling: LINEAGE_LIMITS.maxNodes). */
  maxNodes?: number;
  includeTests?: boolean;
}

export function buildLineageGraph(index: DbtProjectIndex, req: LineageRequest): LineageGraphMessage | undefined {
  const focus = index.getNode(req.focusId);
  if (!focus) return undefined;
  const maxNodes = Math.min(LINEAGE_LIMITS.maxNodes, req.maxNodes ?? LINEAGE_LIMITS.maxNodes);
  const up = clampDepth(req.upstreamDepth);
  const down = clampDepth(req.downstreamDepth);
  // The caps go into the walk: a dense graph is never gathered whole and cut afterwards.
  const lineage = index.lineage(focus.uniqueId, { upstreamDepth: up, downstreamDepth: down, includeTests: req.includeTests, maxNodes, maxEdges: LINEAGE_LIMITS.maxEdges });
  const nodes = lineage.nodes;
  const position = new Map(nodes.map((n, i) => [n.node.uniqueId, i]));
  let edges: [number, number][] = [];
  for (const e of lineage.edges) {
    const a = position.get(e.from);
    const b = position.get(e.to);
    if (a !== undefined && b !== undefined) edges.push([a, b]);
  }
  const truncated = lineage.truncated || edges.length > LINEAGE_LIMITS.maxEdges;
  if (edges.length > LINEAGE_LIMITS.maxEdges) edges = edges.slice(0, LINEAGE_LIMITS.maxEdges);
  // Start each layer in name order so the picture is stable between reloads.
  const byName = nodes.map((_, i) => i).sort((a, b) => nodes[a].node.name.localeCompare(nodes[b].node.name));
  const rankOf = new Int32Array(nodes.length);
  byName.forEach((v, k) => (rankOf[v] = k));
  const layout = layoutLineage({ nodeCount: nodes.length, edges, rank: (i) => rankOf[i] }, { nodeWidth: NODE_WIDTH, nodeHeight: NODE_HEIGHT });
  return {
    type: 'graph',
    focusId: focus.uniqueId,
    focusName: focus.name,
    upstreamDepth: up,
    downstreamDepth: down,
    nodes: nodes.map(({ node, depth }, i) => ({
      id: node.uniqueId,
      name: clip(node.name),
      resourceType: (LINEAGE_RESOURCE_TYPES as readonly string[]).includes(node.resourceType) ? (node.resourceType as LineageResourceType) : 'other',
      ...(node.materialization ? { materialization: clip(node.materialization, 100) } : {}),
      packageName: clip(node.packageName),
      depth,
      x: layout.x[i],
      y: layout.y[i],
      hasFile: !!(node.originalFilePath ?? node.patchPath),
    })),
    edges,
    width: layout.width,
    height: layout.height,
    nodeWidth: NODE_WIDTH,
    nodeHeight: NODE_HEIGHT,
    truncated,
    maxNodes,
  };
}

function clampDepth(d: number): number {
  return Math.max(0, Math.min(LINEAGE_LIMITS.maxDepth, Math.floor(Number.isFinite(d) ? d : 0)));
}

function clip(s: string, max: number = LINEAGE_LIMITS.maxText): string {
  return s.length > max ? s.slice(0, max) : s;
}
