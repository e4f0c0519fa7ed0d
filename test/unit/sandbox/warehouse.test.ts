// The DuckDB warehouse: BigQuery dialect rewrites, type mapping, parameters, stored results, cancellation.
import * as assert from 'node:assert/strict';
import { createWarehouse, TypedParam, WarehouseError, type DuckWarehouse } from '../../sandbox/warehouse';
import { delayHintMs, splitStatements, statementType, tableNames, translate } from '../../sandbox/warehouse/dialect';

describe('sandbox warehouse dialect', () => {
  const cases: [string, string][] = [
    ['SELECT * FROM `gatehouse-demo.analytics.orders`', 'SELECT * FROM "gatehouse-demo"."analytics"."orders"'],
    ['SELECT * FROM `gatehouse-demo`.analytics.orders', 'SELECT * FROM "gatehouse-demo".analytics.orders'],
    ['SELECT "a\'b", \'c\\\'d\', r\'\\d+\'', "SELECT 'a''b', 'c''d', '\\d+'"],
    ['SELECT SAFE_CAST(x AS INT64), CAST(y AS FLOAT64), CAST(z AS STRING)', 'SELECT TRY_CAST(x AS BIGINT), CAST(y AS DOUBLE), CAST(z AS VARCHAR)'],
    ['SELECT CURRENT_TIMESTAMP(), CURRENT_DATE()', 'SELECT CAST(current_timestamp AS TIMESTAMP), current_date'],
    ['SELECT COUNTIF(x > 1) FROM t', 'SELECT count_if(x > 1) FROM t'],
    ['SELECT * EXCEPT (a) FROM t', 'SELECT * EXCLUDE (a) FROM t'],
    ['SELECT tag FROM t, UNNEST(t.tags) AS tag', 'SELECT tag FROM t, UNNEST(t.tags) AS tag(tag)'],
    ["SELECT 1 WHERE 'x' IN UNNEST(tags)", "SELECT 1 WHERE 'x' IN (SELECT UNNEST(tags))"],
    ['SELECT DATE_TRUNC(d, MONTH), DATE_DIFF(a, b, DAY)', "SELECT CAST(date_trunc('month', d) AS DATE), date_diff('day', b, a)"],
    ["SELECT TIMESTAMP '2024-01-01 10:00:00+02:00'", "SELECT TIMESTAMP '2024-01-01 08:00:00'"],
    ['SELECT 1 # comment', 'SELECT 1 -- comment'],
  ];
  for (const [bq, duck] of cases) it(`rewrites ${bq}`, () => assert.equal(translate(bq).sql, duck));

  it('inlines named and positional parameters as escaped literals', () => {
    assert.equal(translate('SELECT @a, @b', { a: "x'; DROP TABLE t; --", b: 2 }).sql, "SELECT ('x''; DROP TABLE t; --'), (CAST(2 AS BIGINT))");
    assert.equal(translate('SELECT ?, ?', ['x', null]).sql, "SELECT ('x'), (NULL)");
    assert.equal(translate('SELECT @d', { d: new TypedParam({ type: 'DATE' }, '2024-02-29') }).sql, "SELECT (CAST('2024-02-29' AS DATE))");
    assert.equal(translate('SELECT @xs', { xs: new TypedParam({ type: 'ARRAY', arrayType: { type: 'INT64' } }, ['1', '2']) }).sql, "SELECT (CAST([CAST('1' AS BIGINT), CAST('2' AS BIGINT)] AS BIGINT[]))");
    assert.throws(() => translate('SELECT @missing', {}), /Query parameter 'missing' not found/);
  });

  it('finds referenced tables, statements and hints', () => {
    assert.deepEqual(tableNames('WITH a AS (SELECT 1) SELECT EXTRACT(YEAR FROM d) FROM a JOIN raw.x USING (id), `p.d.t` WHERE y IN (SELECT z FROM e.f)'), [['raw', 'x'], ['p', 'd', 't'], ['e', 'f']]);
    assert.deepEqual(tableNames('INSERT INTO raw.t SELECT * FROM events.v'), [['raw', 't'], ['events', 'v']]);
    assert.deepEqual(splitStatements("SELECT ';'; SELECT 2;").map((s) => s.sql.trim()), ["SELECT ';'", 'SELECT 2']);
    assert.equal(statementType('WITH x AS (SELECT 1) SELECT * FROM x'), 'SELECT');
    assert.equal(statementType('CREATE OR REPLACE TABLE a.b AS SELECT 1'), 'CREATE_TABLE_AS_SELECT');
    assert.equal(delayHintMs('/* sandbox:delay=3s */ SELECT 1'), 3000);
    assert.equal(delayHintMs('/* sandbox:delay=250ms */ SELECT 1'), 250);
  });
});

describe('sandbox warehouse (DuckDB)', function () {
  this.timeout(30_000);
  let w: DuckWarehouse;
  before(async () => {
    w = await createWarehouse({ largeTableRows: 2_000 });
  });
  after(async () => w?.close());

  it('maps DuckDB types to BigQuery fields, nested and repeated included', async () => {
    const r = await w.query(
      `SELECT 1 AS i, CAST(1.5 AS FLOAT64) AS f, CAST('1.50' AS NUMERIC) AS n, TRUE AS b, 'x' AS s, DATE '2024-01-02' AS d,
              TIMESTAMP '2024-01-01 00:00:00.000001' AS ts, ['a', 'b'] AS arr, {'city': 'Oslo', 'zip': 150} AS rec,
              [{'x': 1}] AS recs, SUM(CAST(1 AS INT64)) OVER () AS big, CAST('{"a":1}' AS JSON) AS j`,
    );
    assert.deepEqual(
      r.fields.map((f) => [f.name, f.type, f.mode]),
      [
        ['i', 'INTEGER', 'NULLABLE'],
        ['f', 'FLOAT', 'NULLABLE'],
        ['n', 'NUMERIC', 'NULLABLE'],
        ['b', 'BOOLEAN', 'NULLABLE'],
        ['s', 'STRING', 'NULLABLE'],
        ['d', 'DATE', 'NULLABLE'],
        ['ts', 'TIMESTAMP', 'NULLABLE'],
        ['arr', 'STRING', 'REPEATED'],
        ['rec', 'RECORD', 'NULLABLE'],
        ['recs', 'RECORD', 'REPEATED'],
        ['big', 'INTEGER', 'NULLABLE'],
        ['j', 'JSON', 'NULLABLE'],
      ],
    );
    assert.deepEqual(r.fields[8].fields, [
      { name: 'city', type: 'STRING', mode: 'NULLABLE' },
      { name: 'zip', type: 'INTEGER', mode: 'NULLABLE' },
    ]);
    assert.deepEqual(r.rows[0], ['1', 1.5, '1.5', true, 'x', '2024-01-02', '2024-01-01T00:00:00.000001Z', ['a', 'b'], { city: 'Oslo', zip: '150' }, [{ x: '1' }], '1', '{"a":1}']);
  });

  it('keeps NULL and empty string apart', async () => {
    const r = await w.query('SELECT COUNTIF(referrer IS NULL) AS nulls, COUNTIF(referrer = "") AS empties FROM `gatehouse-demo.events.page_views`');
    const [nulls, empties] = r.rows[0].map(Number);
    assert.ok(nulls > 0 && empties > 0);
    const hostile = await w.query('SELECT url FROM `gatehouse-demo`.events.page_views WHERE event_id <= 3 ORDER BY event_id');
    assert.deepEqual(hostile.rows.map((x) => x[0]), ['<img src=x onerror=alert(1)>', '=HYPERLINK("http://x")', 'javascript:alert(1)']);
  });

  it('binds parameters and resolves default datasets', async () => {
    const r = await w.query('SELECT COUNT(*) FROM orders WHERE status = @s AND order_id <= ?'.replace('?', '@max'), {
      params: { s: 'completed', max: 1000 },
      defaultDataset: { projectId: 'gatehouse-demo', datasetId: 'analytics' },
    });
    assert.ok(Number(r.rows[0][0]) > 500);
    const pos = await w.query('SELECT ? || ?', { params: ['a', 'b'] });
    assert.equal(pos.rows[0][0], 'ab');
    assert.deepEqual(w.referencedTables('SELECT * FROM orders o JOIN raw.orders_raw r ON o.order_id = r.id', { defaultProject: 'gatehouse-demo', defaultDataset: { projectId: 'gatehouse-demo', datasetId: 'analytics' } }), [
      { projectId: 'gatehouse-demo', datasetId: 'analytics', tableId: 'orders' },
      { projectId: 'gatehouse-demo', datasetId: 'raw', tableId: 'orders_raw' },
    ]);
  });

  it('keeps seeded data consistent', async () => {
    const r = await w.query(`SELECT
        (SELECT COUNT(*) FROM \`gatehouse-demo.analytics.customers\`),
        (SELECT COUNT(*) FROM \`gatehouse-demo.analytics.orders\`),
        (SELECT COUNT(*) FROM \`gatehouse-demo.analytics.orders\` o LEFT JOIN \`gatehouse-demo.analytics.customers\` c USING (customer_id) WHERE c.customer_id IS NULL),
        (SELECT SUM(revenue) = (SELECT SUM(amount) FROM \`gatehouse-demo.analytics.orders\` WHERE status NOT IN ('cancelled', 'returned')) FROM \`gatehouse-demo.analytics.daily_revenue\`),
        (SELECT COUNT(*) FROM \`gatehouse-demo.marketing.campaign_250\`),
        (SELECT \`gatehouse-demo.analytics.cents_to_dollars\`(1234))`);
    assert.deepEqual(r.rows[0], ['5000', '50000', '0', true, '30', '12.34']);
    const ids = await w.tableIds('gatehouse-demo', 'marketing');
    assert.equal(ids.length, 250);
  });

  it('stores results and reads pages of them', async () => {
    const res = await w.execute('SELECT event_id, COUNT(*) OVER () AS n FROM `gatehouse-demo.events.page_views` ORDER BY event_id DESC');
    assert.equal(res.totalRows, 2000);
    assert.deepEqual(await w.readResult(res.resultId!, 0, 2), [['2000', '2000'], ['1999', '2000']]);
    assert.deepEqual((await w.readResult(res.resultId!, 1998, 10)).map((r) => r[0]), ['2', '1']);
    const unnamed = await w.execute('SELECT 1, COUNT(*) FROM `gatehouse-demo.analytics.orders`');
    assert.deepEqual(unnamed.fields.map((f) => f.name), ['f0_', 'f1_']);
    w.dropResult(res.resultId!);
    assert.equal(w.hasResult(res.resultId!), false);
  });

  it('reports errors in BigQuery words with the user’s line and column', async () => {
    await assert.rejects(w.query('SELECT\n  `gatehouse-demo`.x FROM `gatehouse-demo.analytics.orders` WHERE nope = 1'), (e) => {
      assert.ok(WarehouseError.is(e));
      assert.equal(e.reason, 'invalidQuery');
      return /at \[2:\d+\]$/.test(e.message);
    });
    await assert.rejects(w.query('SELECT * FROM `gatehouse-demo.analytics.orders` WHERE nope = 1'), /Unrecognized name: nope at \[1:55\]$/);
    await assert.rejects(w.query("SELECT * FROM read_csv('/etc/passwd')"), (e) => WarehouseError.is(e) && /disabled/.test(e.message));
  });

  it('cancels a running query by interrupting DuckDB', async () => {
    const ac = new AbortController();
    const t0 = Date.now();
    setTimeout(() => ac.abort(), 150);
    await assert.rejects(w.query('SELECT COUNT(*) FROM range(100000000000)', { signal: ac.signal }), (e) => WarehouseError.is(e) && e.reason === 'stopped');
    assert.ok(Date.now() - t0 < 3000);
  });
});
