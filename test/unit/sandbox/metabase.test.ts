// The sandbox Metabase over HTTP: sessions, the group-owned API key and IdP tokens, per-user
// visibility, Dataset responses checked against the warehouse, the 202-failed path, errors, paging.
import * as assert from 'node:assert/strict';
import { startSandbox, type Sandbox } from '../../sandbox/sandbox';
import { AUDIENCES } from '../../sandbox/constants';
import { DEMO_USERS } from '../../sandbox/directory';
import { METABASE_API_KEY } from '../../sandbox/metabase';

type Json = any;
type Who = 'alice' | 'bob' | 'olivia' | 'api-key' | 'bob-jwt';

describe('sandbox Metabase', function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  let api: string;
  const sessions = new Map<string, string>();

  before(async () => {
    sandbox = await startSandbox({ services: ['metabase'], largeTableRows: 10_000 });
    api = `${sandbox.urls.metabase}/api`;
  });
  after(async () => {
    await sandbox?.close();
  });
  afterEach(() => sandbox.ctx.faults.clear());

  async function login(username: string, password: string): Promise<Response> {
    return fetch(`${api}/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  }
  async function authHeaders(who: Who): Promise<Record<string, string>> {
    if (who === 'api-key') return { 'x-api-key': METABASE_API_KEY };
    if (who === 'bob-jwt') return { authorization: `Bearer ${await sandbox.idp.tokenFor('bob', AUDIENCES.metabase)}` };
    if (!sessions.has(who)) {
      const user = DEMO_USERS.find((u) => u.id === who)!;
      const res = await login(user.email, user.password);
      assert.equal(res.status, 200);
      sessions.set(who, ((await res.json()) as Json).id);
    }
    return { 'x-metabase-session': sessions.get(who)! };
  }
  async function call(who: Who | null, method: string, path: string, json?: unknown) {
    const headers: Record<string, string> = who ? await authHeaders(who) : {};
    if (json !== undefined) headers['content-type'] = 'application/json';
    // An IdP token reaches Metabase only through the identity-aware proxy.
    const root = who === 'bob-jwt' ? `${sandbox.urls.metabaseProxy}/api` : api;
    const res = await fetch(`${root}${path}`, { method, headers, body: json === undefined ? undefined : JSON.stringify(json) });
    const text = await res.text();
    const body: Json = res.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : text;
    return { status: res.status, headers: res.headers, body };
  }
  const warehouse = (sql: string) => sandbox.ctx.warehouse.query(sql);

  describe('authentication', () => {
    it('opens and closes a session', async () => {
      const res = await login('alice@example.com', 'alice-demo-password');
      assert.equal(res.status, 200);
      const { id } = (await res.json()) as Json;
      assert.match(id, /^[0-9a-f-]{36}$/);
      const me = await fetch(`${api}/user/current`, { headers: { 'x-metabase-session': id } });
      assert.equal(((await me.json()) as Json).email, 'alice@example.com');
      const out = await fetch(`${api}/session`, { method: 'DELETE', headers: { 'x-metabase-session': id } });
      assert.equal(out.status, 204);
      const after = await fetch(`${api}/user/current`, { headers: { 'x-metabase-session': id } });
      assert.equal(after.status, 401);
      assert.equal(await after.text(), 'Unauthenticated');
    });

    it('rejects a wrong password or an unknown user with the same 401 body', async () => {
      for (const [u, p] of [
        ['alice@example.com', 'nope'],
        ['mallory@example.com', 'nope'],
      ]) {
        const res = await login(u, p);
        assert.equal(res.status, 401);
        assert.deepEqual(await res.json(), { errors: { password: 'did not match stored password' } });
      }
      const blank = await login('', '');
      assert.equal(blank.status, 400);
    });

    it('answers missing or unknown credentials with plain-text Unauthenticated', async () => {
      const attempts: Record<string, string>[] = [{}, { 'x-metabase-session': 'bogus' }, { 'x-api-key': 'mb_wrong' }, { authorization: 'Bearer not.a.jwt' }];
      for (const headers of attempts) {
        const res = await fetch(`${api}/card`, { headers });
        assert.equal(res.status, 401);
        assert.match(res.headers.get('content-type')!, /^text\/plain/);
        assert.equal(await res.text(), 'Unauthenticated');
      }
      const ownAudience = await sandbox.idp.tokenFor('bob', AUDIENCES.metabase);
      assert.equal((await fetch(`${api}/card`, { headers: { authorization: `Bearer ${ownAudience}` } })).status, 401, 'Metabase itself takes no IdP token');
    });

    it('knows who is calling: a person by session or through the identity proxy, a group-owned API key', async () => {
      const alice = (await call('alice', 'GET', '/user/current')).body;
      assert.deepEqual([alice.id, alice.type, alice.personal_collection_id, alice.sso_source], [1, 'personal', 4, null]);
      const bob = (await call('bob-jwt', 'GET', '/user/current')).body;
      assert.deepEqual([bob.email, bob.sso_source], ['bob@example.com', 'jwt']);
      const key = (await call('api-key', 'GET', '/user/current')).body;
      assert.equal(key.type, 'api-key');
      assert.equal(key.personal_collection_id, null);
      assert.match(key.email, /@api-key\.invalid$/);
      assert.deepEqual(key.user_group_memberships, [{ id: 1 }, { id: 4 }]);
    });
  });

  describe('per-user visibility', () => {
    const table: { who: Who; cards: number[]; mine: number[]; dashboards: number[]; tree: string[] }[] = [
      { who: 'alice', cards: [1, 2, 3, 4, 5, 6, 7, 8, 10], mine: [1, 3, 5, 6, 8], dashboards: [1, 2], tree: ['Sales', 'Finance', "Alice Engineer's Personal Collection"] },
      { who: 'bob', cards: [1, 2, 3, 4, 7, 9, 10], mine: [2, 4, 7, 9, 10], dashboards: [1], tree: ['Sales', "Bob Analyst's Personal Collection"] },
      { who: 'bob-jwt', cards: [1, 2, 3, 4, 7, 9, 10], mine: [2, 4, 7, 9, 10], dashboards: [1], tree: ['Sales', "Bob Analyst's Personal Collection"] },
      { who: 'olivia', cards: [], mine: [], dashboards: [], tree: ["Olivia Outsider's Personal Collection"] },
      { who: 'api-key', cards: [1, 2, 3, 4, 7, 10], mine: [], dashboards: [1], tree: ['Sales'] },
    ];
    for (const t of table) {
      it(`${t.who}: cards ${t.cards.join(',') || 'none'}`, async () => {
        assert.deepEqual((await call(t.who, 'GET', '/card?f=all')).body.map((c: Json) => c.id), t.cards);
        assert.deepEqual((await call(t.who, 'GET', '/card?f=mine')).body.map((c: Json) => c.id), t.mine);
        assert.deepEqual((await call(t.who, 'GET', '/dashboard/?f=all')).body.map((d: Json) => d.id), t.dashboards);
        assert.deepEqual((await call(t.who, 'GET', '/collection/tree')).body.map((c: Json) => c.name), t.tree);
      });
    }

    it('refuses what a user may not see with 403, and the unknown with 404', async () => {
      for (const [method, path] of [
        ['GET', '/card/5'],
        ['POST', '/card/5/query'],
        ['GET', '/collection/3'],
        ['GET', '/collection/3/items'],
        ['GET', '/dashboard/2'],
        ['GET', '/card/8'],
      ]) {
        const res = await call('bob', method, path);
        assert.equal(res.status, 403, path);
        assert.equal(res.body, "You don't have permissions to do that.");
      }
      const missing = await call('alice', 'GET', '/card/999');
      assert.deepEqual([missing.status, missing.body], [404, 'Not found.']);
      assert.equal((await call('olivia', 'POST', '/card/1/query')).status, 403);
    });
  });

  describe('collections', () => {
    it('lists items with total, limit, offset and models', async () => {
      const all = await call('alice', 'GET', '/collection/2/items');
      assert.equal(all.body.total, 7);
      assert.equal(all.body.limit, null);
      assert.equal(all.body.offset, null);
      assert.deepEqual(all.body.data.map((i: Json) => i.model), ['dashboard', 'dataset', 'card', 'card', 'card', 'card', 'card']);
      const page = await call('alice', 'GET', '/collection/2/items?models=card&models=dashboard&limit=2&offset=1');
      assert.equal(page.body.total, 6);
      assert.deepEqual([page.body.limit, page.body.offset, page.body.models], [2, 1, ['card', 'dashboard']]);
      assert.deepEqual(page.body.data.map((i: Json) => i.name), ['Orders by day', 'Orders by status since']);
      const root = await call('bob', 'GET', '/collection/root/items');
      assert.deepEqual(root.body.data.map((i: Json) => i.name), ['Sales']);
      const rootInfo = await call('olivia', 'GET', '/collection/root');
      assert.equal(rootInfo.body.name, 'Our analytics');
      assert.deepEqual((await call('olivia', 'GET', '/collection/6/items')).body.total, 0);
    });
  });

  describe('running questions', () => {
    it('returns the Dataset shape with rows and cols that match the warehouse', async () => {
      const res = await call('bob', 'POST', '/card/2/query', { parameters: [], ignore_cache: false });
      assert.equal(res.status, 202);
      const ds = res.body;
      assert.equal(ds.status, 'completed');
      assert.equal(ds.database_id, 1);
      assert.equal(typeof ds.running_time, 'number');
      assert.deepEqual(
        ds.data.cols.map((c: Json) => [c.name, c.base_type, c.effective_type, c.display_name]),
        [
          ['status', 'type/Text', 'type/Text', 'status'],
          ['orders', 'type/Integer', 'type/Integer', 'orders'],
          ['revenue', 'type/Decimal', 'type/Decimal', 'revenue'],
        ],
      );
      assert.deepEqual(ds.data.cols[1].field_ref, ['field', 'orders', { 'base-type': 'type/Integer' }]);
      const expected = await warehouse('SELECT status, COUNT(*), SUM(amount) AS revenue FROM `gatehouse-demo.analytics.orders` GROUP BY status ORDER BY revenue DESC');
      assert.deepEqual(
        ds.data.rows,
        expected.rows.map((r) => [r[0], Number(r[1]), Number(r[2])]),
      );
      assert.equal(ds.row_count, expected.rows.length);
      assert.match(ds.data.native_form.query, /GROUP BY status/);
      const card = (await call('bob', 'GET', '/card/2')).body;
      assert.equal(card.result_metadata.length, 3);
      assert.equal(card.dataset_query.native.query, ds.data.native_form.query);
    });

    it('runs the model card and a personal question', async () => {
      const model = await call('alice', 'GET', '/card/3');
      assert.equal(model.body.type, 'model');
      const run = await call('alice', 'POST', '/card/3/query');
      assert.equal(run.body.status, 'completed');
      const [{ n }] = await warehouse('SELECT COUNT(*) AS n FROM `gatehouse-demo.analytics.customers`').then((r) => r.rows.map((x) => ({ n: Number(x[0]) })));
      assert.equal(run.body.row_count, Math.min(n, 2000));
      const scratch = await call('alice', 'POST', '/card/8/query');
      assert.equal(scratch.body.row_count, 100);
    });

    it('reports a failing card as HTTP 202 with status failed', async () => {
      const res = await call('alice', 'POST', '/card/7/query');
      assert.equal(res.status, 202);
      assert.equal(res.body.status, 'failed');
      assert.equal(res.body.error_type, 'invalid-query');
      assert.match(res.body.error, /refunds/);
      assert.deepEqual(res.body.data, { rows: [], cols: [] });
      assert.equal(res.body.row_count, 0);
    });

    it('runs a card through its dashboard', async () => {
      const d = await call('bob', 'GET', '/dashboard/1');
      assert.deepEqual(d.body.dashcards.map((dc: Json) => [dc.id, dc.card_id, dc.card.name]), [
        [1, 1, 'Orders by day'],
        [2, 2, 'Revenue by status'],
        [3, 4, 'Top countries by page views'],
      ]);
      const run = await call('bob', 'POST', '/dashboard/1/dashcard/3/card/4/query');
      assert.equal(run.status, 202);
      assert.equal(run.body.status, 'completed');
      const countries = await warehouse('SELECT COUNT(DISTINCT country) FROM `gatehouse-demo.events.page_views`');
      assert.equal(run.body.row_count, Math.min(10, Number(countries.rows[0][0])));
      assert.equal(run.body.context, 'dashboard');
      assert.equal((await call('bob', 'POST', '/dashboard/1/dashcard/3/card/1/query')).status, 404);
      assert.equal((await call('bob', 'POST', '/dashboard/2/dashcard/4/card/5/query')).status, 403);
    });
  });

  describe('native queries (POST /api/dataset)', () => {
    const query = (sql: string) => ({ database: 1, type: 'native', native: { query: sql, 'template-tags': {} }, parameters: [] });

    it('caps results at 2,000 rows and says so', async () => {
      const res = await call('alice', 'POST', '/dataset', query('SELECT event_id, country FROM `gatehouse-demo.events.page_views`'));
      assert.equal(res.status, 202);
      assert.equal(res.body.status, 'completed');
      assert.equal(res.body.row_count, 2000);
      assert.equal(res.body.data.rows.length, 2000);
      assert.equal(res.body.data.rows_truncated, 2000);
      assert.equal(res.body.context, 'ad-hoc');
      const small = await call('alice', 'POST', '/dataset', query('SELECT 1 AS one, \'a\' AS letter'));
      assert.deepEqual(small.body.data.rows, [[1, 'a']]);
      assert.equal(small.body.data.rows_truncated, undefined);
    });

    it('is for data engineers only', async () => {
      for (const who of ['bob', 'olivia', 'api-key'] as const) {
        const res = await call(who, 'POST', '/dataset', query('SELECT 1'));
        assert.equal(res.status, 403, who);
      }
    });

    it('fails bad SQL with 202 and status failed', async () => {
      const res = await call('alice', 'POST', '/dataset', query('SELEC nonsense'));
      assert.equal(res.status, 202);
      assert.equal(res.body.status, 'failed');
      assert.equal(typeof res.body.error, 'string');
    });
  });

  describe('faults', () => {
    it('returns 429 with Retry-After armed over HTTP, then recovers', async () => {
      const arm = await fetch(`${sandbox.urls.metabase}/__sandbox/faults`, {
        method: 'POST',
        body: JSON.stringify({ path: '^/api/card$', kind: 'status', status: 429, retryAfter: 3, count: 2 }),
      });
      assert.equal(arm.status, 200);
      for (let i = 0; i < 2; i++) {
        const res = await call('alice', 'GET', '/card');
        assert.equal(res.status, 429);
        assert.equal(res.headers.get('retry-after'), '3');
      }
      assert.equal((await call('alice', 'GET', '/card')).status, 200);
    });
  });
});
