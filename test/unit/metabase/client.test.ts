// MetabaseClient, its three credential strategies, the explorer model and QuestionRunner against
// the sandbox Metabase: per-user visibility (and the API key seeing as its group), a password
// used once for a session, a session Metabase ended, questions checked against the warehouse, a
// failed query answered with HTTP 202, plain-text 403/404, 429 with Retry-After.
import * as assert from 'node:assert/strict';
import type { AuditRecord } from '../../../src/audit/auditTrail';
import { IdpServiceCredentials } from '../../../src/auth/serviceCredentials';
import { AxiosHttpClient, type HttpClient, type HttpRequest, type HttpResponse } from '../../../src/core/http';
import { SecretRegistry } from '../../../src/core/redact';
import type { Role } from '../../../src/policy/roles';
import { roleViewOf } from '../support/roleView';
import { MetabaseClient, metabaseApiUrl, metabaseContentUrl } from '../../../src/metabase/client';
import { ApiKeyCredentials, SessionCredentials, openMetabaseSession, type MetabaseCredentials } from '../../../src/metabase/credentials';
import { MetabaseError, toMetabaseError } from '../../../src/metabase/errors';
import { MetabaseExplorerModel, type MetabaseNode } from '../../../src/metabase/explorerModel';
import { QuestionRunner } from '../../../src/metabase/questionRunner';
import { AUDIENCES } from '../../sandbox/constants';
import { METABASE_API_KEY } from '../../sandbox/metabase';
import { startSandbox, type Sandbox } from '../../sandbox/sandbox';
import { RecordingPresenter } from '../support/recordingPresenter';
import { MemorySecret } from '../support/secrets';
import { until } from '../support/wait';

class RecordingHttp implements HttpClient {
  readonly requests: { method: string; path: string }[] = [];
  readonly waits: number[] = [];
  private readonly inner = new AxiosHttpClient({ sleep: async (ms) => void this.waits.push(ms), random: () => 0 });
  async request<T>(req: HttpRequest): Promise<HttpResponse<T>> {
    this.requests.push({ method: req.method, path: new URL(req.url).pathname });
    return this.inner.request<T>(req);
  }
}

const PASSWORDS: Record<string, string> = { alice: 'alice-demo-password', bob: 'bob-demo-password', olivia: 'olivia-demo-password' };
const ROLES: Record<string, Role[]> = { alice: ['engineer', 'analyst'], bob: ['analyst'], olivia: [] };

describe('metabase client against the sandbox', function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  let base: string;

  before(async () => {
    sandbox = await startSandbox({ services: ['metabase'], largeTableRows: 10_000 });
    base = sandbox.urls.metabase;
  });
  after(async () => sandbox?.close());
  afterEach(() => sandbox.ctx.faults.clear());

  const make = (credentials: MetabaseCredentials, http = new RecordingHttp(), baseUrl = base) => ({ http, client: new MetabaseClient({ http, baseUrl, credentials }) });

  async function sessionClient(user: string) {
    const http = new RecordingHttp();
    const secrets = new SecretRegistry();
    const stored = new MemorySecret(await openMetabaseSession(http, metabaseApiUrl(base), { username: `${user}@example.com`, password: PASSWORDS[user] }, { secrets }));
    return { ...make(new SessionCredentials(stored, secrets), http), stored, secrets };
  }

  function idpClient(user: string) {
    const invalidated: string[] = [];
    const broker = {
      getServiceToken: async () => ({ token: await sandbox.idp.tokenFor(user, AUDIENCES.metabase), expiresAt: Date.now() + 60_000, origin: 'token-exchange' as const }),
      invalidate: (t: string) => void invalidated.push(t),
    };
    // An IdP token reaches Metabase only through the identity-aware proxy.
    return { ...make(new IdpServiceCredentials(broker, 'metabase', toMetabaseError), new RecordingHttp(), sandbox.urls.metabaseProxy), invalidated };
  }

  const apiKeyClient = (key = METABASE_API_KEY) => make(new ApiKeyCredentials(new MemorySecret(key)));

  async function walk(model: MetabaseExplorerModel, parent?: MetabaseNode, depth = 0): Promise<string[]> {
    const out: string[] = [];
    for (const n of await model.children(parent)) {
      const label =
        n.kind === 'collection' ? `collection:${n.collection.name}` : n.kind === 'card' ? `${n.cardType}:${n.item.name}` : n.kind === 'dashboard' ? `dashboard:${n.item.name}` : n.kind === 'dashcard' ? `card:${n.title}` : `message:${n.text}`;
      out.push(`${'  '.repeat(depth)}${label}`);
      if (n.kind === 'collection' || n.kind === 'dashboard') out.push(...(await walk(model, n, depth + 1)));
    }
    return out;
  }

  function runner(user: string, client: MetabaseClient, presenter = new RecordingPresenter()) {
    const records: Omit<AuditRecord, 'time'>[] = [];
    const r = new QuestionRunner({
      client: () => client,
      presenter,
      audit: { record: async (e) => void records.push(e) },
      actor: () => ({ subject: `sub-${user}`, email: `${user}@example.com` }),
      roles: roleViewOf(ROLES[user]),
      pageSize: () => 3,
    });
    return { runner: r, records, presenter };
  }

  const SALES = ['collection:Sales', '  dashboard:Sales overview', '    card:Orders by day', '    card:Revenue by status', '    card:Top countries by page views', '  model:Customers', '  question:Orders by day', '  question:Orders by status since', '  question:Refunds (legacy)', '  question:Revenue by status', '  question:Top countries by page views'];
  const FINANCE = ['collection:Finance', '  dashboard:Finance overview', '    card:Monthly revenue', '    card:Payouts', '  question:Monthly revenue', '  question:Payouts'];

  it('shows each person their collections with an IdP token and with a session alike; an API key sees as its group', async () => {
    const expected: Record<string, string[]> = {
      alice: [...FINANCE, ...SALES, "collection:Alice Engineer's Personal Collection", '  question:Scratch: recent orders'],
      bob: [...SALES, "collection:Bob Analyst's Personal Collection", '  question:My daily revenue'],
      olivia: ['message:No Metabase collections are shared with you.', "collection:Olivia Outsider's Personal Collection", '  message:This collection is empty.'],
    };
    for (const user of ['alice', 'bob', 'olivia']) {
      for (const { client } of [idpClient(user), await sessionClient(user)]) {
        assert.deepEqual(await walk(new MetabaseExplorerModel({ client: () => client })), expected[user], user);
      }
    }
    const { client } = apiKeyClient();
    assert.deepEqual(await walk(new MetabaseExplorerModel({ client: () => client })), SALES, 'the analysts key: no personal collection, no Finance');
  });

  it('runs a question: typed columns, rows equal to the warehouse, audited with the credential used', async () => {
    const { client } = await sessionClient('bob');
    const { runner: r, presenter, records } = runner('bob', client);
    const outcome = await r.run({ kind: 'card', cardId: 2, name: 'Revenue by status', display: 'area' });
    assert.equal(outcome.status, 'succeeded');
    const panel = presenter.last;
    assert.deepEqual(panel.stats?.chart, { kind: 'area', requested: 'area', exact: true }, 'an area question draws as an area, not as bars');
    assert.deepEqual(panel.source!.columns.map((c) => `${c.name}:${c.type}`), ['status:STRING', 'orders:INTEGER', 'revenue:NUMERIC']);
    const want = await sandbox.ctx.warehouse.query('SELECT status, COUNT(*) AS orders, SUM(amount) AS revenue FROM `gatehouse-demo.analytics.orders` GROUP BY status ORDER BY revenue DESC');
    assert.deepEqual(await panel.rows(), want.rows.map((w) => [String(w[0]), String(Number(w[1])), String(Number(w[2]))]));
    assert.equal(panel.stats?.extra?.Question, 'Revenue by status');
    assert.deepEqual(records.map((x) => `${x.action}:${x.resource}:${x.outcome}:${x.credential}`), ['run-question:card/2:succeeded:password-session']);
  });

  it('runs a dashboard card through its dashboard', async () => {
    const { client, http } = idpClient('alice');
    const { runner: r, presenter, records } = runner('alice', client);
    const outcome = await r.run({ kind: 'dashcard', dashboardId: 1, dashboardName: 'Sales overview', dashcardId: 3, cardId: 4, name: 'Top countries by page views' });
    assert.equal(outcome.status, 'succeeded');
    assert.ok(http.requests.some((q) => q.method === 'POST' && q.path === '/api/dashboard/1/dashcard/3/card/4/query'));
    assert.ok((await presenter.last.rows()).length > 0);
    assert.equal(records[0].resource, 'dashboard/1/dashcard/3/card/4');
  });

  it('treats a 202 with status "failed" as an error named by its error_type, without the database text', async () => {
    const { client } = idpClient('alice');
    const { runner: r, presenter, records } = runner('alice', client);
    const outcome = await r.run({ kind: 'card', cardId: 7, name: 'Refunds (legacy)' });
    assert.equal(outcome.status, 'failed');
    const error = (outcome as { error?: MetabaseError }).error;
    assert.ok(MetabaseError.is(error, 'queryFailed'));
    assert.equal(error.errorType, 'invalid-query');
    assert.doesNotMatch(presenter.last.error?.message ?? '', /refunds|BigQuery|Exception/i);
    assert.equal(`${records[0].outcome}:${records[0].reason}`, 'failed:invalid-query');
  });

  it('explains a plain-text 403 and audits it; with an API key the explanation says the key acts as a group', async () => {
    for (const [label, { client }, credentialWords] of [
      ['session', await sessionClient('bob'), /Metabase saw your Metabase account via Metabase login\./],
      ['api key', apiKeyClient(), /Metabase saw shared identity: group API key \(Metabase applies the key's group, not you\)\..*API key's group/],
    ] as const) {
      const { runner: r, presenter, records } = runner('bob', client);
      const outcome = await r.run({ kind: 'card', cardId: 5, name: 'Monthly revenue' });
      assert.equal(outcome.status, 'denied', label);
      assert.match(presenter.last.error?.message ?? '', /^Metabase refused: bob@example\.com may not run the question "Monthly revenue"/);
      assert.match(presenter.last.error?.message ?? '', credentialWords);
      assert.equal(`${records[0].action}:${records[0].outcome}:${records[0].reason}`, 'run-question:denied:forbidden');
    }
  });

  it('answers a card that does not exist with notFound', async () => {
    const { client } = idpClient('alice');
    await assert.rejects(client.runCard(999), (e: unknown) => MetabaseError.is(e, 'notFound') && e.status === 404);
  });

  it('uses a password once: a wrong one is rejected, a right one yields only a session id', async () => {
    const http = new RecordingHttp();
    const secrets = new SecretRegistry();
    await assert.rejects(openMetabaseSession(http, metabaseApiUrl(base), { username: 'bob@example.com', password: 'not-bobs-password' }, { secrets }), (e: unknown) => MetabaseError.is(e, 'credentialsRejected') && !e.message.includes('not-bobs'));
    const id = await openMetabaseSession(http, metabaseApiUrl(base), { username: 'bob@example.com', password: PASSWORDS.bob }, { secrets });
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.equal(secrets.scrub(`session ${id}`), 'session [redacted]');
    assert.equal(secrets.scrub(PASSWORDS.bob), PASSWORDS.bob, 'the password is not kept, even for redaction');
  });

  it('sends a sign-in answered 503 or 429 with Retry-After once: reported, the password not posted again', async () => {
    for (const status of [503, 429]) {
      const http = new RecordingHttp();
      sandbox.ctx.faults.arm({ service: 'metabase', method: 'POST', path: '/api/session$', kind: 'status', status, retryAfter: 1, count: 3 });
      await assert.rejects(
        openMetabaseSession(http, metabaseApiUrl(base), { username: 'bob@example.com', password: PASSWORDS.bob }),
        (e: unknown) => MetabaseError.is(e) && e.reason !== 'credentialsRejected' && !e.message.includes(PASSWORDS.bob),
      );
      sandbox.ctx.faults.clear();
      assert.equal(http.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/session')).length, 1, `HTTP ${status}`);
      assert.deepEqual(http.waits, []);
    }
  });

  it('forgets a session Metabase no longer knows and asks for a new sign-in (no stored password to resend)', async () => {
    const { client, stored } = await sessionClient('bob');
    assert.equal((await client.currentUser()).email, 'bob@example.com');
    stored.value = '00000000-0000-4000-8000-000000000000';
    await assert.rejects(client.collectionTree(), (e: unknown) => MetabaseError.is(e, 'sessionExpired'));
    await until('the dead session to be deleted', () => stored.value === undefined, 2_000, { intervalMs: 5 });
    assert.equal(stored.value, undefined, 'the dead session is deleted from storage');
    // Still "your session has ended" (what happened), not "you are not signed in".
    await assert.rejects(client.collectionTree(), (e: unknown) => MetabaseError.is(e, 'sessionExpired'));
  });

  it('reports a refused API key as credentialsRejected, and does not send it again', async () => {
    const { client, http } = apiKeyClient('mb_not-a-real-key-0000000000000000000');
    await assert.rejects(client.currentUser(), (e: unknown) => MetabaseError.is(e, 'credentialsRejected'));
    await assert.rejects(client.currentUser(), (e: unknown) => MetabaseError.is(e, 'credentialsRejected'));
    assert.equal(http.requests.length, 1);
  });

  it('hands a rejected IdP token back to the broker and retries once', async () => {
    const { client, invalidated } = idpClient('bob');
    sandbox.ctx.faults.arm({ service: 'metabase', method: 'GET', path: '/api/user/current$', kind: 'status', status: 401, body: 'Unauthenticated' });
    assert.equal((await client.currentUser()).email, 'bob@example.com');
    assert.equal(invalidated.length, 1);
  });

  it('reports a 429 on a question run with its Retry-After instead of posting the query again', async () => {
    const { client, http } = idpClient('alice');
    sandbox.ctx.faults.arm({ service: 'metabase', method: 'POST', path: '/api/card/1/query$', kind: 'status', status: 429, retryAfter: 1 });
    await assert.rejects(client.runCard(1), (e: unknown) => MetabaseError.is(e, 'rateLimited') && e.retryAfterMs === 1000);
    assert.deepEqual(http.waits, []);
    assert.equal(http.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/card/1/query')).length, 1);
    const result = await client.runCard(1);
    assert.ok(result.rows.length > 0);
  });

  it('derives web links from the base URL', () => {
    const rows: [string, Parameters<typeof metabaseContentUrl>[1], string][] = [
      ['https://mb.acme.com', { kind: 'question', id: 2 }, 'https://mb.acme.com/question/2'],
      ['https://mb.acme.com/', { kind: 'model', id: 3 }, 'https://mb.acme.com/model/3'],
      ['https://mb.acme.com/api', { kind: 'dashboard', id: 1 }, 'https://mb.acme.com/dashboard/1'],
      ['https://acme.com/metabase/', { kind: 'collection', id: 'root' }, 'https://acme.com/metabase/collection/root'],
    ];
    for (const [b, target, want] of rows) assert.equal(metabaseContentUrl(b, target), want);
  });
});
