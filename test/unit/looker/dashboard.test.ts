// Looker dashboards run whole: which dashboard filter reaches which tile (listen mappings), the
// tile's query with the filters merged in, filter values checked as text; then LookRunner against
// the sandbox Looker: a changed filter changes every listening tile's rows (checked against the
// warehouse), one failing tile fails alone, Cancel all stops the rest, text tiles stay text.
import * as assert from 'node:assert/strict';
import type { AuditRecord } from '../../../src/audit/auditTrail';
import { AxiosHttpClient, type HttpClient, type HttpRequest, type HttpResponse } from '../../../src/core/http';
import { SecretRegistry } from '../../../src/core/redact';
import { LookerClient, lookerApiUrl } from '../../../src/looker/client';
import { Api3Credentials } from '../../../src/looker/credentials';
import { dashboardFilterDefaults, filterValueProblem, inlineQuery, planDashboard, tileFilters, type FilterValue } from '../../../src/looker/dashboard';
import { LookRunner } from '../../../src/looker/lookRunner';
import type { Dashboard, DashboardElement } from '../../../src/looker/types';
import { lookerApi3Credentials } from '../../sandbox/looker';
import { startSandbox, type Sandbox } from '../../sandbox/sandbox';
import { RecordingPresenter } from '../support/recordingPresenter';
import { roleViewOf } from '../support/roleView';
import { until } from '../support/wait';

const ORDERS = { id: '9', model: 'gatehouse', view: 'orders', fields: ['orders.status', 'orders.count'], filters: { 'orders.status': 'placed', 'orders.amount': '>10' }, sorts: ['orders.count desc'], limit: '50', vis_config: { type: 'looker_bar' } };

function element(id: string, listen: Array<[string, string]>, extra: Partial<DashboardElement> = {}): DashboardElement {
  return { id, type: 'vis', title: `Tile ${id}`, query_id: '9', result_maker: { query_id: '9', query: ORDERS, filterables: [{ model: 'gatehouse', view: 'orders', name: 'q', listen: listen.map(([dashboard_filter_name, field]) => ({ dashboard_filter_name, field })) }] }, ...extra };
}

const values = (v: Record<string, string>): FilterValue[] => Object.entries(v).map(([name, value]) => ({ name, title: name, value }));

describe('Looker dashboard filters (plain)', () => {
  const cases: Array<[string, DashboardElement, Record<string, string>, Record<string, string>]> = [
    ['a listened filter with a value reaches its field', element('1', [['Status', 'orders.status']]), { Status: 'complete' }, { 'orders.status': 'complete' }],
    ['an empty value means any value: nothing applied', element('1', [['Status', 'orders.status']]), { Status: '  ' }, {}],
    ['a filter the tile does not listen to stays away', element('1', [['Status', 'orders.status']]), { Country: 'FR' }, {}],
    ['one filter may reach a differently named field', element('1', [['Status', 'orders.state']]), { Status: '-cancelled' }, { 'orders.state': '-cancelled' }],
    ['two filters, two fields', element('1', [['Status', 'orders.status'], ['Amount', 'orders.amount']]), { Status: 'shipped', Amount: '>=100' }, { 'orders.status': 'shipped', 'orders.amount': '>=100' }],
    ['a listen without a field is ignored', element('1', [['Status', '']]), { Status: 'x' }, {}],
    ['a tile without a result maker listens to nothing', { id: '1', type: 'vis', look_id: '3' }, { Status: 'x' }, {}],
  ];
  for (const [name, e, v, want] of cases) it(name, () => assert.deepEqual(tileFilters(e, values(v)), want));

  it('merges the dashboard filters over the tile’s own (same field: the dashboard wins) and keeps the rest of its query', () => {
    assert.deepEqual(inlineQuery(ORDERS, { 'orders.status': 'complete' }), {
      model: 'gatehouse',
      view: 'orders',
      fields: ['orders.status', 'orders.count'],
      filters: { 'orders.status': 'complete', 'orders.amount': '>10' },
      sorts: ['orders.count desc'],
      limit: '50',
    });
    assert.equal(inlineQuery({ id: '1', fields: ['x'] }, { x: '1' }), undefined, 'no model/view: nothing to run inline');
  });

  it('plans every tile: filtered tiles inline, others by their look or query, text tiles as text, the rest unavailable', () => {
    const d: Dashboard = {
      id: '1',
      title: 'D',
      dashboard_filters: [{ id: '1', name: 'Status', title: 'Order status', default_value: 'placed' }],
      dashboard_elements: [
        element('1', [['Status', 'orders.status']]),
        element('2', [], { look_id: '4', query_id: null }),
        { id: '3', type: 'text', title_text: 'About', body_text: '<b>not html</b>' },
        { id: '4', type: 'vis', title: 'Merged', merge_result_id: '7' } as DashboardElement,
        { id: '5', type: 'vis', title: 'No query sent', result_maker: { filterables: [{ listen: [{ dashboard_filter_name: 'Status', field: 'orders.status' }] }] } },
      ],
    };
    const defaults = dashboardFilterDefaults(d);
    assert.deepEqual(defaults, [{ name: 'Status', title: 'Order status', value: 'placed' }]);
    const plan = planDashboard(d, values({ Status: 'complete' }));
    assert.deepEqual(plan.map((t) => `${t.elementId}:${t.kind}:${t.kind === 'run' ? t.run.kind : ''}`), ['1:run:inline', '2:run:look', '3:text:', '4:unavailable:', '5:unavailable:']);
    const first = plan[0];
    assert.ok(first.kind === 'run' && first.run.kind === 'inline');
    assert.deepEqual(first.run.query.filters, { 'orders.status': 'complete', 'orders.amount': '>10' });
    assert.equal(first.visType, 'looker_bar');
    const text = plan[2];
    assert.ok(text.kind === 'text');
    assert.equal(text.title, 'About');
    assert.equal(text.text, '<b>not html</b>', 'the words as they are: shown as text by the panel');
  });

  const problems: Array<[string, string, boolean]> = [
    ['an expression', '-cancelled,returned', true],
    ['empty (any value)', '', true],
    ['markup is only text', '<img src=x onerror=alert(1)>', true],
    ['a line break', 'a\nb', false],
    ['a control character', 'a\u0000b', false],
    ['too long', 'x'.repeat(1_001), false],
  ];
  for (const [name, value, ok] of problems) it(`filter value: ${name} is ${ok ? 'accepted' : 'refused'}`, () => assert.equal(filterValueProblem(value) === undefined, ok));
});

class RecordingHttp implements HttpClient {
  readonly requests: string[] = [];
  private readonly inner = new AxiosHttpClient({ sleep: async () => undefined, random: () => 0 });
  async request<T>(req: HttpRequest): Promise<HttpResponse<T>> {
    this.requests.push(`${req.method} ${new URL(req.url).pathname.replace('/api/4.0', '')}`);
    return this.inner.request<T>(req);
  }
}

describe('Looker dashboard runs against the sandbox', function () {
  this.timeout(60_000);
  let sandbox: Sandbox;

  before(async () => {
    sandbox = await startSandbox({ services: ['looker'], largeTableRows: 10_000 });
  });
  after(async () => sandbox?.close());
  afterEach(() => sandbox.ctx.faults.clear());

  function setup(user = 'alice', opts: { signedIn?: boolean; tileConcurrency?: number } = {}) {
    const http = new RecordingHttp();
    const key = lookerApi3Credentials(user);
    const credentials = new Api3Credentials({ http, apiUrl: lookerApiUrl(sandbox.urls.looker), secrets: new SecretRegistry(), read: async () => ({ clientId: key.client_id, clientSecret: key.client_secret }) });
    const client = new LookerClient({ http, baseUrl: sandbox.urls.looker, credentials });
    const presenter = new RecordingPresenter();
    const records: Omit<AuditRecord, 'time'>[] = [];
    const runner = new LookRunner({
      client: () => client,
      presenter,
      audit: { record: async (e) => void records.push(e) },
      actor: () => ({ subject: `sub-${user}`, email: `${user}@example.com` }),
      roles: roleViewOf(['engineer', 'analyst'], { signedIn: opts.signedIn }),
      pageSize: () => 50,
      tileConcurrency: opts.tileConcurrency,
    });
    return { http, client, presenter, records, runner };
  }

  async function plan(client: LookerClient, change: Record<string, string> = {}) {
    const d = await client.dashboard('1');
    const filters = dashboardFilterDefaults(d).map((f) => (f.name in change ? { ...f, value: change[f.name] } : f));
    return { dashboardId: '1', title: d.title, tiles: planDashboard(d, filters), filters };
  }

  it('serves the dashboard’s filters and each tile’s listen mapping, as GET /dashboards/{id} does', async () => {
    const { client } = setup();
    const d = await client.dashboard('1');
    assert.deepEqual(dashboardFilterDefaults(d), [
      { name: 'Status', title: 'Status', value: '' },
      { name: 'Order amount', title: 'Order amount', value: '>=0' },
    ]);
    const listens = (d.dashboard_elements ?? []).map((e) => (e.result_maker?.filterables ?? []).flatMap((f) => (f.listen ?? []).map((l) => `${l.dashboard_filter_name}→${l.field}`)));
    assert.deepEqual(listens, [['Status→orders.status'], ['Status→orders.status', 'Order amount→orders.amount'], ['Status→orders.status'], []]);
  });

  it('runs every tile with a changed filter: each listening tile’s rows are the warehouse’s, filtered; the text tile is text', async () => {
    const { client, presenter, http, records, runner } = setup();
    const outcome = await runner.runDashboard(await plan(client, { Status: 'completed' }));
    assert.equal(outcome.status, 'succeeded');
    assert.deepEqual(outcome.tiles.map((t) => `${t.title}:${t.status}`), ['Orders by day:succeeded', 'Revenue by status:succeeded', 'Orders per month:succeeded', 'About:text']);
    assert.equal(http.requests.filter((r) => r === 'POST /queries/run/json_bi').length, 3, 'every filtered tile runs inline');
    const [byDay, byStatus, byMonth, about] = presenter.dashboards[0].tiles;
    const orders = '`gatehouse-demo.analytics.orders`';
    const wantDay = await sandbox.ctx.warehouse.query(`SELECT COUNT(*) AS n FROM ${orders} WHERE status = 'completed' GROUP BY order_date ORDER BY order_date DESC LIMIT 500`);
    assert.deepEqual((await byDay.rows()).map((r) => r[1]), wantDay.rows.map((r) => String(Number(r[0]))));
    const wantStatus = await sandbox.ctx.warehouse.query(`SELECT COUNT(*) AS n, SUM(amount) AS total FROM ${orders} WHERE status = 'completed' AND amount >= 0`);
    assert.deepEqual(await byStatus.rows(), [['completed', String(Number(wantStatus.rows[0][0])), Number(wantStatus.rows[0][1])]]);
    const wantMonth = await sandbox.ctx.warehouse.query(`SELECT SUBSTR(CAST(order_date AS STRING), 1, 7) AS m, COUNT(*) AS n FROM ${orders} WHERE status = 'completed' GROUP BY m ORDER BY m DESC LIMIT 24`);
    assert.deepEqual((await byMonth.rows()).map((r) => [r[0], r[1]]), wantMonth.rows.map((w) => [String(w[0]), String(Number(w[1]))]));
    assert.equal(about.text, 'Figures come from gatehouse-demo.analytics.');
    assert.equal(byStatus.stats?.extra?.['Filter orders.status'], 'completed', 'the panel says which filter the tile ran with');
    assert.equal(byStatus.stats?.extra?.['Filter orders.amount'], '>=0');
    assert.deepEqual(byStatus.stats?.chart, { kind: 'bar', requested: 'looker_bar', exact: true });
    // Tiles run side by side: the audit order is theirs.
    assert.deepEqual(records.map((r) => `${r.action}:${r.resource}:${r.outcome}`).sort(), [
      'run-dashboard-element:dashboard/1/element/1:succeeded',
      'run-dashboard-element:dashboard/1/element/2:succeeded',
      'run-dashboard-element:dashboard/1/element/3:succeeded',
    ]);
  });

  it('runs unfiltered tiles by their saved look or query, and keeps the other tiles when one fails', async () => {
    const { client, presenter, http, runner } = setup('bob');
    sandbox.ctx.faults.arm({ service: 'looker', path: '/looks/1/run/', kind: 'status', status: 500, count: 5 });
    const outcome = await runner.runDashboard(await plan(client));
    assert.equal(outcome.status, 'partial');
    assert.deepEqual(outcome.tiles.map((t) => `${t.title}:${t.status}`), ['Orders by day:failed', 'Revenue by status:succeeded', 'Orders per month:succeeded', 'About:text']);
    assert.ok(http.requests.includes('GET /looks/1/run/json_bi') && http.requests.includes('GET /queries/106/run/json_bi'), http.requests.join('\n'));
    const [byDay, byStatus, byMonth] = presenter.dashboards[0].tiles;
    assert.equal(byDay.error?.message, 'Looker had an internal problem.');
    assert.ok((await byStatus.rows()).length >= 3, 'every status: the Status filter is empty');
    assert.ok((await byMonth.rows()).length >= 12, 'a year of months');
  });

  it('stops the tiles still to run when the panel’s Cancel all is pressed', async () => {
    const { client, presenter, runner } = setup('alice', { tileConcurrency: 1 });
    sandbox.ctx.faults.arm({ service: 'looker', path: '/looks/1/run/', kind: 'hang' });
    const running = runner.runDashboard(await plan(client));
    const panel = await until('the first tile running', () => (presenter.dashboards[0]?.tiles[0].events.some((e) => e.startsWith('running:')) ? presenter.dashboards[0] : undefined), 10_000);
    panel.cancel.fire();
    const outcome = await running;
    assert.equal(outcome.status, 'cancelled');
    assert.deepEqual(outcome.tiles.map((t) => t.status), ['cancelled', 'cancelled', 'cancelled', 'text']);
    assert.deepEqual(panel.tiles.map((t) => t.events.at(-1)), ['cancelled', 'cancelled', 'cancelled', 'text']);
  });

  it('does not try, and audits the refusal, when the person may not run Looker content', async () => {
    const { client, presenter, records, runner } = setup('alice', { signedIn: false });
    const outcome = await runner.runDashboard(await plan(client));
    assert.equal(outcome.status, 'notAllowed');
    assert.equal(presenter.dashboards.length, 0);
    assert.deepEqual(records.map((r) => `${r.action}:${r.resource}:${r.outcome}`), ['run-dashboard:dashboard/1:denied']);
  });
});
