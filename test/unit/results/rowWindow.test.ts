import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { CancelledError } from '../../../src/core/errors';
import { RowWindow, type RowWindowProgress } from '../../../src/results/rowWindow';
import { createArraySource, createSequentialSource } from '../../../src/results/sources';
import { ResultError, type ResultPage, type ResultSource } from '../../../src/results/types';
import { eventRow, EVENT_COLUMNS, syntheticSource } from '../../../bench/results-fixtures';

const isCancelled = (e: unknown) => CancelledError.is(e);
const ids = (rows: readonly (readonly unknown[])[]) => rows.map((r) => Number(r[0]));
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

/** Wraps a source to see which fetches were aborted. */
function watchAborts(source: ResultSource): ResultSource & { aborted: number[] } {
  const aborted: number[] = [];
  return {
    columns: source.columns,
    pageSize: source.pageSize,
    access: source.access,
    get totalRows() {
      return source.totalRows;
    },
    aborted,
    fetchPage(index: number, signal?: AbortSignal): Promise<ResultPage> {
      signal?.addEventListener('abort', () => aborted.push(index), { once: true });
      return source.fetchPage(index, signal);
    },
  };
}

describe('RowWindow', () => {
  it('reads 1,000,000 rows page by page without the cache ever exceeding its bound, each page fetched once', async () => {
    const source = syntheticSource(1_000_000, 1000);
    const window = new RowWindow(source, { maxCachedRows: 50_000 });
    const progress: RowWindowProgress[] = [];
    window.onDidChangeProgress((p) => progress.push(p));
    try {
      let peak = 0;
      for (let start = 0; start < 1_000_000; start += 1000) {
        const rows = await window.getRows(start, 1000);
        assert.equal(rows.length, 1000);
        if (start % 100_000 === 0) assert.deepEqual(rows[0], eventRow(start));
        peak = Math.max(peak, window.cachedRows);
        assert.ok(window.cachedRows <= 50_000, `cached ${window.cachedRows}`);
      }
      assert.equal(peak, 50_000, 'the cache fills up to, not beyond, its bound');
      assert.ok(window.peakCachedRows <= 50_000);
      assert.equal(source.fetched.length, 1000);
      assert.equal(new Set(source.fetched).size, 1000);
      assert.deepEqual(progress.at(-1), { loadedRows: 1_000_000, totalRows: 1_000_000 });
      assert.ok(progress.every((p, i) => i === 0 || p.loadedRows > progress[i - 1].loadedRows));
    } finally {
      await window.dispose();
    }
  });

  it('serves random access, ranges across pages, and clamps at the end', async () => {
    const source = syntheticSource(10_000, 100);
    const window = new RowWindow(source, { maxCachedRows: 1000, prefetch: false });
    try {
      assert.deepEqual(ids(await window.getRows(5_555, 3)), [5555, 5556, 5557]);
      assert.deepEqual(source.fetched, [55]);
      assert.deepEqual(ids(await window.getRows(190, 20)), range(190, 210));
      assert.deepEqual(ids(await window.getRows(9_995, 50)), range(9995, 10_000));
      assert.deepEqual(await window.getRows(10_000, 10), []);
      assert.deepEqual(await window.getRows(3, 0), []);
      assert.deepEqual(source.fetched.sort((a, b) => a - b), [1, 2, 55, 99]);
    } finally {
      await window.dispose();
    }
  });

  it('prefetches the next page, and re-fetches a page after it was evicted', async () => {
    const source = syntheticSource(10_000, 100);
    const window = new RowWindow(source, { maxCachedRows: 300 });
    try {
      await window.getRows(0, 100);
      await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(source.fetched, [0, 1], 'page 1 prefetched');
      await window.getRows(100, 100);
      assert.equal(source.fetched.filter((p) => p === 1).length, 1, 'the prefetched page served the request');
      for (const p of [20, 40, 60]) await window.getRows(p * 100, 10);
      await window.getRows(0, 10);
      assert.equal(source.fetched.filter((p) => p === 0).length, 2, 'page 0 was evicted and fetched again');
      assert.ok(window.cachedRows <= 300);
    } finally {
      await window.dispose();
    }
  });

  it('coalesces 5 concurrent requests for one page into 1 fetch', async () => {
    const source = syntheticSource(10_000, 100, { delayMs: 20 });
    const window = new RowWindow(source, { maxCachedRows: 1000, prefetch: false });
    try {
      const results = await Promise.all([0, 10, 20, 30, 40].map((s) => window.getRows(300 + s, 5)));
      assert.deepEqual(results.map((r) => Number(r[0][0])), [300, 310, 320, 330, 340]);
      assert.deepEqual(source.fetched, [3]);
    } finally {
      await window.dispose();
    }
  });

  it('cancels: the caller gets CancelledError and a fetch nobody waits for any more is aborted', async () => {
    const source = watchAborts(syntheticSource(10_000, 100, { delayMs: 200 }));
    const window = new RowWindow(source, { maxCachedRows: 1000, prefetch: false });
    try {
      const ac = new AbortController();
      const pending = window.getRows(0, 10, ac.signal);
      setTimeout(() => ac.abort(), 10);
      await assert.rejects(pending, isCancelled);
      assert.deepEqual(source.aborted, [0]);
      assert.equal(window.cachedRows, 0);

      // One of two waiters gives up: the other still gets its rows and the fetch goes on.
      const a = new AbortController();
      const first = window.getRows(500, 5, a.signal);
      const second = window.getRows(510, 5, new AbortController().signal);
      a.abort();
      await assert.rejects(first, isCancelled);
      assert.deepEqual(ids(await second), range(510, 515));
      assert.deepEqual(source.aborted, [0]);

      const already = new AbortController();
      already.abort();
      await assert.rejects(window.getRows(0, 1, already.signal), isCancelled);
    } finally {
      await window.dispose();
    }
  });

  it('reads for export through fetchPage without pushing the viewport out of the cache', async () => {
    const source = syntheticSource(1_000, 100);
    const window = new RowWindow(source, { maxCachedRows: 200, prefetch: false });
    try {
      await window.getRows(0, 10);
      for (let i = 0; i < 10; i++) assert.equal((await window.fetchPage(i)).startIndex, i * 100);
      assert.equal(window.cachedRows, 100);
      const before = source.fetched.length;
      await window.getRows(0, 10);
      assert.equal(source.fetched.length, before, 'page 0 is still cached');
    } finally {
      await window.dispose();
    }
  });

  it('rejects bad options and requests with typed errors', async () => {
    const source = syntheticSource(1_000, 100);
    assert.throws(() => new RowWindow(source, { maxCachedRows: 50 }), (e: unknown) => ResultError.is(e, 'invalidOptions'));
    const window = new RowWindow(source, { maxCachedRows: 200 });
    await assert.rejects(window.getRows(0, 201), (e: unknown) => ResultError.is(e, 'invalidOptions'));
    await assert.rejects(window.getRows(-1, 2), (e: unknown) => ResultError.is(e, 'invalidOptions'));
    await window.dispose();
    await assert.rejects(window.getRows(0, 1), (e: unknown) => ResultError.is(e, 'disposed'));
  });

  it('dispose rejects requests in flight', async () => {
    const window = new RowWindow(syntheticSource(1_000, 100, { delayMs: 200 }), { maxCachedRows: 200 });
    const pending = window.getRows(0, 10);
    await window.dispose();
    await assert.rejects(pending, (e: unknown) => ResultError.is(e, 'disposed'));
  });
});

describe('RowWindow over a sequential (token-only) source', () => {
  it('spools pages as they stream in, re-reads any page from the spool without re-fetching, and removes the spool on dispose', async () => {
    const source = syntheticSource(10_000, 100, { access: 'sequential' });
    const window = new RowWindow(source, { maxCachedRows: 300 });
    let spoolPath: string | undefined;
    try {
      // A jump forward walks the cursor, spooling every page on the way.
      assert.deepEqual(ids(await window.getRows(5_050, 3)), [5050, 5051, 5052]);
      assert.deepEqual(source.fetched, range(0, 51));
      spoolPath = window.spoolPath;
      assert.ok(spoolPath && existsSync(spoolPath));
      for (let start = 0; start < 10_000; start += 100) await window.getRows(start, 100);
      assert.ok(window.cachedRows <= 300);
      const fetches = source.fetched.length;
      assert.equal(fetches, 100);
      // Scroll back over evicted pages: served from the spool, not the service.
      for (const start of [0, 4_200, 9_990, 123]) {
        assert.deepEqual(await window.getRows(start, 7), range(start, Math.min(start + 7, 10_000)).map(eventRow));
      }
      assert.equal(source.fetched.length, fetches);
      // Values that JSON would lose survive the spool.
      assert.deepEqual(await window.getRows(0, 1), [eventRow(0)]);
    } finally {
      await window.dispose();
    }
    assert.equal(existsSync(spoolPath!), false);
    assert.equal(existsSync(dirname(spoolPath!)), false);
  });

  it('keeps NaN, Infinity, nested values and NULL intact through the spool', async () => {
    const rows = [
      [NaN, { a: [null, ''] }, null],
      [-Infinity, { a: ['x'] }, ''],
      [1, null, '👋'],
    ];
    const window = new RowWindow(createArraySource(EVENT_COLUMNS.slice(0, 3), rows, 1), { maxCachedRows: 1, prefetch: false });
    try {
      await window.getRows(2, 1); // walks pages 0..2; page 0 is evicted from the 1-row cache
      for (let i = 0; i < 3; i++) assert.deepEqual(await window.getRows(i, 1), [rows[i]]);
    } finally {
      await window.dispose();
    }
  });

  it('learns the row count at the end of a cursor whose size was unknown', async () => {
    let served = 0;
    const source = createSequentialSource({
      columns: EVENT_COLUMNS,
      pageSize: 100,
      next: async () => {
        if (served >= 250) return undefined;
        const batch = range(served, Math.min(served + 70, 250)).map(eventRow);
        served += batch.length;
        return batch;
      },
    });
    const window = new RowWindow(source, { maxCachedRows: 500 });
    try {
      assert.equal(window.totalRows, undefined);
      const rows = await window.getRows(180, 100);
      assert.deepEqual(ids(rows), range(180, 250));
      assert.equal(window.totalRows, 250);
      assert.deepEqual(await window.getRows(300, 10), []);
    } finally {
      await window.dispose();
    }
  });

  it('a sequential source refuses to rewind on its own, with a typed error', async () => {
    const source = createArraySource(EVENT_COLUMNS, range(0, 10).map(eventRow), 4);
    assert.equal(source.totalRows, 10);
    const p0 = await source.fetchPage(0);
    assert.deepEqual(ids(p0.rows), [0, 1, 2, 3]);
    await assert.rejects(source.fetchPage(0), (e: unknown) => ResultError.is(e, 'notRewindable'));
    await source.fetchPage(1);
    const p2 = await source.fetchPage(2);
    assert.deepEqual(ids(p2.rows), [8, 9]);
    assert.equal(p2.last, true);
  });
});
