// The BigQuery client against the sandbox BigQuery and Google STS: federated credentials from a
// real id token, paging, long-running jobs, cancel, retries and the error reasons.
import * as assert from 'node:assert/strict';
import { BigQueryError } from '../../../src/bigquery/errors';
import { newJobId } from '../../../src/bigquery/client';
import { GOOGLE_WORKLOAD_AUDIENCE } from '../../sandbox/google-sts';
import { GOOGLE_WORKFORCE_AUDIENCE } from '../../sandbox/constants';
import { useBigQueryFixture, type BigQueryFixture } from './fixture';

const DELAY = (s: number) => `/* sandbox:delay=${s}s */`;

describe('BigQuery client against the sandbox', function () {
  this.timeout(30_000);
  const fixture = useBigQueryFixture();
  let f: BigQueryFixture;
  before(() => (f = fixture()));
  afterEach(() => f.sandbox.ctx.faults.clear());

  describe('federated credentials', () => {
    const visible: [string, string[]][] = [
      ['alice', ['gatehouse-demo', 'gatehouse-finance']],
      ['bob', ['gatehouse-demo']],
      ['olivia', []],
    ];
    for (const [user, projects] of visible) {
      it(`lists the projects ${user} may see`, async () => {
        const { client } = await f.client(user);
        assert.deepEqual((await client.listProjects()).items.map((p) => p.id).sort(), projects);
      });
    }

    it('exchanges the id token once and then reuses the Google token (no IdP or STS round trip per query)', async () => {
      const before = f.stsExchanges('alice');
      const { client, idTokenCalls, minted } = await f.client('alice');
      for (let i = 0; i < 3; i++) {
        const ref = await client.startQuery(`select ${i} as n`);
        await client.waitForQuery(ref);
      }
      await client.listProjects();
      assert.equal(f.stsExchanges('alice') - before, 1, 'one STS exchange for three queries and a listing');
      assert.equal(idTokenCalls(), 1, 'the id token was asked for once');
      // The one exchange is what the audit trail records as the federation exchange.
      assert.deepEqual(minted, [{ origin: 'google-federation', audience: GOOGLE_WORKFORCE_AUDIENCE, serviceAccount: undefined }]);
    });

    it('impersonates a service account for alice (workload pool) and refuses bob with a typed reason', async () => {
      const federation = {
        audience: GOOGLE_WORKLOAD_AUDIENCE,
        workforcePoolUserProject: undefined,
        serviceAccountImpersonationUrl: `${f.sandbox.urls.sts}/v1/projects/-/serviceAccounts/bigquery-engineers@gatehouse-demo.iam.gserviceaccount.com:generateAccessToken`,
      };
      const alice = await f.client('alice', { federation });
      assert.equal(alice.client.credentialOrigin, 'google-impersonation');
      const ref = await alice.client.startQuery('select 1 as one');
      await alice.client.waitForQuery(ref);
      const job = await alice.client.getJob(ref);
      assert.equal(job.state, 'DONE');
      assert.deepEqual(alice.minted, [{ origin: 'google-impersonation', audience: GOOGLE_WORKLOAD_AUDIENCE, serviceAccount: 'bigquery-engineers@gatehouse-demo.iam.gserviceaccount.com' }]);
      const bob = await f.client('bob', { federation });
      await assert.rejects(bob.client.listProjects(), (e: unknown) => BigQueryError.is(e, 'federationRefused'));
      assert.deepEqual(bob.minted, [], 'a refused exchange mints nothing');
    });

    it('reports a refused token exchange as federationRefused without the STS description', async () => {
      const { client } = await f.client('alice', { federation: { audience: '//iam.googleapis.com/locations/global/workforcePools/other/providers/x' } });
      await assert.rejects(client.listProjects(), (e: unknown) => {
        assert.ok(BigQueryError.is(e, 'federationRefused'));
        assert.doesNotMatch(e.message, /parameters is invalid/);
        return true;
      });
    });
  });

  describe('listing and paging', () => {
    it('pages the 250 marketing tables with nextPageToken until it is absent', async () => {
      const { client } = await f.client('bob');
      const ids: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await client.listTables({ projectId: 'gatehouse-demo', datasetId: 'marketing' }, { maxResults: 100, pageToken: token });
        ids.push(...page.items.map((t) => t.tableId));
        token = page.nextPageToken;
        pages++;
      } while (token);
      assert.equal(pages, 3);
      assert.equal(new Set(ids).size, 250);
    });

    it('reads a table with tabledata.list page by page (free preview), int64 timestamps', async () => {
      const { client } = await f.client('bob');
      const ref = { projectId: 'gatehouse-demo', datasetId: 'events', tableId: 'page_views' };
      const first = await client.listTableData(ref, { maxResults: 7 });
      assert.equal(first.rows.length, 7);
      assert.equal(first.totalRows, 20_000);
      assert.ok(first.pageToken);
      const second = await client.listTableData(ref, { maxResults: 7, pageToken: first.pageToken });
      assert.equal(second.rows[0].f[0].v, '8');
      const meta = await client.getTable(ref);
      const ts = meta.schema.findIndex((c) => c.type === 'TIMESTAMP');
      assert.match(String(first.rows[0].f[ts].v), /^\d{16}$/);
    });

    it('describes nested RECORD fields and a view', async () => {
      const { client } = await f.client('bob');
      const customers = await client.getTable({ projectId: 'gatehouse-demo', datasetId: 'analytics', tableId: 'customers' });
      const addresses = customers.schema.find((c) => c.name === 'addresses');
      assert.equal(addresses?.type, 'RECORD');
      assert.equal(addresses?.mode, 'REPEATED');
      assert.deepEqual(addresses?.fields?.map((c) => c.name), ['street', 'city', 'country']);
      const views = (await client.listTables({ projectId: 'gatehouse-demo', datasetId: 'analytics' })).items.filter((t) => t.type === 'VIEW');
      assert.ok(views.length > 0);
      assert.ok((await client.getTable(views[0])).viewQuery);
    });
  });

  describe('errors', () => {
    it('403 accessDenied is not retried and keeps its reason', async () => {
      const { client, logLines } = await f.client('bob');
      await assert.rejects(client.listTables({ projectId: 'gatehouse-demo', datasetId: 'raw' }), (e: unknown) => BigQueryError.is(e, 'accessDenied') && e.status === 403);
      assert.equal(logLines.filter((l) => /attempt \d follows/.test(l)).length, 0);
    });

    it('403 rateLimitExceeded on a read is retried with backoff until it succeeds', async () => {
      const { client, logLines } = await f.client('bob');
      const body = { error: { code: 403, message: 'Exceeded rate limits: too many api requests per user per method for this user_method.', errors: [{ reason: 'rateLimitExceeded', domain: 'usageLimits', message: 'Exceeded rate limits' }], status: 'PERMISSION_DENIED' } };
      f.sandbox.ctx.faults.arm({ service: 'bigquery', method: 'GET', path: '/projects/gatehouse-demo/datasets$', kind: 'status', status: 403, body, count: 2 });
      const page = await client.listDatasets('gatehouse-demo');
      assert.ok(page.items.some((d) => d.datasetId === 'analytics'));
      assert.equal(logLines.filter((l) => /rateLimitExceeded 403, attempt \d follows/.test(l)).length, 2);
    });

    it('gives up on a rate limit after the last attempt with reason rateLimitExceeded', async () => {
      const { client } = await f.client('bob', { retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 } });
      const body = { error: { code: 403, message: 'Exceeded rate limits', errors: [{ reason: 'rateLimitExceeded', message: 'Exceeded rate limits' }] } };
      f.sandbox.ctx.faults.arm({ service: 'bigquery', method: 'GET', path: '/projects$', kind: 'status', status: 403, body, count: 5 });
      await assert.rejects(client.listProjects(), (e: unknown) => BigQueryError.is(e, 'rateLimitExceeded'));
    });

    const notFound: [string, (c: Awaited<ReturnType<BigQueryFixture['client']>>['client']) => Promise<unknown>][] = [
      ['a missing table', (c) => c.getTable({ projectId: 'gatehouse-demo', datasetId: 'analytics', tableId: 'nope' })],
      ['a missing dataset', (c) => c.listTables({ projectId: 'gatehouse-demo', datasetId: 'nope' })],
      ['a job asked for in another location', (c) => c.getJob({ projectId: 'gatehouse-demo', jobId: 'gatehouse_x', location: 'EU' })],
    ];
    for (const [name, call] of notFound) {
      it(`404 notFound for ${name}`, async () => {
        const { client } = await f.client('alice');
        await assert.rejects(call(client), (e: unknown) => BigQueryError.is(e, 'notFound') && e.status === 404);
      });
    }

    const malformed: [string, object][] = [
      ['truncated JSON', { kind: 'malformed' }],
      ['a JSON array instead of an object', { kind: 'status', status: 200, body: [1, 2] }],
    ];
    for (const [name, fault] of malformed) {
      it(`a malformed body (${name}) is badResponse, not a crash`, async () => {
        const { client } = await f.client('alice');
        f.sandbox.ctx.faults.arm({ service: 'bigquery', method: 'GET', path: '/projects$', ...fault } as never);
        await assert.rejects(client.listProjects(), (e: unknown) => BigQueryError.is(e, 'badResponse'));
      });
    }

    it('a 503 on a read is retried; a hung request times out as a typed error', async () => {
      const { client } = await f.client('alice', { requestTimeoutMs: 300, retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 } });
      f.sandbox.ctx.faults.arm({ service: 'bigquery', method: 'GET', path: '/projects$', kind: 'status', status: 503 });
      assert.ok((await client.listProjects()).items.length > 0);
      f.sandbox.ctx.faults.arm({ service: 'bigquery', method: 'GET', path: '/projects$', kind: 'hang', count: 2 });
      const t0 = Date.now();
      await assert.rejects(client.listProjects(), (e: unknown) => BigQueryError.is(e, 'timeout'));
      assert.ok(Date.now() - t0 < 3_000);
    });

    it('invalidQuery carries line and column; jobs.create denied for olivia is accessDenied', async () => {
      const { client } = await f.client('alice');
      const ref = await client.startQuery('select order_id\nfrom `gatehouse-demo.analytics.orders`\nwhere order_id = = 1');
      await assert.rejects(client.waitForQuery(ref), (e: unknown) => {
        assert.ok(BigQueryError.is(e, 'invalidQuery'), String(e));
        assert.equal(e.location?.line, 3);
        assert.ok((e.location?.column ?? 0) >= 1);
        return true;
      });
      const olivia = await f.client('olivia');
      await assert.rejects(olivia.client.startQuery('select 1'), (e: unknown) => BigQueryError.is(e, 'accessDenied'));
    });
  });

  describe('jobs', () => {
    it('dry run reports the bytes a query will process and creates no job', async () => {
      const { client } = await f.client('bob');
      const dry = await client.dryRun('select url, duration_ms from `gatehouse-demo.events.page_views`');
      assert.ok(dry.totalBytesProcessed > 0);
      assert.deepEqual(dry.referencedTables.map((t) => t.tableId), ['page_views']);
      const jobs = (await client.listJobs({ maxResults: 200 })).items;
      assert.ok(!jobs.some((j) => j.query?.includes('select url, duration_ms')));
    });

    it('polls while jobComplete is false, then returns rows, statistics and labels', async () => {
      const { client } = await f.client('bob');
      const ref = await client.startQuery(`${DELAY(1)} select country, count(*) as n from \`gatehouse-demo.events.page_views\` group by country`);
      const progress: number[] = [];
      const done = await client.waitForQuery(ref, { pollTimeoutMs: 200, firstPageSize: 5, onProgress: (p) => progress.push(p.elapsedMs) });
      assert.ok(progress.length >= 2, `answered jobComplete:false ${progress.length} times first`);
      assert.deepEqual(done.schema.map((c) => c.name), ['country', 'n']);
      assert.ok(done.totalRows > 0);
      assert.ok((done.firstPage?.rows.length ?? 0) > 0);
      assert.ok(Number(done.statistics.totalBytesProcessed) > 0);
      const job = await client.getJob(ref);
      assert.deepEqual(job.labels, { tool: 'gatehouse', 'gatehouse-user': 'bob' });
    });

    it('cancels the job at BigQuery when the wait is aborted', async () => {
      const { client } = await f.client('alice');
      const ref = await client.startQuery(`${DELAY(20)} select 1 as x`);
      const abort = new AbortController();
      const t0 = Date.now();
      setTimeout(() => abort.abort(), 300);
      await assert.rejects(client.waitForQuery(ref, { signal: abort.signal, pollTimeoutMs: 5_000 }), (e: unknown) => BigQueryError.is(e, 'cancelled'));
      assert.ok(Date.now() - t0 < 3_000, 'the abort did not wait for the poll to return');
      const job = await client.getJob(ref);
      assert.equal(job.state, 'DONE');
      assert.equal(job.error?.reason, 'stopped');
    });

    it('cancels the job when the overall timeout passes', async () => {
      const { client } = await f.client('alice');
      const ref = await client.startQuery(`${DELAY(20)} select 2 as x`);
      await assert.rejects(client.waitForQuery(ref, { timeoutMs: 400, pollTimeoutMs: 5_000 }), (e: unknown) => BigQueryError.is(e, 'timeout'));
      assert.equal((await client.getJob(ref)).error?.reason, 'stopped');
    });

    it('does not start a second job when the insert is retried with the same job id', async () => {
      // The first attempt times out after the sandbox created the job (it holds the answer 50 ms),
      // so the retry meets 409 duplicate: the job is ours and runs once.
      const { client, logLines } = await f.client('alice', { requestTimeoutMs: 30 });
      const jobId = newJobId();
      const ref = await client.startQuery(`${DELAY(1)} select 3 as x`, { jobId });
      assert.equal(ref.jobId, jobId);
      assert.ok(logLines.some((l) => /POST .*\/jobs failed: timeout/.test(l)), 'the first attempt timed out');
      const { client: reader } = await f.client('alice');
      const mine = (await reader.listJobs({ maxResults: 500 })).items.filter((j) => j.ref.jobId === jobId);
      assert.equal(mine.length, 1);
    });

    it('an insert of a job id that already exists is reported as duplicate, never re-run silently', async () => {
      const { client } = await f.client('alice');
      const jobId = newJobId();
      await client.startQuery('select 4 as x', { jobId });
      await assert.rejects(client.startQuery('select 4 as x', { jobId }), (e: unknown) => BigQueryError.is(e, 'duplicate'));
    });

    it('runs named parameters', async () => {
      const { client } = await f.client('bob');
      const ref = await client.startQuery('select count(*) as n from `gatehouse-demo.events.page_views` where country = @c', { params: [{ name: 'c', type: 'STRING', value: 'NO' }] });
      const done = await client.waitForQuery(ref, { firstPageSize: 1 });
      const all = await client.waitForQuery(await client.startQuery('select count(*) as n from `gatehouse-demo.events.page_views`'), { firstPageSize: 1 });
      const n = Number(done.firstPage?.rows[0].f[0].v);
      assert.ok(n > 0 && n < Number(all.firstPage?.rows[0].f[0].v));
    });

    it('runs a script as a parent job with one child job per statement', async () => {
      const { client } = await f.client('bob');
      const ref = await client.startQuery('select 1 as warmup;\nselect 3 * 2 as doubled;');
      const done = await client.waitForQuery(ref, { firstPageSize: 10 });
      assert.equal(done.statistics.statementType, 'SCRIPT');
      assert.equal(done.firstPage?.rows[0].f[0].v, '6');
      const children = (await client.listJobs({ parentJobId: ref.jobId })).items;
      assert.equal(children.length, 2);
      assert.ok(children.every((c) => c.parentJobId === ref.jobId));
    });

    it('fails with bytesBilledLimitExceeded above maximumBytesBilled, and a cached rerun bills nothing', async () => {
      const { client } = await f.client('bob');
      const sql = 'select url from `gatehouse-demo.events.page_views`';
      await assert.rejects(client.waitForQuery(await client.startQuery(sql, { maximumBytesBilled: 1024 })), (e: unknown) => BigQueryError.is(e, 'bytesBilledLimitExceeded'));
      const first = await client.waitForQuery(await client.startQuery(sql));
      const second = await client.waitForQuery(await client.startQuery(sql));
      assert.equal(first.statistics.cacheHit, false);
      assert.equal(second.statistics.cacheHit, true);
      assert.equal(second.statistics.totalBytesBilled, '0');
    });

    it('pages a large result with getQueryResults', async () => {
      const { client } = await f.client('bob');
      const ref = await client.startQuery('select event_id from `gatehouse-demo.events.page_views` order by event_id');
      const done = await client.waitForQuery(ref, { firstPageSize: 1000 });
      assert.equal(done.totalRows, 20_000);
      const page = await client.getQueryResultsPage(ref, { pageToken: done.firstPage?.pageToken, maxResults: 1000 });
      assert.equal(page.rows[0].f[0].v, '1001');
      const tail = await client.getQueryResultsPage(ref, { startIndex: 19_999, maxResults: 1000 });
      assert.equal(tail.rows.length, 1);
      assert.equal(tail.pageToken, undefined);
    });

    it('lists only the caller’s own jobs', async () => {
      const { client } = await f.client('bob');
      const jobs = (await client.listJobs({ maxResults: 200 })).items;
      assert.ok(jobs.length > 0);
      assert.ok(jobs.every((j) => j.userEmail === 'bob@example.com'));
    });
  });
});
