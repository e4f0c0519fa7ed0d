// The sandbox Airbyte over HTTP: application tokens and IdP tokens through the identity-aware
// proxy, grants per workspace, paging,
// job progression, conflicts, cancel, faults, and bodies checked against Airbyte's OpenAPI spec.
import * as assert from 'node:assert/strict';
import { startAirbyte, AIRBYTE_API_PREFIX, CONNECTION_IDS, WORKSPACE_IDS } from '../../sandbox/airbyte';
import { AUDIENCES } from '../../sandbox/constants';
import { GoogleTokenStore, type RunningService, type SandboxContext } from '../../sandbox/context';
import { Directory } from '../../sandbox/directory';
import { FaultRegistry } from '../../sandbox/faults';
import { startIdp, type RunningIdp } from '../../sandbox/idp';
import { ProxyAssertions, startIdentityProxy, type RunningProxy } from '../../sandbox/identityProxy';
import { openApiValidator, type OpenApiValidator } from './openapi-validator';
import { sharedPath } from '../../support/shared';

const SPEC = sharedPath('reference', 'specs', 'airbyte-openapi.yaml');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('sandbox Airbyte (public API v1)', function () {
  this.timeout(30_000);
  let idp: RunningIdp;
  let airbyte: RunningService;
  let ctx: SandboxContext;
  let base: string;
  let proxy: RunningProxy;
  let spec: OpenApiValidator;
  const idpTokens: Record<string, string> = {};
  const appTokens: Record<string, string> = {};

  before(async function () {
    const directory = new Directory();
    const faults = new FaultRegistry();
    idp = await startIdp({ directory, faults, log: () => undefined });
    const warehouse = { query: async () => ({ fields: [], rows: [] }) };
    const assertions = await ProxyAssertions.create(directory);
    ctx = { directory, idp, identityProxy: assertions, googleTokens: new GoogleTokenStore(), faults, warehouse, log: () => undefined };
    airbyte = await startAirbyte(ctx, { speed: 40 });
    proxy = await startIdentityProxy({ service: 'airbyte', upstream: airbyte.url, idp, assertions });
    base = `${airbyte.url}${AIRBYTE_API_PREFIX}`;
    spec = openApiValidator(SPEC);
    for (const u of ['alice', 'bob', 'olivia']) {
      idpTokens[u] = await idp.tokenFor(u, AUDIENCES.airbyte);
      appTokens[u] = await applicationToken(u);
    }
  });
  after(async () => {
    await proxy?.close();
    await airbyte?.close();
    await idp?.close();
  });
  afterEach(() => ctx.faults.clear());

  async function applicationToken(user: string): Promise<string> {
    const res = await fetch(`${base}/applications/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: `gatehouse-demo-${user}`, client_secret: `${user}-airbyte-secret`, 'grant-type': 'client_credentials' }),
    });
    assert.equal(res.status, 200);
    return ((await res.json()) as { access_token: string }).access_token;
  }
  const call = (path: string, token: string | undefined, init: RequestInit = {}) =>
    // IdP tokens go to the identity-aware proxy (Airbyte itself refuses them); `next` links are absolute.
    fetch(path.startsWith('http') ? path : `${token && Object.values(idpTokens).includes(token) ? proxy.url + AIRBYTE_API_PREFIX : base}${path}`, {
      ...init,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.body ? { 'content-type': 'application/json' } : {}), ...(init.headers as Record<string, string>) },
    });
  const json = async (res: Response): Promise<any> => res.json();
  const trigger = (token: string, connectionId: string, jobType = 'sync') => call('/jobs', token, { method: 'POST', body: JSON.stringify({ connectionId, jobType }) });
  async function waitForTerminal(jobId: number, token: string, seen: string[] = []): Promise<any> {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const job = await json(await call(`/jobs/${jobId}`, token));
      if (seen[seen.length - 1] !== job.status) seen.push(job.status);
      if (['succeeded', 'failed', 'cancelled'].includes(job.status)) return job;
      await sleep(25);
    }
    throw new Error(`job ${jobId} did not finish`);
  }

  describe('authentication', function () {
    it('serves /health without a token', async function () {
      assert.equal((await fetch(`${base}/health`)).status, 200);
    });

    it('answers 401 problem+json without a token, with a wrong one, and with an IdP token for another audience', async function () {
      const dbtToken = await idp.tokenFor('alice', AUDIENCES.dbtCloud);
      for (const token of [undefined, 'not-a-token', dbtToken]) {
        const res = await call('/workspaces', token);
        assert.equal(res.status, 401);
        assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
        const body = await json(res);
        assert.equal(body.status, 401);
        assert.equal(body.title, 'invalid-api-key');
        assert.match(body.type, /^https:\/\/reference\.airbyte\.com\/reference\/errors#/);
      }
    });

    it('issues application tokens for JSON and form bodies and rejects wrong secrets', async function () {
      const form = await fetch(`${base}/applications/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: 'gatehouse-demo-bob', client_secret: 'bob-airbyte-secret', grant_type: 'client_credentials' }),
      });
      assert.equal(form.status, 200);
      const body = await json(form);
      assert.equal(body.token_type, 'Bearer');
      assert.equal(body.expires_in, 900);
      assert.match(body.access_token, /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
      const wrong = await fetch(`${base}/applications/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ client_id: 'gatehouse-demo-bob', client_secret: 'nope' }) });
      assert.equal(wrong.status, 401);
    });

    it('an application token that expires while following pages gives 401, and a new token goes on', async function () {
      const token = await applicationToken('alice');
      const first = await json(await call('/jobs?limit=5', token));
      assert.ok(first.next);
      assert.equal((await fetch(`${airbyte.url}/__sandbox/airbyte/expire-tokens`, { method: 'POST' })).status, 200);
      const expired = await call(first.next, token);
      assert.equal(expired.status, 401);
      assert.equal((await json(expired)).title, 'invalid-api-key');
      const fresh = await applicationToken('alice');
      const second = await call(first.next, fresh);
      assert.equal(second.status, 200);
      assert.equal((await json(second)).data.length, 5);
      for (const u of Object.keys(appTokens)) appTokens[u] = await applicationToken(u);
    });

    it('honours a short token lifetime set through the control endpoint', async function () {
      await fetch(`${airbyte.url}/__sandbox/airbyte/token-lifetime`, { method: 'POST', body: JSON.stringify({ seconds: 1 }) });
      try {
        const res = await fetch(`${base}/applications/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ client_id: 'gatehouse-demo-bob', client_secret: 'bob-airbyte-secret' }) });
        const body = await json(res);
        assert.equal(body.expires_in, 1);
        await sleep(1_100);
        assert.equal((await call('/workspaces', body.access_token)).status, 401);
      } finally {
        await fetch(`${airbyte.url}/__sandbox/airbyte/token-lifetime`, { method: 'POST', body: JSON.stringify({ seconds: 900 }) });
      }
    });
  });

  describe('workspaces and connections', function () {
    const cases: [string, string[]][] = [
      ['alice', ['Shop Analytics', 'Finance Pipelines']],
      ['bob', ['Shop Analytics']],
      ['olivia', []],
    ];
    for (const [user, names] of cases) {
      it(`${user} sees workspaces ${JSON.stringify(names)} with an IdP token and with an application token`, async function () {
        for (const token of [idpTokens[user], appTokens[user]]) {
          const body = await json(await call('/workspaces', token));
          spec.assertValid('WorkspacesResponse', body);
          assert.deepEqual(body.data.map((w: { name: string }) => w.name).sort(), [...names].sort());
        }
      });
    }

    it('filters connections by repeated workspaceIds and pages with next/previous links', async function () {
      const all = await json(await call('/connections', idpTokens.alice));
      spec.assertValid('ConnectionsResponse', all);
      assert.equal(all.data.length, 5);
      const shop = await json(await call(`/connections?workspaceIds=${WORKSPACE_IDS.shop}&workspaceIds=${WORKSPACE_IDS.finance}&limit=2`, idpTokens.alice));
      assert.equal(shop.data.length, 2);
      assert.equal(shop.previous, undefined);
      const next = new URL(shop.next);
      assert.deepEqual(next.searchParams.getAll('workspaceIds'), [WORKSPACE_IDS.shop, WORKSPACE_IDS.finance]);
      assert.equal(next.searchParams.get('offset'), '2');
      const page2 = await json(await call(shop.next, idpTokens.alice));
      assert.equal(page2.data.length, 2);
      assert.ok(page2.previous && page2.next);
      const page3 = await json(await call(page2.next, idpTokens.alice));
      assert.equal(page3.data.length, 1);
      assert.equal(page3.next, undefined);
      const finance = await json(await call(`/connections?workspaceIds=${WORKSPACE_IDS.finance}`, idpTokens.alice));
      assert.deepEqual(finance.data.map((c: { name: string }) => c.name), ['Finance ledger → BigQuery finance']);
    });

    it('serves a connection with its source and destination names', async function () {
      const conn = await json(await call(`/connections/${CONNECTION_IDS.postgresShop}`, idpTokens.bob));
      spec.assertValid('ConnectionResponse', conn);
      assert.equal(conn.status, 'active');
      assert.equal(conn.schedule.scheduleType, 'cron');
      const source = await json(await call(`/sources/${conn.sourceId}`, idpTokens.bob));
      const destination = await json(await call(`/destinations/${conn.destinationId}`, idpTokens.bob));
      assert.equal(source.name, 'Postgres (shop)');
      assert.equal(destination.name, 'BigQuery raw');
      const inactive = await json(await call(`/connections/${CONNECTION_IDS.salesforce}`, idpTokens.bob));
      assert.equal(inactive.status, 'inactive');
    });

    const denied: [string, string, number, string][] = [
      ['bob reads a Finance connection', `/connections/${CONNECTION_IDS.financeLedger}`, 403, 'forbidden'],
      ['olivia reads a Shop workspace', `/workspaces/${WORKSPACE_IDS.shop}`, 403, 'forbidden'],
      ['bob filters on the Finance workspace', `/connections?workspaceIds=${WORKSPACE_IDS.finance}`, 403, 'forbidden'],
      ['bob reads an unknown connection', '/connections/00000000-0000-4000-8000-000000000000', 404, 'resource-not-found'],
      ['bob asks for limit=500', '/jobs?limit=500', 400, 'bad-request'],
      ['bob asks for an unknown job status', '/jobs?status=done', 400, 'bad-request'],
    ];
    for (const [what, path, status, title] of denied) {
      it(`${what}: ${status} ${title}`, async function () {
        const res = await call(path, path.includes('workspaces/') ? idpTokens.olivia : idpTokens.bob);
        assert.equal(res.status, status);
        assert.equal((await json(res)).title, title);
      });
    }
  });

  describe('jobs', function () {
    it('lists history with filters, ordering and paging', async function () {
      const page = await json(await call(`/jobs?connectionId=${CONNECTION_IDS.postgresShop}&limit=10`, idpTokens.bob));
      spec.assertValid('JobsResponse', page);
      assert.equal(page.data.length, 10);
      assert.ok(page.data.every((j: { connectionId: string }) => j.connectionId === CONNECTION_IDS.postgresShop));
      const starts = page.data.map((j: { startTime: string }) => Date.parse(j.startTime));
      assert.deepEqual(starts, [...starts].sort((a, b) => b - a), 'createdAt|DESC by default');
      const asc = await json(await call(`/jobs?connectionId=${CONNECTION_IDS.postgresShop}&orderBy=createdAt|ASC&limit=100`, idpTokens.bob));
      assert.ok(asc.data.length >= 28);
      assert.ok(Date.parse(asc.data[0].startTime) < Date.parse(asc.data[1].startTime));
      const failed = await json(await call(`/jobs?status=failed&limit=100`, idpTokens.bob));
      assert.ok(failed.data.length > 0);
      assert.ok(failed.data.every((j: { status: string }) => j.status === 'failed'));
      const resets = await json(await call('/jobs?jobType=reset', idpTokens.bob));
      assert.ok(resets.data.every((j: { jobType: string }) => j.jobType === 'reset'));
      const bobAll = await json(await call('/jobs?limit=100', idpTokens.bob));
      const aliceAll = await json(await call('/jobs?limit=100', idpTokens.alice));
      assert.ok(aliceAll.data.length > bobAll.data.length, 'bob does not see Finance jobs');
      assert.equal((await json(await call('/jobs', idpTokens.olivia))).data.length, 0);
    });

    it('a sync goes pending → running → succeeded with rows growing, and a second sync meanwhile is a 409', async function () {
      const res = await trigger(appTokens.alice, CONNECTION_IDS.postgresShop);
      assert.equal(res.status, 200);
      const job = await json(res);
      spec.assertValid('JobResponse', job);
      assert.throws(() => spec.assertValid('JobResponse', { ...job, jobId: String(job.jobId) }), 'the validator does check');
      assert.equal(job.status, 'pending');
      assert.equal(job.jobType, 'sync');
      const again = await trigger(idpTokens.alice, CONNECTION_IDS.postgresShop);
      assert.equal(again.status, 409);
      assert.deepEqual(await json(again), {
        message: `A sync is already running for: ${CONNECTION_IDS.postgresShop}`,
        exceptionClassName: 'io.airbyte.commons.server.errors.ValueConflictKnownException',
      });
      const running = await json(await call(`/jobs?connectionId=${CONNECTION_IDS.postgresShop}&status=pending`, idpTokens.alice));
      assert.equal(running.data[0].jobId, job.jobId, 'the conflict can be resolved by listing the active job');
      const rows: number[] = [];
      const seen: string[] = [];
      const deadline = Date.now() + 10_000;
      let last: any;
      while (Date.now() < deadline) {
        last = await json(await call(`/jobs/${job.jobId}`, appTokens.alice));
        if (seen[seen.length - 1] !== last.status) seen.push(last.status);
        if (last.status === 'running') rows.push(last.rowsSynced);
        if (last.status === 'succeeded') break;
        await sleep(20);
      }
      spec.assertValid('JobResponse', last);
      assert.deepEqual(seen, ['pending', 'running', 'succeeded']);
      assert.ok(rows.length >= 2 && rows[rows.length - 1] > rows[0], `rows grow while running: ${rows.join(',')}`);
      assert.equal(last.rowsSynced, 48_200);
      assert.equal(last.bytesSynced, 48_200 * 212);
      assert.match(last.duration, /^PT/);
      assert.equal((await trigger(appTokens.alice, CONNECTION_IDS.postgresShop)).status, 200, 'a new sync is allowed once done');
    });

    it('the Stripe connection fails after a retried attempt', async function () {
      const job = await json(await trigger(idpTokens.alice, CONNECTION_IDS.stripe));
      const seen: string[] = [];
      const done = await waitForTerminal(job.jobId, idpTokens.alice, seen);
      assert.equal(done.status, 'failed');
      assert.ok(seen.every((s) => ['pending', 'running', 'incomplete', 'failed'].includes(s)), seen.join(','));
      assert.ok(done.rowsSynced > 0 && done.rowsSynced < 9_800);
    });

    it('DELETE cancels a running job; cancelling again is a 422', async function () {
      const job = await json(await trigger(idpTokens.alice, CONNECTION_IDS.shopify));
      const cancelled = await call(`/jobs/${job.jobId}`, idpTokens.alice, { method: 'DELETE' });
      assert.equal(cancelled.status, 200);
      const body = await json(cancelled);
      spec.assertValid('JobResponse', body);
      assert.equal(body.status, 'cancelled');
      await sleep(1_200);
      assert.equal((await json(await call(`/jobs/${job.jobId}`, idpTokens.alice))).status, 'cancelled', 'stays cancelled');
      const again = await call(`/jobs/${job.jobId}`, idpTokens.alice, { method: 'DELETE' });
      assert.equal(again.status, 422);
    });

    const refusals: [string, () => Promise<Response>, number, string][] = [
      ['bob triggers a sync (read-only in Shop Analytics)', () => trigger(idpTokens.bob, CONNECTION_IDS.shopify), 403, 'forbidden'],
      ['bob triggers with an application token', () => trigger(appTokens.bob, CONNECTION_IDS.shopify), 403, 'forbidden'],
      ['olivia triggers a sync', () => trigger(idpTokens.olivia, CONNECTION_IDS.shopify), 403, 'forbidden'],
      ['alice syncs the inactive Salesforce connection', () => trigger(idpTokens.alice, CONNECTION_IDS.salesforce), 422, 'unprocessable-entity'],
      ['alice sends an unknown jobType', () => trigger(idpTokens.alice, CONNECTION_IDS.shopify, 'rebuild'), 400, 'bad-request'],
      ['alice sends no connectionId', () => call('/jobs', idpTokens.alice, { method: 'POST', body: JSON.stringify({ jobType: 'sync' }) }), 400, 'bad-request'],
      ['alice triggers an unknown connection', () => trigger(idpTokens.alice, '00000000-0000-4000-8000-000000000000'), 404, 'resource-not-found'],
    ];
    for (const [what, send, status, title] of refusals) {
      it(`${what}: ${status} ${title}`, async function () {
        const res = await send();
        assert.equal(res.status, status);
        assert.match(res.headers.get('content-type') ?? '', /problem\+json/);
        assert.equal((await json(res)).title, title);
      });
    }

    it('bob cannot cancel alice’s job', async function () {
      const job = await json(await trigger(idpTokens.alice, CONNECTION_IDS.financeLedger));
      const asBob = await call(`/jobs/${job.jobId}`, idpTokens.bob, { method: 'DELETE' });
      assert.equal(asBob.status, 403);
      await call(`/jobs/${job.jobId}`, idpTokens.alice, { method: 'DELETE' });
    });
  });

  describe('faults', function () {
    it('answers 429 with Retry-After when armed through the FaultRegistry, then recovers', async function () {
      ctx.faults.arm({ service: 'airbyte', path: '/jobs$', kind: 'status', status: 429, retryAfter: 2 });
      const limited = await call('/jobs', idpTokens.bob);
      assert.equal(limited.status, 429);
      assert.equal(limited.headers.get('retry-after'), '2');
      assert.equal((await call('/jobs', idpTokens.bob)).status, 200);
    });

    it('arms faults over HTTP too', async function () {
      await fetch(`${airbyte.url}/__sandbox/faults`, { method: 'POST', body: JSON.stringify({ path: '/workspaces$', kind: 'status', status: 503, retryAfter: 1 }) });
      assert.equal((await call('/workspaces', idpTokens.bob)).status, 503);
      assert.equal((await call('/workspaces', idpTokens.bob)).status, 200);
    });
  });
});
