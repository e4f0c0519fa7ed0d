// BigQuery REST v2. The official client (@google-cloud/bigquery) gives the endpoint (universe
// domain, apiEndpoint) and the federated AuthClient gives the Authorization header; the request
// itself goes through our HTTP client, not the library's transport, because that one follows
// redirects with the Google token attached and reads any response in full. Ours follows none
// (a redirect is an error), caps the response size, and has one retry loop for every client.
// We keep the raw wire shapes (rows as {f:[{v}]}) so the result panel can page through millions
// of rows without the library's per-row object conversion.
//
// Only idempotent calls are retried (reads, jobs.cancel, and jobs.insert with the client-chosen
// job id, where a second insert of the same id answers 409 duplicate instead of starting another
// job), also on a 403 rateLimitExceeded, which a status-only policy would miss.
import { randomUUID } from 'node:crypto';
import type { BigQuery } from '@google-cloud/bigquery';
import { googleSdk } from './googleSdk';
import { BigQueryError, toBigQueryError } from './errors';
import type { GoogleCredentials } from './credentials';
import { HttpError } from '../core/errors';
import { AxiosHttpClient, type HttpClient } from '../core/http';
import { sleep, withRetry } from '../core/retry';
import type {
  DatasetRef, DryRunResult, JobRef, JobStatistics, JobSummary, Page, ProjectRef, QueryParameter, RoutineRef,
  RowsPage, TableFieldSchema, TableMetadata, TableRef,
} from './types';
import type { Logger } from '../core/logger';
import { t } from '../core/l10n';

export interface RetryPolicy {
  /** Attempts per call, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface BigQueryClientOptions {
  /** The project that runs and pays for jobs. Empty: the first project the user may see. */
  billingProject?: string;
  location?: string;
  apiEndpoint?: string;
  credentials: GoogleCredentials;
  /** Labels put on every job so BigQuery's own audit logs can be tied back (tool, user subject). */
  jobLabels?: Record<string, string>;
  logger?: Logger;
  /** Limit for one HTTP exchange (a getQueryResults poll holds up to its own timeoutMs on top). */
  requestTimeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Sleep between attempts and polls (tests pass a fast one). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /**
   * The transport (no redirects, response cap). Its own retries are not used: this client retries
   * with BigQuery's reasons. Default: one with the default response cap.
   */
  http?: HttpClient;
  /** Response cap of the default transport (gatehouse.http.maxResponseMiB). */
  maxResponseBytes?: number | (() => number);
  /** Cloud Resource Manager endpoint (projects.testIamPermissions). Default: https://cloudresourcemanager.googleapis.com. */
  resourceManagerEndpoint?: string;
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
  signal?: AbortSignal;
}

export interface WaitOptions {
  signal?: AbortSignal;
  /** How long one getQueryResults call may hold (server-side wait). */
  pollTimeoutMs?: number;
  /** Overall limit: past it the job is cancelled at BigQuery and the wait fails with 'timeout'. */
  timeoutMs?: number;
  /** Rows to take along with the completion answer (0: none). */
  firstPageSize?: number;
  onProgress?: (job: { state: string; elapsedMs: number }) => void;
}

export interface CompletedQuery {
  ref: JobRef;
  schema: TableFieldSchema[];
  totalRows: number;
  statistics: JobStatistics;
  /** First page of rows when the service sent it along (firstPageSize > 0). */
  firstPage?: RowsPage;
  numDmlAffectedRows?: number;
}

interface PageRequest {
  pageToken?: string;
  maxResults?: number;
  signal?: AbortSignal;
}

type Json = Record<string, any>;

interface CallOptions {
  qs?: Json;
  json?: Json;
  signal?: AbortSignal;
  /** May the call be sent again after a failure whose outcome is unknown? Default: GET only. */
  idempotent?: boolean;
  /** Extra time the server may hold this call (getQueryResults timeoutMs). */
  holdMs?: number;
  /** A Google API other than BigQuery (Cloud Resource Manager): the whole URL, `path` unused. */
  url?: string;
}

/** Reasons BigQuery uses for "try again later" (403 rateLimitExceeded included). */
const RETRY_REASONS = new Set(['rateLimitExceeded', 'backendError', 'network', 'timeout']);
const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504]);
const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 500, maxDelayMs: 8_000 };

export class BigQueryClient {
  private readonly bq: BigQuery;
  private readonly base: string;
  private readonly retry: RetryPolicy;
  private readonly sleep: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
  private readonly http: HttpClient;
  private billing: Promise<string> | undefined;

  constructor(private readonly opts: BigQueryClientOptions) {
    this.bq = new (googleSdk().BigQuery)({
      // Always a project id: without one the library asks the auth client for it, which for
      // federated credentials means a Cloud Resource Manager round trip.
      projectId: opts.billingProject || 'gatehouse-unset',
      location: opts.location,
      authClient: opts.credentials.authClient as never,
      retryOptions: { autoRetry: false, maxRetries: 0 },
      ...(opts.apiEndpoint ? { apiEndpoint: opts.apiEndpoint.replace(/\/+$/, '') } : {}),
    });
    this.base = (this.bq as unknown as { baseUrl: string }).baseUrl.replace(/\/+$/, '');
    this.retry = { ...DEFAULT_RETRY, ...opts.retry };
    this.sleep = opts.sleep;
    this.http = opts.http ?? new AxiosHttpClient({ maxAttempts: 1, maxConcurrent: 8, logger: opts.logger, maxResponseBytes: opts.maxResponseBytes });
    if (opts.billingProject) this.billing = Promise.resolve(opts.billingProject);
  }

  get credentialOrigin(): GoogleCredentials['origin'] {
    return this.opts.credentials.origin;
  }

  get location(): string | undefined {
    return this.opts.location;
  }

  /** The project jobs run in: the setting, or the first project the user may see. */
  billingProject(signal?: AbortSignal): Promise<string> {
    if (!this.billing) {
      const resolving = this.listProjects({ maxResults: 1, signal }).then((page) => {
        const first = page.items[0]?.id;
        if (!first) throw new BigQueryError('notConfigured', 'No BigQuery project is shared with you, so there is no project to run queries in. Set gatehouse.bigquery.billingProject.');
        return first;
      });
      this.billing = resolving;
      // A failed lookup (offline, signed out) must not stick.
      resolving.catch(() => {
        if (this.billing === resolving) this.billing = undefined;
      });
    }
    return this.billing;
  }

  /**
   * BigQuery v2 tables.testIamPermissions: which of `permissions` the caller holds on the table.
   * Google answers `{}` (no `permissions`) when none is held; only asked permissions are kept.
   */
  async testTablePermissions(table: Pick<TableRef, 'projectId' | 'datasetId' | 'tableId'>, permissions: readonly string[], signal?: AbortSignal): Promise<string[]> {
    const path = `/projects/${enc(table.projectId)}/datasets/${enc(table.datasetId)}/tables/${enc(table.tableId)}:testIamPermissions`;
    const res = await this.call('POST', path, { json: { permissions: [...permissions] }, signal, idempotent: true });
    return grantedOf(res, permissions);
  }

  /**
   * Cloud Resource Manager v1 projects.testIamPermissions (BigQuery v2 has none for projects or
   * datasets): which of `permissions`, such as bigquery.jobs.create, the caller holds on the project.
   */
  async testProjectPermissions(projectId: string, permissions: readonly string[], signal?: AbortSignal): Promise<string[]> {
    const base = (this.opts.resourceManagerEndpoint || 'https://cloudresourcemanager.googleapis.com').replace(/\/+$/, '');
    const url = `${base}/v1/projects/${enc(projectId)}:testIamPermissions`;
    const res = await this.call('POST', url, { url, json: { permissions: [...permissions] }, signal, idempotent: true });
    return grantedOf(res, permissions);
  }

  async listProjects(page: PageRequest = {}): Promise<Page<ProjectRef>> {
    const res = await this.call('GET', '/projects', { qs: pageQs(page), signal: page.signal });
    return {
      items: arr(res.projects).map((p: Json) => ({ id: str(p.projectReference?.projectId ?? p.id), friendlyName: p.friendlyName })),
      nextPageToken: res.nextPageToken,
    };
  }

  async listDatasets(projectId: string, page: PageRequest = {}): Promise<Page<DatasetRef>> {
    const res = await this.call('GET', `/projects/${enc(projectId)}/datasets`, { qs: pageQs(page), signal: page.signal });
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

  async listTables(dataset: DatasetRef, page: PageRequest = {}): Promise<Page<TableRef>> {
    const res = await this.call('GET', `/projects/${enc(dataset.projectId)}/datasets/${enc(dataset.datasetId)}/tables`, { qs: pageQs(page), signal: page.signal });
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

  async listRoutines(dataset: DatasetRef, page: PageRequest = {}): Promise<Page<RoutineRef>> {
    const res = await this.call('GET', `/projects/${enc(dataset.projectId)}/datasets/${enc(dataset.datasetId)}/routines`, { qs: pageQs(page), signal: page.signal });
    return {
      items: arr(res.routines).map((r: Json) => ({
        projectId: str(r.routineReference?.projectId ?? dataset.projectId),
        datasetId: str(r.routineReference?.datasetId ?? dataset.datasetId),
        routineId: str(r.routineReference?.routineId),
        routineType: r.routineType,
        language: r.language,
        description: r.description,
      })),
      nextPageToken: res.nextPageToken,
    };
  }

  async getTable(ref: TableRef, signal?: AbortSignal): Promise<TableMetadata> {
    const t = await this.call('GET', tablePath(ref), { signal });
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
  async listTableData(ref: TableRef, page: { pageToken?: string; startIndex?: number; maxResults?: number; selectedFields?: string } = {}, signal?: AbortSignal): Promise<RowsPage> {
    const res = await this.call('GET', `${tablePath(ref)}/data`, { qs: { ...page, 'formatOptions.useInt64Timestamp': true }, signal });
    return { rows: arr(res.rows), totalRows: num(res.totalRows), pageToken: res.pageToken };
  }

  async dryRun(sql: string, options: QueryOptions = {}): Promise<DryRunResult> {
    const project = await this.billingProject(options.signal);
    // No job id: a dry run creates no job, so there is nothing to make idempotent.
    const job = await this.call('POST', `/projects/${enc(project)}/jobs`, { json: this.jobBody(project, sql, options, true), signal: options.signal, idempotent: true });
    const q = job.statistics?.query ?? {};
    return {
      totalBytesProcessed: num(q.totalBytesProcessed ?? job.statistics?.totalBytesProcessed) ?? 0,
      statementType: q.statementType,
      schema: q.schema?.fields,
      referencedTables: arr(q.referencedTables).map((t: Json) => ({ projectId: str(t.projectId), datasetId: str(t.datasetId), tableId: str(t.tableId) })),
    };
  }

  /** jobs.insert with a client-chosen id, so a retried insert cannot start a second job. */
  async startQuery(sql: string, options: QueryOptions = {}): Promise<JobRef> {
    const project = await this.billingProject(options.signal);
    const jobId = options.jobId ?? newJobId();
    const fallback: JobRef = { projectId: project, jobId, location: options.location ?? this.opts.location };
    let attempt = 0;
    const job = await this.call('POST', `/projects/${enc(project)}/jobs`, {
      json: this.jobBody(project, sql, { ...options, jobId }, false),
      signal: options.signal,
      idempotent: true,
      onAttempt: () => attempt++,
    }).catch(async (err) => {
      // A retry of an insert that did reach BigQuery: the job exists and is ours.
      if (attempt > 1 && BigQueryError.is(err, 'duplicate')) return { jobReference: fallback };
      throw err;
    });
    return refOf(job, fallback);
  }

  /**
   * Waits for a query job with jobs.getQueryResults (the server holds each call up to
   * pollTimeoutMs). Throws BigQueryError when the job failed. When the signal fires or timeoutMs
   * passes, the job is cancelled at BigQuery (jobs.cancel) and the wait fails with 'cancelled' or
   * 'timeout': stopping to wait without stopping the job would leave it running and billing.
   */
  async waitForQuery(ref: JobRef, options: WaitOptions = {}): Promise<CompletedQuery> {
    const started = Date.now();
    const pollTimeoutMs = options.pollTimeoutMs ?? 2_000;
    const deadline = options.timeoutMs !== undefined ? AbortSignal.timeout(options.timeoutMs) : undefined;
    const signal = anySignal(options.signal, deadline);
    const stop = async (): Promise<never> => {
      await this.cancelJob(ref, AbortSignal.timeout(10_000)).catch((err) => this.opts.logger?.warn(`could not cancel job ${ref.jobId}: ${toBigQueryError(err).reason}`));
      throw deadline?.aborted && !options.signal?.aborted
        ? new BigQueryError('timeout', t('The query did not finish within {0} s and was cancelled.', Math.round((options.timeoutMs ?? 0) / 1000)))
        : new BigQueryError('cancelled', 'Query cancelled.');
    };
    for (;;) {
      if (signal?.aborted) return stop();
      let res: Json;
      try {
        res = await this.call('GET', `/projects/${enc(ref.projectId)}/queries/${enc(ref.jobId)}`, {
          qs: { location: ref.location, timeoutMs: pollTimeoutMs, maxResults: options.firstPageSize ?? 0, 'formatOptions.useInt64Timestamp': true },
          signal,
          holdMs: pollTimeoutMs,
        });
      } catch (err) {
        if (signal?.aborted) return stop();
        throw err;
      }
      if (res.jobComplete === true) {
        const errors = arr(res.errors);
        if (errors.length && !res.schema) throw toBigQueryError({ code: 400, errors, message: errors[0]?.message });
        const job = await this.getJob(ref, options.signal);
        if (job.error?.reason) throw toBigQueryError({ code: 400, errors: [job.error], message: job.error.message });
        const schema = arr(res.schema?.fields) as TableFieldSchema[];
        return {
          ref: { ...ref, location: ref.location ?? res.jobReference?.location },
          schema,
          totalRows: num(res.totalRows) ?? 0,
          statistics: job.statistics,
          firstPage: options.firstPageSize ? { schema, rows: arr(res.rows), totalRows: num(res.totalRows), pageToken: res.pageToken } : undefined,
          numDmlAffectedRows: num(res.numDmlAffectedRows),
        };
      }
      if (res.jobComplete !== false) throw new BigQueryError('badResponse', 'BigQuery answered without saying whether the query is complete.');
      options.onProgress?.({ state: 'RUNNING', elapsedMs: Date.now() - started });
      // The server already waited pollTimeoutMs; a short pause keeps a fast-returning server from spinning.
      await (this.sleep ?? sleep)(100, signal).catch(() => undefined);
    }
  }

  async getQueryResultsPage(ref: JobRef, page: { pageToken?: string; startIndex?: number; maxResults: number }, signal?: AbortSignal): Promise<RowsPage> {
    const res = await this.call('GET', `/projects/${enc(ref.projectId)}/queries/${enc(ref.jobId)}`, {
      qs: { location: ref.location, ...page, timeoutMs: 10_000, 'formatOptions.useInt64Timestamp': true },
      signal,
      holdMs: 10_000,
    });
    return { schema: res.schema?.fields, rows: arr(res.rows), totalRows: num(res.totalRows), pageToken: res.pageToken };
  }

  async getJob(ref: JobRef, signal?: AbortSignal): Promise<JobSummary> {
    const job = await this.call('GET', `/projects/${enc(ref.projectId)}/jobs/${enc(ref.jobId)}`, { qs: { location: ref.location }, signal });
    return summarize(job);
  }

  /** jobs.cancel is idempotent: cancelling a job twice, or a finished one, is harmless. */
  async cancelJob(ref: JobRef, signal?: AbortSignal): Promise<void> {
    await this.call('POST', `/projects/${enc(ref.projectId)}/jobs/${enc(ref.jobId)}/cancel`, { qs: { location: ref.location }, signal, idempotent: true });
  }

  /** The caller's own jobs (allUsers false), newest first; `parentJobId` lists a script's statements. */
  async listJobs(options: { projectId?: string; pageToken?: string; maxResults?: number; stateFilter?: string; allUsers?: boolean; parentJobId?: string; minCreationTime?: number; signal?: AbortSignal } = {}): Promise<Page<JobSummary>> {
    const { projectId, signal, ...qs } = options;
    const project = projectId ?? (await this.billingProject(signal));
    const res = await this.call('GET', `/projects/${enc(project)}/jobs`, { qs: { projection: 'full', ...qs }, signal });
    return { items: arr(res.jobs).map(summarize), nextPageToken: res.nextPageToken };
  }

  private jobBody(project: string, sql: string, o: QueryOptions, dryRun: boolean): Json {
    const params = o.params ?? [];
    const named = params.some((p) => p.name);
    return {
      jobReference: { projectId: project, ...(o.jobId ? { jobId: o.jobId } : {}), location: o.location ?? this.opts.location },
      configuration: {
        dryRun,
        labels: { ...this.opts.jobLabels, ...o.labels },
        query: {
          query: sql,
          useLegacySql: false,
          useQueryCache: o.useQueryCache ?? true,
          ...(o.defaultDataset ? { defaultDataset: o.defaultDataset } : {}),
          ...(o.maximumBytesBilled ? { maximumBytesBilled: String(Math.floor(o.maximumBytesBilled)) } : {}),
          ...(params.length ? { parameterMode: named ? 'NAMED' : 'POSITIONAL', queryParameters: params.map(toQueryParameter) } : {}),
        },
      },
    };
  }

  private call(method: 'GET' | 'POST', path: string, extra: CallOptions & { onAttempt?: () => void } = {}): Promise<Json> {
    const idempotent = extra.idempotent ?? method === 'GET';
    return withRetry(
      () => {
        extra.onAttempt?.();
        return this.once(method, path, extra);
      },
      {
        policy: { maxAttempts: this.retry.maxAttempts, baseDelayMs: this.retry.baseDelayMs, maxDelayMs: this.retry.maxDelayMs },
        signal: extra.signal,
        sleep: this.sleep,
        shouldRetry: (err, attempt) => {
          const e = err as BigQueryError;
          const retry = idempotent && (RETRY_REASONS.has(e.reason) || (e.status !== undefined && RETRY_STATUS.has(e.status)));
          this.opts.logger?.debug(`BigQuery ${method} ${path} failed: ${e.reason} ${e.status ?? ''}${retry && attempt < this.retry.maxAttempts ? `, attempt ${attempt + 1} follows` : ''}`);
          return retry ? { retry: true } : { retry: false };
        },
      },
    ).catch((err) => {
      if (extra.signal?.aborted) throw new BigQueryError('cancelled', 'Cancelled.', undefined, undefined, { cause: err });
      throw toBigQueryError(err);
    });
  }

  private async once(method: 'GET' | 'POST', path: string, extra: CallOptions): Promise<Json> {
    const query = Object.fromEntries(Object.entries(extra.qs ?? {}).filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => [k, String(v)]));
    if (extra.signal?.aborted) throw new BigQueryError('cancelled', 'Cancelled.');
    const url = extra.url ?? `${this.base}${path}`;
    const timeoutMs = (this.opts.requestTimeoutMs ?? 30_000) + (extra.holdMs ?? 0);
    let body: unknown;
    try {
      // The token may need an exchange at STS first: bounded by the same limit and the cancel.
      const auth = await bounded(this.opts.credentials.authClient.getRequestHeaders(url), timeoutMs, extra.signal);
      const res = await this.http.request({
        method,
        url,
        query,
        headers: { ...headerRecord(auth), 'User-Agent': 'gatehouse-vscode' },
        body: extra.json,
        signal: extra.signal,
        timeoutMs,
        // Retries are decided in call(), with BigQuery's reasons.
        idempotent: false,
      });
      body = res.data;
    } catch (err) {
      throw fromTransport(err, timeoutMs, extra.signal);
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BigQueryError('badResponse', 'BigQuery sent a response that is not a JSON object.');
    return body as Json;
  }
}

/** The answer's `permissions`, kept to those asked (a service adding others is not believed). */
function grantedOf(res: Json, asked: readonly string[]): string[] {
  return arr(res.permissions).filter((p: unknown): p is string => typeof p === 'string' && asked.includes(p));
}

/** `work`, or a typed timeout/cancel when it takes longer than `ms` or the signal fires first. */
function bounded<T>(work: Promise<T>, ms: number, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const timer = setTimeout(() => {
      done();
      reject(new BigQueryError('timeout', t('Getting a Google token took longer than {0} s.', Math.round(ms / 1000))));
    }, ms);
    const onAbort = () => {
      done();
      reject(new BigQueryError('cancelled', 'Cancelled.'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        done();
        resolve(v);
      },
      (e) => {
        done();
        reject(e);
      },
    );
  });
}

/** The AuthClient's headers (a fetch Headers in google-auth-library 10, a plain object before). */
function headerRecord(headers: unknown): Record<string, string> {
  if (headers && typeof (headers as Headers).forEach === 'function' && typeof (headers as Headers).get === 'function') {
    const out: Record<string, string> = {};
    (headers as Headers).forEach((v, k) => (out[k] = v));
    return out;
  }
  return { ...(headers as Record<string, string>) };
}

/** Our HTTP client's failures in the shape BigQuery's error mapping reads (its `{error: {...}}` body). */
function fromTransport(err: unknown, timeoutMs: number, signal?: AbortSignal): BigQueryError {
  if (!(err instanceof HttpError)) return toBigQueryError(err);
  switch (err.reason) {
    case 'cancelled':
      return new BigQueryError('cancelled', 'Cancelled.', undefined, undefined, { cause: err });
    case 'timeout':
      return new BigQueryError(signal?.aborted ? 'cancelled' : 'timeout', signal?.aborted ? t('Cancelled.') : t('BigQuery did not answer within {0} s.', Math.round(timeoutMs / 1000)), undefined, undefined, { cause: err });
    case 'network':
      return new BigQueryError('network', 'Could not reach BigQuery.', undefined, undefined, { cause: err });
    case 'badResponse':
      return new BigQueryError('badResponse', 'BigQuery sent a response that is not valid JSON.', err.status, undefined, { cause: err });
    case 'redirected':
      return new BigQueryError('badResponse', err.message, err.status, undefined, { cause: err });
    case 'responseTooLarge':
      return new BigQueryError('resourcesExceeded', err.message, err.status, undefined, { cause: err });
  }
  const e = (err.body as { error?: { code?: unknown; message?: unknown; errors?: unknown } } | undefined)?.error;
  return toBigQueryError({
    code: err.status,
    message: typeof e?.message === 'string' ? e.message : t('BigQuery answered HTTP {0}.', String(err.status)),
    errors: Array.isArray(e?.errors) ? e.errors : undefined,
  });
}

/** BigQuery label values: lowercase letters, digits, `_` and `-`, at most 63 characters. */
export function labelValue(value: string): string {
  return value.toLowerCase().replace(/[^a-z0-9_-]/g, '_').slice(0, 63);
}

/** The labels every Gatehouse job carries, so BigQuery's audit logs can be tied to a person. */
export function jobLabelsFor(subject: string): Record<string, string> {
  return { tool: 'gatehouse', 'gatehouse-user': labelValue(subject) };
}

export function newJobId(): string {
  return `gatehouse_${randomUUID().replace(/-/g, '')}`;
}

function pageQs(page: PageRequest): Json {
  return { pageToken: page.pageToken, maxResults: page.maxResults };
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
  const state = job.status?.state ?? job.state;
  return {
    ref: refOf(job, { projectId: '', jobId: '' }),
    state: state === 'DONE' || state === 'RUNNING' ? state : 'PENDING',
    query: typeof job.configuration?.query?.query === 'string' ? job.configuration.query.query : undefined,
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
    error: job.status?.errorResult ?? job.errorResult,
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

function anySignal(...signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const present = signals.filter((s): s is AbortSignal => !!s);
  return present.length > 1 ? AbortSignal.any(present) : present[0];
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
