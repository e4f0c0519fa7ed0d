// AirbyteClient, credentials, follower and job actions against the sandbox Airbyte (public API v1
// with application tokens and IdP tokens): paging, job state progression, 409, 403, 429 with
// Retry-After, and a token that expires while a job is followed.
import * as assert from 'node:assert/strict';
import type { AuditRecord } from '../../../src/audit/auditTrail';
import { AxiosHttpClient, type HttpClient, type HttpRequest, type HttpResponse } from '../../../src/core/http';
import { SecretRegistry } from '../../../src/core/redact';
import { MemoryLogSink, RedactingLogger } from '../../../src/core/logger';
import type { Role } from '../../../src/policy/roles';
import { roleViewOf } from '../support/roleView';
import { AirbyteClient } from '../../../src/airbyte/client';
import { IdpServiceCredentials } from '../../../src/auth/serviceCredentials';
import { ApplicationCredentials } from '../../../src/airbyte/credentials';
import { AirbyteError, toAirbyteError } from '../../../src/airbyte/errors';
import { AirbyteExplorerModel, type ConnectionNode, type WorkspaceNode } from '../../../src/airbyte/explorerModel';
import { JobFollower } from '../../../src/airbyte/follower';
import { attemptLogs, failureReason } from '../../../src/airbyte/present';
import { AirbyteJobActions } from '../../../src/airbyte/jobActions';
import type { Job } from '../../../src/airbyte/types';
import { AIRBYTE_API_PREFIX, CONNECTION_IDS, WORKSPACE_IDS, startAirbyte } from '../../sandbox/airbyte';
import { AUDIENCES } from '../../sandbox/constants';
import { GoogleTokenStore, type RunningService, type SandboxContext } from '../../sandbox/context';
import { Directory } from '../../sandbox/directory';
import { FaultRegistry } from '../../sandbox/faults';
import { startIdp, type RunningIdp } from '../../sandbox/idp';
import { ProxyAssertions, startIdentityProxy, type RunningProxy } from '../../sandbox/identityProxy';

/** The real HTTP client, recording each request's method, path and query. */
class RecordingHttp implements HttpClient {
  readonly requests: { method: string; path: string; query: Record<string, unknown> }[] = [];
  readonly waits: number[] = [];
  readonly inner: AxiosHttpClient;
  /** Lets a test answer a request itself (to stage a race). */
  intercept?: (req: HttpRequest) => HttpResponse<unknown> | undefined;

  constructor(maxRetryAfterMs = 30_000) {
    this.inner = new AxiosHttpClient({ maxRetryAfterMs, sleep: async (ms) => void this.waits.push(ms), random: () => 0 });
  }

  async request<T>(req: HttpRequest): Promise<HttpResponse<T>> {
    const url = new URL(req.url);
    this.requests.push({ method: req.method, path: url.pathname.replace(AIRBYTE_API_PREFIX, ''), query: { ...(req.query ?? {}) } });
    const staged = this.intercept?.(req);
    if (staged) return staged as HttpResponse<T>;
    return this.inner.request<T>(req);
  }

  count(method: string, path: string | RegExp): number {
    return this.requests.filter((r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path))).length;
  }
}

const ROLES: Record<string, Role[]> = { alice: ['engineer', 'analyst'], bob: ['analyst'], olivia: [] };
const rolesOf = (user: string) => roleViewOf(ROLES[user]);

describe('airbyte client against the sandbox', function () {
  this.timeout(30_000);
  let idp: RunningIdp;
  let airbyte: RunningService;
  let ctx: SandboxContext;
  let base: string;
  /** IdP tokens reach Airbyte only through the identity-aware proxy. */
  let proxy: RunningProxy;

  before(async () => {
    const directory = new Directory();
    const faults = new FaultRegistry();
    idp = await startIdp({ directory, faults, log: () => undefined });
    const assertions = await ProxyAssertions.create(directory);
    ctx = { directory, idp, identityProxy: assertions, googleTokens: new GoogleTokenStore(), faults, warehouse: { query: async () => ({ fields: [], rows: [] }) }, log: () => undefined };
    airbyte = await startAirbyte(ctx, { speed: 40 });
    base = `${airbyte.url}${AIRBYTE_API_PREFIX}`;
    proxy = await startIdentityProxy({ service: 'airbyte', upstream: airbyte.url, idp, assertions });
  });
  after(async () => {
    await proxy?.close();
    await airbyte?.close();
    await idp?.close();
  });
  afterEach(async () => {
    ctx.faults.clear();
    // Leave no job running for the next test: it would answer 409.
    const alice = appClient('alice').client;
    for (const id of Object.values(CONNECTION_IDS)) {
      const active = await alice.activeJob(id);
      if (active) await alice.cancelJob(active.jobId).catch(() => undefined);
    }
  });

  const control = (path: string, body?: unknown) => fetch(`${airbyte.url}/__sandbox/airbyte/${path}`, { method: 'POST', body: body === undefined ? undefined : JSON.stringify(body) });

  function appClient(user: string, opts: { pageSize?: number; now?: () => number; http?: RecordingHttp } = {}) {
    const http = opts.http ?? new RecordingHttp();
    const secrets = new SecretRegistry();
    const credentials = new ApplicationCredentials({ http, baseUrl: base, read: async () => ({ clientId: `gatehouse-demo-${user}`, clientSecret: `${user}-airbyte-secret` }), secrets, now: opts.now });
    const client = new AirbyteClient({ http, baseUrl: base, credentials, pageSize: opts.pageSize });
    return { http, client, credentials, secrets };
  }

  function idpClient(user: string) {
    const http = new RecordingHttp();
    const invalidated: string[] = [];
    const broker = {
      getServiceToken: async () => ({ token: await idp.tokenFor(user, AUDIENCES.airbyte), expiresAt: Date.now() + 60_000, origin: 'resource-indicator' as const }),
      invalidate: (token: string) => void invalidated.push(token),
    };
    return { http, invalidated, client: new AirbyteClient({ http, baseUrl: `${proxy.url}${AIRBYTE_API_PREFIX}`, credentials: new IdpServiceCredentials(broker, 'airbyte', toAirbyteError) }) };
  }

  describe('reading', () => {
    it('lists what each user may see, with an IdP token and with application credentials', async () => {
      for (const make of [idpClient, appClient]) {
        const names = async (u: string) => (await make(u).client.listWorkspaces()).map((w) => w.name).sort();
        assert.deepEqual(await names('alice'), ['Finance Pipelines', 'Shop Analytics']);
        assert.deepEqual(await names('bob'), ['Shop Analytics']);
        assert.deepEqual(await names('olivia'), []);
      }
    });

    it('drops an IdP token Airbyte rejected and retries once with a new one', async () => {
      const { client, invalidated } = idpClient('alice');
      ctx.faults.arm({ service: 'airbyte', method: 'GET', path: '/workspaces$', kind: 'status', status: 401, body: { type: 'about:blank', title: 'invalid-api-key', status: 401 } });
      const names = (await client.listWorkspaces()).map((w) => w.name).sort();
      assert.deepEqual(names, ['Finance Pipelines', 'Shop Analytics']);
      assert.equal(invalidated.length, 1, 'the rejected token was handed back to the broker');
    });

    it('follows pages with limit and offset until there is no next link', async () => {
      const { http, client } = appClient('alice', { pageSize: 2 });
      const connections = await client.listConnections([WORKSPACE_IDS.shop, WORKSPACE_IDS.finance]);
      assert.equal(connections.length, 5);
      assert.equal(new Set(connections.map((c) => c.connectionId)).size, 5, 'no duplicates across pages');
      assert.equal(http.count('GET', '/connections'), 3);
      assert.deepEqual(http.requests.filter((r) => r.path === '/connections').map((r) => r.query.offset), [0, 2, 4]);
      // A capped listing stops early: 7 jobs in pages of 2 is 4 requests, newest first.
      const jobs = await client.listJobs({ connectionId: CONNECTION_IDS.postgresShop, max: 7 });
      assert.equal(jobs.length, 7);
      assert.equal(http.count('GET', '/jobs'), 4);
      const times = jobs.map((j) => Date.parse(j.startTime));
      assert.deepEqual(times, [...times].sort((a, b) => b - a));
    });

    it('builds the explorer: names, health from the last job, recent jobs, nothing for olivia', async () => {
      const model = new AirbyteExplorerModel({ client: () => appClient('alice').client, recentJobs: 3 });
      const roots = (await model.children()) as WorkspaceNode[];
      assert.deepEqual(roots.map((r) => r.key), [`airbyte:ws:${WORKSPACE_IDS.finance}`, `airbyte:ws:${WORKSPACE_IDS.shop}`]);
      const shop = (await model.children(roots[1])) as ConnectionNode[];
      const byId = Object.fromEntries(shop.map((c) => [c.connection.connectionId, c]));
      assert.equal(byId[CONNECTION_IDS.stripe].health, 'failed');
      assert.equal(byId[CONNECTION_IDS.postgresShop].health, 'succeeded');
      assert.equal(byId[CONNECTION_IDS.salesforce].health, 'disabled');
      assert.equal(byId[CONNECTION_IDS.stripe].sourceName, 'Stripe');
      assert.equal(byId[CONNECTION_IDS.stripe].destinationName, 'BigQuery raw');
      const jobs = await model.children(byId[CONNECTION_IDS.postgresShop]);
      assert.equal(jobs.length, 3);
      assert.ok(jobs.every((j) => j.kind === 'job' && j.key === `airbyte:job:${j.job.jobId}`));

      const none = new AirbyteExplorerModel({ client: () => appClient('olivia').client });
      const [msg] = await none.children();
      assert.equal(msg.kind, 'message');
    });
  });

  describe('credentials', () => {
    it('exchanges client credentials once for concurrent callers and caches until shortly before expires_in', async () => {
      let now = Date.now();
      const { http, client, credentials } = appClient('alice', { now: () => now });
      await Promise.all([client.listWorkspaces(), client.listWorkspaces(), client.listConnections([WORKSPACE_IDS.shop])]);
      assert.equal(http.count('POST', '/applications/token'), 1);
      now += 840_000; // 14 of 15 minutes: still good
      await client.listWorkspaces();
      assert.equal(http.count('POST', '/applications/token'), 1);
      now += 40_000; // within the 30 s margin before expiry
      await Promise.all([credentials.token(), credentials.token()]);
      assert.equal(http.count('POST', '/applications/token'), 2);
    });

    it('says which credentials are missing or wrong, without the secret', async () => {
      const http = new RecordingHttp();
      const missing = new ApplicationCredentials({ http, baseUrl: base, read: async () => undefined });
      await assert.rejects(missing.token(), (e) => AirbyteError.is(e, 'credentialsMissing'));
      const wrong = new ApplicationCredentials({ http, baseUrl: base, read: async () => ({ clientId: 'gatehouse-demo-alice', clientSecret: 'not-the-secret-at-all' }) });
      await assert.rejects(wrong.token(), (e) => AirbyteError.is(e, 'credentialsRejected') && !e.userMessage.includes('not-the-secret-at-all'));
    });
  });

  describe('jobs', () => {
    it('triggers a sync and follows it pending → running → succeeded', async () => {
      const { client } = appClient('alice');
      const result = await client.trigger(CONNECTION_IDS.shopify, 'sync');
      assert.equal(result.kind, 'started');
      const seen: string[] = [];
      const final = await new JobFollower(client, { initialDelayMs: 20, maxDelayMs: 50 }).follow(result.job!.jobId, { onUpdate: (j) => seen[seen.length - 1] !== j.status && seen.push(j.status) });
      assert.equal(final.status, 'succeeded');
      assert.deepEqual(seen, ['pending', 'running', 'succeeded']);
      assert.ok((final.rowsSynced ?? 0) > 0 && (final.bytesSynced ?? 0) > 0);
    });

    it('follows the Stripe sync through incomplete to failed', async () => {
      const { client } = appClient('alice');
      const result = await client.trigger(CONNECTION_IDS.stripe, 'sync');
      assert.equal(result.kind, 'started');
      const seen: string[] = [];
      const final = await new JobFollower(client, { initialDelayMs: 15, maxDelayMs: 30 }).follow(result.job!.jobId, { onUpdate: (j) => seen[seen.length - 1] !== j.status && seen.push(j.status) });
      assert.equal(final.status, 'failed');
      assert.deepEqual(seen, ['pending', 'running', 'incomplete', 'running', 'failed']);
    });

    it('reads why the Stripe sync failed: two attempts, each with failureSummary (source config_error) and log lines', async () => {
      const { client } = appClient('alice');
      const result = await client.trigger(CONNECTION_IDS.stripe, 'sync');
      const final = await new JobFollower(client, { initialDelayMs: 15, maxDelayMs: 30 }).follow(result.job!.jobId);
      assert.equal(final.status, 'failed');
      const attempts = await client.getJobAttempts(final.jobId);
      assert.deepEqual(attempts?.attempts.map((a) => `${a.attempt}:${a.status}:${a.failures.map((f) => `${f.origin}/${f.type}/${f.retryable}`).join()}`), ['0:failed:source/config_error/false', '1:failed:source/config_error/false']);
      assert.equal(failureReason(attempts), 'source config_error: Stripe rejected the API key: Expired API Key provided: rk_live_****Xq2L. Update the secret key in the Stripe source.');
      assert.ok(attempts!.attempts.every((a) => a.logLines.some((l) => /source > ERROR Stripe rejected the API key/.test(l))));
      assert.match(attemptLogs(attempts!), /^# Job \d+, attempt 1: failed\n# failure \(source, config_error\): Stripe rejected/);
    });

    it('a succeeded job has one attempt and no failure; bob may not read the finance workspace’s jobs; no config API beside Airbyte Cloud', async () => {
      const { client } = appClient('alice');
      const [job] = await client.listJobs({ connectionId: CONNECTION_IDS.postgresShop, orderBy: 'createdAt|DESC', max: 1 });
      const attempts = await client.getJobAttempts(job.jobId);
      assert.deepEqual(attempts?.attempts.map((a) => [a.status, a.failures.length]), [['succeeded', 0]]);
      assert.equal(failureReason(attempts), undefined);
      const [ledger] = await client.listJobs({ connectionId: CONNECTION_IDS.financeLedger, orderBy: 'createdAt|DESC', max: 1 });
      await assert.rejects(appClient('bob').client.getJobAttempts(ledger.jobId), (e: unknown) => e instanceof AirbyteError && e.reason === 'forbidden');
      const cloud = new AirbyteClient({ http: new RecordingHttp(), baseUrl: 'https://api.airbyte.com/v1', credentials: { origin: 'airbyte-application', token: async () => 't', invalidate: () => undefined } as never });
      assert.equal(cloud.configApiUrl, undefined);
      assert.equal(await cloud.getJobAttempts(1), undefined);
    });

    it('the explorer shows why the last job failed', async () => {
      const model = new AirbyteExplorerModel({ client: () => appClient('alice').client, recentJobs: 3 });
      const roots = (await model.children()) as WorkspaceNode[];
      const shop = (await model.children(roots.find((r) => r.workspace.workspaceId === WORKSPACE_IDS.shop))) as ConnectionNode[];
      const stripe = shop.find((c) => c.connection.connectionId === CONNECTION_IDS.stripe)!;
      assert.match(stripe.failure ?? '', /^source config_error: Stripe rejected the API key/);
      assert.equal(shop.find((c) => c.connection.connectionId === CONNECTION_IDS.postgresShop)!.failure, undefined);
    });

    it('answers "already running" from the pre-check without sending a POST', async () => {
      const { http, client } = appClient('alice');
      const first = await client.trigger(CONNECTION_IDS.postgresShop, 'sync');
      assert.equal(first.kind, 'started');
      const second = await client.trigger(CONNECTION_IDS.postgresShop, 'sync');
      assert.equal(second.kind, 'alreadyRunning');
      assert.equal(second.job?.jobId, first.job!.jobId);
      assert.equal(http.count('POST', '/jobs'), 1);
    });

    it('turns a 409 from POST /jobs into "already running" and never resends the POST', async () => {
      const { http, client } = appClient('alice');
      const first = await client.trigger(CONNECTION_IDS.financeLedger, 'sync');
      assert.equal(first.kind, 'started');
      // Stage the race: the pre-check sees nothing running (the job started in between).
      let staged = 0;
      http.intercept = (req) => {
        if (req.method === 'GET' && req.url.endsWith('/jobs') && req.query?.status && staged < 3) {
          staged++;
          return { status: 200, headers: {}, data: { data: [] } };
        }
        return undefined;
      };
      const posts = http.count('POST', '/jobs');
      const second = await client.trigger(CONNECTION_IDS.financeLedger, 'sync');
      assert.equal(second.kind, 'alreadyRunning');
      assert.equal(second.job?.jobId, first.job!.jobId, 'the running job is looked up after the 409');
      assert.equal(http.count('POST', '/jobs') - posts, 1, 'one POST, not resent');
    });

    it('refuses bob a trigger with 403 and explains it; audits the denial', async () => {
      const { client } = appClient('bob');
      await assert.rejects(client.createJob(CONNECTION_IDS.shopify, 'sync'), (e) => AirbyteError.is(e, 'forbidden') && e.status === 403);
      const records: Omit<AuditRecord, 'time'>[] = [];
      // bob with an engineer role in Gatehouse (a mapping mistake): Airbyte is still the authority.
      const actions = new AirbyteJobActions({
        client: () => client,
        audit: { record: async (r) => records.push(r) },
        actor: () => ({ subject: 'bob', email: 'bob@example.com' }),
        roles: rolesOf('alice'),
      });
      const outcome = await actions.trigger({ connection: { connectionId: CONNECTION_IDS.shopify, name: 'Shopify → BigQuery raw' }, workspace: { workspaceId: WORKSPACE_IDS.shop, name: 'Shop Analytics' } }, 'sync');
      assert.equal(outcome.kind, 'denied');
      assert.match((outcome as { message: string }).message, /^Airbyte refused: bob@example.com may not start a sync of "Shopify → BigQuery raw" in workspace "Shop Analytics"\. Airbyte saw your Airbyte application\./);
      assert.deepEqual(records.map((r) => [r.action, r.outcome, r.reason]), [['trigger-sync', 'denied', 'forbidden']]);
      // Reading is allowed.
      assert.ok((await client.getConnection(CONNECTION_IDS.shopify)).name);
    });

    it('does not attempt what the roles do not allow', async () => {
      const { http, client } = appClient('bob');
      const records: Omit<AuditRecord, 'time'>[] = [];
      const actions = new AirbyteJobActions({ client: () => client, audit: { record: async (r) => records.push(r) }, actor: () => ({ subject: 'bob' }), roles: rolesOf('bob') });
      const target = { connection: { connectionId: CONNECTION_IDS.shopify, name: 'Shopify' }, workspace: { workspaceId: WORKSPACE_IDS.shop } };
      assert.equal((await actions.trigger(target, 'sync')).kind, 'notAllowed');
      assert.equal((await actions.cancel(target, 1)).kind, 'notAllowed');
      assert.equal(http.requests.length, 0, 'nothing sent to Airbyte');
      assert.deepEqual(records.map((r) => [r.action, r.outcome, r.reason]), [['trigger-sync', 'denied', 'role'], ['cancel-job', 'denied', 'role']]);
    });

    it('waits out a 429 with Retry-After, and reports one whose wait is too long', async () => {
      const { http, client } = appClient('alice');
      await client.listWorkspaces(); // token first
      ctx.faults.arm({ service: 'airbyte', path: '/workspaces$', kind: 'status', status: 429, retryAfter: 2 });
      assert.equal((await client.listWorkspaces()).length, 2);
      assert.deepEqual(http.waits, [2_000]);
      // A rate-limited trigger is never sent again: a gateway may answer 429 after Airbyte
      // accepted it. The user sees the wait instead.
      ctx.faults.arm({ service: 'airbyte', method: 'POST', path: '/jobs$', kind: 'status', status: 429, retryAfter: 1 });
      await assert.rejects(client.trigger(CONNECTION_IDS.shopify, 'sync'), (e) => AirbyteError.is(e, 'rateLimited') && e.retryAfterMs === 1_000);
      assert.equal(http.count('POST', '/jobs'), 1);
      assert.deepEqual(http.waits, [2_000]);
      assert.equal(await client.activeJob(CONNECTION_IDS.shopify), undefined);

      const impatient = appClient('alice', { http: new RecordingHttp(500) });
      await impatient.client.listWorkspaces();
      ctx.faults.arm({ service: 'airbyte', path: '/workspaces$', kind: 'status', status: 429, retryAfter: 120 });
      await assert.rejects(impatient.client.listWorkspaces(), (e) => AirbyteError.is(e, 'rateLimited') && e.retryAfterMs === 120_000);
    });

    it('keeps following when the application token expires mid-follow (one refresh)', async () => {
      const { http, client } = appClient('alice');
      const started = await client.trigger(CONNECTION_IDS.shopify, 'sync');
      assert.equal(started.kind, 'started');
      let expired = false;
      const final = await new JobFollower(client, { initialDelayMs: 20, maxDelayMs: 40 }).follow(started.job!.jobId, {
        onUpdate: (j) => {
          if (!expired && j.status === 'running') {
            expired = true;
            void control('expire-tokens');
          }
        },
      });
      assert.equal(final.status, 'succeeded');
      assert.ok(expired);
      assert.equal(http.count('POST', '/applications/token'), 2, 'one refresh after the 401');
    });

    it('cancels a running job and audits trigger, cancel and the final state with the job id', async () => {
      const { client } = appClient('alice');
      const records: Omit<AuditRecord, 'time'>[] = [];
      const actions = new AirbyteJobActions({
        client: () => client,
        audit: { record: async (r) => records.push(r) },
        actor: () => ({ subject: 'alice', email: 'alice@example.com' }),
        roles: rolesOf('alice'),
        follower: { initialDelayMs: 20, maxDelayMs: 40 },
      });
      const target = { connection: { connectionId: CONNECTION_IDS.postgresShop, name: 'Postgres' }, workspace: { workspaceId: WORKSPACE_IDS.shop } };
      const started = await actions.trigger(target, 'sync');
      assert.equal(started.kind, 'started');
      const jobId = (started as { job: Job }).job.jobId;
      const following = actions.follow(target, jobId, { audited: true, onUpdate: (j) => j.status === 'running' && void actions.cancel(target, jobId) });
      const done = await following;
      assert.equal(done.kind, 'finished');
      assert.equal((done as { job: Job }).job.status, 'cancelled');
      const id = String(jobId);
      assert.deepEqual(
        records.map((r) => [r.action, r.outcome, r.jobIds?.[0], r.credential, r.resource]),
        [
          ['trigger-sync', 'started', id, 'application-credentials', `connection/${CONNECTION_IDS.postgresShop}`],
          ['cancel-job', 'cancelled', id, 'application-credentials', `connection/${CONNECTION_IDS.postgresShop}`],
          ['trigger-sync', 'cancelled', id, 'application-credentials', `connection/${CONNECTION_IDS.postgresShop}`],
        ],
      );
      // Cancelling again: the job has finished.
      assert.equal((await actions.cancel(target, jobId)).kind, 'alreadyFinished');
    });

    it('logs no token or secret', async () => {
      const sink = new MemoryLogSink();
      const secrets = new SecretRegistry();
      const logger = new RedactingLogger(sink, secrets);
      const http = new AxiosHttpClient({ logger });
      const credentials = new ApplicationCredentials({ http, baseUrl: base, read: async () => ({ clientId: 'gatehouse-demo-alice', clientSecret: 'alice-airbyte-secret' }), secrets, logger });
      const client = new AirbyteClient({ http, baseUrl: base, credentials, logger });
      await client.listWorkspaces();
      await control('expire-tokens');
      await client.listWorkspaces();
      const token = await credentials.token();
      assert.ok(sink.lines.length > 0);
      for (const line of sink.lines) {
        assert.ok(!line.includes(token) && !line.includes('alice-airbyte-secret'), line);
      }
    });
  });
});
