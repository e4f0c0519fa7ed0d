// One query or table preview from request to result panel, without VS Code: dry run and cost
// guard, the job with labels and a client-chosen id, waiting with real cancellation, rows into
// the results panel as a paged source, statistics, and one audit record however it ends. The
// editor side only supplies the SQL, a way to ask the user, and the presenter.
import { BigQueryError } from './errors';
import { decideCost } from './sql';
import { jobConsoleUrl, tableConsoleUrl } from './consoleLinks';
import { newJobId, type BigQueryClient } from './client';
import type { JobRef, QueryParameter, RowsPage, TableFieldSchema, TableRef } from './types';
import type { AuditOutcome, AuditTrail } from '../audit/auditTrail';
import { Formatter } from '../core/format';
import type { Logger } from '../core/logger';
import type { ResultStats, ResultsPanelHandle, ResultsPresenter } from '../results/resultsPresenter';
import { BigQueryResultSource, type BigQueryRowsResponse } from './rows';
import { createArraySource } from '../results/sources';
import type { ResultSource } from '../results/types';
import { t } from '../core/l10n';

export interface CostSettings {
  /** 0: no limit. Sent as the job's maximumBytesBilled, and checked against the dry run first. */
  maximumBytesBilled: number;
  /** Ask before running when the dry run says more than this many bytes (0: never ask). */
  confirmAboveBytes: number;
}

export interface Actor {
  subject: string;
  email?: string;
  issuer?: string;
}

export interface QueryRunnerDeps {
  client: BigQueryClient;
  presenter: ResultsPresenter;
  audit: Pick<AuditTrail, 'record'>;
  actor: () => Actor | undefined;
  costSettings: () => CostSettings;
  /** Asks whether to run a query that will process `bytes`; false: do not run. */
  confirmCost(bytes: number, sql: string): Promise<boolean>;
  /** Turns a 403 accessDenied into a sentence saying who asked, with what, and what is missing. */
  explainDenied?(err: BigQueryError, resource: string): string;
  logger?: Logger;
  /** Rows per page of the result source (the panel's cache unit). */
  pageSize?: number;
  /** Overall limit of one query (the job is cancelled past it). */
  queryTimeoutMs?: number;
  /** Sizes in messages; the glue passes one in the display language. */
  format?: Formatter;
}

export interface QueryRequest {
  sql: string;
  params?: QueryParameter[];
  title: string;
  /** Panels are reused per owner (e.g. the document's URI). */
  ownerKey?: string;
  /** Cancels the query (a progress notification's Cancel); the panel's Cancel does the same. */
  signal?: AbortSignal;
}

export type QueryStatus = 'succeeded' | 'failed' | 'cancelled' | 'blocked' | 'declined';

export interface QueryOutcome {
  status: QueryStatus;
  job?: JobRef;
  /** Dry-run estimate, when one was made. */
  estimatedBytes?: number;
  error?: BigQueryError;
  stats?: ResultStats;
  totalRows?: number;
}

const DEFAULT_PAGE_SIZE = 500;
/** The restore kind of a BigQuery job's result (see ResultRestorer). */
export const BIGQUERY_JOB_RESTORE = 'bigquery-job';

/** A job reference from a restore key, or undefined when any part is not shaped like BigQuery's. */
export function jobFromRestoreKey(key: Readonly<Record<string, string>>): JobRef | undefined {
  const { projectId, jobId, location } = key;
  // Project ids (optionally domain-scoped), job ids and locations as BigQuery allows them.
  if (typeof projectId !== 'string' || !/^(?:[a-z0-9.-]+:)?[a-z][a-z0-9-]{4,61}[a-z0-9]$/.test(projectId)) return undefined;
  if (typeof jobId !== 'string' || !/^[A-Za-z0-9_-]{1,1024}$/.test(jobId)) return undefined;
  if (location !== undefined && (typeof location !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(location))) return undefined;
  return { projectId, jobId, ...(location ? { location } : {}) };
}
const GIB = 1024 ** 3;

export class BigQueryQueryRunner {
  private readonly fmt: Formatter;

  constructor(private readonly deps: QueryRunnerDeps) {
    this.fmt = deps.format ?? new Formatter();
  }

  async runQuery(request: QueryRequest): Promise<QueryOutcome> {
    const { client } = this.deps;
    const started = Date.now();
    const project = await client.billingProject(request.signal).catch(() => undefined);
    let resource = 'query';
    let job: JobRef | undefined;
    const handle = this.deps.presenter.open({
      title: request.title,
      ownerKey: request.ownerKey,
      origin: project ? `BigQuery · ${project}` : t('BigQuery · no project'),
      exportAudit: () => ({ service: 'bigquery', resource, jobIds: job ? [job.jobId] : undefined, credential: client.credentialOrigin }),
    });
    const stop = linkCancel(handle, request.signal);
    let estimatedBytes: number | undefined;
    const finish = async (outcome: QueryOutcome, reason?: string): Promise<QueryOutcome> => {
      stop.dispose();
      await this.audit('query', resource, job, auditOutcome(outcome), reason);
      return { ...outcome, job, estimatedBytes };
    };
    try {
      handle.setRunning(t('Estimating the bytes this query will process…'));
      const dry = await client.dryRun(request.sql, { params: request.params, signal: stop.signal });
      estimatedBytes = dry.totalBytesProcessed;
      if (dry.referencedTables.length) resource = dry.referencedTables.map((t) => `${t.projectId}.${t.datasetId}.${t.tableId}`).join(', ');
      const cost = this.deps.costSettings();
      const decision = decideCost(dry.totalBytesProcessed, cost);
      if (decision.action === 'block') {
        handle.setError(
          t('Not run: this query would process {0}, more than the {1} allowed by gatehouse.bigquery.maximumBytesBilled.', this.fmt.bytes(decision.bytes), this.fmt.bytes(decision.limit)),
          t('Narrow the query (select fewer columns, filter on partitions), or raise the setting.'),
        );
        return finish({ status: 'blocked' }, 'maximumBytesBilled');
      }
      if (decision.action === 'confirm') {
        handle.setRunning(t('Waiting for your confirmation: {0} to process…', this.fmt.bytes(decision.bytes)));
        if (!(await this.deps.confirmCost(decision.bytes, request.sql))) {
          handle.setCancelled(t('Not run: you declined to process {0}.', this.fmt.bytes(decision.bytes)));
          return finish({ status: 'declined' }, 'declined');
        }
      }
      job = { projectId: project ?? (await client.billingProject(stop.signal)), jobId: newJobId(), location: client.location };
      job = await client.startQuery(request.sql, {
        params: request.params,
        jobId: job.jobId,
        maximumBytesBilled: cost.maximumBytesBilled > 0 ? cost.maximumBytesBilled : undefined,
        signal: stop.signal,
      });
      handle.setRunning(t('Running job {0}…', job.jobId));
      const pageSize = this.deps.pageSize ?? DEFAULT_PAGE_SIZE;
      const done = await client.waitForQuery(job, { signal: stop.signal, firstPageSize: pageSize, timeoutMs: this.deps.queryTimeoutMs });
      job = done.ref;
      const { stats, totalRows } = await this.showJob(handle, done, pageSize, started);
      return finish({ status: 'succeeded', stats, totalRows });
    } catch (err) {
      return finish(this.fail(handle, err, resource), BigQueryError.is(err) ? err.reason : 'unknown');
    }
  }

  /**
   * Shows a finished job's result again (a results panel restored after a window reload): its
   * rows are read again from the job, as the signed-in person; nothing is re-run or re-billed.
   * `key` comes back through the webview's saved state, so it is checked first.
   */
  async reopenJob(key: Readonly<Record<string, string>>, handle: ResultsPanelHandle): Promise<QueryOutcome> {
    const job = jobFromRestoreKey(key);
    if (!job) {
      handle.setError(t('This result cannot be fetched again: its job is not named properly.'), t('Run the query again.'));
      return { status: 'failed', error: new BigQueryError('invalid', 'Malformed job reference.') };
    }
    const started = Date.now();
    const stop = linkCancel(handle, undefined);
    let outcome: QueryOutcome;
    try {
      handle.setRunning(t('Fetching the result of job {0} again…', job.jobId));
      const pageSize = this.deps.pageSize ?? DEFAULT_PAGE_SIZE;
      const done = await this.deps.client.waitForQuery(job, { signal: stop.signal, firstPageSize: pageSize, timeoutMs: this.deps.queryTimeoutMs });
      const { stats, totalRows } = await this.showJob(handle, done, pageSize, started);
      outcome = { status: 'succeeded', job, stats, totalRows };
    } catch (err) {
      outcome = { ...this.fail(handle, err, `job ${job.jobId}`), job };
    }
    stop.dispose();
    await this.audit('reopen-result', `job ${job.projectId}:${job.location ?? ''}.${job.jobId}`, job, auditOutcome(outcome), outcome.error?.reason);
    return outcome;
  }

  private async showJob(handle: ResultsPanelHandle, done: Awaited<ReturnType<BigQueryClient['waitForQuery']>>, pageSize: number, started: number): Promise<{ stats: ResultStats; totalRows?: number }> {
    const job = done.ref;
    const children = Number(done.statistics.numChildJobs ?? 0);
    const stats: ResultStats = {
      jobId: job.jobId,
      jobUrl: jobConsoleUrl(job),
      location: job.location,
      statementType: done.statistics.statementType,
      bytesProcessed: optionalNumber(done.statistics.totalBytesProcessed),
      bytesBilled: optionalNumber(done.statistics.totalBytesBilled),
      cacheHit: done.statistics.cacheHit,
      slotMs: optionalNumber(done.statistics.totalSlotMs),
      timeToFirstRowMs: Date.now() - started,
      extra: {
        ...(children > 0 ? { 'Script statements': String(children) } : {}),
        ...(done.numDmlAffectedRows !== undefined ? { 'Rows affected': String(done.numDmlAffectedRows) } : {}),
      },
    };
    const source = await this.resultSource(job, done.schema, done.firstPage, pageSize, done.numDmlAffectedRows, done.statistics.statementType);
    handle.setResult(source, stats, { kind: BIGQUERY_JOB_RESTORE, data: { projectId: job.projectId, jobId: job.jobId, ...(job.location ? { location: job.location } : {}) } });
    return { stats, totalRows: source.totalRows };
  }

  /** Table rows through tabledata.list: free, unlike a SELECT * that BigQuery bills in full. */
  async previewTable(table: TableRef, signal?: AbortSignal): Promise<QueryOutcome> {
    const { client } = this.deps;
    const name = `${table.projectId}.${table.datasetId}.${table.tableId}`;
    const handle = this.deps.presenter.open({
      title: table.tableId,
      ownerKey: `bigquery-preview:${name}`,
      origin: `BigQuery preview · ${name}`,
      exportAudit: () => ({ service: 'bigquery', resource: name, credential: client.credentialOrigin }),
    });
    const stop = linkCancel(handle, signal);
    const started = Date.now();
    let outcome: QueryOutcome;
    try {
      handle.setRunning(t('Reading the first rows of {0}…', name));
      const meta = await client.getTable(table, stop.signal);
      if (meta.type === 'VIEW') {
        throw new BigQueryError('invalid', t('{0} is a view: it stores no rows to preview. Run a query on it instead (that is billed).', name));
      }
      const pageSize = this.deps.pageSize ?? DEFAULT_PAGE_SIZE;
      const source = await BigQueryResultSource.open({
        pageSize,
        schema: meta.schema,
        signal: stop.signal,
        fetchPage: async (p, s) => toRowsResponse(await client.listTableData(table, p, s), meta.schema),
      });
      const stats: ResultStats = {
        jobUrl: tableConsoleUrl(table),
        location: meta.location,
        bytesProcessed: 0,
        bytesBilled: 0,
        timeToFirstRowMs: Date.now() - started,
        extra: { Source: 'tabledata.list (not billed)' },
      };
      handle.setResult(source, stats);
      outcome = { status: 'succeeded', stats, totalRows: source.totalRows };
    } catch (err) {
      outcome = this.fail(handle, err, name);
    }
    stop.dispose();
    await this.audit('preview', name, undefined, auditOutcome(outcome), outcome.error?.reason);
    return outcome;
  }

  private async resultSource(job: JobRef, schema: TableFieldSchema[], first: RowsPage | undefined, pageSize: number, affected: number | undefined, statementType: string | undefined): Promise<ResultSource> {
    if (!schema.length) {
      // DDL/DML (or a script ending in one) has no rows: say what happened instead.
      const rows = [[statementType ?? 'STATEMENT', affected === undefined ? null : String(affected)]];
      return createArraySource(
        [
          { name: 'statement', type: 'STRING', mode: 'NULLABLE' },
          { name: 'rows_affected', type: 'INTEGER', mode: 'NULLABLE' },
        ],
        rows,
        pageSize,
      );
    }
    const client = this.deps.client;
    return BigQueryResultSource.open({
      pageSize,
      schema,
      first: first ? toRowsResponse(first, schema) : undefined,
      fetchPage: async (p, s) => toRowsResponse(await client.getQueryResultsPage(job, p, s), schema),
    });
  }

  private fail(handle: ResultsPanelHandle, err: unknown, resource: string): QueryOutcome {
    const e = err instanceof BigQueryError ? err : new BigQueryError('unknown', 'The query failed.', undefined, undefined, { cause: err });
    if (e.reason === 'cancelled') {
      handle.setCancelled(t('Cancelled. The job was stopped at BigQuery.'));
      return { status: 'cancelled', error: e };
    }
    if (e.reason === 'accessDenied' && this.deps.explainDenied) {
      handle.setError(this.deps.explainDenied(e, resource), e.message);
    } else {
      handle.setError(e.message, e.nextStep);
    }
    if (e.reason !== 'invalidQuery') this.deps.logger?.warn(`BigQuery ${resource}: ${e.reason}`);
    return { status: 'failed', error: e };
  }

  private async audit(action: 'query' | 'preview' | 'reopen-result', resource: string, job: JobRef | undefined, outcome: AuditOutcome, reason?: string): Promise<void> {
    const actor = this.deps.actor();
    if (!actor) return;
    try {
      await this.deps.audit.record({
        actor,
        credential: this.deps.client.credentialOrigin,
        service: 'bigquery',
        action,
        resource,
        ...(job ? { jobIds: [job.jobId] } : {}),
        outcome,
        ...(reason ? { reason } : {}),
      });
    } catch (err) {
      // The query happened; a full disk must not turn it into a failure for the user.
      this.deps.logger?.error('could not write the audit record', err);
    }
  }
}

/** Cancellation from either side (panel's Cancel, panel closed, caller's signal), as one signal. */
function linkCancel(handle: ResultsPanelHandle, outer: AbortSignal | undefined): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const subs = [handle.onDidRequestCancel(() => controller.abort()), handle.onDidDispose(() => controller.abort())];
  const onOuter = () => controller.abort();
  outer?.addEventListener('abort', onOuter, { once: true });
  if (outer?.aborted) controller.abort();
  return {
    signal: controller.signal,
    dispose: () => {
      for (const s of subs) s.dispose();
      outer?.removeEventListener('abort', onOuter);
    },
  };
}

function toRowsResponse(page: RowsPage, schema: TableFieldSchema[]): BigQueryRowsResponse {
  return { schema: { fields: page.schema ?? schema }, rows: page.rows, pageToken: page.pageToken, totalRows: page.totalRows };
}

function auditOutcome(o: QueryOutcome): AuditOutcome {
  if (o.status === 'succeeded') return 'succeeded';
  if (o.status === 'cancelled' || o.status === 'declined') return 'cancelled';
  if (o.status === 'blocked' || o.error?.reason === 'accessDenied') return 'denied';
  return 'failed';
}

function optionalNumber(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** On-demand pricing is per TiB; shown beside estimates so "1.2 GiB" means something. */
export function approximateCost(bytes: number, fmt: Formatter, usdPerTib = 6.25): string {
  const usd = (bytes / (1024 * GIB)) * usdPerTib;
  return usd < 0.01 ? `< ${fmt.currency(0.01, 'USD')}` : `≈ ${fmt.currency(usd, 'USD')}`;
}
