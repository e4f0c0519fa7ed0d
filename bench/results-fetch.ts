// Full-result fetch throughput through BigQueryResultSource (decode to typed rows) and through
// the RowWindow the panel uses, as a ratio to a raw HTTP client paging the same endpoint by
// page token (issue 6 goal ≥ 0.85), and the memory that reading 1,000,000 rows × 8 columns costs
// (goal < 150 MB growth). Both use the project's AxiosHttpClient, so the ratio is the cost of our
// layer, not of a different HTTP stack. The endpoint is the sandbox's BigQuery (tabledata.list of
// gatehouse-demo.events.page_views, served in this process), or with `local` (or when the
// sandbox cannot start) a BigQuery-shaped paging server in a child process.
// Standalone: `npx tsx bench/results-fetch.ts [rows] [sandbox|local]`.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { AxiosHttpClient } from '../src/core/http';
import { BigQueryResultSource, type BigQueryRowsResponse } from '../src/bigquery/rows';
import { RowWindow } from '../src/results/rowWindow';
import { httpPageFetcher, spawnFakeBigQuery, startSandboxBigQuery } from './results-fixtures';
import type { BenchOptions, BenchResult } from './lib/types';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const PAGE = 5_000;

export interface FetchBenchOptions extends BenchOptions {
  /** 'sandbox' (default): events.page_views of test/sandbox, in this process; 'local': the paging server in a child process. */
  server?: 'sandbox' | 'local';
}

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

async function endpoint(opts: FetchBenchOptions, log: (l: string) => void) {
  if ((opts.server ?? 'sandbox') === 'sandbox') {
    try {
      const sbx = await startSandboxBigQuery(opts.rows);
      return { ...sbx, label: 'sandbox BigQuery tabledata.list (same process)' };
    } catch (err) {
      log(`sandbox BigQuery did not start (${String(err)}); using the local paging server`);
    }
  }
  const local = await spawnFakeBigQuery(opts.rows ?? 1_000_000);
  return { url: local.url, schema: undefined, headers: undefined, label: 'local paging server (child process)', close: async () => local.close() };
}

export async function runFetchBench(opts: FetchBenchOptions = {}): Promise<BenchResult[]> {
  const log = opts.log ?? (() => undefined);
  const server = await endpoint(opts, log);
  const { url, schema, headers, label } = server;
  const client = new AxiosHttpClient({ timeoutMs: 120_000 });
  try {
    const raw = async (): Promise<number> => {
      let token: string | undefined;
      let n = 0;
      do {
        const res = await client.request<BigQueryRowsResponse>({
          method: 'GET',
          url,
          headers,
          query: { maxResults: PAGE, pageToken: token, 'formatOptions.useInt64Timestamp': true },
        });
        n += res.data.rows?.length ?? 0;
        token = res.data.pageToken;
      } while (token);
      return n;
    };
    const viaSource = async (): Promise<number> => {
      const source = await BigQueryResultSource.open({ fetchPage: httpPageFetcher(client, url, headers), pageSize: PAGE, schema });
      let n = 0;
      for (let i = 0; ; i++) {
        const page = await source.fetchPage(i);
        n += page.rows.length;
        if (page.last) return n;
      }
    };
    let heapGrowth = 0;
    let rssGrowth = 0;
    let peakCached = 0;
    /** The panel's path; with `measure`, samples memory (gc included, so not timed). */
    const viaWindow = async (measure: boolean): Promise<number> => {
      if (measure) gc();
      const heap0 = process.memoryUsage().heapUsed;
      const rss0 = process.memoryUsage().rss;
      const source = await BigQueryResultSource.open({ fetchPage: httpPageFetcher(client, url, headers), pageSize: PAGE, schema });
      const window = new RowWindow(source, { maxCachedRows: 50_000 });
      let n = 0;
      try {
        for (let start = 0, page = 0; start < source.totalRows; start += PAGE, page++) {
          n += (await window.getRows(start, PAGE)).length;
          if (measure && page % 10 === 9) {
            rssGrowth = Math.max(rssGrowth, process.memoryUsage().rss - rss0);
            gc();
            heapGrowth = Math.max(heapGrowth, process.memoryUsage().heapUsed - heap0);
          }
        }
        peakCached = Math.max(peakCached, window.peakCachedRows);
      } finally {
        await window.dispose();
      }
      return n;
    };

    const best = { raw: Infinity, source: Infinity, window: Infinity };
    let rows = 0;
    await raw(); // warm up the connection and the server
    await viaWindow(true); // memory first, before the timing runs have grown the heap and RSS
    for (let run = 0; run < 2; run++) {
      let t0 = process.hrtime.bigint();
      rows = await raw();
      best.raw = Math.min(best.raw, ms(t0));
      t0 = process.hrtime.bigint();
      if ((await viaSource()) !== rows) throw new Error('source read a different number of rows');
      best.source = Math.min(best.source, ms(t0));
      t0 = process.hrtime.bigint();
      if ((await viaWindow(false)) !== rows) throw new Error('window read a different number of rows');
      best.window = Math.min(best.window, ms(t0));
    }
    const rate = (t: number) => rows / (t / 1000);
    log(`fetch against ${label}: ${rows} rows × 8 columns, pages of ${PAGE}`);
    log(`  raw HTTP paging ${best.raw.toFixed(0)} ms (${rate(best.raw).toFixed(0)} rows/s)`);
    log(`  BigQueryResultSource ${best.source.toFixed(0)} ms, ratio ${(best.raw / best.source).toFixed(3)}`);
    log(`  RowWindow (prefetch) ${best.window.toFixed(0)} ms, ratio ${(best.raw / best.window).toFixed(3)}`);
    log(`  memory while reading all rows through the window (separate run): heap +${(heapGrowth / 1e6).toFixed(1)} MB after gc, rss +${(rssGrowth / 1e6).toFixed(1)} MB peak, cache peak ${peakCached} rows`);
    return [
      { name: 'results.fetch.sourceRatio', value: best.raw / best.source, unit: 'x raw HTTP paging', goal: '>= 0.85' },
      { name: 'results.fetch.windowRatio', value: best.raw / best.window, unit: 'x raw HTTP paging', goal: '>= 0.85' },
      { name: 'results.fetch.rawRowsPerSecond', value: rate(best.raw), unit: 'rows/s' },
      { name: 'results.fetch.windowRowsPerSecond', value: rate(best.window), unit: 'rows/s' },
      { name: 'results.fetch.peakRssGrowth', value: rssGrowth / 1e6, unit: 'MB', goal: '< 150' },
      { name: 'results.fetch.heapGrowthAfterGc', value: heapGrowth / 1e6, unit: 'MB', goal: '< 150' },
    ];
  } finally {
    await server.close();
  }
}

if (require.main === module) {
  runFetchBench({ rows: Number(process.argv[2] ?? 1_000_000), server: process.argv[3] === 'local' ? 'local' : 'sandbox', log: (l) => console.log(l) })
    .then((r) => console.table(r))
    .catch((err) => {
      console.error(err);
      process.exitCode = 1;
    });
}
