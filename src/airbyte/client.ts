// Client for the Airbyte public API v1 (Cloud `https://api.airbyte.com/v1`, self-managed
// `https://HOST/api/public/v1`). Paging by limit/offset until the server stops sending `next`;
// a 401 gets one fresh token and one more try; errors become AirbyteError. A trigger is never
// resent after an unknown outcome: POST /jobs is not idempotent.
import type { HttpClient, HttpRequest } from '../core/http';
import type { Logger } from '../core/logger';
import type { AirbyteCredentials } from './credentials';
import { AirbyteError, toAirbyteError } from './errors';
import { ACTIVE_STATUSES, type Connection, type Destination, type Job, type JobAttempts, type JobFilter, type JobType, type Page, type Source, type Workspace } from './types';
import { t } from '../core/l10n';

const MAX_LOG_LINES = 5_000;

export interface AirbyteClientOptions {
  http: HttpClient;
  baseUrl: string;
  credentials: AirbyteCredentials;
  logger?: Logger;
  /** Items per page (1..100, default 100). */
  pageSize?: number;
  /** Safety cap on pages read for one listing (default 50). */
  maxPages?: number;
}

/** What a guarded trigger found: it started a job, or one was already going (maybe unknown which). */
export type TriggerResult = { kind: 'started'; job: Job } | { kind: 'alreadyRunning'; job?: Job };

export class AirbyteClient {
  readonly baseUrl: string;
  private readonly pageSize: number;
  private readonly maxPages: number;

  constructor(private readonly opts: AirbyteClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.pageSize = Math.min(100, Math.max(1, opts.pageSize ?? 100));
    this.maxPages = opts.maxPages ?? 50;
  }

  get credentialOrigin() {
    return this.opts.credentials.origin;
  }

  /**
   * The config API beside a self-managed public API (`https://HOST/api/public/v1` -> `https://HOST/api/v1`),
   * or undefined (Airbyte Cloud's public API has no config API next to it).
   */
  get configApiUrl(): string | undefined {
    return /\/api\/public\/v1$/.test(this.baseUrl) ? this.baseUrl.replace(/\/api\/public\/v1$/, '/api/v1') : undefined;
  }

  /**
   * A job's attempts, their failure reasons (failureSummary.failures) and log lines, from the config
   * API's `POST /jobs/get {id}`; undefined where there is no config API. Read defensively: only
   * strings are kept, and at most MAX_LOG_LINES lines.
   */
  async getJobAttempts(jobId: number, signal?: AbortSignal): Promise<JobAttempts | undefined> {
    const config = this.configApiUrl;
    if (!config) return undefined;
    const res = await this.call<unknown>({ method: 'POST', url: `${config}/jobs/get`, body: { id: jobId }, signal, idempotent: true });
    const body = (res.data ?? {}) as { attempts?: unknown };
    if (!Array.isArray(body.attempts)) throw new AirbyteError('badResponse', 'Airbyte answered jobs/get without a list of attempts.');
    const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
    let budget = MAX_LOG_LINES;
    return {
      jobId,
      attempts: body.attempts.map((a: any, i) => {
        const failures = Array.isArray(a?.attempt?.failureSummary?.failures) ? a.attempt.failureSummary.failures : [];
        const lines = Array.isArray(a?.logs?.logLines) ? a.logs.logLines.filter((l: unknown): l is string => typeof l === 'string').slice(0, Math.max(0, budget)) : [];
        budget -= lines.length;
        return {
          attempt: typeof a?.attempt?.id === 'number' ? a.attempt.id : i,
          status: text(a?.attempt?.status) ?? 'unknown',
          failures: failures
            .filter((f: any) => f && typeof f === 'object')
            .map((f: any) => ({ origin: text(f.failureOrigin), type: text(f.failureType), message: text(f.externalMessage) ?? text(f.internalMessage) ?? t('no message'), retryable: typeof f.retryable === 'boolean' ? f.retryable : undefined })),
          logLines: lines,
        };
      }),
    };
  }

  listWorkspaces(signal?: AbortSignal): Promise<Workspace[]> {
    return this.list<Workspace>('/workspaces', {}, signal);
  }

  listConnections(workspaceIds: readonly string[], signal?: AbortSignal): Promise<Connection[]> {
    return this.list<Connection>('/connections', { workspaceIds }, signal);
  }

  async getConnection(connectionId: string, signal?: AbortSignal): Promise<Connection> {
    return (await this.call<Connection>({ method: 'GET', url: `/connections/${encodeURIComponent(connectionId)}`, signal })).data;
  }

  async getSource(sourceId: string, signal?: AbortSignal): Promise<Source> {
    return (await this.call<Source>({ method: 'GET', url: `/sources/${encodeURIComponent(sourceId)}`, signal })).data;
  }

  async getDestination(destinationId: string, signal?: AbortSignal): Promise<Destination> {
    return (await this.call<Destination>({ method: 'GET', url: `/destinations/${encodeURIComponent(destinationId)}`, signal })).data;
  }

  listJobs(filter: JobFilter, signal?: AbortSignal): Promise<Job[]> {
    const { max, ...query } = filter;
    return this.list<Job>('/jobs', { orderBy: 'createdAt|DESC', ...query }, signal, max ?? this.pageSize);
  }

  async getJob(jobId: number, signal?: AbortSignal): Promise<Job> {
    return checkJob((await this.call<Job>({ method: 'GET', url: `/jobs/${jobIdText(jobId)}`, signal })).data);
  }

  /** POST /jobs as it is: one request, never resent on an unknown outcome. Prefer `trigger()`. */
  async createJob(connectionId: string, jobType: JobType, signal?: AbortSignal): Promise<Job> {
    const res = await this.call<Job>({ method: 'POST', url: '/jobs', body: { connectionId, jobType }, signal, idempotent: false });
    return checkJob(res.data);
  }

  async cancelJob(jobId: number, signal?: AbortSignal): Promise<Job> {
    return checkJob((await this.call<Job>({ method: 'DELETE', url: `/jobs/${jobIdText(jobId)}`, signal, idempotent: false })).data);
  }

  /** The connection's job that is pending or running (or retrying), newest first, if any. */
  async activeJob(connectionId: string, signal?: AbortSignal): Promise<Job | undefined> {
    for (const status of ACTIVE_STATUSES) {
      const [job] = await this.listJobs({ connectionId, status, max: 1 }, signal);
      if (job) return job;
    }
    return undefined;
  }

  /**
   * Start a sync or reset unless one is already going: look for a running job first; if Airbyte
   * still answers 409, report the running job instead of sending the POST again.
   */
  async trigger(connectionId: string, jobType: JobType, signal?: AbortSignal): Promise<TriggerResult> {
    const running = await this.activeJob(connectionId, signal);
    if (running) return { kind: 'alreadyRunning', job: running };
    try {
      return { kind: 'started', job: await this.createJob(connectionId, jobType, signal) };
    } catch (err) {
      if (!AirbyteError.is(err, 'conflict')) throw err;
      const job = await this.activeJob(connectionId, signal).catch(() => undefined);
      return { kind: 'alreadyRunning', job };
    }
  }

  private async list<T>(path: string, query: Record<string, string | number | readonly string[] | undefined>, signal?: AbortSignal, max = Number.POSITIVE_INFINITY): Promise<T[]> {
    const out: T[] = [];
    for (let page = 0, offset = 0; page < this.maxPages && out.length < max; page++) {
      const limit = Math.min(this.pageSize, max - out.length);
      const res = await this.call<Page<T>>({ method: 'GET', url: path, query: { ...query, limit, offset }, signal });
      const data = res.data?.data;
      if (!Array.isArray(data)) throw new AirbyteError('badResponse', t('Airbyte answered {0} without a data list.', path));
      out.push(...data);
      if (!res.data.next || data.length === 0) break;
      offset += data.length;
    }
    return out;
  }

  private async call<T>(req: HttpRequest) {
    const send = async (token: string) =>
      // Paths are relative to the public API; the config API's calls pass their whole URL (same origin).
      this.opts.http.request<T>({ ...req, url: req.url.startsWith('/') ? `${this.baseUrl}${req.url}` : req.url, headers: { ...req.headers, Authorization: `Bearer ${token}` } });
    let token = await this.opts.credentials.token(req.signal);
    try {
      try {
        return await send(token);
      } catch (err) {
        // 401 is answered before anything is done: a fresh token and one more try is safe, even for a POST.
        if (toAirbyteError(err).reason !== 'unauthorized') throw err;
        this.opts.logger?.debug(`Airbyte answered 401 on ${req.method} ${req.url}; trying once with a fresh token`);
        this.opts.credentials.invalidate(token);
        token = await this.opts.credentials.token(req.signal);
        return await send(token);
      }
    } catch (err) {
      throw toAirbyteError(err);
    }
  }
}

function jobIdText(jobId: number): string {
  if (!Number.isSafeInteger(jobId) || jobId < 0) throw new AirbyteError('badRequest', t('Not an Airbyte job id: {0}', jobId));
  return String(jobId);
}

function checkJob(job: Job): Job {
  if (!job || typeof job.jobId !== 'number' || typeof job.status !== 'string') throw new AirbyteError('badResponse', 'Airbyte answered without a job.');
  return job;
}
