// Sandbox dbt Cloud: the Administrative API v2 (jobs, runs, artifacts) and v3 (accounts,
// projects, environments) with dbt Cloud's envelope, personal and service tokens (or the
// identity-aware proxy's assertion),
// account roles by group, runs that progress over time and artifacts from the demo project.
//
// Control endpoint (no auth; sandbox only):
//   GET|POST /__sandbox/dbt-cloud/speed   {"factor": 20}   new runs go 20x faster (default 1, or GATEHOUSE_SANDBOX_SPEED)
// A run's `href` opens a small HTML page at /deploy/<account>/projects/<project>/runs/<id>/.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import { PROXY_ASSERTION_HEADER } from './identityProxy';
import type { RunningService, SandboxContext } from './context';
import type { DemoUser } from './directory';
import { HttpError, Router, sendJson, sendText, serve, type Request } from './http';
import { ACCOUNT, ACCOUNT_GRANTS, DBT_CLOUD_SERVICE_TOKENS, DBT_CLOUD_TOKENS, SERVICE_TOKEN_ROLES, ENVIRONMENTS, PROJECT, historicalRuns, jobDefinitions, type AccountRole, type JobDefinition } from './dbt-cloud/seed';
import { DEMO_RUN_TIMING, RunStore, STATUS_HUMANIZED, type RunRecord } from './dbt-cloud/runs';
import { CI_FAILING_TEST, accountResponse, envelope, environmentV2, internalJobResponse, jobResponse, projectResponse, runResponse, runSteps, type Envelope } from './dbt-cloud/format';

export { ACCOUNT as DBT_CLOUD_ACCOUNT, DBT_CLOUD_SERVICE_TOKENS, DBT_CLOUD_TOKENS, ENVIRONMENTS as DBT_CLOUD_ENVIRONMENTS, JOB_IDS as DBT_CLOUD_JOB_IDS, PROJECT as DBT_CLOUD_PROJECT } from './dbt-cloud/seed';

export interface DbtCloudOptions {
  port?: number;
  /** Runs go this many times faster than the demo's half minute (default: GATEHOUSE_SANDBOX_SPEED or 1). */
  speed?: number;
}

const TARGET_DIR = join(__dirname, 'demo-workspace', 'jaffle_gatehouse', 'target');

function dbtError(code: number, userMessage: string, data: unknown = null, headers: Record<string, string> = {}): HttpError {
  return new HttpError(code, { ...envelope(data, code, userMessage) }, headers);
}
const notFound = () => dbtError(404, 'The requested resource was not found.');

/** Who a request runs as: a person (personal token, proxy) or a service token's permission set. */
interface Caller {
  id: string;
  accountId: number;
  role: AccountRole | undefined;
}

export async function startDbtCloud(ctx: SandboxContext, opts: DbtCloudOptions = {}): Promise<RunningService> {
  let speed = opts.speed ?? envSpeed();
  const manifestText = readFileSync(join(TARGET_DIR, 'manifest.json'), 'utf8');
  const baseRunResults = JSON.parse(readFileSync(join(TARGET_DIR, 'run_results.json'), 'utf8')) as { metadata: Record<string, unknown>; results: { unique_id: string; status: string; failures: number | null; message: string | null }[]; args: Record<string, unknown> };
  const jobs = jobDefinitions(Date.now());
  const runs = new RunStore();
  for (const h of historicalRuns(Date.now())) {
    const job = jobs.find((j) => j.id === h.jobId)!;
    const dequeuedAt = h.createdAt + h.queuedMs * 0.4;
    const startedAt = h.createdAt + h.queuedMs;
    runs.add({
      jobId: job.id,
      environmentId: job.environmentId,
      createdAt: h.createdAt,
      dequeuedAt,
      startedAt,
      final: { status: h.status, at: startedAt + (h.status === 30 ? h.runMs / 3 : h.runMs) },
      steps: job.executeSteps,
      generateDocs: job.generateDocs,
      gitSha: sha(h.createdAt),
      trigger: { cause: h.cause, causeCategory: h.causeCategory, gitBranch: h.gitBranch, gitSha: null, schemaOverride: null, threadsOverride: null, targetNameOverride: null, stepsOverride: null, generateDocsOverride: null, by: null },
      ...(h.status === 30 ? { cancelledBy: 'alice' } : {}),
    });
  }
  let baseUrl = '';

  /**
   * dbt Cloud accepts its own tokens only: personal access tokens (`dbtu_`, act as the person) and
   * service tokens (`dbtc_`, account-scoped, act as their permission set). A person signed in at the
   * IdP arrives through the identity-aware proxy, whose assertion names them.
   */
  async function authenticate(req: Request): Promise<Caller> {
    if (req.headers[PROXY_ASSERTION_HEADER] !== undefined) {
      const user = await ctx.identityProxy.verifyAssertion(req, 'dbtCloud');
      if (!user) throw dbtError(401, 'Invalid token.');
      return personal(user);
    }
    const header = req.headers.authorization;
    if (!header) throw dbtError(401, 'Authentication credentials were not provided.');
    const m = /^(Token|Bearer)\s+(\S+)$/i.exec(header);
    if (!m) throw dbtError(401, 'Invalid token header. No credentials provided.');
    const service = DBT_CLOUD_SERVICE_TOKENS[m[2]];
    if (service) return { id: `service-token:${service.name}`, accountId: service.accountId, role: SERVICE_TOKEN_ROLES[service.permission] };
    const pat = DBT_CLOUD_TOKENS[m[2]];
    const user = pat ? ctx.directory.find(pat) : undefined;
    if (!user) throw dbtError(401, 'Invalid token.');
    return personal(user);
  }

  const personal = (user: DemoUser): Caller => {
    const roles = user.groups.map((g) => ACCOUNT_GRANTS[g]).filter(Boolean);
    return { id: user.id, accountId: ACCOUNT.id, role: roles.includes('developer') ? 'developer' : roles[0] };
  };
  const roleOf = (caller: Caller): AccountRole | undefined => (caller.accountId === ACCOUNT.id ? caller.role : undefined);

  /** Authenticated caller with a role in the account of the path; developers only when `write`. */
  async function member(req: Request, write = false): Promise<Caller> {
    const caller = await authenticate(req);
    if (req.params.accountId !== String(ACCOUNT.id)) throw notFound();
    const role = roleOf(caller);
    if (!role) throw dbtError(403, 'You do not have permission to access this account.');
    if (write && role !== 'developer') throw dbtError(403, 'You do not have permission to perform this action.');
    return caller;
  }

  const findJob = (raw: string) => jobs.find((j) => String(j.id) === raw) ?? (() => { throw notFound(); })();
  const findRun = (raw: string) => runs.get(Number(raw)) ?? (() => { throw notFound(); })();
  const failureCount = (job: JobDefinition) => runs.all().filter((r) => r.jobId === job.id && runs.stateOf(r).status === 20).length;
  const jobOf = (run: RunRecord) => jobs.find((j) => j.id === run.jobId)!;

  function runJson(run: RunRecord, related: Set<string>) {
    const now = Date.now();
    const state = runs.stateOf(run, now);
    const job = jobOf(run);
    return runResponse(run, state, now, baseUrl, {
      trigger: related.has('trigger'),
      environment: related.has('environment'),
      job: related.has('job') ? internalJobResponse(job, failureCount(job)) : null,
      runSteps: related.has('run_steps') ? runSteps(run, state, now) : undefined,
    });
  }

  const router = new Router();
  const v2 = (p: string) => `/api/v2/accounts${p}`;
  const v3 = (p: string) => `/api/v3/accounts${p}`;

  const listAccounts = async (req: Request, res: ServerResponse) => {
    const user = await authenticate(req);
    const data = roleOf(user) ? [accountResponse()] : [];
    sendList(req, res, data, {}, null);
  };
  const getAccount = async (req: Request, res: ServerResponse) => {
    await member(req);
    sendJson(res, 200, envelope(accountResponse()));
  };
  router.get(v2('/'), listAccounts).get(v3('/'), listAccounts);
  router.get(v2('/:accountId'), getAccount).get(v3('/:accountId'), getAccount);

  const listProjects = async (req: Request, res: ServerResponse) => {
    await member(req);
    sendList(req, res, [projectResponse(baseUrl)], { account_id: ACCOUNT.id }, orderParam(req, 'id'));
  };
  router.get(v2('/:accountId/projects'), listProjects).get(v3('/:accountId/projects'), listProjects);
  router.get(v3('/:accountId/projects/:projectId'), async (req, res) => {
    await member(req);
    if (req.params.projectId !== String(PROJECT.id)) throw notFound();
    sendJson(res, 200, envelope(projectResponse(baseUrl)));
  });

  const listEnvironments = async (req: Request, res: ServerResponse) => {
    await member(req);
    if (req.params.projectId && req.params.projectId !== String(PROJECT.id)) throw notFound();
    const type = req.query.get('deployment_type');
    const envs = ENVIRONMENTS.filter((e) => !type || e.deploymentType === type).map(environmentV2);
    sendList(req, res, envs, { account_id: ACCOUNT.id, project_id: PROJECT.id, ...(type ? { deployment_type: type } : {}) }, orderParam(req, 'id'));
  };
  router.get(v2('/:accountId/environments'), listEnvironments).get(v3('/:accountId/projects/:projectId/environments'), listEnvironments);

  router.get(v2('/:accountId/jobs'), async (req, res) => {
    await member(req);
    const q = req.query;
    const filters: Record<string, unknown> = { account_id: ACCOUNT.id, state: 1 };
    let list = [...jobs];
    for (const key of ['project_id', 'environment_id'] as const) {
      const v = q.get(key);
      if (v === null) continue;
      filters[key] = intOr400(v, key);
      list = list.filter((j) => (key === 'project_id' ? PROJECT.id : j.environmentId) === filters[key]);
    }
    const nameLike = q.get('name__icontains');
    if (nameLike) list = list.filter((j) => j.name.toLowerCase().includes(nameLike.toLowerCase()));
    const orderBy = orderParam(req, 'id');
    list.sort(comparator(orderBy, { id: (j) => j.id, name: (j) => j.name, created_at: (j) => j.createdAt }));
    const related = includeRelated(req);
    sendList(req, res, list.map((j) => jobResponse(j, failureCount(j), related.has('most_recent_run') ? { most_recent_run: latestRun(j) } : {})), filters, orderBy);
  });

  router.get(v2('/:accountId/jobs/:jobId'), async (req, res) => {
    await member(req);
    const job = findJob(req.params.jobId);
    sendJson(res, 200, envelope(jobResponse(job, failureCount(job))));
  });

  router.post(v2('/:accountId/jobs/:jobId/run'), async (req, res) => {
    const user = await member(req, true);
    const job = findJob(req.params.jobId);
    const body = triggerBody(req);
    const steps = body.steps_override as string[] | undefined;
    const run = runs.schedule(
      {
        jobId: job.id,
        environmentId: job.environmentId,
        steps: steps ?? job.executeSteps,
        generateDocs: (body.generate_docs_override as boolean | undefined) ?? job.generateDocs,
        gitSha: (body.git_sha as string | undefined) ?? sha(Date.now()),
        trigger: {
          cause: body.cause as string,
          causeCategory: 'api',
          gitBranch: (body.git_branch as string | undefined) ?? null,
          gitSha: (body.git_sha as string | undefined) ?? null,
          schemaOverride: (body.schema_override as string | undefined) ?? null,
          threadsOverride: (body.threads_override as number | undefined) ?? null,
          targetNameOverride: (body.target_name_override as string | undefined) ?? null,
          stepsOverride: steps ?? null,
          generateDocsOverride: (body.generate_docs_override as boolean | undefined) ?? null,
          by: user.id,
        },
      },
      job.outcome === 'error' ? 20 : 10,
      { queuedMs: DEMO_RUN_TIMING.queuedMs / speed, startingMs: DEMO_RUN_TIMING.startingMs / speed, runningMs: DEMO_RUN_TIMING.runningMs / speed },
    );
    ctx.log(`[dbtCloud] ${user.id} triggered run ${run.id} of job ${job.name}`);
    sendJson(res, 200, envelope(runJson(run, new Set(['trigger', 'job']))));
  });

  router.get(v2('/:accountId/jobs/:jobId/artifacts/*path'), async (req, res) => {
    await member(req);
    const job = findJob(req.params.jobId);
    const last = runs
      .all()
      .filter((r) => r.jobId === job.id && [10, 20].includes(runs.stateOf(r).status))
      .sort((a, b) => b.id - a.id)[0];
    if (!last) throw notFound();
    sendArtifact(res, last, req.params.path);
  });

  router.get(v2('/:accountId/runs'), async (req, res) => {
    await member(req);
    const q = req.query;
    const filters: Record<string, unknown> = { account_id: ACCOUNT.id };
    let list = runs.all();
    const jobId = q.get('job_definition_id');
    if (jobId !== null) {
      filters.job_definition_id = intOr400(jobId, 'job_definition_id');
      list = list.filter((r) => r.jobId === filters.job_definition_id);
    }
    const envId = q.get('environment_id');
    if (envId !== null) {
      filters.environment_id = intOr400(envId, 'environment_id');
      list = list.filter((r) => r.environmentId === filters.environment_id);
    }
    const statuses = intList(q.getAll('status__in'), 'status__in');
    const status = q.get('status');
    if (status !== null) statuses.push(intOr400(status, 'status'));
    if (statuses.length) {
      filters.status__in = statuses;
      list = list.filter((r) => statuses.includes(runs.stateOf(r).status));
    }
    const orderBy = orderParam(req, 'id');
    list.sort(comparator(orderBy, { id: (r) => r.id, created_at: (r) => r.createdAt, finished_at: (r) => runs.stateOf(r).finishedAt ?? Number.MAX_SAFE_INTEGER }));
    const related = includeRelated(req);
    sendList(req, res, list.map((r) => runJson(r, related)), filters, orderBy);
  });

  router.get(v2('/:accountId/runs/:runId'), async (req, res) => {
    await member(req);
    sendJson(res, 200, envelope(runJson(findRun(req.params.runId), includeRelated(req))));
  });

  router.post(v2('/:accountId/runs/:runId/cancel'), async (req, res) => {
    const user = await member(req, true);
    const run = findRun(req.params.runId);
    if (runs.cancel(run, user.id)) ctx.log(`[dbtCloud] ${user.id} cancelled run ${run.id}`);
    sendJson(res, 200, envelope(runJson(run, new Set())));
  });

  router.get(v2('/:accountId/runs/:runId/artifacts'), async (req, res) => {
    await member(req);
    const run = findRun(req.params.runId);
    const status = runs.stateOf(run).status;
    sendJson(res, 200, envelope(status === 10 || status === 20 ? ['manifest.json', 'run_results.json'] : []));
  });

  router.get(v2('/:accountId/runs/:runId/artifacts/*path'), async (req, res) => {
    await member(req);
    sendArtifact(res, findRun(req.params.runId), req.params.path);
  });

  /** Raw artifact (not enveloped) of a finished run; 404 while it runs, after a cancel, or for unknown paths. */
  function sendArtifact(res: ServerResponse, run: RunRecord, path: string): void {
    const state = runs.stateOf(run);
    if (state.status !== 10 && state.status !== 20) throw notFound();
    if (path === 'manifest.json') return sendText(res, 200, manifestText, 'application/json');
    if (path !== 'run_results.json') throw notFound();
    const failed = state.status === 20;
    const generatedAt = new Date(state.finishedAt!).toISOString().replace('Z', '000Z');
    const results = baseRunResults.results.map((r) =>
      failed && r.unique_id.startsWith(`test.${PROJECT.name}.${CI_FAILING_TEST}.`) ? { ...r, status: 'fail', failures: 3, message: 'Got 3 results, configured to fail if != 0' } : r,
    );
    const invocation = `${run.id.toString(16).padStart(8, '0')}-0000-4000-8000-${String(run.id).padStart(12, '0')}`;
    sendJson(res, 200, {
      ...baseRunResults,
      metadata: { ...baseRunResults.metadata, generated_at: generatedAt, invocation_id: invocation },
      results,
      args: { ...baseRunResults.args, invocation_command: run.steps[run.steps.length - 1] },
    });
  }

  function latestRun(job: JobDefinition) {
    const last = runs
      .all()
      .filter((r) => r.jobId === job.id)
      .sort((a, b) => b.id - a.id)[0];
    return last ? runJson(last, new Set()) : null;
  }

  router.get('/deploy/:accountId/projects/:projectId/runs/:runId', (req, res) => {
    const run = runs.get(Number(req.params.runId));
    if (!run || req.params.accountId !== String(ACCOUNT.id)) throw new HttpError(404, 'Run not found');
    const label = STATUS_HUMANIZED[runs.stateOf(run).status];
    const job = escapeHtml(jobOf(run).name);
    sendText(res, 200, `<!doctype html><title>Run #${run.id}</title><h1>${job}: run #${run.id}</h1><p>Status: ${label}</p><p>Sandbox dbt Cloud (${escapeHtml(ACCOUNT.name)})</p>`, 'text/html; charset=utf-8');
  });

  router.get('/__sandbox/dbt-cloud/speed', (_req, res) => sendJson(res, 200, { factor: speed }));
  router.post('/__sandbox/dbt-cloud/speed', (req, res) => {
    const factor = Number(req.json<{ factor?: unknown }>()?.factor);
    if (!(factor > 0)) throw new HttpError(400, { error: 'factor must be a positive number' });
    speed = factor;
    sendJson(res, 200, { factor: speed });
  });

  const server = await serve({
    name: 'dbtCloud',
    port: opts.port,
    router,
    faults: ctx.faults,
    log: ctx.log,
    errorBody: (status, message) => envelope(null, status, message),
  });
  baseUrl = server.url;
  return { name: 'dbtCloud', url: server.url, close: () => server.close() };
}

/** JSON, form or multipart-less body of a trigger; `cause` is required as in dbt Cloud. */
function triggerBody(req: Request): Record<string, unknown> {
  const type = req.headers['content-type'] ?? '';
  let body: Record<string, unknown>;
  if (type.includes('application/x-www-form-urlencoded')) {
    const form = req.form();
    body = Object.fromEntries(form);
    if (form.has('steps_override')) body.steps_override = form.getAll('steps_override');
  } else {
    try {
      body = JSON.parse(req.body.toString('utf8') || '{}');
    } catch {
      throw dbtError(400, 'JSON parse error');
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw dbtError(400, 'Invalid data. Expected a dictionary.');
  }
  const errors: Record<string, string[]> = {};
  if (typeof body.cause !== 'string' || !body.cause.trim()) errors.cause = [body.cause === undefined ? 'This field is required.' : 'This field may not be blank.'];
  const steps = body.steps_override;
  if (steps !== undefined && steps !== null && (!Array.isArray(steps) || !steps.length || steps.some((s) => typeof s !== 'string' || !/^dbt\s+\S/.test(s)))) {
    errors.steps_override = ['Each step must be a dbt command, e.g. "dbt build --select my_model+".'];
  }
  for (const key of ['git_branch', 'git_sha', 'schema_override', 'target_name_override']) {
    if (body[key] !== undefined && body[key] !== null && (typeof body[key] !== 'string' || !(body[key] as string).length)) errors[key] = ['Not a valid string.'];
  }
  if (body.threads_override !== undefined && body.threads_override !== null && !Number.isInteger(Number(body.threads_override))) errors.threads_override = ['A valid integer is required.'];
  if (Object.keys(errors).length) throw dbtError(400, 'The request was invalid. Please double check the provided data and try again.', errors);
  if (body.threads_override !== undefined && body.threads_override !== null) body.threads_override = Number(body.threads_override);
  for (const [k, v] of Object.entries(body)) if (v === null) delete body[k];
  return body;
}

function sendList(req: Request, res: ServerResponse, items: unknown[], filters: Record<string, unknown>, orderBy: string | null): void {
  const limit = req.query.has('limit') ? intOr400(req.query.get('limit')!, 'limit') : 100;
  const offset = req.query.has('offset') ? intOr400(req.query.get('offset')!, 'offset') : 0;
  if (limit < 1 || limit > 100 || offset < 0) throw dbtError(400, 'The request was invalid. Please double check the provided data and try again.', { limit: ['Ensure limit is between 1 and 100 and offset is not negative.'] });
  const page = items.slice(offset, offset + limit);
  const body: Envelope = {
    ...envelope(page),
    extra: { filters: { ...filters, limit, offset }, order_by: orderBy, pagination: { count: page.length, total_count: items.length } },
  };
  sendJson(res, 200, body);
}

function orderParam(req: Request, dflt: string): string {
  return req.query.get('order_by') || dflt;
}

function comparator<T>(orderBy: string, keys: Record<string, (t: T) => number | string>): (a: T, b: T) => number {
  const desc = orderBy.startsWith('-');
  const key = keys[orderBy.replace(/^-/, '')];
  if (!key) throw dbtError(400, `Cannot order by ${orderBy}.`);
  return (a, b) => {
    const x = key(a);
    const y = key(b);
    const c = x < y ? -1 : x > y ? 1 : 0;
    return desc ? -c : c;
  };
}

/** `["run_steps","job"]`, `run_steps,job` or repeated params. */
function includeRelated(req: Request): Set<string> {
  const out = new Set<string>();
  for (const raw of req.query.getAll('include_related')) {
    let values: unknown = raw;
    if (raw.trim().startsWith('[')) {
      try {
        values = JSON.parse(raw.replace(/'/g, '"'));
      } catch {
        throw dbtError(400, 'include_related must be a JSON list or a comma-separated list.');
      }
    }
    for (const v of Array.isArray(values) ? values : String(values).split(',')) out.add(String(v).trim());
  }
  return out;
}

function intList(raws: string[], name: string): number[] {
  return raws.flatMap((raw) => raw.replace(/[[\]\s]/g, '').split(',').filter(Boolean)).map((v) => intOr400(v, name));
}

function intOr400(v: string, name: string): number {
  if (!/^-?\d+$/.test(v)) throw dbtError(400, 'The request was invalid. Please double check the provided data and try again.', { [name]: ['A valid integer is required.'] });
  return Number(v);
}

function sha(seed: number): string {
  let h = '';
  let x = Math.floor(seed / 1000) >>> 0;
  while (h.length < 40) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    h += x.toString(16).padStart(8, '0');
  }
  return h.slice(0, 40);
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function envSpeed(): number {
  const v = Number(process.env.GATEHOUSE_SANDBOX_SPEED);
  return v > 0 ? v : 1;
}
