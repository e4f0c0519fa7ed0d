// Lineage picture: layered layout (edges point right, crossings reduced, cycles survive, thousands
// of nodes fast), the graph message built from a manifest (depths, truncation), and the protocol
// validators on both ends.
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildLineageGraph } from '../../../src/dbt/lineageGraph';
import { parseHostToLineage, parseLineageToHost } from '../../../src/dbt/lineageProtocol';
import { countCrossings, layoutLineage } from '../../../src/dbt/lineageLayout';
import { invertCsr, traverse, type Csr } from '../../../src/dbt/lineage';
import { LINEAGE_LIMITS } from '../../../src/dbt/lineageProtocol';
import { loadManifest, type DbtProjectIndex } from '../../../src/dbt/manifest';
import { previewSql } from '../../../src/dbt/modelPreview';

const DEMO = path.join(__dirname, '../../sandbox/demo-workspace/jaffle_gatehouse/target/manifest.json');

/** A synthetic v12 manifest: `layers` layers of `width` models, each depending on 2 of the previous layer. */
function syntheticManifest(layers: number, width: number): object {
  const nodes: Record<string, object> = {};
  for (let l = 0; l < layers; l++) {
    for (let w = 0; w < width; w++) {
      const name = `m_${l}_${w}`;
      const deps = l === 0 ? [] : [(w * 7) % width, (w * 13 + 5) % width, (w + 1) % width].map((k) => `model.big.m_${l - 1}_${k}`);
      nodes[`model.big.${name}`] = {
        unique_id: `model.big.${name}`, name, resource_type: 'model', package_name: 'big', path: `l${l}/${name}.sql`, original_file_path: `models/l${l}/${name}.sql`,
        fqn: ['big', `l${l}`, name], alias: name, checksum: { name: 'sha256', checksum: '0' }, config: { enabled: true, materialized: 'view', tags: [] }, tags: [],
        description: '', columns: {}, depends_on: { nodes: [...new Set(deps)], macros: [] }, database: 'p', schema: 's',
      };
    }
  }
  return { metadata: { dbt_schema_version: 'https://schemas.getdbt.com/dbt/manifest/v12.json', project_name: 'big' }, nodes, sources: {}, macros: {}, docs: {}, exposures: {}, metrics: {}, groups: {}, selectors: {}, disabled: {}, parent_map: {}, child_map: {}, group_map: {}, saved_queries: {}, semantic_models: {}, unit_tests: {} };
}

describe('lineage layout', () => {
  it('puts every parent left of its children, in longest-path layers', () => {
    // a→b→c, a→c: c must be in layer 2 even though a→c is one hop.
    const layout = layoutLineage({ nodeCount: 4, edges: [[0, 1], [1, 2], [0, 2], [3, 2]] });
    assert.deepEqual([...layout.layer], [0, 1, 2, 0]);
    for (const [p, c] of [[0, 1], [1, 2], [0, 2], [3, 2]]) assert.ok(layout.x[p] < layout.x[c]);
    const ys = [...layout.y].filter((_, i) => layout.layer[i] === 0);
    assert.equal(new Set(ys).size, ys.length, 'no two nodes of a layer overlap');
  });

  it('reduces crossings with barycentre ordering', () => {
    // Two layers wired in reverse order: the initial (index) order crosses every pair.
    const n = 6;
    const edges: [number, number][] = [];
    for (let i = 0; i < n; i++) edges.push([i, 2 * n - 1 - i]);
    const unsorted = layoutLineage({ nodeCount: 2 * n, edges }, { sweeps: 0 });
    const sorted = layoutLineage({ nodeCount: 2 * n, edges });
    assert.equal(countCrossings(edges, unsorted), (n * (n - 1)) / 2);
    assert.equal(countCrossings(edges, sorted), 0);
  });

  it('terminates on a cycle (a damaged manifest) and still places every node', () => {
    const layout = layoutLineage({ nodeCount: 3, edges: [[0, 1], [1, 2], [2, 0]] });
    assert.equal(layout.layers, 3);
    assert.deepEqual([...layout.layer].sort(), [0, 1, 2]);
  });

  it('lays out 5,000 nodes and 10,000 edges quickly', () => {
    const n = 5_000;
    const edges: [number, number][] = [];
    for (let i = 50; i < n; i++) edges.push([i - 50 + (i % 50 === 0 ? 0 : (i * 31) % 50), i], [Math.max(0, i - 50 - (i % 7)), i]);
    const started = performance.now();
    const layout = layoutLineage({ nodeCount: n, edges });
    const ms = performance.now() - started;
    assert.ok(ms < 3_000, `took ${ms.toFixed(0)} ms`);
    for (const [p, c] of edges) if (p !== c) assert.ok(layout.layer[p] < layout.layer[c]);
  });
});

describe('lineage graph message', function () {
  this.timeout(30_000);
  let demo: DbtProjectIndex;
  let big: DbtProjectIndex;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-lineage-'));
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(syntheticManifest(40, 100)));
    demo = await loadManifest(DEMO);
    big = await loadManifest(path.join(dir, 'manifest.json'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('shows a model with its parents and children to the chosen depth, tests left out', () => {
    const g = buildLineageGraph(demo, { focusId: 'model.jaffle_gatehouse.stg_orders', upstreamDepth: 1, downstreamDepth: 1 })!;
    const names = g.nodes.filter((n) => n.resourceType !== 'exposure').map((n) => n.name).sort();
    assert.deepEqual(names, ['orders', 'orders_raw', 'stg_orders']);
    assert.equal(g.focusName, 'stg_orders');
    assert.equal(g.truncated, false);
    const deep = buildLineageGraph(demo, { focusId: 'model.jaffle_gatehouse.stg_orders', upstreamDepth: 1, downstreamDepth: 5 })!;
    assert.ok(deep.nodes.some((n) => n.resourceType === 'exposure'), 'the dashboard exposure is downstream');
    assert.ok(deep.nodes.every((n) => n.resourceType !== 'test'));
    const focus = deep.nodes.find((n) => n.id === deep.focusId)!;
    for (const [a, b] of deep.edges) assert.ok(deep.nodes[a].x < deep.nodes[b].x, 'edges point right');
    assert.ok(deep.nodes.filter((n) => n.depth < 0).every((n) => n.x < focus.x));
    assert.equal(parseHostToLineage(JSON.parse(JSON.stringify(deep)))?.type, 'graph', 'what the host builds passes the webview check');
  });

  it('shows the exposures that consume shown models at the default depth, one step past it', () => {
    const consumers = demo.nodesByType('exposure').map((e) => e.uniqueId);
    assert.ok(consumers.length > 0);
    // The panel's default depth is 2 up, 2 down; from stg_orders the exposure is further away.
    const g = buildLineageGraph(demo, { focusId: 'model.jaffle_gatehouse.stg_orders', upstreamDepth: 2, downstreamDepth: 2 })!;
    const shown = g.nodes.filter((n) => n.resourceType === 'exposure');
    assert.ok(shown.length > 0, 'an exposure is in the default picture');
    for (const e of shown) {
      const i = g.nodes.indexOf(e);
      const feeders = g.edges.filter(([, b]) => b === i).map(([a]) => g.nodes[a]);
      assert.ok(feeders.length > 0 && feeders.every((f) => f.resourceType !== 'exposure' && f.depth >= 0), `${e.name} hangs off a shown model`);
      assert.ok(feeders.every((f) => e.x > f.x), 'right of what it consumes');
    }
    const without = demo.lineage('model.jaffle_gatehouse.stg_orders', { upstreamDepth: 2, downstreamDepth: 2, includeExposures: false });
    assert.ok(without.nodes.every((n) => n.node.resourceType !== 'exposure'));
  });

  it('bounds a large project and says it was cut short', () => {
    const started = performance.now();
    const g = buildLineageGraph(big, { focusId: 'model.big.m_20_10', upstreamDepth: 50, downstreamDepth: 50, maxNodes: 1_500 })!;
    assert.equal(g.nodes.length, 1_500);
    assert.equal(g.truncated, true);
    assert.ok(performance.now() - started < 3_000);
    const all = buildLineageGraph(big, { focusId: 'model.big.m_20_10', upstreamDepth: 50, downstreamDepth: 50 })!;
    assert.ok(all.nodes.length > 1_500 && all.nodes.length <= 4_000, `${all.nodes.length} nodes`);
    assert.equal(all.truncated, false);
    assert.equal(parseHostToLineage(JSON.parse(JSON.stringify(all)))?.type, 'graph');
    assert.equal(buildLineageGraph(big, { focusId: 'model.big.nope', upstreamDepth: 1, downstreamDepth: 1 }), undefined);
  });
});

describe('lineage walk on dense graphs (work capped before traversal)', () => {
  /** n nodes, node i depending on every node before it: n(n-1)/2 edges. */
  function complete(n: number): { parents: Csr; children: Csr; edgeCount: number } {
    const offsets = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) offsets[i + 1] = offsets[i] + i;
    const targets = new Int32Array(offsets[n]);
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) targets[offsets[i] + j] = j;
    const parents = { offsets, targets };
    return { parents, children: invertCsr(parents, n), edgeCount: targets.length };
  }

  it('a 1,500-node complete graph: edges visited stay within the bound, not the 1.1 million edges', () => {
    const g = complete(1_500);
    assert.equal(g.edgeCount, 1_124_250);
    const limits = { maxNodes: LINEAGE_LIMITS.maxNodes, maxEdges: LINEAGE_LIMITS.maxEdges };
    const r = traverse(750, g.parents, g.children, 50, 50, limits, () => false);
    const bound = 2 * (limits.maxNodes + limits.maxEdges);
    assert.ok(r.edgesVisited <= bound, `${r.edgesVisited} adjacency entries looked at, bound ${bound}`);
    assert.ok(r.edges.length <= limits.maxEdges);
    assert.equal(r.truncated, true);
    // Every kept edge joins kept nodes, and a node is kept only with a path to the focus.
    for (const [a, b] of r.edges) assert.ok(r.depth.has(a) && r.depth.has(b));
    assert.ok(r.depth.size > 1);
  });

  it('a tighter visit budget is honoured exactly, and a sparse graph is not cut', () => {
    const g = complete(1_500);
    const r = traverse(0, g.parents, g.children, 50, 50, { maxNodes: 100, maxEdges: 100, maxVisits: 1_000 }, () => false);
    assert.ok(r.edgesVisited <= 1_000);
    assert.ok(r.depth.size <= 100 && r.edges.length <= 100);
    const chain: Csr = { offsets: Int32Array.from([0, 0, 1, 2]), targets: Int32Array.from([0, 1]) };
    const c = traverse(0, chain, invertCsr(chain, 3), 5, 5, { maxNodes: 10, maxEdges: 10 }, () => false);
    assert.deepEqual([...c.depth], [[0, 0], [1, 1], [2, 2]]);
    assert.equal(c.truncated, false);
    assert.equal(c.edgesVisited, 2, 'two downstream edges looked at (node 0 has no parents), no exposure pass without a leaf test');
  });

  it('through the manifest index: a dense 1,500-model project stays bounded', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-dense-'));
    try {
      const nodes: Record<string, object> = {};
      for (let i = 0; i < 1_500; i++) {
        const deps = Array.from({ length: Math.min(i, 200) }, (_, k) => `model.d.m${i - 1 - k}`);
        nodes[`model.d.m${i}`] = { unique_id: `model.d.m${i}`, name: `m${i}`, resource_type: 'model', package_name: 'd', path: `m${i}.sql`, original_file_path: `models/m${i}.sql`, fqn: ['d', `m${i}`], config: { enabled: true, materialized: 'view' }, tags: [], columns: {}, depends_on: { nodes: deps } };
      }
      writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ metadata: { dbt_schema_version: 'https://schemas.getdbt.com/dbt/manifest/v12.json', project_name: 'd' }, nodes, sources: {}, exposures: {} }));
      const index = await loadManifest(path.join(dir, 'manifest.json'));
      const l = index.lineage('model.d.m750', { upstreamDepth: 50, downstreamDepth: 50, maxNodes: 5_000, maxEdges: 20_000 });
      assert.ok(l.edgesVisited <= 2 * (5_000 + 20_000), `${l.edgesVisited}`);
      assert.equal(l.truncated, true);
      const g = buildLineageGraph(index, { focusId: 'model.d.m750', upstreamDepth: 50, downstreamDepth: 50 })!;
      assert.ok(g.edges.length <= LINEAGE_LIMITS.maxEdges && g.truncated);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('lineage protocol', () => {
  const host: [unknown, string | undefined][] = [
    [{ type: 'ready' }, 'ready'],
    [{ type: 'openNode', id: 'model.a.b' }, 'openNode'],
    [{ type: 'openNode', id: '' }, undefined],
    [{ type: 'openNode', id: 5 }, undefined],
    [{ type: 'openNode', path: '/etc/passwd' }, undefined],
    [{ type: 'setDepth', upstream: 2, downstream: 3 }, 'setDepth'],
    [{ type: 'setDepth', upstream: -1, downstream: 3 }, undefined],
    [{ type: 'setDepth', upstream: 1.5, downstream: 3 }, undefined],
    [{ type: 'setDepth', upstream: 1000, downstream: 3 }, undefined],
    [{ type: 'openExternal', url: 'https://x' }, undefined],
    ['ready', undefined],
    [null, undefined],
  ];
  for (const [raw, expected] of host) it(`host accepts ${JSON.stringify(raw)}: ${expected ?? 'no'}`, () => assert.equal(parseLineageToHost(raw)?.type, expected));

  it('webview rejects malformed graphs', () => {
    const node = { id: 'a', name: 'a', resourceType: 'model', packageName: 'p', depth: 0, x: 0, y: 0, hasFile: true };
    const graph = { type: 'graph', focusId: 'a', focusName: 'a', upstreamDepth: 1, downstreamDepth: 1, nodes: [node], edges: [], width: 1, height: 1, nodeWidth: 1, nodeHeight: 1, truncated: false, maxNodes: 10 };
    assert.equal(parseHostToLineage(graph)?.type, 'graph');
    const bad: [string, object][] = [
      ['edge out of range', { ...graph, edges: [[0, 1]] }],
      ['unknown resource type', { ...graph, nodes: [{ ...node, resourceType: '<script>' }] }],
      ['coordinate not finite', { ...graph, nodes: [{ ...node, x: Number.NaN }] }],
      ['name not text', { ...graph, nodes: [{ ...node, name: { toString: 1 } }] }],
      ['too many nodes', { ...graph, nodes: Array.from({ length: 5_001 }, () => node) }],
    ];
    for (const [why, g] of bad) assert.equal(parseHostToLineage(g), undefined, why);
    assert.equal(parseHostToLineage({ type: 'error', message: 'x' })?.type, 'error');
  });
});

describe('preview SQL', () => {
  const table: [string, number | undefined, string][] = [
    ['select 1', undefined, 'select * from (\nselect 1\n) as gatehouse_preview\nlimit 500'],
    ['select 1;\n  ', 10, 'select * from (\nselect 1\n) as gatehouse_preview\nlimit 10'],
    ['select 1 -- trailing comment', 5, 'select * from (\nselect 1 -- trailing comment\n) as gatehouse_preview\nlimit 5'],
    ['select 1', 1e9, 'select * from (\nselect 1\n) as gatehouse_preview\nlimit 10000'],
    ['select 1', 0, 'select * from (\nselect 1\n) as gatehouse_preview\nlimit 1'],
  ];
  for (const [sql, limit, expected] of table) it(`${JSON.stringify(sql)} limit ${limit}`, () => assert.equal(previewSql(sql, limit), expected));
  it('refuses empty SQL', () => assert.throws(() => previewSql(' ;\n'), RangeError));
});
