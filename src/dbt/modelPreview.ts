// "Preview" of a dbt model: its compiled SQL wrapped in a LIMIT and run on BigQuery, the rows handed
// to the results panel as a ResultSource. The BigQuery client is injected (the BigQuery module owns
// credentials and settings), so this stays a few lines of wiring and a pure SQL helper.
import type { ResultStats } from '../results/resultsPresenter';
import { BigQueryResultSource } from '../bigquery/rows';
import type { ResultSource } from '../results/types';
import type { BigQueryClient } from '../bigquery/client';
import type { JobRef } from '../bigquery/types';

export const DEFAULT_PREVIEW_LIMIT = 500;
export const MAX_PREVIEW_LIMIT = 10_000;

/**
 * The compiled SQL as a subquery with a row limit. Trailing semicolons would end the statement
 * inside the parentheses; the newline before `)` keeps a trailing `-- comment` from eating it.
 */
export function previewSql(compiledSql: string, limit = DEFAULT_PREVIEW_LIMIT): string {
  const body = compiledSql.replace(/[\s;]+$/u, '');
  if (!body.trim()) throw new RangeError('The compiled SQL is empty.');
  const n = Math.max(1, Math.min(MAX_PREVIEW_LIMIT, Math.floor(limit)));
  return `select * from (\n${body}\n) as gatehouse_preview\nlimit ${n}`;
}

export interface DbtPreview {
  source: ResultSource;
  stats: ResultStats;
  jobId: string;
}

/** Runs a preview query; the dbt module receives one of these (or none, when BigQuery is not wired). */
export interface DbtPreviewRunner {
  readonly origin: string;
  run(sql: string, options: { signal?: AbortSignal; labels?: Record<string, string>; timeoutMs?: number }): Promise<DbtPreview>;
}

/** The preview runner over a BigQuery client (the one line that wires it: `bigQueryPreviewRunner(() => bigquery.client())`). */
export function bigQueryPreviewRunner(client: () => Promise<BigQueryClient> | BigQueryClient, pageSize = 500): DbtPreviewRunner {
  return {
    origin: 'BigQuery',
    async run(sql, options) {
      const started = Date.now();
      const bq = await client();
      const ref: JobRef = await bq.startQuery(sql, { signal: options.signal, labels: options.labels });
      const done = await bq.waitForQuery(ref, { signal: options.signal, timeoutMs: options.timeoutMs ?? 300_000, firstPageSize: pageSize });
      const source = await BigQueryResultSource.open({
        pageSize,
        first: done.firstPage ? { schema: { fields: done.schema }, rows: done.firstPage.rows, pageToken: done.firstPage.pageToken, totalRows: done.totalRows } : undefined,
        schema: done.schema,
        fetchPage: (params, signal) => bq.getQueryResultsPage(done.ref, params, signal).then((p) => ({ rows: p.rows, pageToken: p.pageToken, totalRows: p.totalRows, schema: p.schema ? { fields: p.schema } : undefined })),
        signal: options.signal,
      });
      const s = done.statistics;
      return {
        source,
        jobId: done.ref.jobId,
        stats: {
          jobId: done.ref.jobId,
          location: done.ref.location,
          statementType: s.statementType,
          bytesProcessed: s.totalBytesProcessed !== undefined ? Number(s.totalBytesProcessed) : undefined,
          bytesBilled: s.totalBytesBilled !== undefined ? Number(s.totalBytesBilled) : undefined,
          cacheHit: s.cacheHit,
          slotMs: s.totalSlotMs !== undefined ? Number(s.totalSlotMs) : undefined,
          timeToFirstRowMs: Date.now() - started,
        },
      };
    },
  };
}
