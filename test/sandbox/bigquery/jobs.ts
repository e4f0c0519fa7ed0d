// Query jobs: PENDING → RUNNING → DONE, with real cancellation (DuckDB interrupt), scripts as a
// parent job with one child per statement, the per-user query cache, bytes billed, and the
// `/* sandbox:delay=3s */` hint that holds a job in RUNNING so polling and cancel are testable.
import { createHash, randomBytes } from 'node:crypto';
import type { DemoUser } from '../directory';
import type { WarehouseField } from '../context';
import {
  WarehouseError,
  TypedParam,
  type DuckWarehouse,
  type ExecuteResult,
  type ParamType,
  type QueryParams,
  type StatementType,
  type TableRef,
} from '../warehouse';
import { delayHintMs, isNonDeterministic, splitStatements, statementType, writeTarget } from '../warehouse/dialect';
import type { BigQueryReason } from './errors';

export interface QueryParameter {
  name?: string;
  parameterType: ParamType;
  parameterValue?: ParamValue;
}
interface ParamValue {
  value?: string;
  arrayValues?: ParamValue[];
  structValues?: Record<string, ParamValue>;
}

export interface QueryConfig {
  query: string;
  useLegacySql?: boolean;
  defaultDataset?: { projectId?: string; datasetId: string };
  queryParameters?: QueryParameter[];
  parameterMode?: string;
  maximumBytesBilled?: string;
  useQueryCache?: boolean;
  priority?: string;
  [k: string]: unknown;
}

export interface JobError {
  reason: BigQueryReason;
  message: string;
  location?: string;
}

export interface Job {
  projectId: string;
  jobId: string;
  location: 'US';
  user: DemoUser;
  principal: string;
  query: QueryConfig;
  labels: Record<string, string>;
  dryRun: boolean;
  state: 'PENDING' | 'RUNNING' | 'DONE';
  creationTime: number;
  startTime?: number;
  endTime?: number;
  error?: JobError;
  statementType?: StatementType | 'SCRIPT';
  resultId?: string;
  fields?: WarehouseField[];
  totalRows?: number;
  numDmlAffectedRows?: number;
  totalBytesProcessed: number;
  totalBytesBilled: number;
  cacheHit: boolean;
  referencedTables: TableRef[];
  parentJobId?: string;
  childJobIds: string[];
  abort: AbortController;
  done: Promise<void>;
}

/** Who may read which table (the server's dataset ACL check). */
export type TableAccessCheck = (user: DemoUser, ref: TableRef, write: boolean) => JobError | undefined;

interface CacheEntry {
  resultId: string;
  fields: WarehouseField[];
  totalRows: number;
  at: number;
  refs: TableRef[];
}

const MB = 1024 * 1024;
const CACHE_TTL_MS = 60 * 60 * 1000;

export class JobFailure extends Error {
  constructor(readonly jobError: JobError) {
    super(jobError.message);
  }
}

/** Query parameters of the REST API → warehouse parameters (named record or positional list). */
export function toWarehouseParams(params: QueryParameter[] | undefined, mode: string | undefined): QueryParams | undefined {
  if (!params?.length) return undefined;
  const value = (t: ParamType, v: ParamValue | undefined): unknown => {
    if (!v) return null;
    if (t.type === 'ARRAY') return (v.arrayValues ?? []).map((x) => value(t.arrayType ?? { type: 'STRING' }, x));
    if (t.type === 'STRUCT') {
      const out: Record<string, unknown> = {};
      for (const f of t.structTypes ?? []) if (f.name) out[f.name] = value(f.type, v.structValues?.[f.name]);
      return out;
    }
    return v.value ?? null;
  };
  const typed = params.map((p) => new TypedParam(p.parameterType, value(p.parameterType, p.parameterValue)));
  if ((mode ?? '').toUpperCase() === 'POSITIONAL' || params.every((p) => !p.name)) return typed;
  return Object.fromEntries(params.map((p, i) => [p.name ?? `p${i}`, typed[i]]));
}

export class JobManager {
  private readonly jobs = new Map<string, Job>();
  private readonly cache = new Map<string, CacheEntry>();

  constructor(
    private readonly warehouse: DuckWarehouse,
    private readonly canAccess: TableAccessCheck,
    private readonly log: (line: string) => void,
  ) {}

  static key(projectId: string, jobId: string): string {
    return `${projectId}:${jobId}`;
  }

  get(projectId: string, jobId: string): Job | undefined {
    return this.jobs.get(JobManager.key(projectId, jobId));
  }

  has(projectId: string, jobId: string): boolean {
    return this.jobs.has(JobManager.key(projectId, jobId));
  }

  list(projectId: string): Job[] {
    return [...this.jobs.values()].filter((j) => j.projectId === projectId);
  }

  static newJobId(): string {
    return `job_${randomBytes(18).toString('base64url')}`;
  }

  /** Creates and starts a query job (dry runs finish before this returns and are not stored). */
  async start(init: { projectId: string; jobId?: string; user: DemoUser; principal: string; query: QueryConfig; labels?: Record<string, string>; dryRun?: boolean; parentJobId?: string }): Promise<Job> {
    const job: Job = {
      projectId: init.projectId,
      jobId: init.jobId ?? JobManager.newJobId(),
      location: 'US',
      user: init.user,
      principal: init.principal,
      query: init.query,
      labels: init.labels ?? {},
      dryRun: !!init.dryRun,
      state: 'PENDING',
      creationTime: Date.now(),
      totalBytesProcessed: 0,
      totalBytesBilled: 0,
      cacheHit: false,
      referencedTables: [],
      parentJobId: init.parentJobId,
      childJobIds: [],
      abort: new AbortController(),
      done: Promise.resolve(),
    };
    if (job.dryRun) {
      await this.dryRun(job);
      return job;
    }
    this.jobs.set(JobManager.key(job.projectId, job.jobId), job);
    job.done = this.run(job);
    return job;
  }

  cancel(job: Job): void {
    if (job.state !== 'DONE') job.abort.abort();
  }

  /** Resolves when the job is DONE or after timeoutMs, whichever comes first. */
  async wait(job: Job, timeoutMs: number): Promise<void> {
    if (job.state === 'DONE' || timeoutMs <= 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([job.done, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
  }

  private defaults(job: Job) {
    const d = job.query.defaultDataset;
    return {
      defaultProject: job.projectId,
      defaultDataset: d?.datasetId ? { projectId: d.projectId ?? job.projectId, datasetId: d.datasetId } : undefined,
    };
  }

  private async dryRun(job: Job): Promise<void> {
    try {
      const statements = this.parse(job);
      const opts = this.defaults(job);
      for (const s of statements) this.checkAccess(job, s.sql);
      job.referencedTables = this.warehouse.referencedTables(job.query.query, opts);
      job.totalBytesProcessed = await this.warehouse.estimateBytes(job.query.query, opts);
      job.statementType = statements.length > 1 ? 'SCRIPT' : statementType(statements[0].sql);
      if (statements.length === 1 && job.statementType === 'SELECT') {
        // Dry runs report the schema without running: a zero-row probe.
        const probe = await this.warehouse.query(`SELECT * FROM (${statements[0].sql}\n) LIMIT 0`, { ...opts, params: this.params(job) });
        job.fields = probe.fields;
      }
    } catch (e) {
      job.error = toJobError(e);
    }
    job.state = 'DONE';
    job.startTime = job.endTime = Date.now();
  }

  private params(job: Job): QueryParams | undefined {
    return toWarehouseParams(job.query.queryParameters, job.query.parameterMode);
  }

  private parse(job: Job): { sql: string; pos: number }[] {
    if (job.query.useLegacySql === true)
      throw new JobFailure({ reason: 'invalidQuery', message: 'Legacy SQL is not supported by the sandbox; set useLegacySql: false', location: 'query' });
    let statements: { sql: string; pos: number }[];
    try {
      statements = splitStatements(job.query.query);
    } catch (e) {
      this.warehouse.translate(job.query.query); // rethrows the tokenizer's error as a WarehouseError with [line:col]
      throw e;
    }
    if (!statements.length) throw new JobFailure({ reason: 'invalidQuery', message: 'Syntax error: Unexpected end of script at [1:1]', location: 'query' });
    // Keep each statement at its place in the script so error positions match the whole text.
    return statements.map((s) => ({ sql: job.query.query.slice(0, s.pos).replace(/[^\n]/g, ' ') + s.sql, pos: s.pos }));
  }

  private checkAccess(job: Job, sql: string): void {
    const opts = this.defaults(job);
    const refs = this.warehouse.referencedTables(sql, opts);
    const type = statementType(sql);
    const target = type && type !== 'SELECT' ? writeTarget(sql) : undefined;
    const targetRef = target ? this.warehouse.resolveTable(target, opts) : undefined;
    for (const ref of refs) {
      const write = !!targetRef && sameTable(ref, targetRef);
      const err = this.canAccess(job.user, ref, write);
      if (err) throw new JobFailure(err);
    }
  }

  private async run(job: Job): Promise<void> {
    try {
      const statements = this.parse(job);
      job.state = 'RUNNING';
      job.startTime = Date.now();
      await sleep(delayHintMs(job.query.query), job.abort.signal);
      if (statements.length === 1) await this.runStatement(job, statements[0].sql);
      else await this.runScript(job, statements);
    } catch (e) {
      job.error = toJobError(e);
      if (job.error.reason !== 'stopped' && job.error.reason !== 'invalidQuery' && !WarehouseError.is(e) && !(e instanceof JobFailure))
        this.log(`[bigquery] job ${job.jobId} failed: ${(e as Error).stack ?? e}`);
    } finally {
      job.state = 'DONE';
      job.endTime = Date.now();
      job.startTime ??= job.endTime;
    }
  }

  private async runScript(job: Job, statements: { sql: string; pos: number }[]): Promise<void> {
    job.statementType = 'SCRIPT';
    for (const [i, s] of statements.entries()) {
      if (job.abort.signal.aborted) throw new WarehouseError('stopped', 'Job execution was cancelled: User requested cancellation');
      const child: Job = {
        ...job,
        jobId: `script_job_${createHash('sha1').update(job.jobId).digest('hex').slice(0, 24)}_${i}`,
        query: { ...job.query, query: s.sql.trimStart() },
        labels: {},
        state: 'RUNNING',
        creationTime: Date.now(),
        startTime: Date.now(),
        endTime: undefined,
        error: undefined,
        statementType: undefined,
        resultId: undefined,
        fields: undefined,
        totalRows: undefined,
        numDmlAffectedRows: undefined,
        totalBytesProcessed: 0,
        totalBytesBilled: 0,
        cacheHit: false,
        referencedTables: [],
        parentJobId: job.jobId,
        childJobIds: [],
        abort: job.abort,
      };
      this.jobs.set(JobManager.key(child.projectId, child.jobId), child);
      job.childJobIds.push(child.jobId);
      try {
        await this.runStatement(child, s.sql);
      } catch (e) {
        child.error = toJobError(e);
        throw e;
      } finally {
        child.state = 'DONE';
        child.endTime = Date.now();
        job.totalBytesProcessed += child.totalBytesProcessed;
        job.totalBytesBilled += child.totalBytesBilled;
      }
      // The script's result is its last statement's.
      job.resultId = child.resultId;
      job.fields = child.fields;
      job.totalRows = child.totalRows;
      job.numDmlAffectedRows = child.numDmlAffectedRows;
    }
  }

  private async runStatement(job: Job, sql: string): Promise<void> {
    const opts = this.defaults(job);
    this.checkAccess(job, sql);
    job.referencedTables = this.warehouse.referencedTables(sql, opts);
    const type = statementType(sql);
    job.statementType ??= type;
    const params = this.params(job);
    const cacheable = type === 'SELECT' && job.query.useQueryCache !== false && !isNonDeterministic(sql) && !job.parentJobId;
    const cacheKey = cacheable ? createHash('sha256').update(JSON.stringify([job.user.id, job.projectId, opts.defaultDataset, sql.trim(), job.query.queryParameters ?? null])).digest('hex') : '';
    const hit = cacheable ? this.cache.get(cacheKey) : undefined;
    if (hit && Date.now() - hit.at < CACHE_TTL_MS && this.warehouse.hasResult(hit.resultId) && hit.refs.every((r) => this.warehouse.lastModified(r) < hit.at)) {
      Object.assign(job, { cacheHit: true, resultId: hit.resultId, fields: hit.fields, totalRows: hit.totalRows, totalBytesProcessed: 0, totalBytesBilled: 0 });
      return;
    }
    const bytes = await this.warehouse.estimateBytes(sql, opts);
    const billed = bytes === 0 ? 0 : Math.max(10 * MB * Math.max(1, job.referencedTables.length), Math.ceil(bytes / MB) * MB);
    const limit = job.query.maximumBytesBilled !== undefined ? Number(job.query.maximumBytesBilled) : undefined;
    if (limit !== undefined && limit > 0 && billed > limit)
      throw new JobFailure({ reason: 'bytesBilledLimitExceeded', message: `Query exceeded limit for bytes billed: ${limit}. ${billed} or higher required.` });
    const result: ExecuteResult = await this.warehouse.execute(sql, { ...opts, params, signal: job.abort.signal });
    Object.assign(job, {
      resultId: result.resultId,
      fields: result.fields,
      totalRows: result.totalRows,
      numDmlAffectedRows: result.numDmlAffectedRows,
      totalBytesProcessed: bytes,
      totalBytesBilled: billed,
    });
    if (cacheable && result.resultId)
      this.cache.set(cacheKey, { resultId: result.resultId, fields: result.fields, totalRows: result.totalRows, at: Date.now(), refs: job.referencedTables });
  }
}

function sameTable(a: TableRef, b: TableRef): boolean {
  return a.projectId === b.projectId && a.datasetId.toLowerCase() === b.datasetId.toLowerCase() && a.tableId.toLowerCase() === b.tableId.toLowerCase();
}

export function toJobError(e: unknown): JobError {
  if (e instanceof JobFailure) return e.jobError;
  if (WarehouseError.is(e)) {
    if (e.reason === 'stopped') return { reason: 'stopped', message: e.message };
    return { reason: e.reason, message: e.message, location: e.reason === 'invalidQuery' ? 'query' : undefined };
  }
  return { reason: 'backendError', message: 'Internal error in the sandbox warehouse' };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const stop = () => {
      clearTimeout(timer);
      reject(new WarehouseError('stopped', 'Job execution was cancelled: User requested cancellation'));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', stop);
      resolve();
    }, ms);
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
  });
}
