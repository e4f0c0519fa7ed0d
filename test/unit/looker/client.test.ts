// LookerClient, both credential strategies, the explorer model and LookRunner against the sandbox
// Looker (API 4.0): per-user visibility, json_bi runs checked against the warehouse, Looker's 404
// for bad API3 keys, 401 renewal, 403 explained and audited, 422 fields, 429 with Retry-After,
// and cancel from the panel.
import * as assert from 'node:assert/strict';
import type { AuditRecord } from '../../../src/audit/auditTrail';
import { IdpServiceCredentials } from '../../../src/auth/serviceCredentials';
import { AxiosHttpClient, type HttpClient, type HttpRequest, type HttpResponse } from '../../../src/core/http';
import { SecretRegistry } from '../../../src/core/redact';
import type { Role } from '../../../src/policy/roles';
import { roleViewOf } from '../support/roleView';
import { LookerClient, lookerApiUrl } from '../../../src/looker/client';
import { Api3Credentials } from '../../../src/looker/credentials';
import { LookerError, toLookerError } from '../../../src/looker/errors';
import { LookerExplorerModel, type DashboardNode, type ElementNode, type FolderNode, type LookerNode } from '../../../src/looker/explorerModel';
import { LookRunner } from '../../../src/looker/lookRunner';
import { AUDIENCES } from '../../sandbox/constants';
import { lookerApi3Credentials } from '../../sandbox/looker';
import { startSandbox, type Sandbox } from '../../sandbox/sandbox';
import { RecordingPresenter } from '../support/recordingPresenter';

class RecordingHttp implements HttpClient {
  readonly requests: { method: string; path: string }[] = [];
  readonly waits: number[] = [];
  private readonly inner = new AxiosHttpClient({ sleep: async (ms) => void this.waits.push(ms), random: () => 0 });
  async request<T>(req: HttpRequest): Promise<HttpResponse<T>> {
    this.requests.push({ method: req.method, path: new URL(req.url).pathname.replace('/api/4.0', '') });
    return this.inner.request<T>(req);
  }
  count(method: string, path: string | RegExp): number {
    return this.requests.filter((r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path))).length;
  }
}

const ROLES: Record<string, Role[]> = { alice: ['engineer', 'analyst'], bob: ['analyst'], olivia: [] };
const EMAILS: Record<string, string> = { alice: 'alice@example.com', bob: 'bob@example.com', olivia: 'olivia@example.com' };

describe('looker client against the sandbox', function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  let base: string;

  before(async () => {
    sandbox = await startSandbox({ services: ['looker'], largeTableRows: 10_000 });
    base = sandbox.urls.looker;
  });
  after(async () => sandbox?.close());
  afterEach(() => sandbox.ctx.faults.clear());

  function api3Client(user: string, http = new RecordingHttp(), key = lookerApi3Credentials(user)) {
    const secrets = new SecretRegistry();
    const credentials = new Api3Credentials({ http, apiUrl: lookerApiUrl(base), secrets, read: async () => ({ clientId: key.client_id, clientSecret: key.client_secret }) });
    return { http, credentials, secrets, client: new LookerClient({ http, baseUrl: base, credentials }) };
  }

  function idpClient(user: string) {
    const http = new RecordingHttp();
    const invalidated: string[] = [];
    const broker = {
      getServiceToken: async () => ({ token: await sandbox.idp.tokenFor(user, AUDIENCES.looker), expiresAt: Date.now() + 60_000, origin: 'resource-indicator' as const }),
      invalidate: (t: string) => void invalidated.push(t),
    };
    // An IdP token reaches Looker only through the identity-aware proxy.
    return { http, invalidated, client: new LookerClient({ http, baseUrl: sandbox.urls.lookerProxy, credentials: new IdpServiceCredentials(broker, 'looker', toLookerError) }) };
  }

  /** Every folder, look and dashboard title the tree reaches, depth first. */
  async function walk(model: LookerExplorerModel, parent?: LookerNode, depth = 0): Promise<string[]> {
    const out: string[] = [];
    for (const n of await model.children(parent)) {
      const label = n.kind === 'folder' ? `folder:${n.folder.name}` : n.kind === 'look' ? `look:${n.look.title}` : n.kind === 'dashboard' ? `dashboard:${n.dashboard.title}` : n.kind === 'element' ? `tile:${n.title}` : `message:${n.text}`;
      out.push(`${'  '.repeat(depth)}${label}`);
      if (n.kind === 'folder' || n.kind === 'dashboard') out.push(...(await walk(model, n, depth + 1)));
    }
    return out;
  }

  function runner(user: string, client: LookerClient, overrides: Partial<ConstructorParameters<typeof LookRunner>[0]> = {}) {
    const records: Omit<AuditRecord, 'time'>[] = [];
    const presenter = new RecordingPresenter();
    const r = new LookRunner({
      client: () => client,
      presenter,
      audit: { record: async (e) => void records.push(e) },
      actor: () => ({ subject: `sub-${user}`, email: EMAILS[user] }),
      roles: roleViewOf(ROLES[user]),
      // Small pages, so reading the rows back crosses page boundaries.
      pageSize: () => 7,
      ...overrides,
    });
    return { runner: r, records, presenter };
  }

  it('shows each person what Looker lets them see, with IdP tokens and with API3 keys alike', async () => {
    const expected: Record<string, string[]> = {
      alice: ['folder:Shared', '  folder:Finance', '    dashboard:Finance overview', '      tile:Monthly revenue', '    look:Finance: monthly revenue', '  folder:Sales', '    folder:Marketing', '      look:Top countries by page views', '    dashboard:Sales overview', '      tile:Orders by day', '      tile:Revenue by status', '      tile:Orders per month', '    look:Orders by day', '    look:Revenue by status', 'folder:Alice Engineer', '  look:Large orders (scratch)'],
      bob: ['folder:Shared', '  folder:Sales', '    folder:Marketing', '      look:Top countries by page views', '    dashboard:Sales overview', '      tile:Orders by day', '      tile:Revenue by status', '      tile:Orders per month', '    look:Orders by day', '    look:Revenue by status', 'folder:Bob Analyst', '  message:This folder is empty.'],
      olivia: ['message:No shared Looker folders are visible to you.', 'folder:Olivia Outsider', '  message:This folder is empty.'],
    };
    for (const make of [idpClient, api3Client]) {
      for (const user of ['alice', 'bob', 'olivia']) {
        const client = make(user).client;
        assert.deepEqual(await walk(new LookerExplorerModel({ client: () => client })), expected[user], `${user} via ${make.name}`);
      }
    }
  });

  it('runs a look as json_bi: columns in the query order, typed cells, rows equal to the warehouse', async () => {
    const { client } = api3Client('bob');
    const look = await client.look('2');
    const { runner: r, presenter, records } = runner('bob', client);
    const visType = look.query?.vis_config?.type;
    assert.equal(visType, 'looker_bar', 'the look says how Looker draws it');
    const outcome = await r.run({ kind: 'look', lookId: look.id, title: look.title, fieldOrder: look.query?.fields ?? undefined, visType });
    assert.equal(outcome.status, 'succeeded');
    const panel = presenter.last;
    assert.deepEqual(panel.stats?.chart, { kind: 'bar', requested: 'looker_bar', exact: true }, 'the panel draws the look as Looker does');
    assert.deepEqual(panel.source!.columns.map((c) => `${c.name}:${c.type}`), ['Orders Status:STRING', 'Orders Count:INTEGER', 'Orders Total Amount:FLOAT']);
    const want = await sandbox.ctx.warehouse.query('SELECT status, COUNT(*) AS n, SUM(amount) AS total FROM `gatehouse-demo.analytics.orders` GROUP BY status ORDER BY total DESC');
    const rows = await panel.rows();
    assert.ok(rows.length >= 3, 'several statuses');
    assert.deepEqual(rows, want.rows.map((r) => [String(r[0]), String(Number(r[1])), Number(r[2])]));
    assert.equal(panel.stats?.extra?.Look, 'Revenue by status');
    assert.equal(panel.request.origin, `Looker · ${new URL(base).host}`);
    assert.deepEqual(records.map((x) => `${x.action}:${x.resource}:${x.outcome}:${x.credential}:${x.actor.email}`), ['run-look:look/2:succeeded:personal-token:bob@example.com']);
  });

  it('runs dashboard tiles: a look tile runs its look, a query tile its own query; text tiles are not offered', async () => {
    const { client, http } = api3Client('alice');
    const model = new LookerExplorerModel({ client: () => client });
    const dashboard: DashboardNode = { kind: 'dashboard', key: 'd1', dashboard: { id: '1', title: 'Sales overview' } };
    const tiles = (await model.children(dashboard)) as ElementNode[];
    assert.deepEqual(tiles.map((t) => `${t.title}:${t.target.kind}`), ['Orders by day:look', 'Revenue by status:look', 'Orders per month:query']);
    const { runner: r, presenter, records } = runner('alice', client);
    const tile = tiles[2];
    const outcome = await r.run({ kind: 'element', dashboardId: '1', dashboardTitle: 'Sales overview', elementId: tile.element.id, title: tile.title, run: tile.target });
    assert.equal(outcome.status, 'succeeded');
    assert.equal(http.count('GET', '/queries/106/run/json_bi'), 1);
    const want = await sandbox.ctx.warehouse.query("SELECT SUBSTR(CAST(order_date AS STRING), 1, 7) AS m, COUNT(*) AS n FROM `gatehouse-demo.analytics.orders` GROUP BY m ORDER BY m DESC LIMIT 24");
    const rows = await presenter.last.rows();
    assert.deepEqual(rows.map((row) => [row[0], row[1]]), want.rows.map((w) => [String(w[0]), String(Number(w[1]))]));
    assert.equal(records[0].resource, 'dashboard/1/element/3');
  });

  it('hides what a person may not see behind 404, as Looker does, and explains that 404 as a possible refusal', async () => {
    const { client } = api3Client('bob');
    const { runner: r, presenter, records } = runner('bob', client);
    const outcome = await r.run({ kind: 'look', lookId: '4', title: 'Finance: monthly revenue' });
    assert.equal(outcome.status, 'denied');
    assert.ok(LookerError.is((outcome as { error?: unknown }).error, 'notFound'));
    const text = presenter.last.error?.message ?? '';
    assert.match(text, /^Looker answered "Not found" to running the look "Finance: monthly revenue"\. Looker says this both when the content does not exist and when your Looker account may not see it/);
    assert.match(text, /Looker refused: bob@example\.com may not run the look "Finance: monthly revenue"\. Looker saw your Looker API3 key/);
    assert.equal(`${records[0].outcome}:${records[0].reason}`, 'denied:notFound');
  });

  it('explains a 403 on a run (who, with which credential) and audits the refusal', async () => {
    const { client } = idpClient('bob');
    sandbox.ctx.faults.arm({ service: 'looker', method: 'GET', path: '/looks/1/run/', kind: 'status', status: 403, body: { message: 'Database OAuth Error', documentation_url: 'x' } });
    const { runner: r, presenter, records } = runner('bob', client);
    const outcome = await r.run({ kind: 'look', lookId: '1', title: 'Orders by day' });
    assert.equal(outcome.status, 'denied');
    const text = presenter.last.error?.message ?? '';
    assert.match(text, /^Looker refused: bob@example\.com may not run the look "Orders by day"\. Looker saw your sign-in's token issued for Looker by your identity provider\./);
    assert.match(text, /Your Gatehouse roles: analyst\./);
    assert.doesNotMatch(text, /Database OAuth/, "Looker's own words stay out");
    assert.equal(`${records[0].action}:${records[0].outcome}:${records[0].reason}`, 'run-look:denied:forbidden');
  });

  it('does not try when roles do not allow running, and audits that', async () => {
    const { client, http } = api3Client('olivia');
    // Roles allow running Looker content to anyone signed in; a role model that says no must stop it.
    const { runner: r, records, presenter } = runner('olivia', client, { roles: roleViewOf([], { signedIn: false }) });
    const outcome = await r.run({ kind: 'look', lookId: '1', title: 'Orders by day' });
    assert.equal(outcome.status, 'notAllowed');
    assert.equal(http.requests.length, 0);
    assert.equal(presenter.panels.length, 0);
    assert.equal(`${records[0].outcome}:${records[0].reason}`, 'denied:role');
  });

  it('logs in with API3 keys once, reuses the token, and logs in again after a 401', async () => {
    const { client, http, secrets } = api3Client('alice');
    await client.me();
    await client.sharedRootFolders();
    assert.equal(http.count('POST', '/login'), 1, 'one login for two calls');
    sandbox.ctx.faults.arm({ service: 'looker', method: 'GET', path: '/user$', kind: 'status', status: 401, body: { message: 'Requires authentication.' } });
    const me = await client.me();
    assert.equal(me.email, 'alice@example.com');
    assert.equal(http.count('POST', '/login'), 2, 'a fresh login after the 401');
    assert.equal(secrets.scrub('sbx-looker-alice-client-secret'), '[redacted]', 'the secret is registered for redaction');
  });

  it('turns the 404 Looker answers bad API3 keys with into credentialsRejected', async () => {
    const { client } = api3Client('alice', new RecordingHttp(), { client_id: 'sbx-looker-alice-client-id', client_secret: 'wrong-secret-value' });
    await assert.rejects(client.me(), (e: unknown) => LookerError.is(e, 'credentialsRejected') && e.status === 404 && !e.message.includes('wrong-secret-value'));
  });

  it('hands a rejected IdP token back to the broker and retries once', async () => {
    const { client, invalidated } = idpClient('alice');
    sandbox.ctx.faults.arm({ service: 'looker', method: 'GET', path: '/folders/search$', kind: 'status', status: 401, body: { message: 'Requires authentication.' } });
    assert.deepEqual((await client.sharedRootFolders()).map((f) => f.name), ['Shared']);
    assert.equal(invalidated.length, 1);
  });

  it('reads a 422 ValidationError as validation, naming the fields only', async () => {
    const { client } = api3Client('alice');
    sandbox.ctx.faults.arm({ service: 'looker', path: '/looks/1/run/', kind: 'status', status: 422, body: { message: 'Validation Failed', errors: [{ field: 'orders.nope', code: 'missing', message: 'Unknown field orders.nope in secret_table' }] } });
    await assert.rejects(client.runLook('1'), (e: unknown) => LookerError.is(e, 'validation') && e.fields?.join() === 'orders.nope' && !e.message.includes('secret_table'));
  });

  it('reports a 429 on a run with its Retry-After instead of running the look again', async () => {
    const { client, http } = api3Client('alice');
    sandbox.ctx.faults.arm({ service: 'looker', method: 'GET', path: '/looks/3/run/', kind: 'status', status: 429, retryAfter: 2, body: { message: 'Too many requests' } });
    await assert.rejects(client.runLook('3'), (e: unknown) => LookerError.is(e, 'rateLimited') && e.retryAfterMs === 2000);
    // A run is marked not idempotent (it costs warehouse time): one request, no wait inside the call.
    assert.deepEqual(http.waits, []);
    assert.equal(http.count('GET', '/looks/3/run/json_bi'), 1);
    // Listings are idempotent: they wait as long as the server asks, then succeed.
    sandbox.ctx.faults.arm({ service: 'looker', method: 'GET', path: '/folders/search', kind: 'status', status: 429, retryAfter: 2 });
    await client.sharedRootFolders();
    assert.deepEqual(http.waits, [2000]);
  });

  it('stops a run when the panel asks to cancel, and audits it as cancelled', async () => {
    const { client } = api3Client('alice');
    sandbox.ctx.faults.arm({ service: 'looker', path: '/looks/1/run/', kind: 'hang' });
    const { runner: r, presenter, records } = runner('alice', client);
    const running = r.run({ kind: 'look', lookId: '1', title: 'Orders by day' });
    while (!presenter.panels[0]?.events.length) await new Promise((res) => setTimeout(res, 10));
    setTimeout(() => presenter.panels[0].cancel.fire(), 50);
    const started = Date.now();
    const outcome = await running;
    assert.equal(outcome.status, 'cancelled');
    assert.ok(Date.now() - started < 5_000, 'cancelled promptly');
    assert.equal(records[0].outcome, 'cancelled');
  });

  it('gives up on a run that outlives its time limit', async () => {
    const { client } = api3Client('alice');
    sandbox.ctx.faults.arm({ service: 'looker', path: '/looks/1/run/', kind: 'hang' });
    const { runner: r, presenter } = runner('alice', client, { runTimeoutMs: 300 });
    const outcome = await r.run({ kind: 'look', lookId: '1', title: 'Orders by day' });
    assert.equal(outcome.status, 'failed');
    assert.ok(LookerError.is((outcome as { error?: unknown }).error, 'timeout'));
    assert.equal(presenter.last.error?.message, 'Looker did not answer in time.');
  });

  it('reads folders of the personal folder by id and reports a folder it may not see as an error node', async () => {
    const { client } = api3Client('bob');
    const model = new LookerExplorerModel({ client: () => client });
    const finance: FolderNode = { kind: 'folder', key: 'f4', folder: { id: '4', name: 'Finance' }, personal: false };
    const [node] = await model.children(finance);
    assert.equal(node.kind, 'message');
    assert.equal(node.kind === 'message' && node.error?.reason, 'notFound');
  });
});
