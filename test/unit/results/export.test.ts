import * as assert from 'node:assert/strict';
import { closeSync, createReadStream, existsSync, mkdtempSync, openSync, readFileSync, readSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { CancelledError } from '../../../src/core/errors';
import { exportResult, type ExportProgress } from '../../../src/results/export';
import { RowWindow } from '../../../src/results/rowWindow';
import { createArraySource } from '../../../src/results/sources';
import { formatRows } from '../../../src/results/writers';
import { ResultError, type ResultSource } from '../../../src/results/types';
import { eventRow, EVENT_COLUMNS, syntheticSource } from '../../../bench/results-fixtures';

// A real gc() (mocha runs without --expose-gc): heap samples then measure what is retained, not
// garbage the collector has not reached yet.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Newlines in a file, counted while streaming (the file may be ~100 MB). */
async function countLines(path: string): Promise<number> {
  let n = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) n++;
  }
  return n;
}

function head(path: string, bytes = 400): string {
  const buf = Buffer.alloc(bytes);
  const fd = openSync(path, 'r');
  const n = readSync(fd, buf, 0, bytes, 0);
  closeSync(fd);
  return buf.subarray(0, n).toString('utf8');
}

function tail(path: string, bytes = 400): string {
  const size = statSync(path).size;
  const buf = Buffer.alloc(Math.min(bytes, size));
  const fd = openSync(path, 'r');
  readSync(fd, buf, 0, buf.length, size - buf.length);
  closeSync(fd);
  return buf.toString('utf8');
}

describe('exportResult', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-export-test-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const FORMATS: ['csv' | 'jsonl' | 'json', (path: string) => Promise<void>][] = [
    [
      'csv',
      async (path) => {
        assert.equal(await countLines(path), 1_000_001);
        assert.ok(head(path).startsWith('event_id,user_id,url,referrer,ts,duration_ms,country,bounced\r\n0,user-0,https://example.com/p/0?q=0,,2024-01-01T00:00:00Z,0,NO,true\r\n'));
        assert.ok(tail(path).endsWith(`\r\n${formatRows('csv', EVENT_COLUMNS, [eventRow(999_999)], { header: false })}`));
      },
    ],
    [
      'jsonl',
      async (path) => {
        assert.equal(await countLines(path), 1_000_000);
        const last = tail(path).trimEnd().split('\n').at(-1)!;
        assert.deepEqual(Object.values(JSON.parse(last)), eventRow(999_999));
        assert.deepEqual(Object.values(JSON.parse(head(path).split('\n')[0])), eventRow(0));
      },
    ],
    [
      'json',
      async (path) => {
        assert.equal(await countLines(path), 1_000_002);
        assert.ok(head(path).startsWith('[\n{"event_id":"0",'));
        assert.ok(tail(path).endsWith('"country":"JP","bounced":true}\n]\n'));
      },
    ],
  ];
  for (const [format, check] of FORMATS) {
    it(`streams 1,000,000 rows to ${format.toUpperCase()} with progress, heap growth far below the data size`, async function () {
      this.timeout(60_000);
      const path = join(dir, `out.${format}`);
      const progress: ExportProgress[] = [];
      gc();
      const heap0 = process.memoryUsage().heapUsed;
      let heapPeak = heap0;
      const result = await exportResult(syntheticSource(1_000_000, 5_000), {
        format,
        path,
        onProgress: (p) => {
          progress.push(p);
          if (progress.length % 20 === 10) {
            gc();
            heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
          }
        },
      });
      assert.equal(result.rowsWritten, 1_000_000);
      assert.equal(result.bytesWritten, statSync(path).size);
      assert.equal(progress.length, 200);
      const last = progress.at(-1)!;
      assert.deepEqual([last.rowsWritten, last.totalRows], [1_000_000, 1_000_000]);
      assert.ok(result.bytesWritten - last.bytesWritten <= 3, 'only the closing bracket comes after the last page');
      assert.ok(progress.every((p, i) => i === 0 || (p.rowsWritten > progress[i - 1].rowsWritten && p.bytesWritten > progress[i - 1].bytesWritten)));
      const growth = heapPeak - heap0;
      assert.ok(growth < result.bytesWritten / 20, `heap grew ${(growth / 1e6).toFixed(1)} MB for ${(result.bytesWritten / 1e6).toFixed(1)} MB of ${format}`);
      assert.deepEqual(readdirSync(dir), [`out.${format}`], 'no partial file left');
      await check(path);
    });
  }

  it('writes a JSON array that parses, including an empty result', async () => {
    const path = join(dir, 'small.json');
    await exportResult(syntheticSource(2_345, 1_000), { format: 'json', path });
    const parsed = JSON.parse(readFileSync(path, 'utf8'));
    assert.equal(parsed.length, 2_345);
    assert.deepEqual(Object.values(parsed[2_344]), eventRow(2_344));
    const empty = await exportResult(syntheticSource(0, 1_000), { format: 'json', path: join(dir, 'empty.json') });
    assert.equal(empty.rowsWritten, 0);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'empty.json'), 'utf8')), []);
  });

  it('writes CSV options through: BOM, NULL marker, formula escaping off', async () => {
    const path = join(dir, 'opts.csv');
    const source = createArraySource([EVENT_COLUMNS[1]], [[null], [''], ['=1']], 10);
    await exportResult(source, { format: 'csv', path, bom: true, nullText: 'NULL', escapeFormulas: false });
    assert.deepEqual([...readFileSync(path).subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    assert.equal(readFileSync(path, 'utf8'), '\uFEFFuser_id\r\nNULL\r\n""\r\n=1\r\n');
  });

  it('on cancel removes the partial file, reports CancelledError, and leaves an existing file alone', async () => {
    const path = join(dir, 'out.csv');
    writeFileSync(path, 'previous export');
    const ac = new AbortController();
    let pages = 0;
    const pending = exportResult(syntheticSource(1_000_000, 1_000, { delayMs: 5 }), {
      format: 'csv',
      path,
      signal: ac.signal,
      onProgress: () => {
        if (++pages === 3) ac.abort();
      },
    });
    await assert.rejects(pending, (e: unknown) => CancelledError.is(e));
    assert.equal(pages, 3);
    assert.deepEqual(readdirSync(dir), ['out.csv']);
    assert.equal(readFileSync(path, 'utf8'), 'previous export');
  });

  it('cancels while waiting for a slow page, and before it starts', async () => {
    const ac = new AbortController();
    const pending = exportResult(syntheticSource(1_000, 100, { delayMs: 2_000 }), { format: 'jsonl', path: join(dir, 'x.jsonl'), signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    const t0 = Date.now();
    await assert.rejects(pending, (e: unknown) => CancelledError.is(e));
    assert.ok(Date.now() - t0 < 1_000, 'did not wait for the page');
    await assert.rejects(exportResult(syntheticSource(10, 10), { format: 'csv', path: join(dir, 'y.csv'), signal: ac.signal }), (e: unknown) => CancelledError.is(e));
    assert.deepEqual(readdirSync(dir), []);
  });

  it('removes the partial file when the source fails, and passes the typed error on', async () => {
    const inner = syntheticSource(10_000, 100);
    const failing: ResultSource = {
      ...inner,
      totalRows: inner.totalRows,
      fetchPage: (i, s) => (i === 5 ? Promise.reject(new ResultError('badResponse', 'bad page')) : inner.fetchPage(i, s)),
    };
    await assert.rejects(exportResult(failing, { format: 'csv', path: join(dir, 'f.csv') }), (e: unknown) => ResultError.is(e, 'badResponse'));
    assert.deepEqual(readdirSync(dir), []);
  });

  it('reports a folder that does not exist as a typed io error', async () => {
    const path = join(dir, 'missing', 'out.csv');
    await assert.rejects(exportResult(syntheticSource(10, 10), { format: 'csv', path }), (e: unknown) => ResultError.is(e, 'io'));
    assert.equal(existsSync(path), false);
  });

  it('exports a sequential result the row window already consumed, from its spool', async () => {
    const source = syntheticSource(5_000, 100, { access: 'sequential' });
    const window = new RowWindow(source, { maxCachedRows: 300 });
    try {
      await window.getRows(4_950, 50); // the cursor is now at the end
      const path = join(dir, 'seq.jsonl');
      const result = await exportResult(window, { format: 'jsonl', path });
      assert.equal(result.rowsWritten, 5_000);
      assert.equal(source.fetched.length, 50, 'nothing fetched twice');
      const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
      assert.deepEqual(lines.map((l) => Number(JSON.parse(l).event_id)), Array.from({ length: 5_000 }, (_, i) => i));
    } finally {
      await window.dispose();
    }
  });
});
