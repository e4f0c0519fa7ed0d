// The sandbox dbt Cloud over HTTP: personal tokens, service tokens and IdP tokens through the
// identity-aware proxy, account roles, the envelope,
// paging, run progression, overrides, cancel, artifacts, faults, and bodies checked against
// dbt Cloud's OpenAPI v2 spec.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDbtCloud, DBT_CLOUD_JOB_IDS, DBT_CLOUD_SERVICE_TOKENS } from '../../sandbox/dbt-cloud';
import { AUDIENCES } from '../../sandbox/constants';
import { GoogleTokenStore, type RunningService, type SandboxContext } from '../../sandbox/context';
import { Directory } from '../../sandbox/directory';
import { FaultRegistry } from '../../sandbox/faults';
import { startIdp, type RunningIdp } from '../../sandbox/idp';
import { ProxyAssertions, startIdentityProxy, type RunningProxy } from '../../sandbox/identityProxy';
import { DEMO_PROJECT_DIR } from '../../sandbox/demo-workspace/generate-manifest';
import { openApiValidator, type OpenApiValidator } from './openapi-validator';
import { sharedPath } from '../../support/shared';

const SPEC = sharedPath('reference', 'specs', 'dbt-openapi-v2.yaml');
const ACCOUNT = 70403;
const PAT = { alice: 'dbtu_alice_gatehouse_demo_3f9a1c', bob: 'dbtu_bob_gatehouse_demo_7b2e4d', olivia: 'dbtu_olivia_gatehouse_demo_c81f05' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('sandbox dbt Cloud (Administrative API v2/v3)', function () {
  this.timeout(30_000);
  let idp: RunningIdp;
  let dbt: RunningService;
  let ctx: SandboxContext;
  let spec: OpenApiValidator;
  let proxy: RunningProxy;
  let aliceJwt: string;
  let bobJwt: string;
  /** IdP tokens go to the identity-aware proxy: dbt Cloud itself refuses them. */
  const viaProxy = new Set<string>();

  before(async function () {
    const directory = new Directory();
    const faults = new FaultRegistry();
    idp = await startIdp({ directory, faults, log: () => undefined });
    const assertions = await ProxyAssertions.create(directory);
    ctx = { directory, idp, identityProxy: assertions, googleTokens: new GoogleTokenStore(), faults, warehouse: { query: async () => ({ fields: [], rows: [] }) }, log: () => undefined };
    dbt = await startDbtCloud(ctx, { speed: 50 });
    proxy = await startIdentityProxy({ service: 'dbtCloud', upstream: dbt.url, idp, assertions });
    spec = openApiValidator(SPEC, { optionalMayBeNull: true });
    aliceJwt = await idp.tokenFor('alice', AUDIENCES.dbtCloud);
    bobJwt = await idp.tokenFor('bob', AUDIENCES.dbtCloud);
    viaProxy.add(`Bearer ${aliceJwt}`).add(`Bearer ${bobJwt}`);
  });
  after(async () => {
    await proxy?.close();
    await dbt?.close();
    await idp?.close();
  });
  afterEach(() => ctx.faults.clear());

  const call = (path: string, auth: string | undefined, init: RequestInit = {}) =>
    fetch(`${auth && viaProxy.has(auth) ? proxy.url : dbt.url}${path}`, { ...init, headers: { ...(auth ? { authorization: auth } : {}), ...(init.body ? { 'content-type': 'application/json' } : {}) } });
  const json = async (res: Response): Promise<any> => res.json();
  const acct = (p: string) => `/api/v2/accounts/${ACCOUNT}${p}`;
  const runJob = (auth: string, jobId: number, body: Record<string, unknown> = { cause: 'Triggered from VS Code by a test' }) =>
    call(acct(`/jobs/${jobId}/run/`), auth, { method: 'POST', body: JSON.stringify(body) });
  const related = encodeURIComponent('["run_steps","job"]');

  function assertEnvelopeError(body: any, code: number): void {
    assert.equal(body.data, null);
    assert.equal(body.status.code, code);
    assert.equal(body.status.is_success, false);
    assert.equal(typeof body.status.user_message, 'string');
  }

  describe('authentication and permissions', function () {
    const bad: [string, string | undefined][] = [
      ['no Authorization header', undefined],
      ['a token without prefix', PAT.alice],
      ['an unknown personal token', 'Token dbtu_nobody'],
    ];
    for (const [what, auth] of bad) {
      it(`401 with the envelope for ${what}`, async function () {
        const res = await call('/api/v2/accounts/', auth);
        assert.equal(res.status, 401);
        assertEnvelopeError(await json(res), 401);
      });
    }

    it('401 for an IdP token issued for another audience', async function () {
      const airbyteJwt = await idp.tokenFor('alice', AUDIENCES.airbyte);
      assert.equal((await call('/api/v2/accounts/', `Bearer ${airbyteJwt}`)).status, 401);
    });

    it('accepts `Token <PAT>`, `Bearer <PAT>`, and `Bearer <IdP JWT>` through the proxy', async function () {
      for (const auth of [`Token ${PAT.alice}`, `Bearer ${PAT.alice}`, `Bearer ${aliceJwt}`]) {
        // Not checked against AccountListEnveloped: the spec marks lock_reason, trial_end_date... required
        // strings where dbt Cloud sends null, and the sandbox sends what dbt Cloud sends.
        const body = await json(await call('/api/v2/accounts/', auth));
        assert.deepEqual(body.status, { code: 200, is_success: true, user_message: 'Success!', developer_message: '' });
        assert.deepEqual(body.extra.pagination, { count: 1, total_count: 1 });
        assert.deepEqual(body.data.map((a: { id: number }) => a.id), [ACCOUNT]);
      }
    });

    it('service tokens act as their permission set: Analyst reads but may not trigger, Job Admin triggers', async function () {
      const [analyst, jobAdmin] = ['Analyst', 'Job Admin'].map((p) => `Token ${Object.entries(DBT_CLOUD_SERVICE_TOKENS).find(([, t]) => t.permission === p)![0]}`);
      assert.ok(analyst.startsWith('Token dbtc_') && jobAdmin.startsWith('Token dbtc_'));
      assert.deepEqual((await json(await call('/api/v2/accounts/', analyst))).data.map((a: { id: number }) => a.id), [ACCOUNT]);
      assert.equal((await call(acct('/jobs/'), analyst)).status, 200);
      const refused = await runJob(analyst, DBT_CLOUD_JOB_IDS.ci);
      assert.equal(refused.status, 403);
      assertEnvelopeError(await json(refused), 403);
      const run = await json(await runJob(jobAdmin, DBT_CLOUD_JOB_IDS.ci));
      assert.equal(run.status.code, 200);
      assert.equal((await call(acct(`/runs/${run.data.id}/cancel/`), jobAdmin, { method: 'POST' })).status, 200);
      assert.equal((await call(acct('/jobs/'), 'Token dbtc_not_a_token')).status, 401);
    });

    it('olivia sees no account and is refused inside it', async function () {
      const list = await json(await call('/api/v3/accounts/', `Token ${PAT.olivia}`));
      assert.deepEqual(list.data, []);
      for (const path of [acct('/jobs/'), `/api/v3/accounts/${ACCOUNT}/projects/`]) {
        const res = await call(path, `Token ${PAT.olivia}`);
        assert.equal(res.status, 403);
        assertEnvelopeError(await json(res), 403);
      }
      assert.equal((await call('/api/v2/accounts/1/jobs/', `Token ${PAT.alice}`)).status, 404);
    });

    it('bob may list but not trigger or cancel: 403 envelope', async function () {
      assert.equal((await call(acct('/runs/'), `Bearer ${bobJwt}`)).status, 200);
      const trigger = await runJob(`Bearer ${bobJwt}`, DBT_CLOUD_JOB_IDS.nightly);
      assert.equal(trigger.status, 403);
      assertEnvelopeError(await json(trigger), 403);
      const anyRun = (await json(await call(acct('/runs/?limit=1'), `Token ${PAT.bob}`))).data[0];
      assert.equal((await call(acct(`/runs/${anyRun.id}/cancel/`), `Token ${PAT.bob}`, { method: 'POST' })).status, 403);
    });
  });

  describe('account, projects, environments, jobs', function () {
    it('v3 lists the project and its environments', async function () {
      const projects = await json(await call(`/api/v3/accounts/${ACCOUNT}/projects/`, `Token ${PAT.bob}`));
      assert.deepEqual(projects.data.map((p: { name: string }) => p.name), ['jaffle_gatehouse']);
      assert.deepEqual(projects.extra.pagination, { count: 1, total_count: 1 });
      const envs = await json(await call(`/api/v3/accounts/${ACCOUNT}/projects/${projects.data[0].id}/environments/`, `Token ${PAT.bob}`));
      assert.deepEqual(envs.data.map((e: { name: string }) => e.name), ['Production', 'CI']);
    });

    it('lists jobs with filters, order_by and paging in the envelope', async function () {
      const all = await json(await call(acct('/jobs/'), `Token ${PAT.bob}`));
      spec.assertValid('HumanReadableJobDefinitionListEnveloped', all);
      assert.deepEqual(all.data.map((j: { name: string }) => j.name), ['Nightly build', 'Hourly marts', 'CI check']);
      assert.deepEqual(all.data.map((j: { execute_steps: string[] }) => j.execute_steps[0]), ['dbt build', 'dbt run --select marts', 'dbt build --select state:modified+']);
      const page = await json(await call(acct('/jobs/?order_by=-id&limit=2&offset=1'), `Token ${PAT.bob}`));
      assert.deepEqual(page.data.map((j: { id: number }) => j.id), [DBT_CLOUD_JOB_IDS.hourlyMarts, DBT_CLOUD_JOB_IDS.nightly]);
      assert.deepEqual(page.extra.pagination, { count: 2, total_count: 3 });
      assert.equal(page.extra.order_by, '-id');
      assert.equal(page.extra.filters.limit, 2);
      const prod = await json(await call(acct(`/jobs/?project_id=${all.data[0].project_id}&environment_id=218763`), `Token ${PAT.bob}`));
      assert.deepEqual(prod.data.map((j: { name: string }) => j.name), ['CI check']);
      const one = await json(await call(acct(`/jobs/${DBT_CLOUD_JOB_IDS.nightly}/`), `Token ${PAT.bob}`));
      spec.assertValid('HumanReadableJobDefinitionEnveloped', one);
      assert.equal(one.status.is_success, true);
    });
  });

  describe('runs', function () {
    it('lists historical runs by job and status, newest first, with paging', async function () {
      const page = await json(await call(acct(`/runs/?job_definition_id=${DBT_CLOUD_JOB_IDS.hourlyMarts}&order_by=-id&limit=10&offset=0`), `Token ${PAT.bob}`));
      spec.assertValid('RunResponseListEnveloped', page);
      assert.equal(page.data.length, 10);
      assert.ok(page.extra.pagination.total_count >= 48);
      const ids = page.data.map((r: { id: number }) => r.id);
      assert.deepEqual(ids, [...ids].sort((a, b) => b - a));
      const next = await json(await call(acct(`/runs/?job_definition_id=${DBT_CLOUD_JOB_IDS.hourlyMarts}&order_by=-id&limit=10&offset=10`), `Token ${PAT.bob}`));
      assert.ok(next.data[0].id < ids[9]);
      const errors = await json(await call(acct(`/runs/?status__in=[20,30]&limit=100`), `Token ${PAT.bob}`));
      assert.ok(errors.data.length >= 3);
      assert.ok(errors.data.every((r: { status: number; is_error: boolean; is_cancelled: boolean }) => (r.status === 20 && r.is_error) || (r.status === 30 && r.is_cancelled)));
      assert.deepEqual(errors.extra.filters.status__in, [20, 30]);
      const done = page.data.find((r: { status: number }) => r.status === 10);
      assert.equal(done.is_complete, true);
      assert.match(done.duration, /^\d\d:\d\d:\d\d$/);
      assert.match(done.created_at, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}\+00:00$/);
    });

    it('a run goes 1 → 2 → 3 → 10 with overrides honoured, and artifacts appear only when it completes', async function () {
      const steps = ['dbt build --select stg_orders+'];
      const res = await runJob(`Token ${PAT.alice}`, DBT_CLOUD_JOB_IDS.nightly, { cause: 'Triggered from VS Code by alice', git_branch: 'feature/x', schema_override: 'dbt_alice', steps_override: steps, threads_override: 8 });
      assert.equal(res.status, 200);
      const triggered = await json(res);
      spec.assertValid('RunResponseEnveloped', triggered);
      assert.throws(() => spec.assertValid('RunResponseEnveloped', { ...triggered, data: { ...triggered.data, status: 'queued' } }), 'the validator does check');
      const run = triggered.data;
      assert.equal(run.status, 1);
      assert.equal(run.status_humanized, 'Queued');
      assert.equal(run.in_progress, true);
      assert.equal(run.git_branch, 'feature/x');
      assert.equal(run.trigger.schema_override, 'dbt_alice');
      assert.deepEqual(run.trigger.steps_override, steps);
      assert.equal(run.trigger.threads_override, 8);
      assert.equal(run.job.name, 'Nightly build');
      assert.match(run.href, new RegExp(`/deploy/${ACCOUNT}/projects/\\d+/runs/${run.id}/$`));
      assert.equal((await call(acct(`/runs/${run.id}/artifacts/manifest.json`), `Token ${PAT.alice}`)).status, 404);
      assert.deepEqual((await json(await call(acct(`/runs/${run.id}/artifacts/`), `Token ${PAT.alice}`))).data, []);

      const seen: number[] = [];
      let last: any;
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        // Direct (not through the proxy): the states are brief at this speed.
        last = (await json(await call(acct(`/runs/${run.id}/?include_related=${related}`), `Token ${PAT.alice}`))).data;
        if (seen[seen.length - 1] !== last.status) seen.push(last.status);
        if (last.is_complete) break;
        await sleep(15);
      }
      assert.deepEqual(seen, [1, 2, 3, 10]);
      assert.equal(last.is_success, true);
      assert.ok(last.finished_at && last.started_at && last.dequeued_at);
      assert.deepEqual(last.run_steps.map((s: { name: string }) => s.name), [
        'Clone git repository',
        'Create profile from connection BigQuery',
        'Invoke dbt deps',
        'Invoke dbt build --select stg_orders+',
        'Invoke dbt docs generate',
      ]);
      assert.ok(last.run_steps.every((s: { status: number }) => s.status === 10));
      assert.match(last.run_steps[3].logs, /schema override: dbt_alice/);
      assert.equal(last.job.id, DBT_CLOUD_JOB_IDS.nightly);

      const list = await json(await call(acct(`/runs/${run.id}/artifacts/`), `Token ${PAT.bob}`));
      assert.deepEqual(list.data, ['manifest.json', 'run_results.json']);
      const manifestRes = await call(acct(`/runs/${run.id}/artifacts/manifest.json`), `Token ${PAT.bob}`);
      assert.equal(manifestRes.status, 200);
      const manifest = await json(manifestRes);
      assert.deepEqual(manifest, JSON.parse(readFileSync(join(DEMO_PROJECT_DIR, 'target', 'manifest.json'), 'utf8')), 'raw manifest, not enveloped');
      const results = await json(await call(acct(`/runs/${run.id}/artifacts/run_results.json?step=4`), `Token ${PAT.bob}`));
      assert.ok(results.results.every((r: { status: string }) => ['success', 'pass'].includes(r.status)));
    });

    it('the CI check job ends in Error with a failing test in run_results', async function () {
      const run = (await json(await runJob(`Token ${PAT.alice}`, DBT_CLOUD_JOB_IDS.ci))).data;
      let last: any;
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline && !last?.is_complete) {
        await sleep(25);
        last = (await json(await call(acct(`/runs/${run.id}/?include_related=run_steps`), `Token ${PAT.alice}`))).data;
      }
      assert.equal(last.status, 20);
      assert.equal(last.is_error, true);
      assert.equal(last.status_humanized, 'Error');
      assert.equal(last.run_steps.at(-1).status, 20);
      const results = await json(await call(acct(`/runs/${run.id}/artifacts/run_results.json`), `Token ${PAT.alice}`));
      assert.ok(results.results.some((r: { status: string; unique_id: string }) => r.status === 'fail' && r.unique_id.includes('not_null_orders_amount')));
    });

    it('cancel turns a run in progress into 30 Cancelled; its artifacts stay 404', async function () {
      const run = (await json(await runJob(`Bearer ${aliceJwt}`, DBT_CLOUD_JOB_IDS.hourlyMarts))).data;
      const res = await call(acct(`/runs/${run.id}/cancel/`), `Bearer ${aliceJwt}`, { method: 'POST' });
      assert.equal(res.status, 200);
      const body = await json(res);
      spec.assertValid('RunResponseEnveloped', body);
      assert.equal(body.data.status, 30);
      assert.equal(body.data.is_cancelled, true);
      assert.equal(body.data.is_complete, true);
      await sleep(800);
      assert.equal((await json(await call(acct(`/runs/${run.id}/`), `Bearer ${aliceJwt}`))).data.status, 30);
      assert.equal((await call(acct(`/runs/${run.id}/artifacts/run_results.json`), `Bearer ${aliceJwt}`)).status, 404);
    });

    it('requires a cause: 400 with the field error in the envelope', async function () {
      const res = await runJob(`Token ${PAT.alice}`, DBT_CLOUD_JOB_IDS.nightly, { git_branch: 'main' });
      assert.equal(res.status, 400);
      const body = await json(res);
      assert.equal(body.status.is_success, false);
      assert.deepEqual(body.data, { cause: ['This field is required.'] });
    });

    it('404 envelope for an unknown run or job', async function () {
      for (const path of [acct('/runs/1/'), acct('/jobs/1/')]) {
        const res = await call(path, `Token ${PAT.alice}`);
        assert.equal(res.status, 404);
        assertEnvelopeError(await json(res), 404);
      }
    });

    it('serves the run page the href points at', async function () {
      const run = (await json(await call(acct('/runs/?limit=1'), `Token ${PAT.bob}`))).data[0];
      const page = await fetch(run.href);
      assert.equal(page.status, 200);
      assert.match(await page.text(), new RegExp(`run #${run.id}`));
    });
  });

  it('answers 429 with Retry-After when armed through the FaultRegistry, then recovers', async function () {
    ctx.faults.arm({ service: 'dbtCloud', path: '/runs/$', kind: 'status', status: 429, retryAfter: 3 });
    const limited = await call(acct('/runs/'), `Token ${PAT.bob}`);
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '3');
    assert.equal((await call(acct('/runs/'), `Token ${PAT.bob}`)).status, 200);
  });
});
