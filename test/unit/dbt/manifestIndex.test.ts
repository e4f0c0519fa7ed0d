// DbtProjectIndex queries on a small hand-made manifest whose answers are known.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadManifest, type DbtProjectIndex } from '../../../src/dbt/manifest';

type Spec = { deps?: string[]; type?: string; pkg?: string; file?: string; tags?: string[]; mat?: string; fqn?: string[]; desc?: string; version?: number; latest?: number };

function node(id: string, s: Spec) {
  const [type, pkg, name] = id.split('.');
  return {
    unique_id: id, resource_type: s.type ?? type, package_name: s.pkg ?? pkg, name, fqn: s.fqn ?? [pkg, 'staging', name],
    original_file_path: s.file ?? `models/staging/${name}.sql`, path: `staging/${name}.sql`, tags: s.tags ?? [],
    config: { materialized: s.mat ?? 'view' }, description: s.desc ?? '', depends_on: { nodes: s.deps ?? [] },
    raw_code: `select 1 as ${name}`, version: s.version ?? null, latest_version: s.latest ?? null,
  };
}

// a -> b -> c -> d -> e (a chain), b -> t (a test), x <-> y (a cycle, which a damaged file can hold)
const NODES: Record<string, Spec> = {
  'model.shop.a': { tags: ['finance', 'daily'], mat: 'table', desc: 'Orders by day' },
  'model.shop.b': { deps: ['model.shop.a', 'source.shop.raw.orders'], fqn: ['shop', 'marts', 'core', 'b'], file: 'models/marts/core/b.sql' },
  'model.shop.c': { deps: ['model.shop.b'], mat: 'incremental' },
  'model.shop.d': { deps: ['model.shop.c'] },
  'model.shop.e': { deps: ['model.shop.d'], tags: ['daily'] },
  'test.shop.not_null_b': { deps: ['model.shop.b'], file: 'models/staging/schema.yml' },
  'model.shop.x': { deps: ['model.shop.y'] },
  'model.shop.y': { deps: ['model.shop.x'] },
  'model.utils.helper': { pkg: 'utils', file: 'models/staging/a.sql', fqn: ['utils', 'staging', 'helper'] },
  'model.shop.dim.v1': { version: 1, latest: 2, fqn: ['shop', 'marts', 'dim', 'v1'], file: 'models/marts/dim_v1.sql' },
  'model.shop.dim.v2': { version: 2, latest: 2, fqn: ['shop', 'marts', 'dim', 'v2'], file: 'models/marts/dim_v2.sql' },
};

describe('DbtProjectIndex queries', () => {
  let dir: string;
  let index: DbtProjectIndex;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-dbt-index-'));
    const nodes = Object.fromEntries(Object.entries(NODES).map(([id, s]) => [id, node(id, s)]));
    nodes['model.shop.dim.v1'].name = 'dim';
    nodes['model.shop.dim.v2'].name = 'dim';
    const sources = { 'source.shop.raw.orders': { resource_type: 'source', name: 'orders', source_name: 'raw', package_name: 'shop', fqn: ['shop', 'raw', 'orders'], original_file_path: 'models/sources.yml' } };
    const manifest = { metadata: { dbt_schema_version: 'https://schemas.getdbt.com/dbt/manifest/v12.json', project_name: 'shop' }, nodes, sources, macros: {}, parent_map: {}, child_map: {} };
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
    index = await loadManifest(join(dir, 'manifest.json'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const ids = (l: { node: { uniqueId: string }; depth: number }[]) => Object.fromEntries(l.map((n) => [n.node.uniqueId.replace(/^\w+\.shop\./, ''), n.depth]));

  const lineageCases: [string, string, number, number, boolean, Record<string, number>, boolean?][] = [
    ['start only', 'model.shop.c', 0, 0, false, { c: 0 }],
    ['one up, one down', 'model.shop.c', 1, 1, false, { b: -1, c: 0, d: 1 }],
    ['all the way up', 'model.shop.c', 9, 0, false, { a: -2, b: -1, c: 0, 'raw.orders': -2 }],
    ['downstream without tests', 'model.shop.a', 0, 9, false, { a: 0, b: 1, c: 2, d: 3, e: 4 }],
    ['downstream with tests', 'model.shop.a', 0, 2, true, { a: 0, b: 1, c: 2, not_null_b: 2 }],
    ['a cycle terminates', 'model.shop.x', 50, 50, false, { x: 0, y: -1 }],
    ['an unknown id', 'model.shop.zz', 3, 3, false, {}],
  ];
  for (const [label, id, up, down, tests, expected] of lineageCases) {
    it(`lineage: ${label}`, () => {
      const l = index.lineage(id, { upstreamDepth: up, downstreamDepth: down, includeTests: tests });
      assert.deepEqual(ids(l.nodes as never), expected);
      // Every edge joins two returned nodes and is a real parent -> child edge.
      const inAnswer = new Set(l.nodes.map((n) => n.node.uniqueId));
      for (const e of l.edges) {
        assert.ok(inAnswer.has(e.from) && inAnswer.has(e.to));
        assert.ok(index.parents(e.to).includes(e.from));
      }
    });
  }

  it('lineage: a cycle yields both edges once, and maxNodes truncates', () => {
    const l = index.lineage('model.shop.x', { upstreamDepth: 5, downstreamDepth: 5 });
    assert.equal(l.edges.length, 2);
    const t = index.lineage('model.shop.a', { upstreamDepth: 0, downstreamDepth: 9, maxNodes: 3 });
    assert.equal(t.nodes.length, 3);
    assert.equal(t.truncated, true);
  });

  const fileCases: [string, string[]][] = [
    ['models/staging/c.sql', ['model.shop.c']],
    ['/home/me/shop/models/staging/c.sql', ['model.shop.c']],
    ['C:\\Users\\me\\shop\\models\\staging\\C.SQL', ['model.shop.c']],
    ['./models/staging/c.sql', ['model.shop.c']],
    // Same relative path in two packages: the root project's model first, unless under dbt_packages/.
    ['models/staging/a.sql', ['model.shop.a', 'model.utils.helper']],
    ['/w/shop/dbt_packages/utils/models/staging/a.sql', ['model.utils.helper', 'model.shop.a']],
    ['models/marts/dim_v1.sql', ['model.shop.dim.v1']],
    ['models/staging/schema.yml', ['test.shop.not_null_b']],
    ['models/sources.yml', ['source.shop.raw.orders']],
    ['models/staging/nothing.sql', []],
  ];
  for (const [file, expected] of fileCases) {
    it(`findByFile(${file})`, () => assert.deepEqual(index.findByFile(file).map((n) => n.uniqueId), expected));
  }

  it('groupBy folder, package, tag and materialization', () => {
    const keys = (m: Map<string, { uniqueId: string }[]>) => Object.fromEntries([...m].map(([k, v]) => [k, v.length]));
    assert.deepEqual(keys(index.groupBy('folder')), { staging: 7, 'marts/core': 1, marts: 2 });
    assert.deepEqual(keys(index.groupBy('package')), { shop: 9, utils: 1 });
    assert.deepEqual(keys(index.groupBy('tag')), { finance: 1, daily: 2, '': 8 });
    assert.deepEqual(keys(index.groupBy('materialization')), { table: 1, view: 8, incremental: 1 });
    assert.deepEqual(keys(index.groupBy('package', 'test')), { shop: 1 });
  });

  it('search ranks exact, prefix, substring, then description', () => {
    assert.deepEqual(index.search('dim').map((n) => n.uniqueId), ['model.shop.dim.v1', 'model.shop.dim.v2']);
    assert.deepEqual(index.search('ORDERS').map((n) => n.uniqueId), ['source.shop.raw.orders', 'model.shop.a']);
    assert.deepEqual(index.search('not_null', { resourceTypes: ['model'] }), []);
    assert.equal(index.search('e', { limit: 2 }).length, 2);
    assert.deepEqual(index.search('   '), []);
  });

  it('getNode resolves the unversioned id to the latest version; parents/children of unknown ids are empty', () => {
    assert.equal(index.getNode('model.shop.dim')?.uniqueId, 'model.shop.dim.v2');
    assert.deepEqual(index.parents('model.shop.nope'), []);
    assert.deepEqual([...index.children('model.shop.b')].sort(), ['model.shop.c', 'test.shop.not_null_b']);
    assert.equal(index.info.projectName, 'shop');
  });
});
