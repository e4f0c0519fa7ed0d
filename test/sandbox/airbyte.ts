// Sandbox Airbyte: the public API v1 in its self-managed layout (`<url>/api/public/v1`), with
// per-user applications (or the identity-aware proxy's assertion), workspace grants by group, jobs that progress over
// time, and RFC 9457 problem bodies.
//
// Control endpoints (no auth; sandbox only):
//   GET|POST /__sandbox/airbyte/speed            {"factor": 20}   new jobs run 20x faster (default 1, or GATEHOUSE_SANDBOX_SPEED)
//   POST     /__sandbox/airbyte/token-lifetime   {"seconds": 2}   lifetime of application tokens issued from now on
//   POST     /__sandbox/airbyte/expire-tokens                     every application token issued so far is rejected (401)
import type { ServerResponse } from 'node:http';
import { PROXY_ASSERTION_HEADER } from './identityProxy';
import type { RunningService, SandboxContext } from './context';
import type { DemoUser } from './directory';
import { HttpError, Router, sendJson, serve, type Request } from './http';
import { DEMO_TIMING, JOB_STATUSES, JOB_TYPES, JobStore, type JobRecord, type JobStatus, type JobType } from './airbyte/jobs';
import { AIRBYTE_APPLICATIONS, CONNECTIONS, DESTINATIONS, SOURCES, WORKSPACES, failureOf, historicalJobs, type Connection, type Workspace, type WorkspaceRole } from './airbyte/seed';
import { ApplicationTokens } from './airbyte/tokens';

export { AIRBYTE_APPLICATIONS, CONNECTION_IDS, WORKSPACE_IDS } from './airbyte/seed';

export const AIRBYTE_API_PREFIX = '/api/public/v1';

export interface AirbyteOptions {
  port?: number;
  /** Jobs run this many times faster than the demo's tens of seconds (default: GATEHOUSE_SANDBOX_SPEED or 1). */
  speed?: number;
  /** Lifetime of application tokens in seconds (default 900). */
  tokenLifetimeSeconds?: number;
}

type ProblemTitle = 'bad-request' | 'invalid-api-key' | 'forbidden' | 'resource-not-found' | 'unprocessable-entity' | 'unexpected-problem';

const PROBLEM_DETAIL: Record<ProblemTitle, string> = {
  'bad-request': 'The request could not be understood by the server due to malformed syntax.',
  'invalid-api-key': 'The API key in the Authorization header is invalid or missing.',
  forbidden: 'The request is forbidden.',
  'resource-not-found': 'The requested resource could not be found.',
  'unprocessable-entity': 'The body of the request was not understood.',
  'unexpected-problem': 'An unexpected problem has occurred.',
};

/** RFC 9457 problem, shaped like airbyte-platform's api-problems. */
export function problem(status: number, title: ProblemTitle, message?: string): HttpError {
  const body = {
    type: `https://reference.airbyte.com/reference/errors#${title}`,
    title,
    status,
    detail: PROBLEM_DETAIL[title],
    documentationUrl: null,
    data: message ? { message } : null,
  };
  const headers: Record<string, string> = { 'content-type': 'application/problem+json' };
  if (status === 401) headers['www-authenticate'] = 'Bearer';
  return new HttpError(status, body, headers);
}

export async function startAirbyte(ctx: SandboxContext, opts: AirbyteOptions = {}): Promise<RunningService> {
  let speed = opts.speed ?? envSpeed();
  const jobs = new JobStore();
  jobs.seed(historicalJobs(Date.now()), (id) => CONNECTIONS.find((c) => c.connectionId === id)?.bytesPerRow ?? 200);
  const tokens = new ApplicationTokens('sandbox-airbyte', opts.tokenLifetimeSeconds);

  // Airbyte itself accepts only the tokens its application endpoint issued; a person signed in at
  // the IdP arrives through the identity-aware proxy, whose assertion replaces the bearer token.
  async function authenticate(req: Request): Promise<DemoUser> {
    if (req.headers[PROXY_ASSERTION_HEADER] !== undefined) {
      const vouched = await ctx.identityProxy.verifyAssertion(req, 'airbyte');
      if (!vouched) throw problem(401, 'invalid-api-key', 'The identity proxy assertion is invalid or has expired.');
      return vouched;
    }
    const token = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!token) throw problem(401, 'invalid-api-key', 'Missing bearer token.');
    const appUser = tokens.verify(token);
    const user = appUser ? ctx.directory.find(appUser) : undefined;
    if (!user) throw problem(401, 'invalid-api-key', 'The access token is invalid or has expired.');
    return user;
  }

  const roleIn = (user: DemoUser, ws: Workspace): WorkspaceRole | undefined => {
    const roles = user.groups.map((g) => ws.grants[g]).filter((r): r is WorkspaceRole => !!r);
    return roles.includes('edit') ? 'edit' : roles[0];
  };
  const visibleWorkspaces = (user: DemoUser) => WORKSPACES.filter((ws) => roleIn(user, ws));
  /** The `workspaceIds` filter (repeated param); naming a workspace the user may not read is a 403, as in Airbyte. */
  const requestedWorkspaces = (req: Request, user: DemoUser): Set<string> => {
    const ids = req.query.getAll('workspaceIds');
    for (const id of ids) checkAccess(user, WORKSPACES.find((w) => w.workspaceId === id), 'workspace', id);
    return new Set(ids.length ? ids : visibleWorkspaces(user).map((w) => w.workspaceId));
  };
  const workspaceOf = (id: string) => WORKSPACES.find((w) => w.workspaceId === id)!;

  /** The resource's workspace must be readable (or editable) by the user: 404 if it does not exist, 403 if not allowed. */
  function checkAccess<T extends { workspaceId: string }>(user: DemoUser, item: T | undefined, kind: string, id: string, need: WorkspaceRole = 'read'): T {
    if (!item) throw problem(404, 'resource-not-found', `Could not find a ${kind} with id: ${id}`);
    const role = roleIn(user, workspaceOf(item.workspaceId));
    if (!role || (need === 'edit' && role !== 'edit')) {
      throw problem(403, 'forbidden', `User ${user.email} does not have the permission to ${need === 'edit' ? 'run jobs in' : 'read'} workspace ${item.workspaceId}.`);
    }
    return item;
  }

  const jobWorkspace = (job: JobRecord) => ({ ...job, workspaceId: CONNECTIONS.find((c) => c.connectionId === job.connectionId)!.workspaceId });

  function jobResponse(job: JobRecord) {
    const state = jobs.stateOf(job);
    return {
      jobId: job.jobId,
      status: state.status,
      jobType: job.jobType,
      startTime: isoSeconds(job.createdAt),
      connectionId: job.connectionId,
      lastUpdatedAt: isoSeconds(state.lastUpdatedAt),
      duration: isoDuration(state.endedAt - job.createdAt),
      bytesSynced: state.bytesSynced,
      rowsSynced: state.rowsSynced,
    };
  }

  const router = new Router();
  const api = (p: string) => `${AIRBYTE_API_PREFIX}${p}`;

  router.get(api('/health'), (_req, res) => sendJson(res, 200, { available: true }));

  router.post(api('/applications/token'), (req, res) => {
    const body = readBody(req);
    const clientId = body.client_id;
    const clientSecret = body.client_secret;
    if (typeof clientId !== 'string' || typeof clientSecret !== 'string') throw problem(400, 'bad-request', 'client_id and client_secret are required.');
    const grant = body.grant_type ?? body['grant-type'];
    if (grant !== undefined && grant !== 'client_credentials') throw problem(400, 'bad-request', `Unsupported grant type: ${String(grant)}`);
    const app = AIRBYTE_APPLICATIONS.find((a) => a.clientId === clientId && a.clientSecret === clientSecret);
    if (!app) throw problem(401, 'invalid-api-key', 'Invalid client credentials.');
    const issued = tokens.issue(app.userId, app.clientId);
    sendJson(res, 200, { access_token: issued.token, token_type: 'Bearer', expires_in: issued.expiresIn }, { 'cache-control': 'no-store' });
  });

  router.get(api('/workspaces'), async (req, res) => {
    const user = await authenticate(req);
    const wanted = requestedWorkspaces(req, user);
    const list = WORKSPACES.filter((w) => wanted.has(w.workspaceId));
    sendPage(req, res, list.map(workspaceResponse));
  });

  router.get(api('/workspaces/:workspaceId'), async (req, res) => {
    const user = await authenticate(req);
    const ws = checkAccess(user, WORKSPACES.find((w) => w.workspaceId === req.params.workspaceId), 'workspace', req.params.workspaceId);
    sendJson(res, 200, workspaceResponse(ws));
  });

  router.get(api('/connections'), async (req, res) => {
    const user = await authenticate(req);
    const wanted = requestedWorkspaces(req, user);
    const includeDeleted = req.query.get('includeDeleted') === 'true';
    const list = CONNECTIONS.filter((c) => wanted.has(c.workspaceId) && (includeDeleted || c.status !== 'deprecated'));
    sendPage(req, res, list.map(connectionResponse));
  });

  router.get(api('/connections/:connectionId'), async (req, res) => {
    const user = await authenticate(req);
    const id = req.params.connectionId;
    sendJson(res, 200, connectionResponse(checkAccess(user, CONNECTIONS.find((c) => c.connectionId === id), 'connection', id)));
  });

  router.get(api('/sources/:sourceId'), async (req, res) => {
    const user = await authenticate(req);
    const id = req.params.sourceId;
    sendJson(res, 200, checkAccess(user, SOURCES.find((s) => s.sourceId === id), 'source', id));
  });

  router.get(api('/destinations/:destinationId'), async (req, res) => {
    const user = await authenticate(req);
    const id = req.params.destinationId;
    sendJson(res, 200, checkAccess(user, DESTINATIONS.find((d) => d.destinationId === id), 'destination', id));
  });

  router.get(api('/jobs'), async (req, res) => {
    const user = await authenticate(req);
    const q = req.query;
    const connectionId = q.get('connectionId');
    const jobType = q.get('jobType');
    const status = q.get('status');
    if (jobType && !JOB_TYPES.includes(jobType as JobType)) throw problem(400, 'bad-request', `Invalid jobType: ${jobType}`);
    if (status && !JOB_STATUSES.includes(status as JobStatus)) throw problem(400, 'bad-request', `Invalid status: ${status}`);
    if (connectionId) checkAccess(user, CONNECTIONS.find((c) => c.connectionId === connectionId), 'connection', connectionId);
    const wanted = requestedWorkspaces(req, user);
    const [field, dir] = parseOrderBy(q.get('orderBy'));
    const range = (name: string) => {
      const v = q.get(name);
      if (!v) return undefined;
      const t = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
      if (Number.isNaN(t)) throw problem(400, 'bad-request', `Invalid ${name}: ${v}`);
      return t;
    };
    const [cs, ce, us, ue] = ['createdAtStart', 'createdAtEnd', 'updatedAtStart', 'updatedAtEnd'].map(range);
    const rows = jobs
      .all()
      .map(jobWorkspace)
      .filter((j) => wanted.has(j.workspaceId))
      .filter((j) => (!connectionId || j.connectionId === connectionId) && (!jobType || j.jobType === jobType))
      .map((j) => ({ job: j, state: jobs.stateOf(j) }))
      .filter(({ state }) => !status || state.status === status)
      .filter(({ job }) => (cs === undefined || job.createdAt >= cs) && (ce === undefined || job.createdAt <= ce))
      .filter(({ state }) => (us === undefined || state.lastUpdatedAt >= us) && (ue === undefined || state.lastUpdatedAt <= ue));
    const key = (r: (typeof rows)[number]) => (field === 'updatedAt' ? r.state.lastUpdatedAt : r.job.createdAt) * 1e6 + r.job.jobId;
    rows.sort((a, b) => (dir === 'ASC' ? key(a) - key(b) : key(b) - key(a)));
    sendPage(req, res, rows.map((r) => jobResponse(r.job)));
  });

  router.post(api('/jobs'), async (req, res) => {
    const user = await authenticate(req);
    const body = readBody(req);
    const { connectionId, jobType } = body as { connectionId?: unknown; jobType?: unknown };
    if (typeof connectionId !== 'string' || !connectionId) throw problem(400, 'bad-request', 'connectionId is required.');
    if (typeof jobType !== 'string' || !JOB_TYPES.includes(jobType as JobType)) throw problem(400, 'bad-request', `jobType must be one of ${JOB_TYPES.join(', ')}.`);
    const conn = checkAccess(user, CONNECTIONS.find((c) => c.connectionId === connectionId), 'connection', connectionId, 'edit');
    if (jobType !== 'sync' && jobType !== 'reset') throw problem(422, 'unprocessable-entity', `Job type ${jobType} is not supported for this connection.`);
    if (conn.status !== 'active') throw problem(422, 'unprocessable-entity', `Connection ${conn.connectionId} is ${conn.status} and cannot be synced.`);
    if (jobs.activeFor(conn.connectionId)) {
      // The body Airbyte servers really send here (ValueConflictKnownException), not a problem document.
      throw new HttpError(409, { message: `A sync is already running for: ${conn.connectionId}`, exceptionClassName: 'io.airbyte.commons.server.errors.ValueConflictKnownException' });
    }
    const job = jobs.create(conn, jobType as JobType, { pendingMs: DEMO_TIMING.pendingMs / speed, runningMs: DEMO_TIMING.runningMs / speed });
    ctx.log(`[airbyte] ${user.id} started ${jobType} job ${job.jobId} of ${conn.name}`);
    sendJson(res, 200, jobResponse(job));
  });

  router.get(api('/jobs/:jobId'), async (req, res) => {
    const user = await authenticate(req);
    const job = findJob(req.params.jobId);
    checkAccess(user, job && jobWorkspace(job), 'job', req.params.jobId);
    sendJson(res, 200, jobResponse(job!));
  });

  router.delete(api('/jobs/:jobId'), async (req, res) => {
    const user = await authenticate(req);
    const job = findJob(req.params.jobId);
    checkAccess(user, job && jobWorkspace(job), 'job', req.params.jobId, 'edit');
    if (!jobs.cancel(job!)) throw problem(422, 'unprocessable-entity', `Job ${job!.jobId} has already finished and cannot be cancelled.`);
    ctx.log(`[airbyte] ${user.id} cancelled job ${job!.jobId}`);
    sendJson(res, 200, jobResponse(job!));
  });

  // The config API (`/api/v1`, beside the public one) answers what the public JobResponse leaves
  // out: each attempt, its failureSummary and its log lines. Every endpoint is a POST with JSON.
  router.post('/api/v1/jobs/get', async (req, res) => {
    const user = await authenticate(req);
    const { id } = readBody(req) as { id?: unknown };
    if (typeof id !== 'number' || !Number.isInteger(id)) throw problem(400, 'bad-request', 'id (the job id, an integer) is required.');
    const job = jobs.get(id);
    checkAccess(user, job && jobWorkspace(job), 'job', String(id));
    sendJson(res, 200, jobInfo(job!));
  });

  function jobInfo(job: JobRecord) {
    const state = jobs.stateOf(job);
    const conn = CONNECTIONS.find((c) => c.connectionId === job.connectionId)!;
    const seconds = (ms: number) => Math.floor(ms / 1000);
    const attempts = jobs.attemptsOf(job).map((a, i) => {
      const failure = a.status !== 'failed' ? undefined : a.cancelled
        ? { failureOrigin: 'airbyte_platform', failureType: 'manual_cancellation', externalMessage: 'The sync was cancelled by a user.', retryable: false }
        : failureOf(conn.connectionId);
      const at = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
      const logLines = [
        `${at(a.createdAt)} platform > Starting attempt ${i} of job ${job.jobId} (${job.jobType} of ${conn.name})`,
        `${at(a.createdAt)} source > Starting syncing ${conn.streams.map((s) => s.name).join(', ')}`,
        ...(a.endedAt === undefined ? [] : failure ? [`${at(a.endedAt)} ${failure.failureOrigin} > ERROR ${failure.externalMessage}`, `${at(a.endedAt)} platform > Attempt ${i} failed after ${a.rows} records`] : [`${at(a.endedAt)} platform > Attempt ${i} succeeded: ${a.rows} records`]),
      ];
      return {
        attempt: {
          id: i,
          status: a.status,
          createdAt: seconds(a.createdAt),
          updatedAt: seconds(a.endedAt ?? state.lastUpdatedAt),
          ...(a.endedAt !== undefined ? { endedAt: seconds(a.endedAt) } : {}),
          recordsSynced: a.rows,
          bytesSynced: a.rows * job.bytesPerRow,
          ...(failure ? { failureSummary: { failures: [{ ...failure, timestamp: a.endedAt }], partialSuccess: a.rows > 0 } } : {}),
        },
        logs: { logLines },
      };
    });
    return {
      job: { id: job.jobId, configType: job.jobType, configId: job.connectionId, createdAt: seconds(job.createdAt), updatedAt: seconds(state.lastUpdatedAt), status: state.status },
      attempts,
    };
  }

  function findJob(raw: string): JobRecord | undefined {
    if (!/^\d+$/.test(raw)) throw problem(400, 'bad-request', `Invalid job id: ${raw}`);
    return jobs.get(Number(raw));
  }

  router.on('GET', '/__sandbox/airbyte/speed', (_req, res) => sendJson(res, 200, { factor: speed }));
  router.post('/__sandbox/airbyte/speed', (req, res) => {
    const factor = Number(req.json<{ factor?: unknown }>()?.factor);
    if (!(factor > 0)) throw new HttpError(400, { error: 'factor must be a positive number' });
    speed = factor;
    sendJson(res, 200, { factor: speed });
  });
  router.post('/__sandbox/airbyte/token-lifetime', (req, res) => {
    const seconds = Number(req.json<{ seconds?: unknown }>()?.seconds);
    if (!(seconds > 0) || !Number.isInteger(seconds)) throw new HttpError(400, { error: 'seconds must be a positive integer' });
    tokens.lifetimeSeconds = seconds;
    sendJson(res, 200, { seconds });
  });
  router.post('/__sandbox/airbyte/expire-tokens', (_req, res) => {
    tokens.expireAll();
    sendJson(res, 200, { ok: true });
  });

  const server = await serve({
    name: 'airbyte',
    port: opts.port,
    router,
    faults: ctx.faults,
    log: ctx.log,
    errorBody: (status, message) => problem(status, status === 404 ? 'resource-not-found' : status === 400 ? 'bad-request' : 'unexpected-problem', message).body,
  });
  return { name: 'airbyte', url: server.url, close: () => server.close() };
}

function workspaceResponse(ws: Workspace) {
  return { workspaceId: ws.workspaceId, name: ws.name, dataResidency: ws.dataResidency };
}

function connectionResponse(c: Connection) {
  return {
    connectionId: c.connectionId,
    name: c.name,
    sourceId: c.sourceId,
    destinationId: c.destinationId,
    workspaceId: c.workspaceId,
    status: c.status,
    schedule: c.schedule,
    dataResidency: WORKSPACES.find((w) => w.workspaceId === c.workspaceId)!.dataResidency,
    nonBreakingSchemaUpdatesBehavior: 'ignore',
    namespaceDefinition: c.namespaceFormat ? 'custom_format' : 'destination',
    ...(c.namespaceFormat ? { namespaceFormat: c.namespaceFormat } : {}),
    ...(c.prefix !== undefined ? { prefix: c.prefix } : {}),
    configurations: { streams: c.streams },
  };
}

/** JSON or form body as a flat object (the token endpoint accepts both). */
function readBody(req: Request): Record<string, unknown> {
  const type = req.headers['content-type'] ?? '';
  if (type.includes('application/x-www-form-urlencoded')) return Object.fromEntries(req.form());
  let body: unknown;
  try {
    body = JSON.parse(req.body.toString('utf8') || 'null');
  } catch {
    throw problem(400, 'bad-request', 'The request body is not valid JSON.');
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw problem(400, 'bad-request', 'A JSON object body is required.');
  return body as Record<string, unknown>;
}

/** `limit` (1–100, default 20) and `offset`, with `next`/`previous` links built from the request's own URL. */
function sendPage(req: Request, res: ServerResponse, items: unknown[]): void {
  const limit = intParam(req, 'limit', 20, 1, 100);
  const offset = intParam(req, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
  const link = (o: number) => {
    const u = new URL(req.path, `http://${req.headers.host ?? '127.0.0.1'}`);
    for (const [k, v] of req.query) if (k !== 'limit' && k !== 'offset') u.searchParams.append(k, v);
    u.searchParams.set('limit', String(limit));
    u.searchParams.set('offset', String(o));
    return u.toString();
  };
  const body: { data: unknown[]; next?: string; previous?: string } = { data: items.slice(offset, offset + limit) };
  if (offset + limit < items.length) body.next = link(offset + limit);
  if (offset > 0) body.previous = link(Math.max(0, offset - limit));
  sendJson(res, 200, body);
}

function intParam(req: Request, name: string, dflt: number, min: number, max: number): number {
  const raw = req.query.get(name);
  if (raw === null) return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw problem(400, 'bad-request', `${name} must be an integer between ${min} and ${max}.`);
  return n;
}

function parseOrderBy(raw: string | null): ['createdAt' | 'updatedAt', 'ASC' | 'DESC'] {
  if (!raw) return ['createdAt', 'DESC'];
  const m = /^(createdAt|updatedAt)\|(ASC|DESC)$/i.exec(raw);
  if (!m) throw problem(400, 'bad-request', `Invalid orderBy: ${raw}. Expected createdAt|ASC, createdAt|DESC, updatedAt|ASC or updatedAt|DESC.`);
  return [m[1].toLowerCase() === 'updatedat' ? 'updatedAt' : 'createdAt', m[2].toUpperCase() as 'ASC' | 'DESC'];
}

function envSpeed(): number {
  const v = Number(process.env.GATEHOUSE_SANDBOX_SPEED);
  return v > 0 ? v : 1;
}

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** ISO 8601 duration as Airbyte writes it, e.g. PT8H6M12S. */
function isoDuration(ms: number): string {
  let s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return `PT${h ? `${h}H` : ''}${m ? `${m}M` : ''}${s || (!h && !m) ? `${s}S` : ''}`;
}
