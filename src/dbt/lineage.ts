// The lineage graph over node indexes, in CSR form (two Int32Arrays per direction): compact for
// 100k-node projects and transferable from a worker without copying.

export interface Csr {
  readonly offsets: Int32Array;
  readonly targets: Int32Array;
}

/** Reverses parent edges into child edges. */
export function invertCsr(parents: Csr, size: number): Csr {
  const counts = new Int32Array(size + 1);
  for (let i = 0; i < parents.targets.length; i++) counts[parents.targets[i] + 1]++;
  for (let i = 0; i < size; i++) counts[i + 1] += counts[i];
  const offsets = counts.slice();
  const fill = counts.slice(0, size);
  const targets = new Int32Array(parents.targets.length);
  for (let child = 0; child < size; child++) {
    for (let k = parents.offsets[child]; k < parents.offsets[child + 1]; k++) targets[fill[parents.targets[k]]++] = child;
  }
  return { offsets, targets };
}

export interface TraversalResult {
  /** Node index -> distance from the start (negative upstream, positive downstream, 0 the start). */
  readonly depth: Map<number, number>;
  /** Edges as [parent, child] index pairs. */
  readonly edges: [number, number][];
  readonly truncated: boolean;
  /** Adjacency entries looked at: the work done, bounded by `maxVisits`. */
  readonly edgesVisited: number;
}

export interface TraversalLimits {
  readonly maxNodes: number;
  /** Edges kept at most (the picture's own ceiling). */
  readonly maxEdges: number;
  /**
   * Adjacency entries looked at, at most (default 2 × (maxNodes + maxEdges)). Without it a densely
   * connected graph makes the walk scan every edge of every kept node after the caps are reached.
   */
  readonly maxVisits?: number;
}

/**
 * Breadth-first both ways from `start`, each direction to its own depth. A visited set makes
 * cycles (which dbt forbids but a damaged manifest can have) terminate. The caps apply while
 * walking, not after: the walk stops when it has `maxNodes` nodes and `maxEdges` edges, or when it
 * has looked at `maxVisits` adjacency entries, so the work is bounded whatever the graph's density.
 * `skip` leaves out nodes such as tests; `leaf` nodes (exposures) directly downstream of a kept
 * node are added one step past the downstream depth (when any downstream is asked for), so a
 * model's consumers are in view at the default depth.
 */
export function traverse(
  start: number,
  parents: Csr,
  children: Csr,
  upstreamDepth: number,
  downstreamDepth: number,
  limits: TraversalLimits,
  skip: (index: number) => boolean,
  leaf?: (index: number) => boolean,
): TraversalResult {
  const { maxNodes, maxEdges } = limits;
  const maxVisits = limits.maxVisits ?? 2 * (maxNodes + maxEdges);
  const size = children.offsets.length - 1;
  const depth = new Map<number, number>([[start, 0]]);
  const edges: [number, number][] = [];
  const edgeSeen = new Set<number>();
  let truncated = false;
  let visited = 0;
  const full = () => depth.size >= maxNodes && edges.length >= maxEdges;
  const addEdge = (a: number, b: number) => {
    const key = a * size + b;
    if (edgeSeen.has(key)) return;
    if (edges.length >= maxEdges) {
      truncated = true;
      return;
    }
    edgeSeen.add(key);
    edges.push([a, b]);
  };
  /** Looks at from's neighbours; false when the visit budget ran out. */
  const scan = (graph: Csr, from: number, onNeighbour: (to: number) => void): boolean => {
    for (let k = graph.offsets[from]; k < graph.offsets[from + 1]; k++) {
      if (visited >= maxVisits || full()) {
        truncated = true;
        return false;
      }
      visited++;
      onNeighbour(graph.targets[k]);
    }
    return true;
  };
  const walk = (graph: Csr, limit: number, sign: 1 | -1): void => {
    let frontier = [start];
    for (let d = 1; d <= limit && frontier.length > 0; d++) {
      const next: number[] = [];
      for (const from of frontier) {
        const more = scan(graph, from, (to) => {
          if (skip(to)) return;
          if (!depth.has(to)) {
            if (depth.size >= maxNodes) {
              truncated = true;
              return;
            }
            depth.set(to, sign * d);
            next.push(to);
          }
          if (sign === -1) addEdge(to, from);
          else addEdge(from, to);
        });
        if (!more) return;
      }
      frontier = next;
    }
  };
  walk(parents, upstreamDepth, -1);
  walk(children, downstreamDepth, 1);
  // Consumers (exposures) of what is shown, past the chosen depth.
  for (const [from, d] of leaf && downstreamDepth > 0 ? [...depth] : []) {
    const more = scan(children, from, (to) => {
      if (!leaf!(to) || skip(to)) return;
      if (!depth.has(to)) {
        if (depth.size >= maxNodes) {
          truncated = true;
          return;
        }
        depth.set(to, Math.max(d, 0) + 1);
      }
      addEdge(from, to);
    });
    if (!more) break;
  }
  return { depth, edges, truncated, edgesVisited: visited };
}
