// dbt Cloud Administrative API v2 client: jobs, runs (trigger, get, cancel), artifacts. Every JSON
// answer comes in dbt Cloud's envelope `{data, status: {code, is_success, user_message}, extra}`,
// checked here. The trigger POST is sent with `idempotent: false`: the HTTP client never resends it
// after an unknown outcome, so one click is at most one run.
import type { CredentialOrigin } from '../../audit/auditTrail';
import type { HttpClient, HttpRequest } from '../../core/http';
import type { Logger } from '../../core/logger';
import type { SecretRegistry } from '../../core/redact';
import { sendWithRenewal } from '../../core/renewableCredential';
import { checkedServiceUrl } from '../../core/serviceUrl';
import type { ServiceCredentials } from '../../auth/serviceCredentials';
import { DbtCloudError, toDbtCloudError } from './dbtCloudErrors';
import { lookup } from '../../core/lookup';
import { t } from '../../core/l10n';

export type DbtCloudRunStatus = 'queued' | 'starting' | 'running' | 'success' | 'error' | 'cancelled' | 'unknown';

/** dbt Cloud's run status codes (terminal: 10, 20, 30). */
export const RUN_STATUS_CODES: Readonly<Record<number, DbtCloudRunStatus>> = { 1: 'queued', 2: 'starting', 3: 'running', 10: 'success', 20: 'error', 30: 'cancelled' };

export function isFinalRunStatus(status: DbtCloudRunStatus): boolean {
  return status === 'success' || status === 'error' || status === 'cancelled';
}

export interface DbtCloudRunStep {
  readonly index: number;
  readonly name: string;
  readonly status: DbtCloudRunStatus;
}

export interface DbtCloudRun {
  readonly id: number;
  readonly jobId: number;
  readonly status: DbtCloudRunStatus;
  /** dbt Cloud's display text (`Running`, `Success`...). */
  readonly statusLabel: string;
  /** Set for errors and cancellations (e.g. "Failure in test x"). */
  readonly statusMessage?: string;
  /** The run page in dbt Cloud's UI. */
  readonly href?: string;
  readonly createdAt?: string;
  readonly finishedAt?: string;
  readonly durationHumanized?: string;
  readonly steps: readonly DbtCloudRunStep[];
}

export interface DbtCloudJob {
  readonly id: number;
  readonly name: string;
  readonly description: string;
  readonly projectId?: number;
  readonly environmentId?: number;
  readonly jobType?: string;
  readonly executeSteps: readonly string[];
  readonly mostRecentRun?: DbtCloudRun;
}

export interface DbtCloudTrigger {
  /** Required by dbt Cloud; shown in its run history ("Triggered from VS Code by alice@example.com"). */
  cause: string;
  gitBranch?: string;
  schemaOverride?: string;
  stepsOverride?: readonly string[];
}

/**
 * How the client authenticates: IdpServiceCredentials (the IdP's token for the dbt Cloud audience,
 * `Bearer`) or a personal token (`Token`).
 */
export type DbtCloudCredentials = ServiceCredentials;

/** A personal or service token the user entered (SecretStorage), sent as `Token <value>`. */
export class PersonalTokenCredentials implements DbtCloudCredentials {
  private refused?: string;

  /** `origin` 'service-token' for a service token (`dbtc_`): same header, a shared identity. */
  constructor(
    private readonly read: () => Promise<string | undefined>,
    private readonly secrets?: SecretRegistry,
    readonly origin: CredentialOrigin = 'personal-token',
  ) {}

  async token(): Promise<string> {
    // Read per request: a new token takes effect at once.
    const token = (await this.read())?.trim();
    if (!token) throw new DbtCloudError('credentialsMissing');
    // One dbt Cloud refused is not sent again; a newly stored one is. These tokens do not expire,
    // so a refusal means it was revoked (or deleted): nothing renews it but a new one.
    if (token === this.refused) {
      throw new DbtCloudError('unauthorized', 'dbt Cloud no longer accepts the stored token: it was revoked or deleted.', 401, [], undefined, {
        nextStep: t('Create a new token in dbt Cloud (Account settings > API tokens) and run "Gatehouse: Set dbt Cloud Token" to set it.'),
      });
    }
    this.secrets?.add(token);
    return token;
  }

  header(token: string): Record<string, string> {
    return { Authorization: `Token ${token}` };
  }

  invalidate(token: string): void {
    this.refused = token;
  }
}

export interface DbtCloudClientOptions {
  http: HttpClient;
  /** e.g. https://cloud.getdbt.com */
  baseUrl: string;
  accountId: string;
  credentials: DbtCloudCredentials;
  logger?: Logger;
  /** Per request (default 30 s). */
  timeoutMs?: number;
}

interface Envelope {
  data: unknown;
  extra?: { pagination?: { count?: number; total_count?: number } };
}

const PAGE = 100;
/** Lists stop here: a job list is for a person to read. */
const MAX_LIST = 1_000;

export class DbtCloudClient {
  private readonly base: string;

  constructor(private readonly o: DbtCloudClientOptions) {
    if (!/^\d+$/.test(o.accountId)) throw new DbtCloudError('notConfigured', 'gatehouse.dbtCloud.accountId must be the numeric account id.');
    const url = checkedServiceUrl(o.baseUrl, 'gatehouse.dbtCloud.baseUrl', (e) => new DbtCloudError('notConfigured', e.message, undefined, [], undefined, { cause: e, nextStep: e.nextStep }));
    this.base = `${url.origin}${url.pathname.replace(/\/+$/, '')}/api/v2/accounts/${o.accountId}`;
  }

  get credentialOrigin(): CredentialOrigin {
    return this.o.credentials.origin;
  }

  /** Jobs of the account (optionally of one project), each with its most recent run. */
  async listJobs(options: { projectId?: number; environmentId?: number; signal?: AbortSignal } = {}): Promise<DbtCloudJob[]> {
    const jobs: DbtCloudJob[] = [];
    for (let offset = 0; offset < MAX_LIST; offset += PAGE) {
      const env = await this.call({
        method: 'GET',
        url: `${this.base}/jobs/`,
        query: { project_id: options.projectId, environment_id: options.environmentId, order_by: 'name', limit: PAGE, offset, include_related: '["most_recent_run"]' },
        signal: options.signal,
      });
      const page = array(env.data, 'jobs');
      jobs.push(...page.map(parseJob));
      const total = env.extra?.pagination?.total_count;
      if (page.length < PAGE || (typeof total === 'number' && offset + PAGE >= total)) break;
    }
    return jobs;
  }

  async getRun(runId: number, options: { includeSteps?: boolean; signal?: AbortSignal } = {}): Promise<DbtCloudRun> {
    const env = await this.call({
      method: 'GET',
      url: `${this.base}/runs/${int(runId)}/`,
      query: { include_related: options.includeSteps ? '["run_steps","job"]' : '["job"]' },
      signal: options.signal,
    });
    return parseRun(env.data);
  }

  /** Newest first. */
  async listRuns(jobId: number, options: { limit?: number; signal?: AbortSignal } = {}): Promise<DbtCloudRun[]> {
    const env = await this.call({
      method: 'GET',
      url: `${this.base}/runs/`,
      query: { job_definition_id: int(jobId), order_by: '-id', limit: Math.min(PAGE, Math.max(1, options.limit ?? 10)) },
      signal: options.signal,
    });
    return array(env.data, 'runs').map(parseRun);
  }

  /** Starts a run. Sent once: a lost answer is reported, never retried (that could start two runs). */
  async triggerRun(jobId: number, trigger: DbtCloudTrigger, signal?: AbortSignal): Promise<DbtCloudRun> {
    const cause = trigger.cause.trim().slice(0, 255);
    if (!cause) throw new DbtCloudError('badRequest', 'A dbt Cloud run needs a cause.');
    const body: Record<string, unknown> = { cause };
    if (trigger.gitBranch) body.git_branch = trigger.gitBranch;
    if (trigger.schemaOverride) body.schema_override = trigger.schemaOverride;
    if (trigger.stepsOverride?.length) body.steps_override = [...trigger.stepsOverride];
    const env = await this.call({ method: 'POST', url: `${this.base}/jobs/${int(jobId)}/run/`, body, signal, idempotent: false });
    return parseRun(env.data);
  }

  /** Cancelling twice is harmless (dbt Cloud answers with the run as it is), so a retry is safe. */
  async cancelRun(runId: number, signal?: AbortSignal): Promise<DbtCloudRun> {
    const env = await this.call({ method: 'POST', url: `${this.base}/runs/${int(runId)}/cancel/`, body: {}, signal, idempotent: true });
    return parseRun(env.data);
  }

  async listArtifacts(runId: number, signal?: AbortSignal): Promise<string[]> {
    const env = await this.call({ method: 'GET', url: `${this.base}/runs/${int(runId)}/artifacts/`, signal });
    return array(env.data, 'artifacts').filter((p): p is string => typeof p === 'string');
  }

  /** A run's artifact (e.g. `run_results.json`): the raw file, not enveloped. */
  async getArtifact(runId: number, path: string, signal?: AbortSignal): Promise<unknown> {
    if (!/^[\w][\w./-]*$/.test(path) || path.includes('..')) throw new DbtCloudError('badRequest', 'Not an artifact path.');
    const res = await this.send({ method: 'GET', url: `${this.base}/runs/${int(runId)}/artifacts/${path}`, signal });
    return res;
  }

  private async call(req: HttpRequest): Promise<Envelope> {
    const data = await this.send(req);
    if (!data || typeof data !== 'object' || !('data' in data)) throw new DbtCloudError('badResponse');
    const status = (data as { status?: { is_success?: unknown } }).status;
    if (status && status.is_success === false) throw new DbtCloudError('badResponse');
    return data as Envelope;
  }

  private async send(req: HttpRequest): Promise<unknown> {
    const credentials = this.o.credentials;
    // A 401 is refused before anything runs, so even the trigger may be sent again, once, with a
    // renewed credential (the rejected one is dropped first).
    const rejected = (err: unknown) => {
      if (toDbtCloudError(err).reason !== 'unauthorized') return false;
      this.o.logger?.debug(`dbt Cloud answered 401 to ${req.method} ${req.url.replace(this.base, '')}; trying once with a renewed credential`);
      return true;
    };
    try {
      const res = await sendWithRenewal(
        credentials,
        (token) => this.o.http.request({ timeoutMs: this.o.timeoutMs, ...req, headers: { ...req.headers, ...credentials.header(token) } }),
        rejected,
        req.signal,
      );
      return res.data;
    } catch (err) {
      throw toDbtCloudError(err);
    }
  }
}

type Json = Record<string, unknown>;

function int(n: number): number {
  if (!Number.isSafeInteger(n) || n <= 0) throw new DbtCloudError('badRequest', 'Not a dbt Cloud id.');
  return n;
}

function array(data: unknown, what: string): unknown[] {
  if (!Array.isArray(data)) throw new DbtCloudError('badResponse', t('dbt Cloud sent a list of {0} Gatehouse could not read.', what));
  return data;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export function runStatusOf(code: unknown): DbtCloudRunStatus {
  return lookup(RUN_STATUS_CODES, code) ?? 'unknown';
}

export function parseRun(raw: unknown): DbtCloudRun {
  if (!raw || typeof raw !== 'object') throw new DbtCloudError('badResponse', 'dbt Cloud sent a run Gatehouse could not read.');
  const r = raw as Json;
  const id = num(r.id);
  const jobId = num(r.job_definition_id) ?? num(r.job_id);
  if (id === undefined || jobId === undefined) throw new DbtCloudError('badResponse', 'dbt Cloud sent a run without an id.');
  const status = runStatusOf(r.status);
  const steps = Array.isArray(r.run_steps)
    ? r.run_steps
        .filter((s): s is Json => !!s && typeof s === 'object')
        .map((s, i) => ({ index: num(s.index) ?? i + 1, name: str(s.name) ?? '', status: runStatusOf(s.status) }))
    : [];
  const href = str(r.href);
  return {
    id,
    jobId,
    status,
    statusLabel: str(r.status_humanized) ?? status,
    statusMessage: str(r.status_message) ?? undefined,
    // Only web links: the href is opened in a browser.
    href: href && /^https?:\/\//i.test(href) ? href : undefined,
    createdAt: str(r.created_at),
    finishedAt: str(r.finished_at),
    durationHumanized: str(r.duration_humanized),
    steps,
  };
}

export function parseJob(raw: unknown): DbtCloudJob {
  if (!raw || typeof raw !== 'object') throw new DbtCloudError('badResponse', 'dbt Cloud sent a job Gatehouse could not read.');
  const j = raw as Json;
  const id = num(j.id);
  if (id === undefined) throw new DbtCloudError('badResponse', 'dbt Cloud sent a job without an id.');
  const recent = j.most_recent_run;
  let mostRecentRun: DbtCloudRun | undefined;
  if (recent && typeof recent === 'object') {
    try {
      mostRecentRun = parseRun(recent);
    } catch {
      // A job whose last run cannot be read is still a job to list and trigger.
    }
  }
  return {
    id,
    name: str(j.name) ?? `Job ${id}`,
    description: str(j.description) ?? '',
    projectId: num(j.project_id),
    environmentId: num(j.environment_id),
    jobType: str(j.job_type),
    executeSteps: Array.isArray(j.execute_steps) ? j.execute_steps.filter((s): s is string => typeof s === 'string') : [],
    mostRecentRun,
  };
}
