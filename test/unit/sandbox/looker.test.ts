// The sandbox Looker over HTTP: API3 logins and IdP tokens through the identity proxy, per-user visibility, result formats
// checked against the warehouse, errors, paging, faults, and the official @looker/sdk unchanged.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import Ajv from 'ajv';
import { LookerNodeSDK } from '@looker/sdk-node';
import { ApiSettings, type IApiSection } from '@looker/sdk-rtl';
import { startSandbox, type Sandbox } from '../../sandbox/sandbox';
import { AUDIENCES } from '../../sandbox/constants';
import { lookerApi3Credentials } from '../../sandbox/looker';
import { sharedPath } from '../../support/shared';

/** The official spec (sdk-codegen Looker.4.0.oas.json); schema checks are skipped when it is absent. */
const SPEC_PATH = sharedPath('reference', 'specs', 'looker-4.0.oas.json');

type Json = any;

/** Compiles only the component schemas reachable from `roots` (the full spec is large). */
function specValidator(roots: string[]): (name: string, value: unknown) => void {
  const all = JSON.parse(readFileSync(SPEC_PATH, 'utf8')).components.schemas as Record<string, unknown>;
  const wanted = new Set<string>();
  const visit = (name: string) => {
    if (wanted.has(name)) return;
    wanted.add(name);
    for (const m of JSON.stringify(all[name]).matchAll(/#\/components\/schemas\/(\w+)/g)) visit(m[1]);
  };
  roots.forEach(visit);
  // The spec writes `type: "any"` for free-form values; JSON Schema spells that as no type at all.
  const dropAny = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(dropAny);
    if (!node || typeof node !== 'object') return node;
    return Object.fromEntries(Object.entries(node).filter(([k, v]) => !(k === 'type' && v === 'any')).map(([k, v]) => [k, dropAny(v)]));
  };
  const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
  ajv.addSchema({ $id: 'looker', components: { schemas: Object.fromEntries([...wanted].map((n) => [n, dropAny(all[n])])) } });
  return (name, value) => {
    const validate = ajv.getSchema(`looker#/components/schemas/${name}`)!;
    assert.ok(validate(value), `${name}: ${ajv.errorsText(validate.errors)}`);
  };
}

describe('sandbox Looker (API 4.0)', function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  let api: string;
  const tokens = new Map<string, string>();
  const check = specValidator(['User', 'Folder', 'FolderBase', 'LookWithQuery', 'Look', 'Dashboard', 'DashboardElement', 'Query', 'AccessToken', 'Error', 'ValidationError', 'JsonBiMetadata']);
  const schema = (name: string, value: unknown) => check(name, value);

  before(async () => {
    sandbox = await startSandbox({ services: ['looker'], largeTableRows: 10_000 });
    api = `${sandbox.urls.looker}/api/4.0`;
  });
  after(async () => {
    await sandbox?.close();
  });
  afterEach(() => sandbox.ctx.faults.clear());

  async function login(userId: string): Promise<string> {
    const { client_id, client_secret } = lookerApi3Credentials(userId);
    const res = await fetch(`${api}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id, client_secret }),
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as Json;
    schema('AccessToken', body);
    return body.access_token;
  }
  async function tokenOf(userId: string): Promise<string> {
    if (!tokens.has(userId)) tokens.set(userId, await login(userId));
    return tokens.get(userId)!;
  }
  async function get(userId: string, path: string, init: RequestInit = {}): Promise<{ status: number; headers: Headers; body: Json; text: string }> {
    const res = await fetch(`${api}${path}`, { ...init, headers: { authorization: `token ${await tokenOf(userId)}`, ...(init.headers ?? {}) } });
    const text = await res.text();
    let body: Json = text;
    if (res.headers.get('content-type')?.startsWith('application/json')) body = JSON.parse(text);
    return { status: res.status, headers: res.headers, body, text };
  }
  const post = (userId: string, path: string, json: unknown) =>
    get(userId, path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(json) });
  const warehouse = (sql: string) => sandbox.ctx.warehouse.query(sql);

  describe('authentication', () => {
    it('logs in with an API3 key, accepts `token` and `Bearer`, and logs out', async () => {
      const token = await login('bob');
      for (const scheme of ['token', 'Bearer']) {
        const res = await fetch(`${api}/user`, { headers: { authorization: `${scheme} ${token}` } });
        assert.equal(res.status, 200);
        assert.equal(((await res.json()) as Json).email, 'bob@example.com');
      }
      const out = await fetch(`${api}/logout`, { method: 'DELETE', headers: { authorization: `token ${token}` } });
      assert.equal(out.status, 204);
      const after = await fetch(`${api}/user`, { headers: { authorization: `token ${token}` } });
      assert.equal(after.status, 401);
      const body = (await after.json()) as Json;
      schema('Error', body);
      assert.equal(body.message, 'Requires authentication.');
      assert.match(body.documentation_url, /^https:\/\//);
    });

    it('answers bad API3 credentials with 404 Not found, as Looker does', async () => {
      const res = await fetch(`${api}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'client_id=sbx-looker-alice-client-id&client_secret=wrong',
      });
      assert.equal(res.status, 404);
      assert.deepEqual(Object.keys((await res.json()) as Json).sort(), ['documentation_url', 'message']);
    });

    it('accepts IdP access tokens for the Looker audience only through the identity proxy', async () => {
      const jwt = await sandbox.idp.tokenFor('bob', AUDIENCES.looker);
      const ok = await fetch(`${sandbox.urls.lookerProxy}/api/4.0/user`, { headers: { authorization: `Bearer ${jwt}` } });
      assert.equal(ok.status, 200);
      assert.equal(((await ok.json()) as Json).email, 'bob@example.com');
      assert.equal((await fetch(`${api}/user`, { headers: { authorization: `Bearer ${jwt}` } })).status, 401, 'Looker itself takes no IdP token');
      const wrongAudience = await sandbox.idp.tokenFor('bob', AUDIENCES.metabase);
      const no = await fetch(`${sandbox.urls.lookerProxy}/api/4.0/user`, { headers: { authorization: `Bearer ${wrongAudience}` } });
      assert.equal(no.status, 401);
      const none = await fetch(`${api}/user`);
      assert.equal(none.status, 401);
    });
  });

  describe('per-user visibility', () => {
    const table: { user: string; folders: string[]; looks: string[]; dashboards: string[] }[] = [
      { user: 'alice', folders: ['Alice Engineer', 'Finance', 'Marketing', 'Sales', 'Shared'], looks: ['1', '2', '3', '4', '5'], dashboards: ['1', '2'] },
      { user: 'bob', folders: ['Bob Analyst', 'Marketing', 'Sales', 'Shared'], looks: ['1', '2', '3'], dashboards: ['1'] },
      { user: 'olivia', folders: ['Olivia Outsider'], looks: [], dashboards: [] },
    ];
    for (const t of table) {
      it(`${t.user} sees folders ${t.folders.join(', ') || 'none'}`, async () => {
        const folders = await get(t.user, '/folders/search');
        assert.deepEqual(folders.body.map((f: Json) => f.name).sort(), t.folders);
        const looks = await get(t.user, '/looks/search');
        assert.deepEqual(looks.body.map((l: Json) => l.id).sort(), t.looks);
        const dashboards = await get(t.user, '/dashboards/search');
        assert.deepEqual(dashboards.body.map((d: Json) => d.id).sort(), t.dashboards);
      });
    }

    it('describes the user as GET /user does (User schema)', async () => {
      const { body } = await get('alice', '/user');
      schema('User', body);
      assert.equal(body.id, '1');
      assert.equal(body.display_name, 'Alice Engineer');
      assert.equal(body.first_name, 'Alice');
      assert.equal(body.last_name, 'Engineer');
      assert.equal(body.personal_folder_id, '11');
      assert.equal(body.home_folder_id, '1');
      assert.ok(body.group_ids.every((g: unknown) => typeof g === 'string'));
      const olivia = (await get('olivia', '/user')).body;
      assert.equal(olivia.home_folder_id, '13');
      const personal = await get('olivia', `/folders/${olivia.personal_folder_id}`);
      assert.equal(personal.status, 200);
      assert.equal(personal.body.is_personal, true);
      assert.deepEqual([personal.body.looks, personal.body.dashboards], [[], []]);
    });

    it('hides Finance content from bob as 404, and the finance model too', async () => {
      for (const path of ['/folders/4', '/folders/4/looks', '/looks/4', '/looks/4/run/json', '/dashboards/2', '/queries/104', '/folders/11']) {
        const res = await get('bob', path);
        assert.equal(res.status, 404, path);
        schema('Error', res.body);
      }
      const inline = await post('bob', '/queries/run/json', { model: 'finance', view: 'revenue', fields: ['revenue.month'] });
      assert.equal(inline.status, 404);
      assert.equal((await get('alice', '/looks/4')).status, 200);
    });
  });

  describe('folders', () => {
    it('serves a folder, its children, ancestors, looks and dashboards (spec shapes)', async () => {
      const sales = await get('alice', '/folders/3');
      schema('Folder', sales.body);
      assert.equal(sales.body.parent_id, '1');
      assert.deepEqual(sales.body.looks.map((l: Json) => l.title).sort(), ['Orders by day', 'Revenue by status']);
      const children = await get('alice', '/folders/1/children');
      assert.deepEqual(children.body.map((f: Json) => f.name).sort(), ['Finance', 'Sales']);
      assert.deepEqual((await get('bob', '/folders/1/children')).body.map((f: Json) => f.name), ['Sales']);
      const ancestors = await get('bob', '/folders/5/ancestors');
      assert.deepEqual(ancestors.body.map((f: Json) => f.name), ['Shared', 'Sales']);
      const looks = await get('alice', '/folders/3/looks');
      for (const l of looks.body) schema('LookWithQuery', l);
      const dashboards = await get('alice', '/folders/3/dashboards');
      assert.deepEqual(dashboards.body.map((d: Json) => d.title), ['Sales overview']);
      for (const d of dashboards.body) schema('Dashboard', d);
      for (const f of (await get('alice', '/folders')).body) schema('FolderBase', f);
    });

    it('searches with wildcards and pages with limit/offset, X-Total-Count and Link', async () => {
      assert.deepEqual((await get('alice', '/folders/search?name=s%25')).body.map((f: Json) => f.name).sort(), ['Sales', 'Shared']);
      assert.deepEqual((await get('alice', '/folders/search?parent_id=IS%20NULL')).body.map((f: Json) => f.name), ['Shared']);
      const page = await get('alice', '/folders/search?sorts=name&limit=2&offset=2&fields=id,name');
      assert.equal(page.headers.get('x-total-count'), '5');
      assert.deepEqual(page.body, [
        { id: '5', name: 'Marketing' },
        { id: '3', name: 'Sales' },
      ]);
      const link = page.headers.get('link')!;
      assert.match(link, /offset=4[^>]*>; rel="next"/);
      assert.match(link, /offset=0[^>]*>; rel="prev"/);
      const looks = await get('alice', '/looks/search?limit=2&sorts=id%20desc');
      assert.equal(looks.headers.get('x-total-count'), '5');
      assert.deepEqual(looks.body.map((l: Json) => l.id), ['5', '4']);
    });
  });

  describe('running looks and queries', () => {
    it('run_look json matches the warehouse and honours limit', async () => {
      const look = await get('alice', '/looks/1');
      schema('LookWithQuery', look.body);
      assert.deepEqual(look.body.query.fields, ['orders.created_date', 'orders.count', 'orders.total_amount']);
      const run = await get('alice', '/looks/1/run/json?limit=5');
      assert.equal(run.status, 200);
      const expected = await warehouse(
        'SELECT order_date, COUNT(*) AS n, SUM(amount) AS total FROM `gatehouse-demo.analytics.orders` GROUP BY order_date ORDER BY order_date DESC LIMIT 5',
      );
      assert.deepEqual(
        run.body,
        expected.rows.map((r) => ({ 'orders.created_date': r[0], 'orders.count': Number(r[1]), 'orders.total_amount': Number(r[2]) })),
      );
    });

    it('json_bi carries field metadata (spec JsonBiMetadata) and rows keyed by field', async () => {
      const run = await get('bob', '/looks/2/run/json_bi');
      schema('JsonBiMetadata', run.body.metadata);
      assert.deepEqual(run.body.metadata.fields.dimensions.map((f: Json) => f.name), ['orders.status']);
      assert.deepEqual(run.body.metadata.fields.measures.map((f: Json) => f.name), ['orders.count', 'orders.total_amount']);
      assert.match(run.body.metadata.sql, /FROM `gatehouse-demo\.analytics\.orders`/);
      const expected = await warehouse('SELECT status, COUNT(*) FROM `gatehouse-demo.analytics.orders` GROUP BY status');
      assert.equal(run.body.rows.length, expected.rows.length);
      const counts = Object.fromEntries(expected.rows.map((r) => [r[0], Number(r[1])]));
      for (const row of run.body.rows) assert.equal(row['orders.count'], counts[row['orders.status']]);
    });

    it('renders csv, txt, md and sql, with and without formatting', async () => {
      const csv = await get('bob', '/looks/3/run/csv?limit=3');
      assert.match(csv.headers.get('content-type')!, /^text\/csv/);
      const lines = csv.text.trim().split('\n');
      assert.equal(lines[0], 'Page Views Country,Page Views Count,Page Views Unique Users');
      assert.equal(lines.length, 4);
      const top = await warehouse('SELECT country, COUNT(*) AS n FROM `gatehouse-demo.events.page_views` GROUP BY country ORDER BY n DESC LIMIT 1');
      assert.equal(lines[1].split(',')[1], String(top.rows[0][1]));
      const txt = await get('bob', '/looks/3/run/txt?limit=2');
      assert.equal(txt.text.trim().split('\n')[0].split('\t').length, 3);
      const md = await get('bob', '/looks/2/run/md');
      assert.match(md.text, /^\| Orders Status \| Orders Count \| Orders Total Amount \|\n\| :--- \| ---: \| ---: \|\n/);
      const sql = await get('bob', '/looks/1/run/sql');
      assert.match(sql.text, /^SELECT\n/);
      assert.match(sql.text, /LIMIT 500$/);
      const formatted = await get('bob', '/looks/2/run/json?apply_formatting=true');
      assert.match(formatted.body[0]['orders.total_amount'], /^\$[\d,]+\.\d\d$/);
      const unsupported = await get('bob', '/looks/1/run/png');
      assert.equal(unsupported.status, 400);
    });

    it('run_inline_query applies filters, sorts and limit over the model', async () => {
      const run = await post('alice', '/queries/run/json?limit=3', {
        model: 'gatehouse',
        view: 'orders',
        fields: ['orders.status', 'orders.count'],
        filters: { 'orders.status': '-cancelled,-returned', 'orders.created_date': 'after 2000-01-01' },
        sorts: ['orders.count desc'],
      });
      assert.equal(run.status, 200);
      const expected = await warehouse(
        "SELECT status, COUNT(*) AS n FROM `gatehouse-demo.analytics.orders` WHERE status NOT IN ('cancelled', 'returned') GROUP BY status ORDER BY n DESC LIMIT 3",
      );
      assert.deepEqual(
        run.body,
        expected.rows.map((r) => ({ 'orders.status': r[0], 'orders.count': Number(r[1]) })),
      );
      const finance = await post('alice', '/queries/run/json?limit=2', { model: 'finance', view: 'revenue', fields: ['revenue.month', 'revenue.total_revenue'], sorts: ['revenue.month'] });
      assert.equal(finance.status, 200);
      assert.match(finance.body[0]['revenue.month'], /^\d{4}-\d{2}$/);
    });

    it('answers invalid queries with 422 ValidationError', async () => {
      const missing = await post('alice', '/queries/run/json', { view: 'orders', fields: ['orders.count'] });
      assert.equal(missing.status, 422);
      schema('ValidationError', missing.body);
      assert.equal(missing.body.message, 'Validation Failed');
      assert.deepEqual([missing.body.errors[0].field, missing.body.errors[0].code], ['model', 'missing']);
      const unknown = await post('alice', '/queries/run/json', { model: 'gatehouse', view: 'orders', fields: ['orders.nope'] });
      assert.equal(unknown.status, 422);
      assert.equal(unknown.body.errors[0].field, 'fields');
      const badFilter = await post('alice', '/queries/run/json', { model: 'gatehouse', view: 'orders', fields: ['orders.count'], filters: { 'orders.created_date': 'whenever' } });
      assert.equal(badFilter.status, 422);
    });

    it('creates, reads and runs saved queries', async () => {
      const q = await get('alice', '/queries/106');
      schema('Query', q.body);
      assert.equal(q.body.id, '106');
      const created = await post('bob', '/queries', { model: 'gatehouse', view: 'page_views', fields: ['page_views.country', 'page_views.count'], limit: '2' });
      assert.equal(created.status, 200);
      schema('Query', created.body);
      const run = await get('bob', `/queries/${created.body.id}/run/json`);
      assert.equal(run.body.length, 2);
      assert.ok(run.body[0]['page_views.count'] >= run.body[1]['page_views.count']);
    });
  });

  describe('dashboards', () => {
    it('serves a dashboard with its elements (spec Dashboard/DashboardElement)', async () => {
      const d = await get('bob', '/dashboards/1');
      schema('Dashboard', d.body);
      assert.equal(d.body.folder.name, 'Sales');
      assert.deepEqual(d.body.dashboard_elements.map((e: Json) => e.type), ['vis', 'vis', 'vis', 'text']);
      assert.equal(d.body.dashboard_elements[0].look.id, '1');
      assert.equal(d.body.dashboard_elements[2].query.id, '106');
      const elements = await get('bob', '/dashboards/1/dashboard_elements');
      for (const e of elements.body) schema('DashboardElement', e);
      assert.equal(elements.body.length, 4);
    });
  });

  describe('faults', () => {
    it('returns 429 with Retry-After when the registry says so, then recovers', async () => {
      sandbox.ctx.faults.arm({
        service: 'looker',
        path: '^/api/4.0/looks/1$',
        kind: 'status',
        status: 429,
        retryAfter: 7,
        body: { message: 'Too many requests', documentation_url: 'https://cloud.google.com/looker/docs/' },
      });
      const limited = await get('alice', '/looks/1');
      assert.equal(limited.status, 429);
      assert.equal(limited.headers.get('retry-after'), '7');
      assert.equal(limited.body.message, 'Too many requests');
      assert.equal((await get('alice', '/looks/1')).status, 200);
    });
  });

  describe('official @looker/sdk, unchanged', () => {
    const savedTls = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    const savedDebug = console.debug;
    before(() => {
      // sdk-rtl 21.6 logs "AbortSignal.timeout is not defined" on every call made without a signal.
      console.debug = (...args: unknown[]) => {
        if (!String(args[0]).startsWith('AbortSignal.timeout')) savedDebug(...args);
      };
    });
    after(() => {
      console.debug = savedDebug;
      // verify_ssl:false makes sdk-node set NODE_TLS_REJECT_UNAUTHORIZED=0 process-wide.
      if (savedTls === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = savedTls;
    });

    class SandboxSettings extends ApiSettings {
      constructor(
        baseUrl: string,
        private readonly userId: string,
      ) {
        super({ base_url: baseUrl, verify_ssl: false, timeout: 30 });
      }
      override readConfig(): IApiSection {
        return lookerApi3Credentials(this.userId);
      }
    }

    it('me, search_folders, folder_looks, run_look, dashboard, and a 404 as an SDK error', async () => {
      const sdk = LookerNodeSDK.init40(new SandboxSettings(sandbox.urls.looker, 'alice'));
      const me = await sdk.ok(sdk.me());
      assert.equal(me.email, 'alice@example.com');
      const folders = await sdk.ok(sdk.search_folders({ name: 'Sales' }));
      assert.deepEqual(folders.map((f) => f.id), ['3']);
      const looks = await sdk.ok(sdk.folder_looks(folders[0].id!));
      assert.deepEqual(looks.map((l) => l.title).sort(), ['Orders by day', 'Revenue by status']);
      const rows = (await sdk.ok(sdk.run_look({ look_id: '1', result_format: 'json', limit: 3 }))) as unknown as Json[];
      assert.equal(rows.length, 3);
      assert.deepEqual(Object.keys(rows[0]), ['orders.created_date', 'orders.count', 'orders.total_amount']);
      const csv = await sdk.ok(sdk.run_look({ look_id: '2', result_format: 'csv' }));
      assert.match(csv, /^Orders Status,/);
      const dashboard = await sdk.ok(sdk.dashboard('1'));
      assert.equal(dashboard.title, 'Sales overview');
      await assert.rejects(sdk.ok(sdk.look('999')), (err: Error) => {
        assert.equal(err.name, 'LookerSDKError');
        assert.equal(err.message, 'Not found');
        return true;
      });
      assert.equal(await sdk.authSession.logout(), true);
    });

    it('olivia through the SDK sees only her personal folder', async () => {
      const sdk = LookerNodeSDK.init40(new SandboxSettings(sandbox.urls.looker, 'olivia'));
      const folders = await sdk.ok(sdk.search_folders({}));
      assert.deepEqual(folders.map((f) => f.name), ['Olivia Outsider']);
      assert.deepEqual(await sdk.ok(sdk.folder_looks(folders[0].id!)), []);
      await assert.rejects(sdk.ok(sdk.dashboard('1')), /Not found/);
    });
  });
});
