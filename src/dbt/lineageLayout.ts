// Layered layout of a lineage graph (left to right, parents before children): longest-path
// layering, then barycentre sweeps to reduce edge crossings between neighbouring layers, then
// coordinates. Plain arithmetic on index arrays, so a few thousand nodes lay out in milliseconds.
// Long edges get no dummy nodes: fewer elements to draw matters more here than perfect crossings.

export interface LayoutInput {
  readonly nodeCount: number;
  /** [parent, child] pairs of node indexes. */
  readonly edges: readonly (readonly [number, number])[];
  /** Initial order hint within a layer (e.g. names sorted); defaults to the index. */
  readonly rank?: (index: number) => number;
}

export interface LayoutOptions {
  nodeWidth?: number;
  nodeHeight?: number;
  gapX?: number;
  gapY?: number;
  /** Barycentre sweeps down and up (default 6). */
  sweeps?: number;
}

export interface LayoutResult {
  readonly layer: Int32Array;
  /** Position within the layer. */
  readonly order: Int32Array;
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly width: number;
  readonly height: number;
  readonly layers: number;
}

export function layoutLineage(input: LayoutInput, options: LayoutOptions = {}): LayoutResult {
  const { nodeWidth = 180, nodeHeight = 32, gapX = 80, gapY = 14, sweeps = 6 } = options;
  const n = input.nodeCount;
  const parents: number[][] = Array.from({ length: n }, () => []);
  const children: number[][] = Array.from({ length: n }, () => []);
  for (const [p, c] of input.edges) {
    if (p === c || p < 0 || c < 0 || p >= n || c >= n) continue;
    parents[c].push(p);
    children[p].push(c);
  }
  const layer = longestPathLayers(n, parents, children);
  let layerCount = 0;
  for (let i = 0; i < n; i++) if (layer[i] + 1 > layerCount) layerCount = layer[i] + 1;
  const rank = input.rank ?? ((i: number) => i);
  const rows: number[][] = Array.from({ length: layerCount }, () => []);
  for (let i = 0; i < n; i++) rows[layer[i]].push(i);
  for (const row of rows) row.sort((a, b) => rank(a) - rank(b) || a - b);
  const order = new Int32Array(n);
  const renumber = (row: number[]) => row.forEach((v, k) => (order[v] = k));
  rows.forEach(renumber);

  const sortBy = (row: number[], neighbours: number[][]) => {
    const key = new Map<number, number>();
    for (const v of row) {
      const ns = neighbours[v];
      // A node with no neighbour on that side keeps its place.
      key.set(v, ns.length === 0 ? order[v] : ns.reduce((s, u) => s + order[u], 0) / ns.length);
    }
    row.sort((a, b) => key.get(a)! - key.get(b)! || order[a] - order[b]);
    renumber(row);
  };
  for (let s = 0; s < sweeps; s++) {
    for (let l = 1; l < layerCount; l++) sortBy(rows[l], parents);
    for (let l = layerCount - 2; l >= 0; l--) sortBy(rows[l], children);
  }

  const tallest = rows.reduce((m, r) => Math.max(m, r.length), 0);
  const stepY = nodeHeight + gapY;
  const height = Math.max(0, tallest * stepY - gapY);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  rows.forEach((row, l) => {
    const offset = (height - (row.length * stepY - gapY)) / 2;
    for (const v of row) {
      x[v] = l * (nodeWidth + gapX);
      y[v] = offset + order[v] * stepY;
    }
  });
  const width = Math.max(0, layerCount * (nodeWidth + gapX) - gapX);
  return { layer, order, x, y, width, height, layers: layerCount };
}

/**
 * Layer = length of the longest path from a node without parents, so every edge points right.
 * A cycle (dbt forbids them; a damaged manifest can have one) is broken where Kahn's algorithm
 * gets stuck: the stuck node with the fewest unplaced parents is placed next.
 */
function longestPathLayers(n: number, parents: number[][], children: number[][]): Int32Array {
  const layer = new Int32Array(n);
  const remaining = new Int32Array(n);
  const placed = new Uint8Array(n);
  const queue: number[] = [];
  for (let i = 0; i < n; i++) {
    remaining[i] = parents[i].length;
    if (remaining[i] === 0) queue.push(i);
  }
  let done = 0;
  let head = 0;
  for (;;) {
    while (head < queue.length) {
      const v = queue[head++];
      if (placed[v]) continue;
      placed[v] = 1;
      done++;
      for (const c of children[v]) {
        // An edge back into a placed node closes a cycle: it is the one edge that points left.
        if (placed[c]) continue;
        if (layer[c] < layer[v] + 1) layer[c] = layer[v] + 1;
        if (--remaining[c] === 0) queue.push(c);
      }
    }
    if (done >= n) break;
    let pick = -1;
    for (let i = 0; i < n; i++) if (!placed[i] && (pick < 0 || remaining[i] < remaining[pick])) pick = i;
    queue.push(pick);
  }
  return layer;
}

/** Edge crossings between neighbouring layers (edges spanning more layers are not counted). */
export function countCrossings(edges: readonly (readonly [number, number])[], layout: Pick<LayoutResult, 'layer' | 'order'>): number {
  const byLayer = new Map<number, [number, number][]>();
  for (const [p, c] of edges) {
    if (layout.layer[c] !== layout.layer[p] + 1) continue;
    let list = byLayer.get(layout.layer[p]);
    if (!list) byLayer.set(layout.layer[p], (list = []));
    list.push([layout.order[p], layout.order[c]]);
  }
  let crossings = 0;
  for (const list of byLayer.values()) {
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const [a1, b1] = list[i];
        const [a2, b2] = list[j];
        if ((a1 - a2) * (b1 - b2) < 0) crossings++;
      }
    }
  }
  return crossings;
}
