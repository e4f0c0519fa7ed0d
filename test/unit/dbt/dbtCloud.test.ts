// DbtCloudClient, credentials, RunFollower and DbtCloudActions against the sandbox dbt Cloud
// (Administrative API v2 with its envelope, personal tokens and IdP bearer tokens): listing jobs,
// a trigger naming the user that is never resent, following to success and error, cancel, 403
// explained, 401 renewed once, and the audit records of it all.
import * as assert from 'node:assert/strict';
import type { AuditRecord } from '../../../src/audit/auditTrail';
import { AxiosHttpClient, type HttpClient, type HttpRequest, type HttpResponse } from '../../../src/core/http';
import { SecretRegistry } from '../../../src/core/redact';
import type { Role } from '../../../src/policy/roles';
import { roleViewOf } from '../support/roleView';
import { DbtCloudActions, triggerCause } from '../../../src/dbt/cloud/dbtCloudActions';
import { DbtCloudClient, PersonalTokenCredentials, RUN_STATUS_CODES, parseRun, type DbtCloudRun, type DbtCloudRunStatus } from '../../../src/dbt/cloud/dbtCloudClient';
import { DbtCloudError, toDbtCloudError } from '../../../src/dbt/cloud/dbtCloudErrors';
import { IdpServiceCredentials } from '../../../src/auth/serviceCredentials';
import { TokenBroker } from '../../../src/auth/tokenBroker';
import type { SessionManager } from '../../../src/auth/sessionManager';
import { MemoryLogSink, RedactingLogger } from '../../../src/core/logger';
import { DbtCloudRunFollower } from '../../../src/dbt/cloud/dbtCloudRunFollower';
import { AUDIENCES } from '../../sandbox/constants';
import { GoogleTokenStore, type RunningService, type SandboxContext } from '../../sandbox/context';
import { DBT_CLOUD_ACCOUNT, DBT_CLOUD_JOB_IDS, DBT_CLOUD_PROJECT, DBT_CLOUD_TOKENS, startDbtCloud } from '../../sandbox/dbt-cloud';
import { Directory } from '../../sandbox/directory';
import { FaultRegistry } from '../../sandbox/faults';
import { startIdp, type RunningIdp } from '../../sandbox/idp';
import { ProxyAssertions, startIdentityProxy, type RunningProxy } from '../../sandbox/identityProxy';

/** The real HTTP client, recording each request. */
class RecordingHttp implements HttpClient {
  readonly requests: { method: string; path: string; authorization?: string; body?: unknown }[] = [];
  readonly inner = new AxiosHttpClient({ sleep: async () => undefined });
  async request<T>(req: HttpRequest): Promise<HttpResponse<T>> {
    this.requests.push({ method: req.method, path: new URL(req.url).pathname, authorization: req.headers?.Authorization, body: req.body });
    return this.inner.request<T>(req);
  }
  count(method: string, path: RegExp): number {
    return this.requests.filter((r) => r.method === method && path.test(r.path)).length;
  }
}

const ROLES: Record<string, Role[]> = { alice: ['engineer', 'analyst'], bob: ['analyst'], olivia: [] };
const rolesOf = (user: string, override?: Role[]) => roleViewOf(override ?? ROLES[user]);
const PAT = (user: string) => Object.entries(DBT_CLOUD_TOKENS).find(([, u]) => u === user)![0];
const fastFollow = { initialDelayMs: 40, maxDelayMs: 150, sleep: (ms: number, signal?: AbortSignal) => new Promise<void>((resolve, reject) => {
  const t = setTimeout(resolve, ms);
  signal?.addEventListener('abort', () => (clearTimeout(t), reject(new Error('aborted'))), { once: true });
}) };

describe('dbt Cloud client against the sandbox', function () {
  this.timeout(30_000);
  let idp: RunningIdp;
  let dbtCloud: RunningService;
  /** IdP tokens reach dbt Cloud only through the identity-aware proxy. */
  let proxy: RunningProxy;
  let ctx: SandboxContext;

  before(async () => {
    const directory = new Directory();
    const faults = new FaultRegistry();
    idp = await startIdp({ directory, faults, log: () => undefined });
    const assertions = await ProxyAssertions.create(directory);
    ctx = { directory, idp, identityProxy: assertions, googleTokens: new GoogleTokenStore(), faults, warehouse: { query: async () => ({ fields: [], rows: [] }) }, log: () => undefined } as unknown as SandboxContext;
    dbtCloud = await startDbtCloud(ctx, { speed: 60 });
    proxy = await startIdentityProxy({ service: 'dbtCloud', upstream: dbtCloud.url, idp, assertions });
  });
  after(async () => {
    await proxy?.close();
    await dbtCloud?.close();
    await idp?.close();
  });
  afterEach(() => ctx.faults.clear());

  function idpClient(user: string) {
    const http = new RecordingHttp();
    const broker = { getServiceToken: async () => ({ token: await idp.tokenFor(user, AUDIENCES.dbtCloud), expiresAt: Date.now() + 60_000, origin: 'resource-indicator' as const }), invalidate: () => undefined };
    return { http, client: new DbtCloudClient({ http, baseUrl: proxy.url, accountId: String(DBT_CLOUD_ACCOUNT.id), credentials: new IdpServiceCredentials(broker, 'dbtCloud', toDbtCloudError) }) };
  }

  /**
   * The real TokenBroker (its cache, its invalidate) over a stand-in session manager whose
   * resource-indicator requests hand out `issue()`'s tokens in turn.
   */
  function brokerClient(issue: () => Promise<string>) {
    const http = new RecordingHttp();
    const secrets = new SecretRegistry();
    const issued: string[] = [];
    const sessions = {
      config: { audiences: { dbtCloud: AUDIENCES.dbtCloud }, serviceTokens: 'resourceIndicators' },
      current: () => ({ id: 'session-1' }),
      onDidChangeSession: () => ({ dispose: () => undefined }),
      tokenForResource: async () => {
        const token = await issue();
        issued.push(token);
        return { accessToken: token, expiresAt: Date.now() + 3_600_000 };
      },
    } as unknown as SessionManager;
    const broker = new TokenBroker({ sessions, secrets, logger: new RedactingLogger(new MemoryLogSink(), secrets) });
    const credentials = new IdpServiceCredentials(broker, 'dbtCloud', toDbtCloudError);
    return { http, issued, broker, client: new DbtCloudClient({ http, baseUrl: proxy.url, accountId: String(DBT_CLOUD_ACCOUNT.id), credentials }) };
  }

  function patClient(user: string | undefined) {
    const http = new RecordingHttp();
    const secrets = new SecretRegistry();
    const credentials = new PersonalTokenCredentials(async () => (user ? PAT(user) : undefined), secrets);
    return { http, secrets, client: new DbtCloudClient({ http, baseUrl: dbtCloud.url, accountId: String(DBT_CLOUD_ACCOUNT.id), credentials }) };
  }

  function actionsFor(user: string, client: DbtCloudClient, roleOverride?: Role[]) {
    const records: Omit<AuditRecord, 'time'>[] = [];
    const actions = new DbtCloudActions({
      client: () => client,
      audit: { record: async (r) => void records.push(r) },
      actor: () => ({ subject: `sub-${user}`, email: `${user}@example.com` }),
      roles: rolesOf(user, roleOverride),
      follower: fastFollow,
    });
    return { actions, records };
  }

  it('maps every dbt Cloud run status code', () => {
    const table: [number | null, DbtCloudRunStatus][] = [[1, 'queued'], [2, 'starting'], [3, 'running'], [10, 'success'], [20, 'error'], [30, 'cancelled'], [99, 'unknown'], [null, 'unknown']];
    for (const [code, status] of table) assert.equal(parseRun({ id: 1, job_definition_id: 2, status: code }).status, status, `code ${code}`);
    assert.deepEqual(Object.keys(RUN_STATUS_CODES).map(Number), [1, 2, 3, 10, 20, 30]);
    assert.equal(parseRun({ id: 1, job_id: 2, status: 10, href: 'javascript:alert(1)' }).href, undefined, 'only web links are kept');
    assert.throws(() => parseRun({ status: 10 }), (e) => DbtCloudError.is(e, 'badResponse'));
  });

  it('lists the jobs of the project with their latest run, with an IdP token and with a personal token', async () => {
    for (const make of [() => idpClient('alice'), () => patClient('alice')]) {
      const { client, http } = make();
      const jobs = await client.listJobs({ projectId: DBT_CLOUD_PROJECT.id });
      assert.deepEqual(jobs.map((j) => j.id).sort(), Object.values(DBT_CLOUD_JOB_IDS).sort());
      const nightly = jobs.find((j) => j.id === DBT_CLOUD_JOB_IDS.nightly)!;
      assert.equal(nightly.name, 'Nightly build');
      assert.ok(nightly.mostRecentRun && ['success', 'error', 'cancelled', 'queued', 'starting', 'running'].includes(nightly.mostRecentRun.status));
      assert.match(http.requests[0].authorization ?? '', client.credentialOrigin === 'personal-token' ? /^Token / : /^Bearer /);
    }
  });

  it('refuses clearly without a personal token, and never logs the token it has', async () => {
    await assert.rejects(patClient(undefined).client.listJobs(), (e) => DbtCloudError.is(e, 'credentialsMissing') && /Set dbt Cloud Token/.test(e.userMessage));
    const { client, secrets } = patClient('bob');
    await client.listJobs();
    assert.equal(secrets.scrub(`log ${PAT('bob')} line`), 'log [redacted] line', 'the token in use is registered for redaction');
    assert.throws(() => new DbtCloudClient({ http: new RecordingHttp(), baseUrl: 'not a url', accountId: '1', credentials: new PersonalTokenCredentials(async () => 'x') }), (e) => DbtCloudError.is(e, 'notConfigured'));
    assert.throws(() => new DbtCloudClient({ http: new RecordingHttp(), baseUrl: dbtCloud.url, accountId: '70403/../1', credentials: new PersonalTokenCredentials(async () => 'x') }), (e) => DbtCloudError.is(e, 'notConfigured'));
  });

  it('triggers a run with a cause naming the user, follows it to success, and audits both', async () => {
    const { client, http } = idpClient('alice');
    const { actions, records } = actionsFor('alice', client);
    const outcome = await actions.trigger({ id: DBT_CLOUD_JOB_IDS.nightly, name: 'Nightly build' });
    assert.equal(outcome.kind, 'started');
    const run = (outcome as { run: DbtCloudRun }).run;
    const post = http.requests.find((r) => r.method === 'POST');
    assert.deepEqual(post?.body, { cause: 'Triggered from VS Code (Gatehouse) by alice@example.com' });
    const updates: string[] = [];
    const followed = await actions.follow({ id: DBT_CLOUD_JOB_IDS.nightly, name: 'Nightly build' }, run.id, { audited: true, onUpdate: (r) => updates.push(r.status) });
    assert.equal(followed.kind, 'finished');
    assert.equal((followed as { run: DbtCloudRun }).run.status, 'success');
    assert.equal(updates[updates.length - 1], 'success');
    assert.ok(updates.length >= 2, `saw the run progress (${updates.join(' > ')})`);
    assert.deepEqual(
      records.map((r) => [r.action, r.outcome, r.jobIds?.[0], r.service, r.credential]),
      [
        ['trigger-run', 'started', String(run.id), 'dbtCloud', 'resource-indicator'],
        ['trigger-run', 'succeeded', String(run.id), 'dbtCloud', 'resource-indicator'],
      ],
    );
    const runs = await client.listRuns(DBT_CLOUD_JOB_IDS.nightly, { limit: 1 });
    assert.equal(runs[0].id, run.id);
    assert.deepEqual(await client.listArtifacts(run.id), ['manifest.json', 'run_results.json']);
    const results = (await client.getArtifact(run.id, 'run_results.json')) as { results: unknown[] };
    assert.ok(Array.isArray(results.results) && results.results.length > 0);
    await assert.rejects(client.getArtifact(run.id, '../../jobs'), (e) => DbtCloudError.is(e, 'badRequest'));
  });

  it('follows the CI check to its error and records the failure', async () => {
    const { client } = patClient('alice');
    const { actions, records } = actionsFor('alice', client);
    const job = { id: DBT_CLOUD_JOB_IDS.ci, name: 'CI check' };
    const outcome = await actions.trigger(job);
    assert.equal(outcome.kind, 'started');
    const run = (outcome as { run: DbtCloudRun }).run;
    const followed = await actions.follow(job, run.id, { audited: true });
    assert.equal(followed.kind === 'finished' && followed.run.status, 'error');
    assert.match((followed as { run: DbtCloudRun }).run.statusMessage ?? '', /not_null_orders_amount/);
    assert.deepEqual(records.map((r) => [r.outcome, r.credential]), [['started', 'personal-token'], ['failed', 'personal-token']]);
  });

  it('cancels a running run, and says so when a run had already finished', async () => {
    const { client } = idpClient('alice');
    await fetch(`${dbtCloud.url}/__sandbox/dbt-cloud/speed`, { method: 'POST', body: JSON.stringify({ factor: 1 }) });
    try {
      const { actions, records } = actionsFor('alice', client);
      const job = { id: DBT_CLOUD_JOB_IDS.hourlyMarts, name: 'Hourly marts' };
      const started = await actions.trigger(job);
      const run = (started as { run: DbtCloudRun }).run;
      const cancelled = await actions.cancel(job, run.id);
      assert.equal(cancelled.kind, 'cancelled');
      const final = await new DbtCloudRunFollower(client, fastFollow).follow(run.id);
      assert.equal(final.status, 'cancelled');
      assert.deepEqual(records.map((r) => [r.action, r.outcome, r.jobIds?.[0]]), [['trigger-run', 'started', String(run.id)], ['cancel-run', 'cancelled', String(run.id)]]);
    } finally {
      await fetch(`${dbtCloud.url}/__sandbox/dbt-cloud/speed`, { method: 'POST', body: JSON.stringify({ factor: 60 }) });
    }
    const finished = (await client.listRuns(DBT_CLOUD_JOB_IDS.nightly, { limit: 20 })).find((r) => r.status === 'success')!;
    const { actions } = actionsFor('alice', client);
    assert.equal((await actions.cancel({ id: DBT_CLOUD_JOB_IDS.nightly, name: 'Nightly build' }, finished.id)).kind, 'alreadyFinished');
  });

  it('does not attempt a trigger without the role, and explains dbt Cloud’s own 403', async () => {
    const { client, http } = idpClient('bob');
    const analyst = actionsFor('bob', client);
    const refused = await analyst.actions.trigger({ id: DBT_CLOUD_JOB_IDS.nightly, name: 'Nightly build' });
    assert.equal(refused.kind, 'notAllowed');
    assert.equal(http.count('POST', /./), 0, 'nothing was sent');
    // Roles that wrongly say "engineer": dbt Cloud is still the authority.
    const misconfigured = actionsFor('bob', client, ['engineer']);
    const denied = await misconfigured.actions.trigger({ id: DBT_CLOUD_JOB_IDS.nightly, name: 'Nightly build' });
    assert.equal(denied.kind, 'denied');
    const message = (denied as { message: string }).message;
    assert.match(message, /^dbt Cloud refused: bob@example.com may not trigger a run of job "Nightly build" \(902131\)\./);
    assert.match(message, /dbt Cloud saw your sign-in's token issued for dbt Cloud by your identity provider\./);
    assert.deepEqual(misconfigured.records.map((r) => [r.outcome, r.reason]), [['denied', 'forbidden']]);
    assert.deepEqual(analyst.records.map((r) => [r.outcome, r.reason]), [['denied', 'role']]);
  });

  it('never resends a trigger (500, reset, 503 or 429 with Retry-After), but renews a rejected credential once', async () => {
    const { client, http } = idpClient('alice');
    const before = (await client.listRuns(DBT_CLOUD_JOB_IDS.nightly, { limit: 1 }))[0]?.id ?? 0;
    // A gateway's 503 or 429 can come after dbt Cloud accepted the run: a Retry-After does not make a resend safe.
    const faults = [{ kind: 'status' as const, status: 500 }, { kind: 'reset' as const }, { kind: 'status' as const, status: 503, retryAfter: 1 }, { kind: 'status' as const, status: 429, retryAfter: 1 }];
    for (const fault of faults) {
      ctx.faults.arm({ service: 'dbtCloud', method: 'POST', path: '/jobs/\\d+/run', ...fault, count: 3 });
      await assert.rejects(client.triggerRun(DBT_CLOUD_JOB_IDS.nightly, { cause: 'test' }), (e) => DbtCloudError.is(e) && ['server', 'network', 'rateLimited'].includes(e.reason));
      ctx.faults.clear();
    }
    assert.equal(http.count('POST', /\/run\/$/), faults.length, 'one POST per attempt, none resent');
    assert.equal((await client.listRuns(DBT_CLOUD_JOB_IDS.nightly, { limit: 1 }))[0]?.id ?? 0, before, 'no run was started');

    ctx.faults.arm({ service: 'dbtCloud', method: 'POST', path: '/jobs/\\d+/run', kind: 'status', status: 401 });
    const run = await client.triggerRun(DBT_CLOUD_JOB_IDS.nightly, { cause: triggerCause({ subject: 's', label: 'Alice' }) });
    assert.ok(run.id > before);
    assert.equal(http.count('POST', /\/run\/$/), faults.length + 2, 'the 401 was followed by exactly one more POST');
    await client.cancelRun(run.id);
  });

  it('drops an IdP token dbt Cloud rejected from the broker and sends once more with a fresh one', async () => {
    // The broker's cached token is one dbt Cloud does not accept (revoked early, say).
    const tokens = ['revoked-before-expiry'];
    const { client, http, issued, broker } = brokerClient(async () => tokens.shift() ?? idp.tokenFor('alice', AUDIENCES.dbtCloud));
    const jobs = await client.listJobs({ projectId: DBT_CLOUD_PROJECT.id });
    assert.ok(jobs.length > 0);
    assert.equal(issued.length, 2, 'one fresh token after the rejection');
    assert.deepEqual(http.requests.map((r) => r.authorization), ['Bearer revoked-before-expiry', `Bearer ${issued[1]}`], 'the rejected token was not resent');
    // The broker keeps the fresh one: the next call obtains nothing new.
    await client.listJobs({ projectId: DBT_CLOUD_PROJECT.id });
    assert.equal(issued.length, 2);
    assert.equal(http.requests[2].authorization, `Bearer ${issued[1]}`);
    broker.dispose();
  });

  it('gives up after one renewal when dbt Cloud rejects the fresh IdP token too, and never resends a rejected trigger token', async () => {
    let n = 0;
    const { client, http, issued, broker } = brokerClient(async () => `not-a-dbt-token-${++n}`);
    const before = (await idpClient('alice').client.listRuns(DBT_CLOUD_JOB_IDS.nightly, { limit: 1 }))[0]?.id ?? 0;
    await assert.rejects(client.triggerRun(DBT_CLOUD_JOB_IDS.nightly, { cause: 'test' }), (e) => DbtCloudError.is(e, 'unauthorized'));
    assert.deepEqual(issued, ['not-a-dbt-token-1', 'not-a-dbt-token-2']);
    assert.deepEqual(http.requests.map((r) => r.authorization), ['Bearer not-a-dbt-token-1', 'Bearer not-a-dbt-token-2'], 'two POSTs, each with its own token');
    assert.equal((await idpClient('alice').client.listRuns(DBT_CLOUD_JOB_IDS.nightly, { limit: 1 }))[0]?.id ?? 0, before, 'no run was started');
    broker.dispose();
  });

  it('does not resend a personal token dbt Cloud rejected; a newly stored one is sent', async () => {
    const http = new RecordingHttp();
    let stored = 'dbtu_not_a_known_token';
    const client = new DbtCloudClient({ http, baseUrl: dbtCloud.url, accountId: String(DBT_CLOUD_ACCOUNT.id), credentials: new PersonalTokenCredentials(async () => stored) });
    await assert.rejects(client.listJobs(), (e) => DbtCloudError.is(e, 'unauthorized') && /Set dbt Cloud Token/.test(e.userMessage));
    assert.equal(http.requests.length, 1, 'the refused token went out once');
    await assert.rejects(client.listJobs(), (e) => DbtCloudError.is(e, 'unauthorized'));
    assert.equal(http.requests.length, 1, 'and not again');
    stored = PAT('alice');
    assert.ok((await client.listJobs()).length > 0);
    assert.equal(http.requests[1].authorization, `Token ${PAT('alice')}`);
  });

  it('rides out a short outage while following, and stops on its signal', async () => {
    const { client } = idpClient('alice');
    const run = await client.triggerRun(DBT_CLOUD_JOB_IDS.nightly, { cause: 'outage test' });
    ctx.faults.arm({ service: 'dbtCloud', method: 'GET', path: `/runs/${run.id}/?$`, kind: 'status', status: 503, count: 2 });
    const final = await new DbtCloudRunFollower(client, fastFollow).follow(run.id);
    assert.equal(final.status, 'success');

    const other = await client.triggerRun(DBT_CLOUD_JOB_IDS.nightly, { cause: 'stop test' });
    const stop = new AbortController();
    const following = new DbtCloudRunFollower(client, { ...fastFollow, initialDelayMs: 5_000 }).follow(other.id, { signal: stop.signal });
    setTimeout(() => stop.abort(), 100);
    await assert.rejects(following, (e) => DbtCloudError.is(e, 'cancelled'));
    await client.cancelRun(other.id);

    let now = 0;
    const timed = new DbtCloudRunFollower({ getRun: async () => ({ ...run, status: 'running' as const }) }, { sleep: async (ms) => void (now += ms), now: () => now, timeoutMs: 10_000, initialDelayMs: 1_000 });
    await assert.rejects(timed.follow(run.id), (e) => DbtCloudError.is(e, 'timeout'));
  });
});
