// Every real manifest in the corpus, through both parse paths: counts, lineage, identity, shapes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DbtProjectIndex, loadManifest } from '../../../src/dbt/manifest';
import { sharedPath } from '../../support/shared';

const CORPUS = sharedPath('corpus', 'dbt');
/** Manifests written by the real dbt this project pins (scripts/dbt-requirements.txt), on the demo project. */
const REAL_DBT = join(__dirname, 'fixtures', 'real-dbt');

type Counts = Record<string, number>;
interface Expected {
  file: string;
  /** Folder of `${file}.manifest.json` (default: the shared corpus). */
  dir?: string;
  schema: number;
  dbtVersion: string;
  adapter: string;
  nodes: Counts;
  sources: number;
  exposures: number;
  metrics: number;
  semanticModels: number;
  disabled: number;
  other?: Counts;
}

// The table of SOURCES.md ("nodes by resource_type" and the section columns).
const EXPECTED: Expected[] = [
  { file: 'FlipsideCrypto__ethereum-models', schema: 4, dbtVersion: '1.0.3', adapter: 'snowflake', nodes: { model: 59, seed: 3, test: 601, operation: 4 }, sources: 20, exposures: 0, metrics: 0, semanticModels: 0, disabled: 1 },
  { file: 'fivetran__dbt_ad_reporting', schema: 7, dbtVersion: '1.3.0', adapter: 'postgres', nodes: { model: 223, seed: 80, test: 370 }, sources: 78, exposures: 0, metrics: 9, semanticModels: 0, disabled: 4 },
  { file: 'Aidbox__dbt-sample-project', schema: 9, dbtVersion: '1.5.1', adapter: 'postgres', nodes: { model: 151, seed: 3, test: 13 }, sources: 0, exposures: 0, metrics: 0, semanticModels: 0, disabled: 0 },
  { file: 'fivetran__dbt_hubspot', schema: 10, dbtVersion: '1.6.6', adapter: 'bigquery', nodes: { model: 127, seed: 45, test: 106 }, sources: 51, exposures: 0, metrics: 0, semanticModels: 0, disabled: 8 },
  { file: 'yukontaf__dbt_octafx', schema: 11, dbtVersion: '1.7.13', adapter: 'bigquery', nodes: { model: 100, seed: 4, test: 92, operation: 4 }, sources: 16, exposures: 0, metrics: 9, semanticModels: 5, disabled: 0 },
  {
    file: 'luisleon90__sa-standard-demo', schema: 12, dbtVersion: '2024.9.238', adapter: 'snowflake',
    nodes: { model: 32, seed: 2, snapshot: 1, test: 71, analysis: 3, operation: 3 }, sources: 9, exposures: 4, metrics: 9, semanticModels: 3, disabled: 0,
    other: { saved_query: 2, unit_test: 1 },
  },
  { file: 'doviec__ga_retail_project', schema: 12, dbtVersion: '1.10.9', adapter: 'bigquery', nodes: { model: 12, seed: 1, test: 34 }, sources: 2, exposures: 1, metrics: 0, semanticModels: 0, disabled: 0 },
  { file: 'NIH-NCPI__anvil_dbt_project', schema: 12, dbtVersion: '1.9.4', adapter: 'duckdb', nodes: { model: 298, seed: 6, test: 260 }, sources: 26, exposures: 0, metrics: 0, semanticModels: 0, disabled: 0 },
  { file: 'A7med-3laa227__dbt_bigquery_project', schema: 20, dbtVersion: '2.0.0-beta.46', adapter: 'bigquery', nodes: { model: 2, test: 1 }, sources: 0, exposures: 0, metrics: 0, semanticModels: 0, disabled: 0 },
  // dbt-core 1.11 + dbt-duckdb on the demo project with a broken model and a failing test added.
  { file: 'build-failing', dir: REAL_DBT, schema: 12, dbtVersion: '1.11.16', adapter: 'duckdb', nodes: { model: 7, seed: 1, snapshot: 1, test: 22 }, sources: 3, exposures: 1, metrics: 0, semanticModels: 0, disabled: 0 },
  { file: 'advantage-point__advantage-point-dbt', schema: 12, dbtVersion: '2026.1.14+8153e4a', adapter: 'bigquery', nodes: { model: 2, test: 4 }, sources: 0, exposures: 0, metrics: 0, semanticModels: 0, disabled: 0 },
];

type Raw = Record<string, any>;
const SECTIONS = ['nodes', 'sources', 'exposures', 'metrics', 'semantic_models', 'saved_queries', 'unit_tests', 'functions'];

/** Independent of the code under test: enabled entries by resource_type, and depends_on edges. */
function recompute(raw: Raw): { counts: Counts; parents: Map<string, Set<string>> } {
  const counts: Counts = {};
  const parents = new Map<string, Set<string>>();
  for (const section of SECTIONS) {
    for (const [id, node] of Object.entries<Raw>(raw[section] ?? {})) {
      counts[node.resource_type] = (counts[node.resource_type] ?? 0) + 1;
      parents.set(id, new Set(node.depends_on?.nodes ?? []));
    }
  }
  return { counts, parents };
}

function countsOf(index: DbtProjectIndex): Counts {
  const counts: Counts = {};
  for (const n of index.nodes()) if (!n.disabled) counts[n.rawResourceType] = (counts[n.rawResourceType] ?? 0) + 1;
  return counts;
}

describe('dbt manifest corpus', function () {
  this.timeout(30000);

  for (const expected of EXPECTED) {
    describe(expected.file, () => {
      const path = join(expected.dir ?? CORPUS, `${expected.file}.manifest.json`);
      let raw: Raw;
      let fast: DbtProjectIndex;
      let streamed: DbtProjectIndex;

      before(async () => {
        raw = JSON.parse(readFileSync(path, 'utf8'));
        fast = await loadManifest(path);
        // Small chunks put entry, key and string boundaries across reads.
        streamed = await loadManifest(path, { streamThresholdBytes: 0, chunkBytes: 7919 });
      });

      it('reads metadata wherever it sits', () => {
        assert.equal(fast.info.schemaVersion, expected.schema);
        assert.equal(fast.info.dbtVersion, expected.dbtVersion);
        assert.equal(fast.info.adapterType, expected.adapter);
        if (raw.metadata.project_name) assert.equal(fast.info.projectName, raw.metadata.project_name);
        assert.equal(fast.info.macroCount, Object.keys(raw.macros).length);
        assert.deepEqual(fast.warnings, []);
      });

      it('counts nodes by resource type as SOURCES.md and an independent count do', () => {
        const table: Counts = { ...expected.nodes, ...expected.other };
        if (expected.sources) table.source = expected.sources;
        if (expected.exposures) table.exposure = expected.exposures;
        if (expected.metrics) table.metric = expected.metrics;
        if (expected.semanticModels) table.semantic_model = expected.semanticModels;
        assert.deepEqual(countsOf(fast), table);
        assert.deepEqual(countsOf(fast), recompute(raw).counts);
        assert.equal(fast.nodes().filter((n) => n.disabled).length, expected.disabled);
        assert.equal(fast.nodesByType('model').length, expected.nodes.model);
      });

      it('builds lineage equal to depends_on, and to parent_map/child_map when dbt wrote them', () => {
        const { parents } = recompute(raw);
        const pm: Raw = raw.parent_map ?? {};
        const cm: Raw = raw.child_map ?? {};
        const children = new Map<string, Set<string>>();
        for (const [id, ps] of parents) for (const p of ps) children.set(p, (children.get(p) ?? new Set()).add(id));
        let edges = 0;
        for (const [id, ps] of parents) {
          assert.deepEqual(new Set(fast.parents(id)), ps, id);
          assert.deepEqual(new Set(fast.children(id)), children.get(id) ?? new Set(), id);
          if (Object.keys(pm).length) assert.deepEqual(new Set(fast.parents(id)), new Set(pm[id]), `parent_map ${id}`);
          if (Object.keys(cm).length) assert.deepEqual(new Set(fast.children(id)), new Set(cm[id]), `child_map ${id}`);
          edges += ps.size;
        }
        assert.ok(expected.file.startsWith('A7med') ? edges === 2 : edges > 0);
      });

      it('gives the same index through the streaming path', () => {
        assert.deepEqual(streamed.nodes(), fast.nodes());
        assert.deepEqual(streamed.info, fast.info);
        for (const n of fast.nodes()) assert.deepEqual(streamed.parents(n.uniqueId), fast.parents(n.uniqueId));
      });

      it('normalizes every path to forward slashes and finds each model by its file', () => {
        for (const n of fast.nodes()) {
          for (const p of [n.path, n.originalFilePath, n.patchPath]) assert.ok(p === undefined || !p.includes('\\'), `${n.uniqueId}: ${p}`);
        }
        for (const model of fast.nodesByType('model')) {
          const windows = `C:\\work\\repo\\${model.originalFilePath!.replace(/\//g, '\\')}`;
          assert.ok(fast.findByFile(model.originalFilePath!).includes(model), model.uniqueId);
          assert.ok(fast.findByFile(windows).includes(model), windows);
        }
      });

      it('keeps code out of the index and reads it back from disk, through both paths', async () => {
        const model = fast.nodesByType('model').find((n) => n.hasRawCode)!;
        const rawNode = raw.nodes[model.uniqueId];
        const code = await fast.readCode(model.uniqueId);
        assert.equal(code.rawCode, rawNode.raw_code ?? rawNode.raw_sql);
        assert.equal(code.compiledCode, rawNode.compiled_code ?? rawNode.compiled_sql ?? undefined);
        assert.deepEqual(await streamed.readCode(model.uniqueId), code);
        assert.ok(!('rawCode' in model) && !('raw_code' in model));
        assert.equal(model.hasCompiledCode, typeof (rawNode.compiled_code ?? rawNode.compiled_sql) === 'string');
      });
    });
  }

  it('keeps versioned models apart and resolves the unversioned id to the latest', async () => {
    const index = await loadManifest(join(CORPUS, 'luisleon90__sa-standard-demo.manifest.json'));
    const versions = index.nodesByType('model').filter((n) => n.name === 'dim_customers');
    assert.deepEqual(versions.map((n) => [n.uniqueId, n.version, n.latestVersion, n.alias, n.folder]), [
      ['model.analytics.dim_customers.v1', 1, 2, 'dim_customers_v1', 'marts/core'],
      ['model.analytics.dim_customers.v2', 2, 2, 'dim_customers_v2', 'marts/core'],
    ]);
    assert.equal(index.getNode('model.analytics.dim_customers')?.uniqueId, 'model.analytics.dim_customers.v2');
    assert.equal(index.findByFile('models/marts/core/dim_customers_v1.sql')[0].uniqueId, 'model.analytics.dim_customers.v1');
    assert.equal(index.groupBy('folder').get('marts/core')?.filter((n) => n.name === 'dim_customers').length, 2);
  });

  it('normalizes the Windows-generated manifest', async () => {
    const index = await loadManifest(join(CORPUS, 'doviec__ga_retail_project.manifest.json'));
    const node = index.getNode('model.ga_retail_project.int_sessions_enriched')!;
    assert.equal(node.originalFilePath, 'models/intermediate/int_sessions_enriched.sql');
    assert.equal(node.path, 'intermediate/int_sessions_enriched.sql');
    assert.equal(node.patchPath, 'models/intermediate/intermediate_models.yml');
    assert.equal(node.relationName, 'e2e-dbt-project.analytics_int.int_sessions_enriched');
    assert.equal(index.findByFile('C:\\Projects\\ga\\models\\intermediate\\int_sessions_enriched.sql')[0], node);
    assert.ok(index.findByFile('models\\intermediate\\intermediate_models.yml').includes(node));
    assert.match((await index.readCode(node.uniqueId)).rawCode ?? '', /\r\n/);
  });

  it('rebuilds Fusion lineage from depends_on although parent_map and child_map are empty', async () => {
    const index = await loadManifest(join(CORPUS, 'A7med-3laa227__dbt_bigquery_project.manifest.json'));
    assert.equal(index.info.schemaVersion, 20);
    assert.deepEqual(index.parents('model.sales_analytics.sales_final'), ['model.sales_analytics.stg_sales']);
    assert.deepEqual(new Set(index.children('model.sales_analytics.sales_final')), new Set(['test.sales_analytics.not_null_sales_final_']));
    const l = index.lineage('model.sales_analytics.stg_sales', { upstreamDepth: 2, downstreamDepth: 2 });
    assert.deepEqual(l.edges, [{ from: 'model.sales_analytics.stg_sales', to: 'model.sales_analytics.sales_final' }]);
    const withTests = index.lineage('model.sales_analytics.stg_sales', { upstreamDepth: 2, downstreamDepth: 2, includeTests: true });
    assert.equal(withTests.nodes.length, 3);
    assert.deepEqual(index.getNode('test.sales_analytics.not_null_sales_final_')?.tags, []);
  });

  it('reads lineage through exposures, metrics, semantic models, saved queries and unit tests', async () => {
    const index = await loadManifest(join(CORPUS, 'luisleon90__sa-standard-demo.manifest.json'));
    const saved = 'saved_query.analytics.metrics_sales_by_region';
    const up = index.lineage(saved, { upstreamDepth: 10, downstreamDepth: 0 });
    const types = new Set(up.nodes.map((n) => n.node.resourceType));
    for (const t of ['saved_query', 'metric', 'semantic_model', 'model', 'source']) assert.ok(types.has(t as never), t);
    assert.ok(up.nodes.every((n) => n.depth <= 0));
    assert.ok(index.children('model.analytics.customer_tier').some((id) => id.startsWith('unit_test.')));
  });
});
