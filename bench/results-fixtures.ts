// Shared by the results benchmarks and unit tests: a synthetic 8-column result (rows made on
// demand, so a million of them cost no memory), a BigQuery-shaped paging server on loopback,
// and a page fetcher over the project's HttpClient as the BigQuery client will plug in.
// Run as a script (`--serve ROWS`) it serves from a child process, so a benchmark's client does
// not share its event loop with the server.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { HttpClient } from '../src/core/http';
import { startSandbox } from '../test/sandbox/sandbox';
import { Directory } from '../test/sandbox/directory';
import { CancelledError } from '../src/core/errors';
import type { BigQueryField, BigQueryPageFetcher, BigQueryRowsResponse } from '../src/bigquery/rows';
import type { ResultColumn, ResultPage, ResultRow, ResultSource } from '../src/results/types';

export const EVENT_FIELDS: BigQueryField[] = [
  { name: 'event_id', type: 'INTEGER', mode: 'REQUIRED' },
  { name: 'user_id', type: 'STRING', mode: 'NULLABLE' },
  { name: 'url', type: 'STRING', mode: 'NULLABLE' },
  { name: 'referrer', type: 'STRING', mode: 'NULLABLE' },
  { name: 'ts', type: 'TIMESTAMP', mode: 'NULLABLE' },
  { name: 'duration_ms', type: 'FLOAT', mode: 'NULLABLE' },
  { name: 'country', type: 'STRING', mode: 'NULLABLE' },
  { name: 'bounced', type: 'BOOLEAN', mode: 'NULLABLE' },
];

export const EVENT_COLUMNS: ResultColumn[] = EVENT_FIELDS.map((f) => ({ name: f.name, type: f.type, mode: f.mode ?? 'NULLABLE' }) as ResultColumn);

const COUNTRIES = ['NO', 'SE', 'DE', 'US', 'JP'];
const BASE_MS = Date.UTC(2024, 0, 1);

/** Row i, already decoded (what a ResultSource yields). */
export function eventRow(i: number): ResultRow {
  return [
    String(i),
    `user-${i % 9973}`,
    `https://example.com/p/${i % 1000}?q=${i}`,
    i % 7 === 0 ? null : `https://ref${i % 13}.example.org/`,
    new Date(BASE_MS + i * 1000).toISOString().replace('.000Z', 'Z'),
    (i % 5000) / 8,
    COUNTRIES[i % 5],
    i % 3 === 0,
  ];
}

/** Row i as BigQuery sends it (every scalar a string, TIMESTAMP int64 micros). */
export function eventRowWire(i: number): { f: { v: string | null }[] } {
  return {
    f: [
      { v: String(i) },
      { v: `user-${i % 9973}` },
      { v: `https://example.com/p/${i % 1000}?q=${i}` },
      { v: i % 7 === 0 ? null : `https://ref${i % 13}.example.org/` },
      { v: String((BASE_MS + i * 1000) * 1000) },
      { v: String((i % 5000) / 8) },
      { v: COUNTRIES[i % 5] },
      { v: i % 3 === 0 ? 'true' : 'false' },
    ],
  };
}

export interface SyntheticSource extends ResultSource {
  /** Pages fetched so far, in order. */
  readonly fetched: number[];
}

/** A result of `totalRows` rows made on demand; `delayMs` makes each fetch take a while. */
export function syntheticSource(
  totalRows: number,
  pageSize: number,
  opts: { access?: 'random' | 'sequential'; delayMs?: number; row?: (i: number) => ResultRow } = {},
): SyntheticSource {
  const fetched: number[] = [];
  const row = opts.row ?? eventRow;
  let next = 0;
  return {
    columns: EVENT_COLUMNS,
    pageSize,
    access: opts.access ?? 'random',
    totalRows,
    fetched,
    async fetchPage(index: number, signal?: AbortSignal): Promise<ResultPage> {
      if (opts.access === 'sequential') {
        if (index !== next) throw new Error(`sequential source asked for page ${index}, next is ${next}`);
        next++;
      }
      fetched.push(index);
      if (opts.delayMs) await delay(opts.delayMs, signal);
      if (signal?.aborted) throw new CancelledError();
      const start = index * pageSize;
      const end = Math.min(totalRows, start + pageSize);
      const rows: ResultRow[] = [];
      for (let i = start; i < end; i++) rows.push(row(i));
      return { rows, startIndex: start, last: end >= totalRows };
    },
  };
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(new CancelledError());
    }, { once: true });
  });
}

export interface FakeBigQuery {
  /** URL of the job's getQueryResults endpoint. */
  url: string;
  requests: URLSearchParams[];
  close(): Promise<void>;
}

/**
 * GET {url}?maxResults=&pageToken=|startIndex= answers like jobs.getQueryResults, with at most
 * `maxRowsPerResponse` rows per answer (BigQuery caps answers near 10 MB).
 */
export async function startFakeBigQuery(opts: { totalRows: number; maxRowsPerResponse?: number; port?: number }): Promise<FakeBigQuery> {
  const requests: URLSearchParams[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const q = url.searchParams;
    requests.push(q);
    const token = q.get('pageToken');
    const start = token ? Number(token.slice(1)) : Number(q.get('startIndex') ?? 0);
    const max = Math.min(Number(q.get('maxResults') ?? 100_000), opts.maxRowsPerResponse ?? Infinity);
    const end = Math.min(opts.totalRows, start + max);
    const parts: string[] = [];
    for (let i = start; i < end; i++) parts.push(JSON.stringify(eventRowWire(i)));
    const body =
      `{"kind":"bigquery#getQueryResultsResponse","jobComplete":true,"schema":{"fields":${JSON.stringify(EVENT_FIELDS)}},` +
      `"totalRows":"${opts.totalRows}",${end < opts.totalRows ? `"pageToken":"t${end}",` : ''}"rows":[${parts.join(',')}]}`;
    res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(opts.port ?? 0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/bigquery/v2/projects/p/queries/job_1`,
    requests,
    close: () => new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

/**
 * The sandbox's BigQuery (test/sandbox) with a token for alice: the tabledata.list URL of
 * gatehouse-demo.events.page_views, its schema, and the Authorization header.
 */
export async function startSandboxBigQuery(largeTableRows?: number): Promise<{ url: string; schema: BigQueryField[]; headers: Record<string, string>; close(): Promise<void> }> {
  const sandbox = await startSandbox({ services: ['bigquery'], largeTableRows });
  try {
    const alice = new Directory().find('alice');
    if (!alice) throw new Error('the sandbox has no alice');
    const { token } = sandbox.ctx.googleTokens.issue(alice, ['https://www.googleapis.com/auth/bigquery'], 3600, 'user:alice@example.com');
    const headers = { Authorization: `Bearer ${token}` };
    const table = `${sandbox.urls.bigquery}/bigquery/v2/projects/gatehouse-demo/datasets/events/tables/page_views`;
    const res = await fetch(table, { headers });
    if (!res.ok) throw new Error(`tables.get answered ${res.status}`);
    const schema = ((await res.json()) as { schema: { fields: BigQueryField[] } }).schema.fields;
    return { url: `${table}/data`, schema, headers, close: () => sandbox.close() };
  } catch (err) {
    await sandbox.close();
    throw err;
  }
}

/** The same server in a child process (for benchmarks). */
export async function spawnFakeBigQuery(totalRows: number): Promise<{ url: string; close(): void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', __filename, '--serve', String(totalRows)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`fake BigQuery exited (${code})`)));
  });
  return { url, close: () => child.kill() };
}

/** A page fetcher as the BigQuery client will provide it: one GET per page through HttpClient. */
export function httpPageFetcher(client: HttpClient, url: string, headers?: Record<string, string>): BigQueryPageFetcher {
  return async (params, signal) => {
    const res = await client.request<BigQueryRowsResponse>({
      method: 'GET',
      url,
      headers,
      query: { maxResults: params.maxResults, pageToken: params.pageToken, startIndex: params.startIndex, 'formatOptions.useInt64Timestamp': true },
      signal,
    });
    return res.data;
  };
}

if (process.argv[2] === '--serve') {
  void startFakeBigQuery({ totalRows: Number(process.argv[3]) }).then((s) => process.stdout.write(`${s.url}\n`));
}
