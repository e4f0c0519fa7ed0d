// BigQuery REST v2 over the DuckDB warehouse, close enough to the wire format that the official
// @google-cloud/bigquery client works against it. Served under /bigquery/v2 and without prefix
// (like goccy/bigquery-emulator). Identity: `Authorization: Bearer <token>` minted by the fake
// STS and looked up in ctx.googleTokens; permissions come from the dataset access lists.
//
// Sandbox-only: a `/* sandbox:delay=3s */` comment in a query holds its job RUNNING that long
// (cancellable) before it executes, so tests of polling and cancel are deterministic.
import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { GoogleToken, RunningService, SandboxContext, WarehouseField } from './context';
import type { WarehouseValue } from './warehouse/types';
import type { DemoUser } from './directory';
import { groupEmail } from './directory';
import { Router, sendJson, serve, type Request } from './http';
import { DuckWarehouse, type AccessEntry, type DatasetInfo, type TableInfo, type TableRef } from './warehouse';
import { bqError, routerErrorBody } from './bigquery/errors';
import { encodeRows, encodeSchema, pageToken, parsePageToken } from './bigquery/encode';
import { JobManager, type Job, type JobError, type QueryConfig } from './bigquery/jobs';

const ROOT = 'https://bigquery.googleapis.com/bigquery/v2';
const READ_SCOPES = ['https://www.googleapis.com/auth/bigquery', 'https://www.googleapis.com/auth/bigquery.readonly', 'https://www.googleapis.com/auth/cloud-platform', 'https://www.googleapis.com/auth/cloud-platform.read-only'];
const WRITE_SCOPES = ['https://www.googleapis.com/auth/bigquery', 'https://www.googleapis.com/auth/cloud-platform'];
/** Rows per page when the client gives no maxResults: BigQuery fills ~10 MB; we stop at this many bytes of JSON. */
const DEFAULT_PAGE_BYTES = 10 * 1024 * 1024;
const DEFAULT_TABLES_PAGE = 50;
const DEFAULT_JOBS_PAGE = 50;
const ROLE_RANK = { READER: 1, WRITER: 2, OWNER: 3 } as const;
/** What the predefined roles behind a dataset's access entries hold on its tables (dataViewer, dataEditor, dataOwner). */
const TABLE_PERMISSIONS: Record<number, readonly string[]> = {
  [ROLE_RANK.READER]: ['bigquery.tables.get', 'bigquery.tables.getData', 'bigquery.tables.export', 'bigquery.tables.list'],
  [ROLE_RANK.WRITER]: ['bigquery.tables.update', 'bigquery.tables.updateData', 'bigquery.tables.delete', 'bigquery.tables.create'],
  [ROLE_RANK.OWNER]: ['bigquery.tables.getIamPolicy', 'bigquery.tables.setIamPolicy'],
};
/** Project members hold roles/bigquery.user (and can see the project); admins roles/bigquery.admin. */
const MEMBER_PERMISSIONS = ['resourcemanager.projects.get', 'bigquery.jobs.create', 'bigquery.jobs.list', 'bigquery.datasets.create', 'bigquery.readsessions.create'];
const ADMIN_PERMISSIONS = ['bigquery.jobs.listAll', 'bigquery.datasets.update', 'bigquery.datasets.delete', 'resourcemanager.projects.getIamPolicy'];

interface Caller {
  user: DemoUser;
  token: GoogleToken;
}

function etag(value: unknown): string {
  return createHash('md5').update(JSON.stringify(value)).digest('base64');
}

function int(v: string | null, fallback: number): number {
  if (v === null || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw bqError('invalid', `Invalid value ${v}`);
  return Math.floor(n);
}

function pageOffset(req: Request): number {
  const token = parsePageToken(req.query.get('pageToken'));
  if (token !== undefined && Number.isNaN(token)) throw bqError('invalid', 'Invalid page token.');
  return token ?? 0;
}

export function startBigQuery(ctx: SandboxContext, opts: { port?: number }): Promise<RunningService> {
  if (!(ctx.warehouse instanceof DuckWarehouse)) throw new Error('BigQuery sandbox needs the DuckDB warehouse from createWarehouse()');
  return new BigQueryService(ctx, ctx.warehouse).start(opts.port);
}

class BigQueryService {
  private readonly jobs: JobManager;
  private readonly requestIds = new Map<string, string>();

  constructor(
    private readonly ctx: SandboxContext,
    private readonly wh: DuckWarehouse,
  ) {
    this.jobs = new JobManager(wh, (user, ref, write) => this.tableAccessError(user, ref, write), ctx.log);
  }

  async start(port?: number): Promise<RunningService> {
    const router = new Router();
    for (const prefix of ['/bigquery/v2', '']) this.routes(router, prefix);
    const server = await serve({ name: 'bigquery', port, router, faults: this.ctx.faults, errorBody: routerErrorBody, log: this.ctx.log });
    return {
      name: 'bigquery',
      url: server.url,
      close: async () => {
        for (const p of this.wh.projects()) for (const j of this.jobs.list(p.id)) this.jobs.cancel(j);
        await server.close();
      },
    };
  }

  private routes(r: Router, p: string): void {
    const h = (fn: (req: Request, caller: Caller, res: ServerResponse) => Promise<unknown> | unknown, write = false) => async (req: Request, res: ServerResponse) => {
      const caller = this.authenticate(req, write);
      const body = await fn(req, caller, res);
      if (body !== undefined) sendJson(res, 200, body);
    };
    r.get(`${p}/projects`, h((_req, c) => this.listProjects(c)));
    r.get(`${p}/projects/:projectId/datasets`, h((req, c) => this.listDatasets(req, c)));
    r.get(`${p}/projects/:projectId/datasets/:datasetId`, h((req, c) => this.getDataset(req, c)));
    r.get(`${p}/projects/:projectId/datasets/:datasetId/tables`, h((req, c) => this.listTables(req, c)));
    r.get(`${p}/projects/:projectId/datasets/:datasetId/tables/:tableId`, h((req, c) => this.getTable(req, c)));
    r.get(`${p}/projects/:projectId/datasets/:datasetId/tables/:tableId/data`, h((req, c) => this.listTableData(req, c)));
    r.get(`${p}/projects/:projectId/datasets/:datasetId/routines`, h((req, c) => this.listRoutines(req, c)));
    r.post(`${p}/projects/:projectId/queries`, h((req, c) => this.query(req, c), true));
    r.get(`${p}/projects/:projectId/queries/:jobId`, h((req, c) => this.getQueryResults(req, c)));
    r.post(`${p}/projects/:projectId/jobs`, h((req, c) => this.insertJob(req, c), true));
    r.get(`${p}/projects/:projectId/jobs`, h((req, c) => this.listJobs(req, c)));
    r.get(`${p}/projects/:projectId/jobs/:jobId`, h((req, c) => this.formatJob(this.jobFor(req, c), 'full')));
    r.post(`${p}/projects/:projectId/jobs/:jobId/cancel`, h((req, c) => this.cancelJob(req, c), true));
    // tables.testIamPermissions: POST .../tables/{tableId}:testIamPermissions (the method rides on the last segment).
    r.post(`${p}/projects/:projectId/datasets/:datasetId/tables/:tableMethod`, h((req, c) => this.testTablePermissions(req, c)));
    if (p === '') {
      // Cloud Resource Manager v1 projects.testIamPermissions, on the same server (a separate Google API
      // at cloudresourcemanager.googleapis.com; gatehouse.bigquery.resourceManagerEndpoint points here).
      r.post('/v1/projects/:projectMethod', h((req, c) => this.testProjectPermissions(req, c)));
    }
  }

  // ---- testIamPermissions -----------------------------------------------------------------

  private askedPermissions(req: Request): string[] {
    const body = req.json<{ permissions?: unknown }>();
    if (!body || !Array.isArray(body.permissions) || body.permissions.some((x) => typeof x !== 'string'))
      throw bqError('invalid', 'Invalid JSON payload received. permissions must be a list of strings.');
    const asked = body.permissions as string[];
    if (asked.some((x) => x.includes('*'))) throw bqError('invalid', 'Permissions with wildcards (such as * or storage.*) are not allowed.');
    return asked;
  }

  /** The subset held; Google leaves `permissions` out when it is empty. */
  private granted(asked: string[], held: ReadonlySet<string>) {
    const permissions = asked.filter((x) => held.has(x));
    return permissions.length ? { permissions } : {};
  }

  private async testTablePermissions(req: Request, c: Caller) {
    const m = /^(.+):testIamPermissions$/.exec(req.params.tableMethod);
    if (!m) throw bqError('notFound', `Not found: ${req.path}`);
    const { projectId, datasetId } = req.params;
    const asked = this.askedPermissions(req);
    const ds = this.wh.dataset(projectId, datasetId);
    const role = ds ? this.role(c.user, ds) : 0;
    // Someone with no access learns nothing about existence: an empty answer, as for a missing table.
    if (role > 0 && !(await this.wh.table({ projectId, datasetId, tableId: m[1] }))) throw bqError('notFound', `Not found: Table ${projectId}:${datasetId}.${m[1]}`);
    const held = new Set(Object.entries(TABLE_PERMISSIONS).filter(([rank]) => Number(rank) <= role).flatMap(([, ps]) => ps));
    return this.granted(asked, held);
  }

  private testProjectPermissions(req: Request, c: Caller) {
    const m = /^(.+):testIamPermissions$/.exec(req.params.projectMethod);
    if (!m) throw bqError('notFound', `Not found: ${req.path}`);
    const asked = this.askedPermissions(req);
    const held = new Set([...(this.isMember(c.user, m[1]) ? MEMBER_PERMISSIONS : []), ...(this.isAdmin(c.user, m[1]) ? ADMIN_PERMISSIONS : [])]);
    return this.granted(asked, held);
  }

  // ---- identity and access ----------------------------------------------------------------

  private authenticate(req: Request, write: boolean): Caller {
    const header = req.headers.authorization;
    const token = this.ctx.googleTokens.lookup(req.bearer());
    const challenge = { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' };
    if (!token) {
      const message = header
        ? 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.'
        : 'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.';
      throw bqError('authError', message, { location: 'Authorization', locationType: 'header' }, challenge);
    }
    const allowed = write ? WRITE_SCOPES : READ_SCOPES;
    if (!token.scopes.some((s) => allowed.includes(s)))
      throw bqError('insufficientPermissions', 'Request had insufficient authentication scopes.', {}, { 'www-authenticate': 'Bearer error="insufficient_scope"' });
    return { user: token.user, token };
  }

  private isMember(user: DemoUser, projectId: string): boolean {
    return !!this.wh.project(projectId)?.members.some((g) => user.groups.includes(g));
  }

  private isAdmin(user: DemoUser, projectId: string): boolean {
    return !!this.wh.project(projectId)?.admins.some((g) => user.groups.includes(g));
  }

  private role(user: DemoUser, ds: DatasetInfo): number {
    const admin = this.isAdmin(user, ds.projectId);
    const matches = (a: AccessEntry) =>
      (a.groupByEmail && user.groups.some((g) => groupEmail(g) === a.groupByEmail)) ||
      (a.userByEmail && a.userByEmail.toLowerCase() === user.email.toLowerCase()) ||
      (a.specialGroup === 'projectOwners' && admin) ||
      (a.specialGroup === 'allAuthenticatedUsers');
    return Math.max(0, ...ds.access.filter((a) => a.role && matches(a)).map((a) => ROLE_RANK[a.role!]));
  }

  /** The dataset, or the 403/404 BigQuery answers (a non-member learns nothing about existence). */
  private datasetFor(user: DemoUser, projectId: string, datasetId: string, permission: string): DatasetInfo {
    const ds = this.wh.dataset(projectId, datasetId);
    if (ds && this.role(user, ds) > 0) return ds;
    if (!ds && this.isMember(user, projectId)) throw bqError('notFound', `Not found: Dataset ${projectId}:${datasetId}`);
    throw bqError('accessDenied', `Access Denied: Dataset ${projectId}:${datasetId}: Permission ${permission} denied on dataset ${projectId}:${datasetId} (or it may not exist).`);
  }

  private tableAccessError(user: DemoUser, ref: TableRef, write: boolean): JobError | undefined {
    const name = `${ref.projectId}:${ref.datasetId}.${ref.tableId}`;
    const ds = this.wh.dataset(ref.projectId, ref.datasetId);
    const role = ds ? this.role(user, ds) : 0;
    if (!ds && this.isMember(user, ref.projectId)) return { reason: 'notFound', message: `Not found: Dataset ${ref.projectId}:${ref.datasetId} was not found in location US` };
    if (role === 0) return { reason: 'accessDenied', message: `Access Denied: Table ${name}: User does not have permission to query table ${name}, or perhaps it does not exist.` };
    if (write && role < ROLE_RANK.WRITER)
      return { reason: 'accessDenied', message: `Access Denied: Table ${name}: User does not have bigquery.tables.updateData permission for table ${name}.` };
    return undefined;
  }

  private requireJobsCreate(user: DemoUser, projectId: string): void {
    if (!this.wh.project(projectId) && !this.isMember(user, projectId)) throw bqError('notFound', `Not found: Project ${projectId}`);
    if (!this.isMember(user, projectId))
      throw bqError('accessDenied', `Access Denied: Project ${projectId}: User does not have bigquery.jobs.create permission in project ${projectId}.`);
  }

  // ---- projects, datasets, tables ---------------------------------------------------------

  private listProjects(c: Caller) {
    const visible = this.wh.projects().filter((p) => this.isMember(c.user, p.id) || this.wh.datasets(p.id).some((d) => this.role(c.user, d) > 0));
    const projects = visible.map((p) => ({ kind: 'bigquery#project', id: p.id, numericId: p.numericId, projectReference: { projectId: p.id }, friendlyName: p.friendlyName }));
    return { kind: 'bigquery#projectList', etag: etag(projects), projects, totalItems: projects.length };
  }

  private listDatasets(req: Request, c: Caller) {
    const { projectId } = req.params;
    if (!this.wh.project(projectId)) throw bqError('notFound', `Not found: Project ${projectId}`);
    if (!this.isMember(c.user, projectId))
      throw bqError('accessDenied', `Access Denied: Project ${projectId}: User does not have bigquery.datasets.list permission in project ${projectId}.`);
    const all = this.wh.datasets(projectId).map((d) => ({
      kind: 'bigquery#dataset',
      id: `${d.projectId}:${d.datasetId}`,
      datasetReference: { projectId: d.projectId, datasetId: d.datasetId },
      labels: d.labels,
      location: d.location,
    }));
    const offset = pageOffset(req);
    const max = int(req.query.get('maxResults'), 1000);
    const datasets = all.slice(offset, offset + max);
    return {
      kind: 'bigquery#datasetList',
      etag: etag(datasets),
      datasets,
      ...(offset + max < all.length ? { nextPageToken: pageToken(offset + max) } : {}),
    };
  }

  private getDataset(req: Request, c: Caller) {
    const { projectId, datasetId } = req.params;
    const d = this.datasetFor(c.user, projectId, datasetId, 'bigquery.datasets.get');
    const body = {
      kind: 'bigquery#dataset',
      id: `${projectId}:${datasetId}`,
      selfLink: `${ROOT}/projects/${projectId}/datasets/${datasetId}`,
      datasetReference: { projectId, datasetId },
      description: d.description,
      labels: d.labels,
      access: d.access,
      creationTime: String(d.creationTime),
      lastModifiedTime: String(d.lastModifiedTime),
      location: d.location,
      type: 'DEFAULT',
    };
    return { ...body, etag: etag(body) };
  }

  private async listTables(req: Request, c: Caller) {
    const { projectId, datasetId } = req.params;
    this.datasetFor(c.user, projectId, datasetId, 'bigquery.tables.list');
    const ids = await this.wh.tableIds(projectId, datasetId);
    const offset = pageOffset(req);
    const max = int(req.query.get('maxResults'), DEFAULT_TABLES_PAGE);
    const tables = [];
    for (const t of ids.slice(offset, offset + max)) {
      const info = this.wh.listing({ projectId, datasetId, tableId: t.tableId });
      tables.push({
        kind: 'bigquery#table',
        id: `${projectId}:${datasetId}.${t.tableId}`,
        tableReference: { projectId, datasetId, tableId: t.tableId },
        type: t.type,
        creationTime: String(info.creationTime),
        ...(Object.keys(info.labels).length ? { labels: info.labels } : {}),
        ...(t.type === 'VIEW' ? { view: { useLegacySql: false } } : {}),
      });
    }
    return {
      kind: 'bigquery#tableList',
      etag: etag(tables),
      tables,
      totalItems: ids.length,
      ...(offset + max < ids.length ? { nextPageToken: pageToken(offset + max) } : {}),
    };
  }

  private async tableFor(req: Request, c: Caller, permission: string): Promise<TableInfo> {
    const { projectId, datasetId, tableId } = req.params;
    const ref = { projectId, datasetId, tableId };
    const name = `${projectId}:${datasetId}.${tableId}`;
    const ds = this.wh.dataset(projectId, datasetId);
    if (!ds || this.role(c.user, ds) === 0) {
      if (!ds && this.isMember(c.user, projectId)) throw bqError('notFound', `Not found: Dataset ${projectId}:${datasetId}`);
      throw bqError('accessDenied', `Access Denied: Table ${name}: Permission ${permission} denied on table ${name} (or it may not exist).`);
    }
    const info = await this.wh.table(ref, { withStats: true });
    if (!info) throw bqError('notFound', `Not found: Table ${name}`);
    return info;
  }

  private async getTable(req: Request, c: Caller) {
    const t = await this.tableFor(req, c, 'bigquery.tables.get');
    const { projectId, datasetId, tableId } = t.ref;
    const selected = req.query.get('selectedFields')?.split(',').map((s) => s.trim().toLowerCase());
    const fields = selected ? t.schema.filter((f) => selected.includes(f.name.toLowerCase())) : t.schema;
    const body = {
      kind: 'bigquery#table',
      id: `${projectId}:${datasetId}.${tableId}`,
      selfLink: `${ROOT}/projects/${projectId}/datasets/${datasetId}/tables/${tableId}`,
      tableReference: t.ref,
      ...(t.description ? { description: t.description } : {}),
      labels: t.labels,
      schema: encodeSchema(fields),
      numBytes: String(t.numBytes),
      numLongTermBytes: '0',
      numRows: String(t.numRows),
      numTotalLogicalBytes: String(t.numBytes),
      creationTime: String(t.creationTime),
      lastModifiedTime: String(t.lastModifiedTime),
      type: t.type,
      location: 'US',
      ...(t.type === 'VIEW' ? { view: { query: t.viewQuery, useLegacySql: false } } : {}),
      ...(t.type === 'MATERIALIZED_VIEW'
        ? { materializedView: { query: t.viewQuery, enableRefresh: true, refreshIntervalMs: '1800000', lastRefreshTime: String(t.lastModifiedTime) } }
        : {}),
    };
    return { ...body, etag: etag(body) };
  }

  private async listTableData(req: Request, c: Caller) {
    const t = await this.tableFor(req, c, 'bigquery.tables.getData');
    if (t.type === 'VIEW') throw bqError('invalid', `Cannot list a table of type VIEW.`);
    const start = req.query.has('startIndex') ? int(req.query.get('startIndex'), 0) : pageOffset(req);
    const selected = req.query.get('selectedFields')?.split(',').map((s) => s.trim()).filter(Boolean);
    const int64Ts = req.query.get('formatOptions.useInt64Timestamp') === 'true';
    const max = req.query.has('maxResults') ? int(req.query.get('maxResults'), 0) : undefined;
    const { rows } = await this.readPaged((off, n) => this.wh.readTable(t.ref, off, n, selected), t.schema, start, max, t.numRows, int64Ts, selected);
    const next = start + rows.length;
    const body = { kind: 'bigquery#tableDataList', totalRows: String(t.numRows), rows, ...(next < t.numRows && rows.length ? { pageToken: pageToken(next) } : {}) };
    return { ...body, etag: etag(body.totalRows + next) };
  }

  /** Reads one page: `max` rows, or rows up to the byte budget when the client gave no maxResults. */
  private async readPaged(
    read: (offset: number, limit: number) => Promise<{ rows: WarehouseValue[][]; fields?: WarehouseField[] }>,
    schema: WarehouseField[],
    start: number,
    max: number | undefined,
    total: number,
    int64Ts: boolean,
    selected?: string[],
  ) {
    const fields = selected?.length ? schema.filter((f) => selected.some((s) => s.toLowerCase() === f.name.toLowerCase())) : schema;
    if (max !== undefined) {
      const { rows } = await read(start, Math.min(max, Math.max(0, total - start)));
      return { rows: encodeRows(rows, fields, int64Ts), fields };
    }
    const out: ReturnType<typeof encodeRows> = [];
    let bytes = 0;
    for (let off = start; off < total && bytes < DEFAULT_PAGE_BYTES; ) {
      const chunk = encodeRows((await read(off, 5000)).rows, fields, int64Ts);
      if (!chunk.length) break;
      for (const r of chunk) {
        bytes += JSON.stringify(r).length;
        out.push(r);
        if (bytes >= DEFAULT_PAGE_BYTES) break;
      }
      off += chunk.length;
    }
    return { rows: out, fields };
  }

  private listRoutines(req: Request, c: Caller) {
    const { projectId, datasetId } = req.params;
    const ds = this.datasetFor(c.user, projectId, datasetId, 'bigquery.routines.list');
    const routines = this.wh.routines(projectId, datasetId).map((r) => {
      const body = {
        routineReference: { projectId, datasetId, routineId: r.routineId },
        routineType: 'SCALAR_FUNCTION',
        language: 'SQL',
        creationTime: String(ds.creationTime),
        lastModifiedTime: String(ds.creationTime),
        arguments: r.arguments,
        returnType: r.returnType,
        description: r.description,
      };
      return { etag: etag(body), ...body };
    });
    return routines.length ? { routines } : {};
  }

  // ---- jobs -------------------------------------------------------------------------------

  private checkLocation(req: Request, projectId: string, jobId: string): void {
    const loc = req.query.get('location');
    if (loc && loc.toUpperCase() !== 'US') throw bqError('notFound', `Not found: Job ${projectId}:${loc}.${jobId}`);
  }

  private jobFor(req: Request, c: Caller): Job {
    const { projectId, jobId } = req.params;
    this.checkLocation(req, projectId, jobId);
    const job = this.jobs.get(projectId, jobId);
    if (!job) throw bqError('notFound', `Not found: Job ${projectId}:US.${jobId}`);
    if (job.user.id !== c.user.id && !this.isAdmin(c.user, projectId))
      throw bqError('accessDenied', `Access Denied: Job ${projectId}:US.${jobId}: User does not have bigquery.jobs.get permission for job ${projectId}:US.${jobId}.`);
    return job;
  }

  private validateJobId(projectId: string, jobId: string | undefined): void {
    if (jobId === undefined) return;
    if (!/^[A-Za-z0-9_-]{1,1024}$/.test(jobId))
      throw bqError('invalid', `Invalid job ID "${jobId}". Job IDs must be alphanumeric (plus underscores and dashes) and must be at most 1024 characters long.`);
    if (this.jobs.has(projectId, jobId)) throw bqError('duplicate', `Already Exists: Job ${projectId}:US.${jobId}`);
  }

  private async insertJob(req: Request, c: Caller) {
    const { projectId } = req.params;
    const body = req.json<{ jobReference?: { jobId?: string; location?: string }; configuration?: { query?: QueryConfig; dryRun?: boolean; labels?: Record<string, string>; jobType?: string } }>() ?? {};
    const config = body.configuration ?? {};
    if (!config.query) throw bqError('notImplemented', 'Only query jobs are supported by the sandbox.');
    if (config.query.queryParameters) config.query.queryParameters = normalizeParams(config.query.queryParameters);
    if (typeof config.query.query !== 'string' || !config.query.query.trim()) throw bqError('invalid', 'Required parameter is missing: query');
    this.requireJobsCreate(c.user, projectId);
    const jobId = body.jobReference?.jobId;
    if (!config.dryRun) this.validateJobId(projectId, jobId);
    const job = await this.jobs.start({ projectId, jobId, user: c.user, principal: c.token.principal, query: config.query, labels: config.labels, dryRun: config.dryRun });
    if (job.dryRun && job.error) throw bqError(job.error.reason, job.error.message, job.error.location ? { location: job.error.location, locationType: 'other' } : {});
    // Let a fast query finish so the response can already say DONE, as BigQuery often does.
    await this.jobs.wait(job, 50);
    return this.formatJob(job, 'full');
  }

  private async query(req: Request, c: Caller) {
    const { projectId } = req.params;
    const body =
      req.json<
        QueryConfig & {
          requestId?: string;
          dryRun?: boolean;
          labels?: Record<string, string>;
          maxResults?: number;
          timeoutMs?: number;
          formatOptions?: { useInt64Timestamp?: boolean };
          location?: string;
        }
      >() ?? ({} as never);
    if (typeof body.query !== 'string' || !body.query.trim()) throw bqError('invalid', 'Required parameter is missing: query');
    this.requireJobsCreate(c.user, projectId);
    const { requestId, dryRun, labels, maxResults, timeoutMs, formatOptions, location, ...rest } = body;
    void location;
    const query: QueryConfig = { query: body.query };
    if (rest.queryParameters) rest.queryParameters = normalizeParams(rest.queryParameters);
    for (const k of ['useLegacySql', 'defaultDataset', 'queryParameters', 'parameterMode', 'maximumBytesBilled', 'useQueryCache'] as const)
      if (rest[k] !== undefined) (query as Record<string, unknown>)[k] = rest[k];
    const idemKey = requestId ? `${c.user.id}:${projectId}:${requestId}` : undefined;
    let job = idemKey && this.requestIds.has(idemKey) ? this.jobs.get(projectId, this.requestIds.get(idemKey)!) : undefined;
    if (!job) {
      job = await this.jobs.start({ projectId, user: c.user, principal: c.token.principal, query, labels, dryRun });
      if (idemKey && !dryRun) this.requestIds.set(idemKey, job.jobId);
    }
    if (job.dryRun) {
      if (job.error) throw this.jobHttpError(job.error);
      return {
        kind: 'bigquery#queryResponse',
        jobReference: { projectId, location: 'US' },
        jobComplete: true,
        ...(job.fields ? { schema: encodeSchema(job.fields) } : {}),
        totalBytesProcessed: String(job.totalBytesProcessed),
        cacheHit: false,
      };
    }
    await this.jobs.wait(job, Math.min(timeoutMs ?? 10_000, 60_000));
    return this.results(job, 'bigquery#queryResponse', { start: 0, max: maxResults, int64Ts: !!formatOptions?.useInt64Timestamp });
  }

  private async getQueryResults(req: Request, c: Caller) {
    const job = this.jobFor(req, c);
    const timeoutMs = int(req.query.get('timeoutMs'), 10_000);
    await this.jobs.wait(job, Math.min(timeoutMs, 60_000));
    const start = req.query.has('startIndex') ? int(req.query.get('startIndex'), 0) : pageOffset(req);
    const max = req.query.has('maxResults') ? int(req.query.get('maxResults'), 0) : undefined;
    return this.results(job, 'bigquery#getQueryResultsResponse', { start, max, int64Ts: req.query.get('formatOptions.useInt64Timestamp') === 'true' });
  }

  private jobHttpError(e: JobError) {
    return bqError(e.reason, e.message, e.location ? { location: e.location, locationType: 'other' } : {});
  }

  private async results(job: Job, kind: string, page: { start: number; max?: number; int64Ts: boolean }) {
    const jobReference = { projectId: job.projectId, jobId: job.jobId, location: job.location };
    if (job.state !== 'DONE') return { kind, jobReference, jobComplete: false };
    if (job.error) throw this.jobHttpError(job.error);
    const isQueryResponse = kind === 'bigquery#queryResponse';
    const common = {
      kind,
      jobReference,
      jobComplete: true,
      totalBytesProcessed: String(job.totalBytesProcessed),
      cacheHit: job.cacheHit,
      ...(job.numDmlAffectedRows !== undefined ? { numDmlAffectedRows: String(job.numDmlAffectedRows) } : {}),
      ...(isQueryResponse
        ? {
            jobCreationReason: { code: 'REQUESTED' },
            creationTime: String(job.creationTime),
            startTime: String(job.startTime),
            endTime: String(job.endTime),
            totalBytesBilled: String(job.totalBytesBilled),
            totalSlotMs: String(slotMs(job)),
            location: job.location,
          }
        : {}),
    };
    if (!job.resultId || !job.fields) return { ...common, ...(job.fields?.length ? { schema: encodeSchema(job.fields) } : {}), totalRows: '0' };
    if (!this.wh.hasResult(job.resultId)) throw bqError('notFound', `Not found: Table ${job.projectId}:_sandbox_results.anon_${job.jobId} (query results expire)`);
    const total = job.totalRows ?? 0;
    const resultId = job.resultId;
    const { rows } = await this.readPaged(async (off, n) => ({ rows: await this.wh.readResult(resultId, off, n) }), job.fields, page.start, page.max, total, page.int64Ts);
    const next = page.start + rows.length;
    return {
      ...common,
      schema: encodeSchema(job.fields),
      rows,
      totalRows: String(total),
      ...(next < total && rows.length ? { pageToken: pageToken(next) } : {}),
      ...(isQueryResponse ? {} : { etag: etag(`${job.jobId}:${next}`) }),
    };
  }

  private cancelJob(req: Request, c: Caller) {
    const job = this.jobFor(req, c);
    this.jobs.cancel(job);
    return { kind: 'bigquery#jobCancelResponse', job: this.formatJob(job, 'full') };
  }

  private listJobs(req: Request, c: Caller) {
    const { projectId } = req.params;
    if (!this.isMember(c.user, projectId))
      throw bqError('accessDenied', `Access Denied: Project ${projectId}: User does not have bigquery.jobs.list permission in project ${projectId}.`);
    const allUsers = req.query.get('allUsers') === 'true';
    if (allUsers && !this.isAdmin(c.user, projectId))
      throw bqError('accessDenied', `Access Denied: Project ${projectId}: User does not have bigquery.jobs.listAll permission in project ${projectId}.`);
    const states = req.query.getAll('stateFilter').flatMap((s) => s.split(',')).map((s) => s.trim().toUpperCase()).filter(Boolean);
    const parent = req.query.get('parentJobId');
    const minT = int(req.query.get('minCreationTime'), 0);
    const maxT = int(req.query.get('maxCreationTime'), Number.MAX_SAFE_INTEGER);
    const projection = req.query.get('projection') === 'full' ? 'full' : 'minimal';
    const all = this.jobs
      .list(projectId)
      .filter((j) => (allUsers || j.user.id === c.user.id) && (parent ? j.parentJobId === parent : !j.parentJobId))
      .filter((j) => !states.length || states.includes(j.state))
      .filter((j) => j.creationTime >= minT && j.creationTime <= maxT)
      .sort((a, b) => b.creationTime - a.creationTime);
    const offset = pageOffset(req);
    const max = int(req.query.get('maxResults'), DEFAULT_JOBS_PAGE);
    const jobs = all.slice(offset, offset + max).map((j) => {
      const full = this.formatJob(j, projection);
      return {
        kind: 'bigquery#job',
        id: full.id,
        jobReference: full.jobReference,
        state: j.state,
        ...(j.error ? { errorResult: full.status.errorResult } : {}),
        statistics: full.statistics,
        status: full.status,
        ...(full.configuration ? { configuration: full.configuration } : {}),
        user_email: j.user.email,
        ...(projection === 'full' ? { principal_subject: full.principal_subject } : {}),
      };
    });
    return { kind: 'bigquery#jobList', etag: etag(jobs), jobs, ...(offset + max < all.length ? { nextPageToken: pageToken(offset + max) } : {}) };
  }

  private formatJob(job: Job, projection: 'full' | 'minimal') {
    const jobReference = { projectId: job.projectId, ...(job.dryRun ? {} : { jobId: job.jobId }), location: job.location };
    const errorResult = job.error ? { reason: job.error.reason, message: job.error.message, ...(job.error.location ? { location: job.error.location } : {}) } : undefined;
    const done = job.state === 'DONE';
    const queryStats = {
      ...(done ? { totalBytesProcessed: String(job.totalBytesProcessed), totalBytesBilled: String(job.totalBytesBilled), cacheHit: job.cacheHit } : {}),
      ...(job.dryRun ? { estimatedBytesProcessed: String(job.totalBytesProcessed), totalBytesProcessedAccuracy: 'PRECISE' } : {}),
      ...(job.statementType ? { statementType: job.statementType } : {}),
      ...(job.numDmlAffectedRows !== undefined ? { numDmlAffectedRows: String(job.numDmlAffectedRows) } : {}),
      ...(done && !job.dryRun ? { totalSlotMs: String(slotMs(job)) } : {}),
      ...(done && job.fields ? { schema: encodeSchema(job.fields) } : {}),
      ...(job.referencedTables.length ? { referencedTables: job.referencedTables } : {}),
    };
    const statistics = {
      creationTime: String(job.creationTime),
      ...(job.startTime ? { startTime: String(job.startTime) } : {}),
      ...(done ? { endTime: String(job.endTime) } : {}),
      ...(done ? { totalBytesProcessed: String(job.totalBytesProcessed), totalSlotMs: String(slotMs(job)) } : {}),
      ...(job.childJobIds.length ? { numChildJobs: String(job.childJobIds.length) } : {}),
      ...(job.parentJobId ? { parentJobId: job.parentJobId, scriptStatistics: { evaluationKind: 'STATEMENT' } } : {}),
      query: queryStats,
    };
    const configuration = {
      jobType: 'QUERY',
      query: {
        ...job.query,
        ...(job.resultId && !job.dryRun ? { destinationTable: { projectId: job.projectId, datasetId: '_sandbox_results', tableId: `anon_${job.jobId}` } } : {}),
      },
      ...(job.dryRun ? { dryRun: true } : {}),
      ...(Object.keys(job.labels).length ? { labels: job.labels } : {}),
    };
    const body = {
      kind: 'bigquery#job',
      id: `${job.projectId}:${job.location}.${job.jobId}`,
      selfLink: `${ROOT}/projects/${job.projectId}/jobs/${job.jobId}?location=${job.location}`,
      user_email: job.user.email,
      principal_subject: job.principal || `user:${job.user.email}`,
      jobReference,
      ...(projection === 'full' ? { configuration } : {}),
      status: { state: job.state, ...(errorResult ? { errorResult, errors: [errorResult] } : {}) },
      statistics,
      jobCreationReason: { code: 'REQUESTED' },
    };
    return { ...body, etag: etag(body) };
  }
}

/** Parameter values are strings on the wire; clients sometimes send numbers or booleans. */
function normalizeParams(params: NonNullable<QueryConfig['queryParameters']>): NonNullable<QueryConfig['queryParameters']> {
  type V = { value?: unknown; arrayValues?: V[]; structValues?: Record<string, V> };
  const norm = (v: V | undefined): V | undefined =>
    v && {
      ...(v.value !== undefined && v.value !== null ? { value: String(v.value) } : {}),
      ...(v.arrayValues ? { arrayValues: v.arrayValues.map((x) => norm(x)!) } : {}),
      ...(v.structValues ? { structValues: Object.fromEntries(Object.entries(v.structValues).map(([k, x]) => [k, norm(x)!])) } : {}),
    };
  return params.map((p) => ({ ...p, parameterValue: norm(p.parameterValue as V) as typeof p.parameterValue }));
}

function slotMs(job: Job): number {
  return Math.round(((job.endTime ?? Date.now()) - (job.startTime ?? job.creationTime)) * 1.7);
}

