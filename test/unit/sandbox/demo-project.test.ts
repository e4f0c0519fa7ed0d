// The demo dbt project's committed artifacts: valid manifest v12, up to date with the project
// files, and describing the relations the sandbox BigQuery serves.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { DEMO_PROJECT_DIR, generateArtifacts } from '../../sandbox/demo-workspace/generate-manifest';
import { sharedPath } from '../../support/shared';

const SCHEMA = sharedPath('reference', 'specs', 'dbt-manifest-v12.schema.json');
const readJson = (p: string): any => JSON.parse(readFileSync(p, 'utf8'));

describe('sandbox demo dbt project (jaffle_gatehouse)', function () {
  this.timeout(60_000);
  const manifest = readJson(join(DEMO_PROJECT_DIR, 'target', 'manifest.json'));
  const runResults = readJson(join(DEMO_PROJECT_DIR, 'target', 'run_results.json'));

  it('validates against the dbt manifest v12 JSON schema', function () {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(readJson(SCHEMA));
    const document: unknown = manifest; // a separate binding: the type guard must not narrow `manifest`
    const ok = validate(document);
    assert.ok(ok, JSON.stringify(validate.errors?.slice(0, 10), null, 2));
    assert.equal(manifest.metadata.dbt_schema_version, 'https://schemas.getdbt.com/dbt/manifest/v12.json');
    assert.equal(manifest.metadata.adapter_type, 'bigquery');
    assert.match(manifest.metadata.dbt_version, /^1\.9\./);
  });

  it('is what the generator makes from the project files today', function () {
    const fresh = generateArtifacts();
    assert.deepEqual(manifest, fresh.manifest, 'run `npx tsx test/sandbox/demo-workspace/generate-manifest.ts`');
    assert.deepEqual(runResults, fresh.runResults);
  });

  const relations: [string, string, string][] = [
    ['model.jaffle_gatehouse.stg_orders', 'view', '`gatehouse-demo`.`analytics`.`stg_orders`'],
    ['model.jaffle_gatehouse.stg_customers', 'view', '`gatehouse-demo`.`analytics`.`stg_customers`'],
    ['model.jaffle_gatehouse.stg_payments', 'view', '`gatehouse-demo`.`analytics`.`stg_payments`'],
    ['model.jaffle_gatehouse.orders', 'table', '`gatehouse-demo`.`analytics`.`orders`'],
    ['model.jaffle_gatehouse.customers', 'table', '`gatehouse-demo`.`analytics`.`customers`'],
    ['model.jaffle_gatehouse.daily_revenue', 'materialized_view', '`gatehouse-demo`.`analytics`.`daily_revenue`'],
  ];
  for (const [id, materialized, relation] of relations) {
    it(`${id} is a ${materialized} at ${relation} with compiled SQL`, function () {
      const node = manifest.nodes[id];
      assert.equal(node.config.materialized, materialized);
      assert.equal(node.relation_name, relation);
      assert.equal(node.database, 'gatehouse-demo');
      assert.equal(node.schema, 'analytics');
      assert.ok(node.compiled_code && !/\{\{|\{%/.test(node.compiled_code), 'compiled_code has no Jinja left');
      assert.ok(node.description.length > 0);
      assert.ok(Object.keys(node.columns).length > 0);
    });
  }

  it('reads the raw sources loaded by Airbyte', function () {
    for (const t of ['orders_raw', 'customers_raw', 'payments_raw']) {
      const src = manifest.sources[`source.jaffle_gatehouse.raw.${t}`];
      assert.equal(src.relation_name, `\`gatehouse-demo\`.\`raw\`.\`${t}\``);
    }
    assert.deepEqual(manifest.nodes['model.jaffle_gatehouse.stg_orders'].depends_on.nodes, ['source.jaffle_gatehouse.raw.orders_raw']);
    assert.match(manifest.nodes['model.jaffle_gatehouse.stg_orders'].compiled_code, /from `gatehouse-demo`\.`raw`\.`orders_raw`/);
  });

  it('has a seed, a snapshot, an exposure and generic tests as nodes', function () {
    const types = Object.values<{ resource_type: string }>(manifest.nodes).map((n) => n.resource_type);
    assert.ok(types.includes('seed') && types.includes('snapshot'));
    assert.ok(types.filter((t) => t === 'test').length >= 15);
    assert.ok(manifest.exposures['exposure.jaffle_gatehouse.shop_revenue_dashboard']);
    const notNull = Object.keys(manifest.nodes).find((k) => k.startsWith('test.jaffle_gatehouse.not_null_stg_orders_order_id.'));
    assert.equal(manifest.nodes[notNull!].attached_node, 'model.jaffle_gatehouse.stg_orders');
  });

  it('keeps depends_on, parent_map and child_map consistent', function () {
    const all = { ...manifest.nodes, ...manifest.sources, ...manifest.exposures };
    for (const [id, node] of Object.entries<any>(all)) {
      const parents = [...(node.depends_on?.nodes ?? [])].sort();
      assert.deepEqual(manifest.parent_map[id], parents, `parent_map of ${id}`);
      for (const p of parents) {
        assert.ok(all[p], `${id} depends on unknown ${p}`);
        assert.ok(manifest.child_map[p].includes(id), `child_map of ${p} lacks ${id}`);
      }
    }
    for (const [id, children] of Object.entries<string[]>(manifest.child_map)) {
      for (const c of children) assert.ok(manifest.parent_map[c].includes(id), `parent_map of ${c} lacks ${id}`);
    }
  });

  it('run_results.json lists every node once, all passing', function () {
    const ids = runResults.results.map((r: { unique_id: string }) => r.unique_id).sort();
    assert.deepEqual(ids, Object.keys(manifest.nodes).sort());
    assert.ok(runResults.results.every((r: { status: string }) => r.status === 'success' || r.status === 'pass'));
    assert.equal(runResults.metadata.dbt_schema_version, 'https://schemas.getdbt.com/dbt/run-results/v6.json');
  });
});
