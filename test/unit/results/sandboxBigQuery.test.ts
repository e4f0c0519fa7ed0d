import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AxiosHttpClient } from '../../../src/core/http';
import { BigQueryResultSource } from '../../../src/bigquery/rows';
import { exportResult } from '../../../src/results/export';
import { RowWindow } from '../../../src/results/rowWindow';
import { httpPageFetcher, startSandboxBigQuery } from '../../../bench/results-fixtures';

describe('results against the sandbox BigQuery (events.page_views)', function () {
  this.timeout(60_000);
  const ROWS = 12_000;
  let sandbox: Awaited<ReturnType<typeof startSandboxBigQuery>>;
  let dir: string;
  before(async () => {
    sandbox = await startSandboxBigQuery(ROWS);
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-results-sbx-'));
  });
  after(async () => {
    await sandbox?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const open = () =>
    BigQueryResultSource.open({ fetchPage: httpPageFetcher(new AxiosHttpClient(), sandbox.url, sandbox.headers), pageSize: 1_000, schema: sandbox.schema });

  it('pages tabledata.list through the row window: typed cells, random access, NULL distinct from empty', async () => {
    const source = await open();
    assert.equal(source.totalRows, ROWS);
    assert.deepEqual(source.columns.map((c) => `${c.name}:${c.type}`), [
      'event_id:INTEGER', 'user_id:INTEGER', 'session_id:STRING', 'url:STRING', 'referrer:STRING', 'country:STRING', 'event_ts:TIMESTAMP', 'duration_ms:FLOAT',
    ]);
    const window = new RowWindow(source, { maxCachedRows: 3_000 });
    try {
      const first = await window.getRows(0, 3);
      assert.deepEqual(first.map((r) => r[0]), ['1', '2', '3']);
      assert.equal(first[1][3], '=HYPERLINK("http://x")', 'hostile text arrives verbatim');
      for (const row of first) {
        assert.match(row[6] as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$/);
        assert.equal(typeof row[7], 'number');
      }
      const tail = await window.getRows(ROWS - 2, 10);
      assert.deepEqual(tail.map((r) => r[0]), [String(ROWS - 1), String(ROWS)]);
      let nulls = 0;
      let empties = 0;
      for (let start = 0; start < ROWS; start += 1_000) {
        for (const row of await window.getRows(start, 1_000)) {
          if (row[4] === null) nulls++;
          else if (row[4] === '') empties++;
        }
        assert.ok(window.cachedRows <= 3_000);
      }
      assert.ok(nulls > 0 && empties > 0, `referrer has NULLs (${nulls}) and empty strings (${empties})`);
      assert.equal(window.progress.loadedRows, ROWS);
    } finally {
      await window.dispose();
    }
  });

  it('exports the table to CSV with hostile cells neutralized', async () => {
    const path = join(dir, 'page_views.csv');
    const result = await exportResult(await open(), { format: 'csv', path });
    assert.equal(result.rowsWritten, ROWS);
    const lines = readFileSync(path, 'utf8').split('\r\n');
    assert.equal(lines[0], 'event_id,user_id,session_id,url,referrer,country,event_ts,duration_ms');
    assert.ok(lines[2].startsWith(`2,`), lines[2]);
    assert.ok(lines[2].includes(`,"'=HYPERLINK(""http://x"")",'+cmd|' /C calc'!A0,`), lines[2]);
  });
});
