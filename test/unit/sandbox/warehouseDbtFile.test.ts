// The DuckDB file the sandbox shares with real dbt: sources written at start, what "dbt" builds in
// dbt_dev served (views after the views they read), the file left unlocked between looks so a dbt
// process can write it, and nothing else on disk reachable.
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { createWarehouse, type DuckWarehouse } from '../../sandbox/warehouse';

describe('sandbox warehouse shared with dbt', function () {
  this.timeout(60_000);
  let dir: string;
  let file: string;
  let w: DuckWarehouse;

  /** Writes the file the way dbt-duckdb would, as another DuckDB instance (another "process"). */
  async function asDbt(sql: string): Promise<void> {
    const instance = await DuckDBInstance.create(file);
    const c = await instance.connect();
    try {
      await c.run(sql);
    } finally {
      c.closeSync();
      instance.closeSync();
    }
  }

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-dbt-file-'));
    file = path.join(dir, 'gatehouse-demo.duckdb');
    w = await createWarehouse({ largeTableRows: 100, dbtFile: file });
  });
  after(async () => {
    await w.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a file not named after the project (dbt-duckdb names its catalog after the file)', async () => {
    await assert.rejects(createWarehouse({ largeTableRows: 10, dbtFile: path.join(dir, 'warehouse.duckdb') }), /gatehouse-demo\.duckdb/);
  });

  it('writes the raw tables for dbt sources and leaves the file unlocked', async () => {
    const instance = await DuckDBInstance.create(file);
    const c = await instance.connect();
    const rows = (await c.runAndReadAll(`SELECT count(*) FROM "gatehouse-demo".raw.orders_raw`)).getRows();
    c.closeSync();
    instance.closeSync();
    assert.ok(Number(rows[0][0]) > 0);
    assert.ok(w.datasets('gatehouse-demo').some((d) => d.datasetId === 'dbt_dev'));
    assert.deepEqual(await w.tableIds('gatehouse-demo', 'dbt_dev'), []);
  });

  it('serves what dbt built, views after the views they read, and follows a rebuild', async () => {
    await asDbt(`CREATE SCHEMA IF NOT EXISTS dbt_dev;
      CREATE OR REPLACE VIEW "gatehouse-demo"."dbt_dev"."stg_orders" AS SELECT id AS order_id, status FROM "gatehouse-demo"."raw"."orders_raw";
      CREATE OR REPLACE VIEW "gatehouse-demo"."dbt_dev"."a_shipped" AS SELECT * FROM "gatehouse-demo"."dbt_dev"."stg_orders" WHERE status = 'shipped';
      CREATE OR REPLACE TABLE "gatehouse-demo"."dbt_dev"."order_count" AS SELECT count(*) AS n FROM "gatehouse-demo"."raw"."orders_raw";`);
    assert.deepEqual((await w.tableIds('gatehouse-demo', 'dbt_dev')).map((t) => t.tableId), ['a_shipped', 'order_count', 'stg_orders']);
    const shipped = await w.query('SELECT count(*) AS n FROM `gatehouse-demo.dbt_dev.a_shipped`');
    const direct = await w.query("SELECT count(*) AS n FROM `gatehouse-demo.raw.orders_raw` WHERE status = 'shipped'");
    assert.deepEqual(shipped.rows, direct.rows);
    // The file is free again: dbt can rebuild, and a dropped model disappears.
    await asDbt(`DROP VIEW "gatehouse-demo"."dbt_dev"."a_shipped"; CREATE OR REPLACE TABLE "gatehouse-demo"."dbt_dev"."order_count" AS SELECT 42 AS n;`);
    assert.deepEqual((await w.tableIds('gatehouse-demo', 'dbt_dev')).map((t) => t.tableId), ['order_count', 'stg_orders']);
    assert.deepEqual((await w.query('SELECT n FROM `gatehouse-demo.dbt_dev.order_count`')).rows, [['42']]);
  });

  it('still keeps user SQL away from other files', async () => {
    await assert.rejects(w.query(`SELECT * FROM read_csv('${path.join(dir, 'x.csv')}')`));
    await assert.rejects(w.query(`ATTACH '${path.join(dir, 'other.duckdb')}' AS o`));
  });
});
