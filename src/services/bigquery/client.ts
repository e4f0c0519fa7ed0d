// BigQuery REST v2 through the official client (@google-cloud/bigquery) as transport: it brings
// authentication (our federated AuthClient), Google's retry policy for idempotent calls and the
// endpoint handling. We keep the raw wire shapes (rows as {f:[{v}]}) so the result panel can page
// through millions of rows without the library's per-row object conversion.
import { randomUUID } from 'node:crypto';
import { BigQuery } from '@google-cloud/bigquery';
import { BigQueryError, toBigQueryError } from './errors';
import type { GoogleCredentials } from './credentials';
import type {
  DatasetRef, DryRunResult, JobRef, JobStatistics, JobSummary, Page, ProjectRef, QueryParameter, RoutineRef,
  RowsPage, TableFieldSchema, TableMetadata, TableRef,
} from './types';
import type { Logger } from '../../core/logger';
import { sleep } from '../../core/http';

export interface BigQueryClientOptions {
  /** The project that runs and pays for jobs. */
  billingProject: string;
  location?: string;
  apiEndpoint?: string;
  credentials: GoogleCredentials;
  /** Labels put on every job so BigQuery's own audit logs can be tied back (tool, user subject). */
  jobLabels?: Record<string, string>;
  logger?: Logger;
}

export interface QueryOptions {
  params?: QueryParameter[];
  defaultDataset?: { projectId: string; datasetId: string };
  maximumBytesBilled?: number;
  useQueryCache?: boolean;
  labels?: Record<string, string>;
  location?: string;
  /** Client-chosen job id: makes the insert idempotent, so it can be retried safely. */
  jobId?: string;
}

export interface WaitOptions {
  signal?: AbortSignal;
  /** How long one getQueryResults call may hold (server-side wait). */
  pollTimeoutMs?: number;
  onProgress?: (job: { state: string; elapsedMs: number }) => void;
}

export interface CompletedQuery {
  ref: JobRef;
  schema: TableFieldSchema[];
  totalRows: number;
  statistics: JobStatistics;
  /** First page of rows when the service sent it along (maxResults > 0). */
  firstPage?: RowsPage;
  numDmlAffectedRows?: number;
}

type Json = Record<string, any>;

export class BigQueryClient {
  private readonly bq: BigQuery;
  private readonly base: string;

  constructor(private readonly opts: BigQueryClientOptions) {
    this.bq = new BigQuery({
      projectId: opts.billingProject,
      location: opts.location,
      authClient: opts.credentials.authClient as never,
      ...(opts.apiEndpoint ? { apiEndpoint: opts.apiEndpoint.replace(/\/+$/, '') } : {}),
    });
    this.base = (this.bq as unknown as { baseUrl: string }).baseUrl.replace(/\/+$/, '');
  }

  get credentialOrigin(): GoogleCredentials['origin'] {
    return this.opts.credentials.origin;
  }

  get billingProject(): string {
    return this.opts.billingProject;
  }

  async listProjects(page: { pageToken?: string; maxResults?: number } = {}): Promise<Page<ProjectRef>> {
    const res = await this.call('GET', '/projects', { qs: page });
    return {
      items: arr(res.projects).map((p: Json) => ({ id: str(p.projectReference?.projectId ?? p.id), friendlyName: p.friendlyName })),
      nextPageToken: res.nextPageToken,
    };
  }

  async listDatasets(projectId: string, page: { pageToken?: string; maxResults?: number } = {}): Promise<Page<DatasetRef>> {
    const res = await this.call('GET', `/projects/${enc(projectId)}/datasets`, { qs: page });
    return {
      items: arr(res.datasets).map((d: Json) => ({
        projectId: str(d.datasetReference?.projectId ?? projectId),
        datasetId: str(d.datasetReference?.datasetId),
        location: d.location,
        friendlyName: d.friendlyName,
      })),
      nextPageToken: res.nextPageToken,
    };
  }

  async listTables(dataset: DatasetRef, page: { pageToken?: string; maxResults?: number } = {}): Promise<Page<TableRef>> {
    const res = await this.call('GET', `/projects/${enc(dataset.projectId)}/datasets/${enc(dataset.datasetId)}/tables`, { qs: page });
    return {
      items: arr(res.tables).map((t: Json) => ({
        projectId: str(t.tableReference?.projectId ?? dataset.projectId),
        datasetId: str(t.tableReference?.datasetId ?? dataset.datasetId),
        tableId: str(t.tableReference?.tableId),
        type: t.type,
        creationTime: t.creationTime,
      })),
      nextPageToken: res.nextPageToken,
    };
  }

  async listRoutines(dataset: DatasetRef, page: { pageToken?: string; maxResults?: number } = {}): Promise<Page<RoutineRef>> {
    const res = await this.call('GET', `/projects/${enc(dataset.projectId)}/datasets/${enc(dataset.datasetId)}/routines`, { qs: page });
    return {
      items: arr(res.routines).map((r: Json) => ({
        projectId: str(r.routineReference?.projectId ?? dataset.projectId),
        datasetId: str(r.routineReference?.datasetId ?? dataset.datasetId),
        routineId: str(r.routineReference?.routineId),
        routineType: r.routineType,
        language: r.language,
      })),
      nextPageToken: res.nextPageToken,
    };
  }

  async getTable(ref: TableRef): Promise<TableMetadata> {
    const t = await this.call('GET', tablePath(ref));
    return {
      projectId: ref.projectId,
      datasetId: ref.datasetId,
      tableId: ref.tableId,
      type: t.type,
      creationTime: t.creationTime,
      description: t.description,
      schema: arr(t.schema?.fields) as TableFieldSchema[],
      numRows: t.numRows,
      numBytes: t.numBytes,
      lastModifiedTime: t.lastModifiedTime,
      location: t.location,
      viewQuery: t.view?.query ?? t.materializedView?.query,
    };
  }

  /** tabledata.list: free (not billed), unlike `SELECT *`. */
  async listTableData(ref: TableRef, page: { pageToken?: string; startIndex?: number; maxResults?: number; selectedFields?: string } = {}): Promise<RowsPage> {
    const res = await this.call('GET', `${tablePath(ref)}/data`, { qs: { ...page, 'formatOptions.useInt64Timestamp': true } });
    return { rows: arr(res.rows), totalRows: num(res.totalRows), pageToken: res.pageToken };
  }

  async dryRun(sql: string, options: QueryOptions = {}): Promise<DryRunResult> {
    const job = await this.call('POST', `/projects/${enc(this.opts.billingProject)}/jobs`, {
      json: this.jobBody(sql, { ...options, jobId: options.jobId ?? newJobId() }, true),
    });
    const q = job.statistics?.query ?? {};
    return {
      totalBytesProcessed: num(q.totalBytesProcessed ?? job.statistics?.totalBytesProcessed) ?? 0,
      statementType: q.statementType,
      schema: q.schema?.fields,
      referencedTables: arr(q.referencedTables).map((t: Json) => ({ projectId: t.projectId, datasetId: t.datasetId, tableId: t.tableId })),
    };
  }

  /** jobs.insert with a client-chosen id, so a retried insert cannot start a second job. */
  async startQuery(sql: string, options: QueryOptions = {}): Promise<JobRef> {
    const jobId = options.jobId ?? newJobId();
    const job = await this.call('POST', `/projects/${enc(this.opts.billingProject)}/jobs`, { json: this.jobBody(sql, { ...options, jobId }, false) });
    return refOf(job, { projectId: this.opts.billingProject, jobId, location: options.location ?? this.opts.location });
  }

  /**
   * Waits for a query job with jobs.getQueryResults (the server holds each call up to
   * pollTimeoutMs), so cancellation is noticed within one poll. Throws BigQueryError when the job
   * failed; with a signal that fires, cancels the job at BigQuery and throws 'cancelled'.
   */
  async waitForQuery(ref: JobRef, options: WaitOptions & { firstPageSize?: number } = {}): Promise<CompletedQuery> {
    const started = Date.now();
    const pollTimeoutMs = options.pollTimeoutMs ?? 2_000;
    for (;;) {
      if (options.signal?.aborted) {
        await this.cancelJob(ref).catch(() => undefined);
        throw new BigQueryError('cancelled', 'Query cancelled.');
      }
      const res = await this.call('GET', `/projects/${enc(ref.projectId)}/queries/${enc(ref.jobId)}`, {
        qs: { location: ref.location, timeoutMs: pollTimeoutMs, maxResults: options.firstPageSize ?? 0, 'formatOptions.useInt64Timestamp': true },
      });
      if (res.jobComplete) {
        if (arr(res.errors).length && !res.schema) throw toBigQueryError({ code: 400, errors: res.errors, message: res.errors[0]?.message });
        const job = await this.getJob(ref);
        return {
          ref,
          schema: arr(res.schema?.fields),
          totalRows: num(res.totalRows) ?? 0,
          statistics: job.statistics,
          firstPage: options.firstPageSize ? { schema: arr(res.schema?.fields), rows: arr(res.rows), totalRows: num(res.totalRows), pageToken: res.pageToken } : undefined,
          numDmlAffectedRows: num(res.numDmlAffectedRows),
        };
      }
      options.onProgress?.({ state: 'RUNNING', elapsedMs: Date.now() - started });
      // The server already waited pollTimeoutMs; a short pause keeps a fast-returning fake from spinning.
      await sleep(100, options.signal).catch(() => undefined);
    }
  }

  async getQueryResultsPage(ref: JobRef, page: { pageToken?: string; startIndex?: number; maxResults: number }, signal?: AbortSignal): Promise<RowsPage> {
    const res = await this.call('GET', `/projects/${enc(ref.projectId)}/queries/${enc(ref.jobId)}`, {
      qs: { location: ref.location, ...page, timeoutMs: 10_000, 'formatOptions.useInt64Timestamp': true },
      signal,
    });
    return { schema: res.schema?.fields, rows: arr(res.rows), totalRows: num(res.totalRows), pageToken: res.pageToken };
  }

  async getJob(ref: JobRef): Promise<JobSummary> {
    const job = await this.call('GET', `/projects/${enc(ref.projectId)}/jobs/${enc(ref.jobId)}`, { qs: { location: ref.location } });
    return summarize(job);
  }

  async cancelJob(ref: JobRef): Promise<void> {
    await this.call('POST', `/projects/${enc(ref.projectId)}/jobs/${enc(ref.jobId)}/cancel`, { qs: { location: ref.location } });
  }

  async listJobs(options: { projectId?: string; pageToken?: string; maxResults?: number; stateFilter?: string; allUsers?: boolean; parentJobId?: string } = {}): Promise<Page<JobSummary>> {
    const { projectId = this.opts.billingProject, ...qs } = options;
    const res = await this.call('GET', `/projects/${enc(projectId)}/jobs`, { qs: { projection: 'full', ...qs } });
    return { items: arr(res.jobs).map(summarize), nextPageToken: res.nextPageToken };
  }

  private jobBody(sql: string, o: QueryOptions, dryRun: boolean): Json {
    const params = o.params ?? [];
    const named = params.some((p) => p.name);
    return {
      jobReference: { projectId: this.opts.billingProject, jobId: o.jobId, location: o.location ?? this.opts.location },
      configuration: {
        dryRun,
        labels: { ...this.opts.jobLabels, ...o.labels },
        query: {
          query: sql,
          useLegacySql: false,
          useQueryCache: o.useQueryCache ?? true,
          ...(o.defaultDataset ? { defaultDataset: o.defaultDataset } : {}),
          ...(o.maximumBytesBilled ? { maximumBytesBilled: String(Math.floor(o.maximumBytesBilled)) } : {}),
          ...(params.length
            ? { parameterMode: named ? 'NAMED' : 'POSITIONAL', queryParameters: params.map(toQueryParameter) }
            : {}),
        },
      },
    };
  }

  private async call(method: 'GET' | 'POST', path: string, extra: { qs?: Json; json?: Json; signal?: AbortSignal } = {}): Promise<Json> {
    const qs = Object.fromEntries(Object.entries(extra.qs ?? {}).filter(([, v]) => v !== undefined));
    const request = new Promise<Json>((resolve, reject) => {
      this.bq.request({ method, uri: `${this.base}${path}`, qs, json: extra.json ?? true }, (err: unknown, body: unknown) =>
        err ? reject(err) : resolve((body ?? {}) as Json),
      );
    });
    try {
      const body = extra.signal ? await raceAbort(request, extra.signal) : await request;
      if (typeof body !== 'object' || body === null) throw new BigQueryError('badResponse', 'BigQuery sent a response that is not a JSON object.');
      return body;
    } catch (err) {
      const e = toBigQueryError(err);
      this.opts.logger?.debug(`BigQuery ${method} ${path} failed: ${e.reason} ${e.status ?? ''}`);
      throw e;
    }
  }
}

/** BigQuery label values: lowercase letters, digits, `_` and `-`, at most 63 characters. */
export function labelValue(value: string): string {
  return value.toLowerCase().replace(/[^a-z0-9_-]/g, '_').slice(0, 63);
}

export function newJobId(): string {
  return `gatehouse_${randomUUID().replace(/-/g, '')}`;
}

function toQueryParameter(p: QueryParameter): Json {
  const value = p.value;
  const parameterValue = Array.isArray(value)
    ? { arrayValues: value.map((v) => ({ value: v === null ? null : String(v) })) }
    : { value: value === null || value === undefined ? null : String(value) };
  const parameterType = Array.isArray(value) ? { type: 'ARRAY', arrayType: { type: p.type } } : { type: p.type };
  return { ...(p.name ? { name: p.name } : {}), parameterType, parameterValue };
}

function summarize(job: Json): JobSummary {
  const stats = job.statistics ?? {};
  const q = stats.query ?? {};
  return {
    ref: refOf(job, { projectId: '', jobId: '' }),
    state: job.status?.state ?? 'PENDING',
    query: job.configuration?.query?.query,
    userEmail: job.user_email,
    statistics: {
      creationTime: stats.creationTime,
      startTime: stats.startTime,
      endTime: stats.endTime,
      totalBytesProcessed: q.totalBytesProcessed ?? stats.totalBytesProcessed,
      totalBytesBilled: q.totalBytesBilled,
      totalSlotMs: q.totalSlotMs ?? stats.totalSlotMs,
      cacheHit: q.cacheHit,
      statementType: q.statementType,
      numChildJobs: stats.numChildJobs,
    },
    error: job.status?.errorResult,
    labels: job.configuration?.labels,
    parentJobId: stats.parentJobId,
  };
}

function refOf(job: Json, fallback: JobRef): JobRef {
  const r = job.jobReference ?? {};
  return { projectId: r.projectId ?? fallback.projectId, jobId: r.jobId ?? fallback.jobId, location: r.location ?? fallback.location };
}

function tablePath(ref: TableRef): string {
  return `/projects/${enc(ref.projectId)}/datasets/${enc(ref.datasetId)}/tables/${enc(ref.tableId)}`;
}

function enc(s: string): string {
  return encodeURIComponent(s);
}
function arr(v: unknown): any[] {
  return Array.isArray(v) ? v : [];
}
function str(v: unknown): string {
  return typeof v === 'string' ? v : String(v ?? '');
}
function num(v: unknown): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new BigQueryError('cancelled', 'Cancelled.'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new BigQueryError('cancelled', 'Cancelled.'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
