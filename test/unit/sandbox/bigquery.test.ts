// The sandbox BigQuery server, driven by the official @google-cloud/bigquery client and checked
// against the discovery document's schemas.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BigQuery, type BigQueryOptions } from '@google-cloud/bigquery';
import Ajv from 'ajv';
import { GoogleTokenStore, type IdpTokenVerifier, type RunningService, type SandboxContext } from '../../sandbox/context';
import { Directory } from '../../sandbox/directory';
import { FaultRegistry } from '../../sandbox/faults';
import { createWarehouse, type DuckWarehouse } from '../../sandbox/warehouse';
import { startBigQuery } from '../../sandbox/bigquery';
import { sharedPath } from '../../support/shared';

const BQ_SCOPE = 'https://www.googleapis.com/auth/bigquery';
const DISCOVERY = sharedPath('reference', 'specs', 'bq_discovery.json');

const stubIdp: IdpTokenVerifier = {
  issuer: 'http://unused',
  verifyAccessToken: () => Promise.reject(new Error('BigQuery never calls the IdP')),
  verifyIdToken: () => Promise.reject(new Error('BigQuery never calls the IdP')),
};

interface Harness {
  ctx: SandboxContext;
  warehouse: DuckWarehouse;
  svc: RunningService;
  token(user: string, scopes?: string[]): string;
  client(user: string, extra?: BigQueryOptions): BigQuery;
  fetchJson(user: string, path: string, init?: { method?: string; body?: unknown }): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

async function harness(largeTableRows: number): Promise<Harness> {
  const warehouse = await createWarehouse({ largeTableRows });
  const ctx: SandboxContext = { directory: new Directory(), idp: stubIdp, identityProxy: { verifyAssertion: async () => undefined }, googleTokens: new GoogleTokenStore(), faults: new FaultRegistry(), warehouse, log: () => undefined };
  const svc = await startBigQuery(ctx, {});
  const tokens = new Map<string, string>();
  const token = (user: string, scopes = [BQ_SCOPE]) => {
    const k = `${user}:${scopes.join(' ')}`;
    if (!tokens.has(k)) {
      const u = ctx.directory.find(user)!;
      tokens.set(k, ctx.googleTokens.issue(u, scopes, 3600, `principal://iam.googleapis.com/locations/global/workforcePools/gatehouse-sandbox/subject/${u.id}`).token);
    }
    return tokens.get(k)!;
  };
  return {
    ctx,
    warehouse,
    svc,
    token,
    client(user, extra = {}) {
      const t = token(user);
      // The smallest AuthClient the client library needs: it only asks for request headers.
      const authClient = { getRequestHeaders: async () => new Headers({ authorization: `Bearer ${t}` }), universeDomain: 'googleapis.com' };
      return new BigQuery({ projectId: 'gatehouse-demo', apiEndpoint: svc.url, authClient: authClient as never, ...extra });
    },
    async fetchJson(user, path, init = {}) {
      const res = await fetch(`${svc.url}/bigquery/v2${path}`, {
        method: init.method ?? (init.body ? 'POST' : 'GET'),
        headers: { ...(user ? { authorization: `Bearer ${token(user)}` } : {}), 'content-type': 'application/json' },
        body: init.body ? JSON.stringify(init.body) : undefined,
      });
      return { status: res.status, body: await res.json() };
    },
    async close() {
      await svc.close();
      await warehouse.close();
    },
  };
}

/** Ajv over the discovery document: `$ref: "Name"` → `#/definitions/Name`; unknown fields are errors. */
function discoveryValidator(): (name: string, value: unknown) => void {
  const doc = JSON.parse(readFileSync(DISCOVERY, 'utf8')) as { schemas: Record<string, unknown> };
  const conv = (s: any): any => {
    if (Array.isArray(s)) return s.map(conv);
    if (!s || typeof s !== 'object') return s;
    const out: any = {};
    for (const [k, v] of Object.entries(s)) {
      if (k === '$ref') out.$ref = `#/definitions/${v}`;
      else if (k === 'type' && v === 'any') continue;
      else if (k === 'properties') out.properties = Object.fromEntries(Object.entries(v as object).map(([pk, pv]) => [pk, conv(pv)]));
      else if (k === 'id' || k === 'description' || k === 'enumDescriptions' || k === 'readOnly' || k === 'annotations') continue;
      else out[k] = conv(v);
    }
    if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
    return out;
  };
  const definitions = Object.fromEntries(Object.entries(doc.schemas).map(([k, v]) => [k, conv(v)]));
  const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
  ajv.addSchema({ $id: 'bq', definitions });
  return (name, value) => {
    const ok = ajv.validate({ $ref: `bq#/definitions/${name}` }, value);
    assert.ok(ok, `${name}: ${ajv.errorsText(ajv.errors, { separator: '\n' })}`);
  };
}

function reasonOf(err: unknown): string | undefined {
  return (err as { errors?: { reason?: string }[] }).errors?.[0]?.reason;
}

describe('sandbox BigQuery (official client)', function () {
  this.timeout(60_000);
  let h: Harness;
  before(async () => {
    h = await harness(20_000);
  });
  after(async () => h?.close());
  afterEach(() => h.ctx.faults.clear());

  it('lists projects and datasets per user', async () => {
    const names = async (user: string, projectId?: string) => (await h.client(user).getDatasets(projectId ? { projectId } : {}))[0].map((d) => d.id).sort();
    assert.deepEqual(await names('alice'), ['analytics', 'events', 'marketing', 'raw']);
    assert.deepEqual(await names('bob'), ['analytics', 'events', 'marketing', 'raw']);
    assert.deepEqual(await names('alice', 'gatehouse-finance'), ['finance']);
    await assert.rejects(names('bob', 'gatehouse-finance'), (e) => reasonOf(e) === 'accessDenied');
    await assert.rejects(names('olivia'), (e) => reasonOf(e) === 'accessDenied');
    const projects = async (user: string) => (await h.fetchJson(user, '/projects')).body.projects.map((p: { id: string }) => p.id);
    assert.deepEqual(await projects('alice'), ['gatehouse-demo', 'gatehouse-finance']);
    assert.deepEqual(await projects('bob'), ['gatehouse-demo']);
    assert.deepEqual(await projects('olivia'), []);
  });

  it('denies tables of a dataset the user is not granted, with BigQuery bodies', async () => {
    const denied = await h.fetchJson('bob', '/projects/gatehouse-demo/datasets/raw/tables');
    assert.equal(denied.status, 403);
    assert.deepEqual(denied.body.error.errors[0], {
      message: 'Access Denied: Dataset gatehouse-demo:raw: Permission bigquery.tables.list denied on dataset gatehouse-demo:raw (or it may not exist).',
      domain: 'global',
      reason: 'accessDenied',
    });
    assert.equal(denied.body.error.status, 'PERMISSION_DENIED');
    const missing = await h.fetchJson('bob', '/projects/gatehouse-demo/datasets/nope');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.message, 'Not found: Dataset gatehouse-demo:nope');
    assert.equal(missing.body.error.errors[0].reason, 'notFound');
    const anon = await h.fetchJson('', '/projects');
    assert.equal(anon.status, 401);
    assert.equal(anon.body.error.errors[0].reason, 'authError');
    assert.equal(anon.body.error.status, 'UNAUTHENTICATED');
    const [raw] = await h.client('alice').dataset('raw').getMetadata();
    assert.ok(raw.access.some((a: { role?: string; groupByEmail?: string }) => a.role === 'WRITER' && a.groupByEmail === 'data-engineers@example.com'));
    await assert.rejects(h.client('bob').dataset('raw').table('orders_raw').getRows(), (e) => reasonOf(e) === 'accessDenied');
  });

  it('pages tables.list over the 250 marketing tables', async () => {
    const ds = h.client('bob').dataset('marketing');
    const [first, next, resp] = await ds.getTables({ autoPaginate: false, maxResults: 100 });
    assert.equal(first.length, 100);
    assert.equal(first[0].id, 'campaign_001');
    assert.equal((resp as { totalItems: number }).totalItems, 250);
    assert.ok(next && (next as { pageToken?: string }).pageToken);
    const [all] = await ds.getTables();
    assert.equal(all.length, 250);
    assert.equal(all[249].id, 'campaign_250');
    const raw = await h.fetchJson('bob', '/projects/gatehouse-demo/datasets/marketing/tables');
    assert.equal(raw.body.tables.length, 50, 'default page');
  });

  it('returns table metadata with nested and repeated schema', async () => {
    const [meta] = await h.client('bob').dataset('analytics').table('customers').getMetadata();
    const byName = Object.fromEntries(meta.schema.fields.map((f: { name: string }) => [f.name, f]));
    assert.deepEqual(byName.tags, { name: 'tags', type: 'STRING', mode: 'REPEATED', description: 'Marketing tags.' });
    assert.equal(byName.addresses.type, 'RECORD');
    assert.equal(byName.addresses.mode, 'REPEATED');
    assert.deepEqual(byName.addresses.fields.map((f: { name: string }) => f.name), ['street', 'city', 'country']);
    assert.equal(byName.created_at.type, 'TIMESTAMP');
    assert.equal(byName.lifetime_value.type, 'FLOAT');
    assert.equal(meta.numRows, '5000');
    assert.ok(Number(meta.numBytes) > 0);
    const [view] = await h.client('bob').dataset('analytics').table('stg_orders').getMetadata();
    assert.equal(view.type, 'VIEW');
    assert.match(view.view.query, /raw\.orders_raw/);
    const [mv] = await h.client('bob').dataset('analytics').table('daily_revenue').getMetadata();
    assert.equal(mv.type, 'MATERIALIZED_VIEW');
    const [pv] = await h.client('bob').dataset('events').table('page_views').getMetadata();
    assert.deepEqual(
      pv.schema.fields.map((f: { name: string; type: string }) => `${f.name}:${f.type}`),
      ['event_id:INTEGER', 'user_id:INTEGER', 'session_id:STRING', 'url:STRING', 'referrer:STRING', 'country:STRING', 'event_ts:TIMESTAMP', 'duration_ms:FLOAT'],
    );
    const routines = await h.fetchJson('bob', '/projects/gatehouse-demo/datasets/analytics/routines');
    assert.equal(routines.body.routines[0].routineReference.routineId, 'cents_to_dollars');
  });

  it('pages tabledata.list with startIndex, selectedFields and typed values', async () => {
    const table = h.client('bob').dataset('events').table('page_views');
    const [rows, next] = await table.getRows({ autoPaginate: false, maxResults: 5, selectedFields: 'event_id,url,referrer,event_ts' });
    assert.equal(rows.length, 5);
    assert.deepEqual(Object.keys(rows[0]), ['event_id', 'url', 'referrer', 'event_ts']);
    assert.equal(rows[0].url, '<img src=x onerror=alert(1)>');
    assert.ok(rows[0].event_ts.value.endsWith('Z'));
    const [page2] = await table.getRows({ ...(next as object), autoPaginate: false, maxResults: 5 });
    assert.equal(page2[0].event_id, 6);
    const raw = await h.fetchJson('bob', '/projects/gatehouse-demo/datasets/events/tables/page_views/data?maxResults=2&startIndex=100&formatOptions.useInt64Timestamp=true');
    assert.equal(raw.body.totalRows, '20000');
    assert.equal(raw.body.rows[0].f[0].v, '101');
    assert.match(raw.body.rows[0].f[6].v, /^\d{16}$/);
    const floatTs = await h.fetchJson('bob', '/projects/gatehouse-demo/datasets/events/tables/page_views/data?maxResults=1');
    assert.match(floatTs.body.rows[0].f[6].v, /^\d\.\d+E9$/);
    const cust = await h.fetchJson('bob', '/projects/gatehouse-demo/datasets/analytics/tables/customers/data?maxResults=1');
    const addresses = cust.body.rows[0].f[5].v;
    assert.ok(Array.isArray(addresses) && addresses[0].v.f.length === 3, 'REPEATED RECORD as [{v:{f:[…]}}]');
  });

  it('runs queries with named and positional parameters', async () => {
    const bq = h.client('bob');
    const [rows] = await bq.query({
      query: 'SELECT status, COUNT(*) AS n FROM `gatehouse-demo.analytics.orders` WHERE status IN UNNEST(@statuses) AND amount > @min GROUP BY status ORDER BY status',
      params: { statuses: ['completed', 'returned'], min: 10 },
    });
    assert.deepEqual(rows.map((r) => r.status), ['completed', 'returned']);
    assert.ok(rows[0].n > 1000);
    const [pos] = await bq.query({ query: 'SELECT ? AS a, ? AS b, SAFE_CAST("x" AS INT64) AS c', params: ['it\'s', 3] });
    assert.deepEqual(pos, [{ a: "it's", b: 3, c: null }]);
    const [dflt] = await bq.query({ query: 'SELECT COUNT(*) AS n FROM customers', defaultDataset: { datasetId: 'analytics' } });
    assert.equal(dflt[0].n, 5000);
    const [ts] = await bq.query({ query: 'SELECT TIMESTAMP "2024-01-01 10:00:00.123456+02:00" AS t, @d AS d', params: { d: bq.date('2024-02-29') } });
    assert.equal(ts[0].t.value, '2024-01-01T08:00:00.123456000Z');
    assert.equal(ts[0].d.value, '2024-02-29');
  });

  it('maps errors: invalidQuery with [line:col], accessDenied on tables, jobs.create denied', async () => {
    const bq = h.client('bob');
    await assert.rejects(bq.query('SELECT order_id,\n  nope FROM `gatehouse-demo.analytics.orders`'), (e: Error) => reasonOf(e) === 'invalidQuery' && /Unrecognized name: nope at \[2:3\]/.test(e.message));
    await assert.rejects(bq.query('SELECT * FORM x'), (e: Error) => reasonOf(e) === 'invalidQuery' && / at \[1:\d+\]$/.test(e.message));
    await assert.rejects(bq.query('SELECT * FROM `gatehouse-demo.raw.orders_raw`'), (e: Error) => {
      assert.equal(reasonOf(e), 'accessDenied');
      assert.equal(
        e.message,
        'Access Denied: Table gatehouse-demo:raw.orders_raw: User does not have permission to query table gatehouse-demo:raw.orders_raw, or perhaps it does not exist.',
      );
      return true;
    });
    // …but the staging views over raw are authorized views: analysts read them.
    const [n] = await bq.query('SELECT COUNT(*) AS n FROM `gatehouse-demo.analytics.stg_orders`');
    assert.equal(n[0].n, 50000);
    await assert.rejects(bq.query('SELECT 1 FROM `gatehouse-demo.analytics.nope`'), (e) => reasonOf(e) === 'notFound');
    await assert.rejects(h.client('olivia').query('SELECT 1'), (e: Error) => reasonOf(e) === 'accessDenied' && /bigquery\.jobs\.create/.test(e.message));
    await assert.rejects(bq.query('UPDATE `gatehouse-demo.analytics.orders` SET status = "x" WHERE FALSE'), (e: Error) => reasonOf(e) === 'accessDenied' && /updateData/.test(e.message));
    const [finance] = await h.client('alice').query('SELECT COUNT(*) AS n FROM `gatehouse-finance.finance.payouts`');
    assert.equal(finance[0].n, 1200);
  });

  it('distinguishes accessDenied from rateLimitExceeded (both 403) by reason', async () => {
    const rate = { error: { code: 403, message: 'Exceeded rate limits: too many api requests per user per method for this user_method.', errors: [{ message: 'Exceeded rate limits: too many api requests per user per method for this user_method.', domain: 'usageLimits', reason: 'rateLimitExceeded' }], status: 'PERMISSION_DENIED' } };
    h.ctx.faults.arm({ service: 'bigquery', path: '/datasets$', kind: 'status', status: 403, body: rate, count: 1 });
    // Observed: @google-cloud/common decides retries from the status line only, so the official
    // client does NOT retry a 403 rateLimitExceeded: callers must look at the reason themselves.
    await assert.rejects(h.client('bob').getDatasets(), (e) => reasonOf(e) === 'rateLimitExceeded' && (e as { code?: number }).code === 403);
    const [datasets] = await h.client('bob').getDatasets();
    assert.equal(datasets.length, 4, 'the fault was one-shot');
    await assert.rejects(h.client('bob').dataset('raw').getTables(), (e) => reasonOf(e) === 'accessDenied' && (e as { code?: number }).code === 403);
  });

  it('reports dry-run bytes and enforces maximumBytesBilled', async () => {
    const bq = h.client('bob');
    const [job] = await bq.createQueryJob({ query: 'SELECT url FROM `gatehouse-demo.events.page_views`', dryRun: true });
    const narrow = Number(job.metadata.statistics.query.totalBytesProcessed);
    const [wide] = await bq.createQueryJob({ query: 'SELECT * FROM `gatehouse-demo.events.page_views`', dryRun: true });
    assert.ok(narrow > 0 && Number(wide.metadata.statistics.query.totalBytesProcessed) > narrow, 'column pruning shows in the estimate');
    assert.equal(job.metadata.status.state, 'DONE');
    await assert.rejects(bq.query({ query: 'SELECT * FROM `gatehouse-demo.events.page_views`', maximumBytesBilled: '1000' }), (e: Error) => {
      assert.equal(reasonOf(e), 'bytesBilledLimitExceeded');
      assert.match(e.message, /^Query exceeded limit for bytes billed: 1000\. \d+ or higher required\.$/);
      return true;
    });
  });

  it('holds a job RUNNING with the delay hint, then completes; cancel stops it', async () => {
    const bq = h.client('bob');
    const [job] = await bq.createQueryJob({ query: '/* sandbox:delay=1500ms */ SELECT 1 AS x', labels: { team: 'analysts', source: 'gatehouse' } });
    const first = await h.fetchJson('bob', `/projects/gatehouse-demo/queries/${job.id}?timeoutMs=100`);
    assert.equal(first.body.jobComplete, false);
    assert.equal(first.body.rows, undefined);
    const [rows] = await job.getQueryResults();
    assert.deepEqual(rows, [{ x: 1 }]);
    const [meta] = await job.getMetadata();
    assert.deepEqual(meta.configuration.labels, { team: 'analysts', source: 'gatehouse' });
    assert.ok(Number(meta.statistics.endTime) - Number(meta.statistics.startTime) >= 1400);

    const [slow] = await bq.createQueryJob({ query: '/* sandbox:delay=30s */ SELECT 1' });
    const t0 = Date.now();
    await slow.cancel();
    const [cancelled] = await slow.getMetadata();
    assert.equal(cancelled.status.state, 'DONE');
    assert.equal(cancelled.status.errorResult.reason, 'stopped');
    assert.ok(Date.now() - t0 < 2000);
    // A real query interrupted mid-flight (DuckDB interrupt), not only the hint.
    const [busy] = await bq.createQueryJob({ query: 'SELECT COUNT(*) FROM UNNEST(GENERATE_ARRAY(1, 10)) AS a, `gatehouse-demo.events.page_views` p1, `gatehouse-demo.events.page_views` p2 WHERE p1.event_id + p2.event_id = -1' });
    await new Promise((r) => setTimeout(r, 300));
    await busy.cancel();
    const deadline = Date.now() + 5000;
    let state = '';
    while (Date.now() < deadline && state !== 'DONE') {
      state = (await busy.getMetadata())[0].status.state;
      if (state !== 'DONE') await new Promise((r) => setTimeout(r, 50));
    }
    const [busyMeta] = await busy.getMetadata();
    assert.equal(busyMeta.status.errorResult?.reason, 'stopped');
  });

  it('runs scripts as a parent job with child jobs and the last statement’s result', async () => {
    const bq = h.client('alice');
    const [job] = await bq.createQueryJob({
      query: 'SELECT 1 AS a;\nUPDATE `gatehouse-demo.analytics.orders` SET status = status WHERE order_id <= 3;\nSELECT COUNT(*) AS n FROM `gatehouse-demo.analytics.orders`',
    });
    const [rows] = await job.getQueryResults();
    assert.deepEqual(rows, [{ n: 50000 }]);
    const [meta] = await job.getMetadata();
    assert.equal(meta.statistics.query.statementType, 'SCRIPT');
    assert.equal(meta.statistics.numChildJobs, '3');
    const [children] = await bq.getJobs({ parentJobId: job.id, projection: 'full' } as never);
    assert.equal(children.length, 3);
    const types = children.map((c) => c.metadata.statistics.query.statementType).sort();
    assert.deepEqual(types, ['SELECT', 'SELECT', 'UPDATE']);
    const update = children.find((c) => c.metadata.statistics.query.statementType === 'UPDATE')!;
    assert.equal(update.metadata.statistics.query.numDmlAffectedRows, '3');
    assert.equal(update.metadata.statistics.parentJobId, job.id);
  });

  it('serves the same query from cache within the hour, per user', async () => {
    const sql = 'SELECT country, COUNT(*) AS n FROM `gatehouse-demo.events.page_views` GROUP BY country ORDER BY country';
    const run = async (user: string) => (await h.fetchJson(user, '/projects/gatehouse-demo/queries', { body: { query: sql, useLegacySql: false } })).body;
    const a1 = await run('bob');
    const a2 = await run('bob');
    const b1 = await run('alice');
    assert.equal(a1.cacheHit, false);
    assert.ok(Number(a1.totalBytesBilled) >= 10 * 1024 * 1024);
    assert.equal(a2.cacheHit, true);
    assert.equal(a2.totalBytesBilled, '0');
    assert.deepEqual(a2.rows, a1.rows);
    assert.equal(b1.cacheHit, false, 'the cache is per user');
    const noCache = (await h.fetchJson('bob', '/projects/gatehouse-demo/queries', { body: { query: sql, useQueryCache: false } })).body;
    assert.equal(noCache.cacheHit, false);
  });

  it('honours client job ids, requestId idempotency and jobs.list visibility', async () => {
    const bq = h.client('bob');
    const [job] = await bq.createQueryJob({ query: 'SELECT 1', jobId: 'vscode_fixed_id_1' });
    assert.equal(job.id, 'vscode_fixed_id_1');
    const dup = await h.fetchJson('bob', '/projects/gatehouse-demo/jobs', { body: { jobReference: { jobId: 'vscode_fixed_id_1' }, configuration: { query: { query: 'SELECT 1', useLegacySql: false } } } });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.error.errors[0].reason, 'duplicate');
    const q = { query: 'SELECT 2 AS two', useLegacySql: false, requestId: 'req-123' };
    const r1 = await h.fetchJson('bob', '/projects/gatehouse-demo/queries', { body: q });
    const r2 = await h.fetchJson('bob', '/projects/gatehouse-demo/queries', { body: q });
    assert.equal(r1.body.jobReference.jobId, r2.body.jobReference.jobId);

    const bobJobs = (await h.fetchJson('bob', '/projects/gatehouse-demo/jobs?maxResults=1000')).body.jobs;
    assert.ok(bobJobs.length > 0 && bobJobs.every((j: { user_email: string }) => j.user_email === 'bob@example.com'));
    assert.equal((await h.fetchJson('bob', '/projects/gatehouse-demo/jobs?allUsers=true')).status, 403);
    const everyone = (await h.fetchJson('alice', '/projects/gatehouse-demo/jobs?allUsers=true&maxResults=1000')).body.jobs;
    assert.ok(new Set(everyone.map((j: { user_email: string }) => j.user_email)).size >= 2);
    const page = (await h.fetchJson('bob', '/projects/gatehouse-demo/jobs?maxResults=2&stateFilter=done')).body;
    assert.equal(page.jobs.length, 2);
    assert.ok(page.nextPageToken);
    assert.equal(page.jobs[0].configuration, undefined, 'minimal projection');
    const other = await h.fetchJson('alice', `/projects/gatehouse-demo/jobs/vscode_fixed_id_1`);
    assert.equal(other.status, 200, 'engineers (project admins) may read others’ jobs');
    assert.equal((await h.fetchJson('bob', `/projects/gatehouse-demo/jobs/nope`)).status, 404);
  });

  it('answers in the discovery document’s shapes', async function () {
    const v = discoveryValidator();
    v('DatasetList', (await h.fetchJson('bob', '/projects/gatehouse-demo/datasets')).body);
    v('ProjectList', (await h.fetchJson('bob', '/projects')).body);
    v('TableList', (await h.fetchJson('bob', '/projects/gatehouse-demo/datasets/marketing/tables?maxResults=10')).body);
    v('Table', (await h.fetchJson('bob', '/projects/gatehouse-demo/datasets/analytics/tables/customers')).body);
    v('Table', (await h.fetchJson('bob', '/projects/gatehouse-demo/datasets/analytics/tables/stg_orders')).body);
    v('Dataset', (await h.fetchJson('bob', '/projects/gatehouse-demo/datasets/analytics')).body);
    v('TableDataList', (await h.fetchJson('bob', '/projects/gatehouse-demo/datasets/analytics/tables/customers/data?maxResults=3')).body);
    v('ListRoutinesResponse', (await h.fetchJson('bob', '/projects/gatehouse-demo/datasets/analytics/routines')).body);
    const qr = (await h.fetchJson('bob', '/projects/gatehouse-demo/queries', { body: { query: 'SELECT * FROM `gatehouse-demo.analytics.customers` ORDER BY customer_id', maxResults: 3, formatOptions: { useInt64Timestamp: true } } })).body;
    v('QueryResponse', qr);
    const gq = (await h.fetchJson('bob', `/projects/gatehouse-demo/queries/${qr.jobReference.jobId}?pageToken=${qr.pageToken}&maxResults=3`)).body;
    v('GetQueryResultsResponse', gq);
    v('Job', (await h.fetchJson('bob', `/projects/gatehouse-demo/jobs/${qr.jobReference.jobId}`)).body);
    const inserted = (await h.fetchJson('bob', '/projects/gatehouse-demo/jobs', { body: { configuration: { query: { query: '/* sandbox:delay=200ms */ SELECT 1', useLegacySql: false }, labels: { a: 'b' } } } })).body;
    v('Job', inserted);
    v('JobCancelResponse', (await h.fetchJson('bob', `/projects/gatehouse-demo/jobs/${inserted.jobReference.jobId}/cancel`, { method: 'POST' })).body);
    v('JobList', (await h.fetchJson('bob', '/projects/gatehouse-demo/jobs?projection=full')).body);
    v('JobList', (await h.fetchJson('bob', '/projects/gatehouse-demo/jobs')).body);
    const dry = (await h.fetchJson('bob', '/projects/gatehouse-demo/queries', { body: { query: 'SELECT 1', dryRun: true } })).body;
    v('QueryResponse', dry);
  });
});

describe('sandbox BigQuery with 1,000,000 page views', function () {
  this.timeout(120_000);
  let h: Harness;
  before(async () => {
    const t0 = Date.now();
    h = await harness(1_000_000);
    process.stdout.write(`      warehouse + server startup with 1M rows: ${Date.now() - t0} ms\n`);
  });
  after(async () => h?.close());

  it('pages a 1M-row result with getQueryResults and maxResults', async () => {
    const bq = h.client('bob');
    const [job] = await bq.createQueryJob({ query: 'SELECT * FROM `gatehouse-demo.events.page_views` ORDER BY event_id' });
    await job.promise();
    const pageSize = 10_000;
    const t0 = Date.now();
    let pageToken: string | undefined;
    let seen = 0;
    let pages = 0;
    let lastId = 0;
    do {
      const [rows, next] = await job.getQueryResults({ maxResults: pageSize, pageToken, autoPaginate: false });
      pages++;
      seen += rows.length;
      assert.equal(rows[0].event_id, lastId + 1, 'pages are contiguous and ordered');
      lastId = rows[rows.length - 1].event_id;
      pageToken = (next as { pageToken?: string } | null)?.pageToken;
    } while (pageToken && pages < 20);
    const secs = (Date.now() - t0) / 1000;
    process.stdout.write(`      ${pages} pages × ${pageSize} rows through the official client: ${(pages / secs).toFixed(1)} pages/s (${Math.round(seen / secs)} rows/s)\n`);
    assert.equal(seen, pages * pageSize);
    // The server alone (raw HTTP, no client-side row conversion).
    const t1 = Date.now();
    let token: string | undefined;
    for (let i = 0; i < 20; i++) {
      const page = (await h.fetchJson('bob', `/projects/gatehouse-demo/queries/${job.id}?maxResults=${pageSize}&formatOptions.useInt64Timestamp=true${token ? `&pageToken=${token}` : ''}`)).body;
      assert.equal(page.rows.length, pageSize);
      token = page.pageToken;
    }
    process.stdout.write(`      20 pages × ${pageSize} rows over raw HTTP: ${(20 / ((Date.now() - t1) / 1000)).toFixed(1)} pages/s\n`);
    const lastResp = (await h.fetchJson('bob', `/projects/gatehouse-demo/queries/${job.id}?startIndex=999998&maxResults=10`)).body;
    assert.equal(lastResp.totalRows, '1000000');
    assert.equal(lastResp.rows.length, 2);
    assert.equal(lastResp.pageToken, undefined);
    const counts = await bq.query('SELECT COUNTIF(referrer IS NULL) AS nulls, COUNTIF(referrer = "") AS empties FROM `gatehouse-demo.events.page_views`');
    assert.ok(counts[0][0].nulls > 100_000 && counts[0][0].empties > 50_000, 'NULL and empty referrers both present');
  });
});
