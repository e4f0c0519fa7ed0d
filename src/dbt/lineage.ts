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
}

/**
 * Breadth-first both ways from `start`, each direction to its own depth. A visited set makes
 * cycles (which dbt forbids but a damaged manifest can have) terminate; `maxNodes` bounds the
 * answer for nodes with thousands of descendants. `skip` leaves out nodes such as tests.
 */
export function traverse(
  start: number,
  parents: Csr,
  children: Csr,
  upstreamDepth: number,
  downstreamDepth: number,
  maxNodes: number,
  skip: (index: number) => boolean,
): TraversalResult {
  const depth = new Map<number, number>([[start, 0]]);
  const edges: [number, number][] = [];
  const edgeSeen = new Set<string>();
  let truncated = false;
  const walk = (graph: Csr, limit: number, sign: 1 | -1) => {
    let frontier = [start];
    for (let d = 1; d <= limit && frontier.length > 0; d++) {
      const next: number[] = [];
      for (const from of frontier) {
        for (let k = graph.offsets[from]; k < graph.offsets[from + 1]; k++) {
          const to = graph.targets[k];
          if (skip(to)) continue;
          if (!depth.has(to)) {
            if (depth.size >= maxNodes) {
              truncated = true;
              continue;
            }
            depth.set(to, sign * d);
            next.push(to);
          }
          const edge: [number, number] = sign === -1 ? [to, from] : [from, to];
          const key = `${edge[0]}>${edge[1]}`;
          if (!edgeSeen.has(key)) {
            edgeSeen.add(key);
            edges.push(edge);
          }
        }
      }
      frontier = next;
    }
  };
  walk(parents, upstreamDepth, -1);
  walk(children, downstreamDepth, 1);
  return { depth, edges, truncated };
}
