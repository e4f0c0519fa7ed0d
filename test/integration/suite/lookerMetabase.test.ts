// Looker and Metabase inside VS Code against the sandbox (Looker through its own OAuth sign-in,
// played through the test seam: Looker's SSO at the sandbox IdP; Metabase by the IdP token for its
// audience): the Looker tree waits for the Looker sign-in; the trees differ between alice
// (engineer) and bob (analyst); signing out of Looker empties it again; running a look opens the shared
// results panel with the look's rows (read from the webview through the driver); a run Metabase
// refuses is explained and audited.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { clickWebview, driverAvailable, readWebview } from '../runner/driverClient';
import { EXTENSION_ID, sandboxUrls, signInAs, type AuthTestingApi } from '../support/signIn';
import { signInToLooker, type LookerSignInSeam } from '../support/lookerSignIn';
import { WEBVIEW_FRAME as FRAME, waitForWebview } from '../support/wait';
import { RecordingUi } from '../../unit/support/recordingUi';
import { until } from '../../unit/support/wait';

interface Node {
  kind: string;
  key: string;
  folder?: { name: string };
  look?: { id: string; title: string };
  collection?: { name: string };
  item?: { id: number; name: string };
}
interface ServiceTesting {
  tree: vscode.TreeDataProvider<Node>;
  model: { refresh(): void };
  setUi(ui: unknown): void;
}
interface Testing {
  auth: AuthTestingApi;
  looker: ServiceTesting & LookerSignInSeam;
  metabase: ServiceTesting;
  audit: { recent(limit?: number): Promise<{ service: string; action: string; resource: string; outcome: string; reason?: string; credential: string; actor: { email?: string } }[]> };
}
interface RunOutcome {
  status: string;
  rowCount?: number;
  message?: string;
  tiles?: Array<{ title: string; status: string; rowCount?: number }>;
}

/** Answers each input box in turn (the rest keep the value offered), as a person at the keyboard would. */
function answeringUi(answers: Array<string | undefined>) {
  const recording = new RecordingUi();
  const asked: Array<{ title?: string; value?: string }> = [];
  const input = async (o: { title?: string; value?: string }) => {
    asked.push({ title: o.title, value: o.value });
    return answers.length ? answers.shift() : o.value;
  };
  return { ui: { ...recording, input }, asked, messages: recording.messages };
}

/** The sandbox Looker's own answer for a query (its seeded API3 key for alice), to compare tiles with. */
async function lookerRows(base: string, query: Record<string, unknown>): Promise<Array<Record<string, unknown>>> {
  const login = await fetch(`${base}/api/4.0/login`, { method: 'POST', body: new URLSearchParams({ client_id: 'sbx-looker-alice-client-id', client_secret: 'sbx-looker-alice-client-secret' }) });
  const { access_token } = (await login.json()) as { access_token: string };
  const res = await fetch(`${base}/api/4.0/queries/run/json`, { method: 'POST', headers: { Authorization: `Bearer ${access_token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(query) });
  assert.equal(res.status, 200);
  return (await res.json()) as Array<Record<string, unknown>>;
}

const digits = (s: string | null | undefined) => Number((s ?? '').replace(/[^\d.-]/g, ''));

function label(n: Node): string {
  return n.folder?.name ?? n.look?.title ?? n.collection?.name ?? n.item?.name ?? n.kind;
}

describe('Looker and Metabase', function () {
  this.timeout(90_000);
  let t: Testing;
  let issuer: string;
  const ui = new RecordingUi();

  async function children(s: ServiceTesting, parent?: Node): Promise<Node[]> {
    if (!parent) s.model.refresh();
    return (await s.tree.getChildren(parent)) as Node[];
  }

  async function lookerOutline(): Promise<string[]> {
    const out: string[] = [];
    for (const root of await children(t.looker)) {
      out.push(label(root));
      if (root.kind === 'folder') for (const c of await children(t.looker, root)) out.push(`${label(root)}/${label(c)}`);
    }
    return out;
  }

  async function metabaseRoots(): Promise<string[]> {
    return (await children(t.metabase)).map(label);
  }

  before(async () => {
    const urls = sandboxUrls();
    issuer = urls.issuer;
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    const exports = (await ext.activate()) as { testing?: Testing };
    assert.ok(exports.testing?.looker && exports.testing.metabase, 'the extension exports its Looker and Metabase test seams');
    t = exports.testing;
    await t.auth.settled();
    t.looker.setUi(ui);
    t.metabase.setUi(ui);
  });

  after(async () => {
    t?.looker.setUi(undefined);
    t?.metabase.setUi(undefined);
    t?.auth.setBrowser(undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('gatehouse.auth.signOut');
  });

  it('shows alice and bob different Looker folders and Metabase collections', async () => {
    await signInAs(t.auth, issuer, 'alice');
    // An earlier suite may have left alice signed in to Looker.
    await vscode.commands.executeCommand('gatehouse.looker.signOut');
    assert.deepEqual(await lookerOutline(), [], 'nothing from Looker before signing in to Looker (the welcome view asks)');
    await signInToLooker(t.looker, issuer, 'alice');
    const signIn = (await t.audit.recent(20)).filter((r) => r.service === 'looker' && r.action === 'sign-in').pop();
    assert.equal(`${signIn?.action}:${signIn?.outcome}:${signIn?.credential}:${signIn?.actor.email}`, 'sign-in:succeeded:service-oauth:alice@example.com');
    const aliceLooker = await lookerOutline();
    const aliceMetabase = await metabaseRoots();
    await signInAs(t.auth, issuer, 'bob');
    assert.deepEqual(await lookerOutline(), [], "alice's Looker sign-in is not bob's");
    await signInToLooker(t.looker, issuer, 'bob');
    const bobLooker = await lookerOutline();
    const bobMetabase = await metabaseRoots();
    assert.deepEqual(aliceLooker, ['Shared', 'Shared/Finance', 'Shared/Sales', 'Alice Engineer', 'Alice Engineer/Large orders (scratch)']);
    assert.deepEqual(bobLooker, ['Shared', 'Shared/Sales', 'Bob Analyst', 'Bob Analyst/message']);
    assert.deepEqual(aliceMetabase, ['Finance', 'Sales', "Alice Engineer's Personal Collection"]);
    assert.deepEqual(bobMetabase, ['Sales', "Bob Analyst's Personal Collection"]);
  });

  it('runs a look into the results panel, with its rows', async () => {
    assert.ok(driverAvailable(), 'the webview is read through the code-server driver');
    await signInAs(t.auth, issuer, 'alice');
    await signInToLooker(t.looker, issuer, 'alice');
    const [shared] = await children(t.looker);
    const sales = (await children(t.looker, shared)).find((n) => label(n) === 'Sales');
    assert.ok(sales);
    const look = (await children(t.looker, sales)).find((n) => n.look?.title === 'Revenue by status');
    assert.ok(look, 'the look is in the Sales folder');
    const outcome = (await vscode.commands.executeCommand('gatehouse.looker.runLook', look)) as RunOutcome;
    assert.equal(outcome.status, 'succeeded', ui.messages.join('\n'));
    assert.ok((outcome.rowCount ?? 0) >= 3);
    let headers: Array<string | null> = [];
    let firstRow: Array<string | null> = [];
    await until(
      "the look's columns and first row in the panel",
      async () => {
        headers = await readWebview('.colhead .name', { frameUrlContains: FRAME, timeoutMs: 5_000 }).catch(() => []);
        firstRow = await readWebview('.grid-row[aria-rowindex="2"] .cell', { frameUrlContains: FRAME, timeoutMs: 5_000 }).catch(() => []);
        // Rows render as empty placeholders first: wait until the first cell holds text.
        return headers.includes('Orders Status') && firstRow.length >= 3 && Boolean(firstRow[0]);
      },
      30_000,
      { intervalMs: 250, lastSeen: () => JSON.stringify({ headers, firstRow }) },
    );
    assert.deepEqual(headers.slice(0, 3), ['Orders Status', 'Orders Count', 'Orders Total Amount']);
    assert.ok(firstRow[0] && /^[a-z_]+$/.test(firstRow[0]), `a status in the first cell, saw ${JSON.stringify(firstRow)}`);
    const audit = (await t.audit.recent(20)).filter((r) => r.service === 'looker' && r.action.startsWith('run-')).pop();
    assert.equal(`${audit?.action}:${audit?.resource}:${audit?.outcome}:${audit?.credential}:${audit?.actor.email}`, 'run-look:look/2:succeeded:service-oauth:alice@example.com');
  });

  it('runs a Looker dashboard whole with a changed filter: every tile’s rows in the panel, the text tile as text', async () => {
    assert.ok(driverAvailable(), 'the webview is read through the code-server driver');
    await signInAs(t.auth, issuer, 'alice');
    await signInToLooker(t.looker, issuer, 'alice');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const [shared] = await children(t.looker);
    const sales = (await children(t.looker, shared)).find((n) => label(n) === 'Sales');
    assert.ok(sales);
    const dashboard = (await children(t.looker, sales)).find((n) => n.kind === 'dashboard');
    assert.ok(dashboard, 'the Sales overview dashboard is in Sales');
    const answering = answeringUi(['completed']);
    t.looker.setUi(answering.ui);
    let outcome: RunOutcome;
    try {
      outcome = (await vscode.commands.executeCommand('gatehouse.looker.runDashboard', dashboard)) as RunOutcome;
    } finally {
      t.looker.setUi(ui);
    }
    assert.deepEqual(answering.asked, [
      { title: 'Sales overview: filter Status (1/2)', value: '' },
      { title: 'Sales overview: filter Order amount (2/2)', value: '>=0' },
    ], 'each filter offered with its default');
    assert.equal(outcome.status, 'succeeded', answering.messages.join('\n'));
    assert.deepEqual(outcome.tiles?.map((x) => `${x.title}:${x.status}`), ['Orders by day:succeeded', 'Revenue by status:succeeded', 'Orders per month:succeeded', 'About:text']);

    const base = sandboxUrls().looker;
    const filters = { 'orders.status': 'completed' };
    const byDay = await lookerRows(base, { model: 'gatehouse', view: 'orders', fields: ['orders.created_date', 'orders.count', 'orders.total_amount'], filters, sorts: ['orders.created_date desc'], limit: '500' });
    const byStatus = await lookerRows(base, { model: 'gatehouse', view: 'orders', fields: ['orders.status', 'orders.count', 'orders.total_amount'], filters: { ...filters, 'orders.amount': '>=0' }, sorts: ['orders.total_amount desc'], limit: '500' });
    const byMonth = await lookerRows(base, { model: 'gatehouse', view: 'orders', fields: ['orders.created_month', 'orders.count', 'orders.customer_count'], filters, sorts: ['orders.created_month desc'], limit: '24' });
    const expected = [
      { title: 'Orders by day', rows: byDay, first: byDay[0]['orders.created_date'], count: byDay[0]['orders.count'] },
      { title: 'Revenue by status', rows: byStatus, first: 'completed', count: byStatus[0]['orders.count'] },
      { title: 'Orders per month', rows: byMonth, first: byMonth[0]['orders.created_month'], count: byMonth[0]['orders.count'] },
    ];
    assert.equal(byStatus.length, 1, 'the filter leaves one status');

    const tileStates = await waitForWebview('.tilebar .tile .tile-state', (v) => v.length === 4 && v[3] === 'text');
    assert.deepEqual(tileStates.slice(0, 3).map(digits), expected.map((e) => e.rows.length), 'each tile says how many rows it has');
    for (const [i, want] of expected.entries()) {
      assert.ok(await clickWebview(`.tilebar .tile-list .tile:nth-child(${i + 1})`, { frameUrlContains: FRAME, timeoutMs: 10_000 }), `tile ${want.title} is there to click`);
      let row: Array<string | null> = [];
      await until(
        `the rows of tile ${want.title}`,
        async () => {
          const heading = await readWebview('.heading .title', { frameUrlContains: FRAME, timeoutMs: 5_000 }).catch(() => []);
          row = await readWebview('.grid-row[aria-rowindex="2"] .cell', { frameUrlContains: FRAME, timeoutMs: 5_000 }).catch(() => []);
          return heading[0] === want.title && row.length >= 2 && row[0] === String(want.first);
        },
        30_000,
        { intervalMs: 250, lastSeen: () => JSON.stringify(row) },
      );
      assert.equal(digits(row[1]), Number(want.count), `${want.title}: the first row's count`);
    }
    assert.ok(await clickWebview('.tilebar .tile-list .tile:nth-child(4)', { frameUrlContains: FRAME, timeoutMs: 10_000 }));
    const text = await waitForWebview('.text-tile .tile-text', (v) => v.length === 1);
    assert.deepEqual(text, ['Figures come from gatehouse-demo.analytics.']);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('runs a Metabase question with its parameters: asked with their defaults, sent, the rows filtered', async () => {
    assert.ok(driverAvailable(), 'the webview is read through the code-server driver');
    await signInAs(t.auth, issuer, 'alice');
    const sales = (await children(t.metabase)).find((n) => label(n) === 'Sales');
    assert.ok(sales);
    const question = (await children(t.metabase, sales)).find((n) => label(n) === 'Orders by status since');
    assert.ok(question, 'the question with parameters is in Sales');
    const escaped = answeringUi([undefined]);
    t.metabase.setUi(escaped.ui);
    const answering = answeringUi(['2000-01-01', 'shipped', '150']);
    let cancelled: RunOutcome;
    let outcome: RunOutcome;
    try {
      cancelled = (await vscode.commands.executeCommand('gatehouse.metabase.runQuestion', question)) as RunOutcome;
      t.metabase.setUi(answering.ui);
      outcome = (await vscode.commands.executeCommand('gatehouse.metabase.runQuestion', question)) as RunOutcome;
    } finally {
      t.metabase.setUi(ui);
    }
    assert.equal(cancelled.status, 'cancelled', 'Escape on the first value runs nothing');
    assert.deepEqual(answering.asked.map((a) => `${a.title}=${a.value}`), ['Orders by status since: Since (1/3)=2000-01-01', 'Orders by status since: Status (2/3)=completed', 'Orders by status since: Minimum amount (3/3)=']);
    assert.equal(outcome.status, 'succeeded', answering.messages.join('\n'));
    assert.equal(outcome.rowCount, 1, 'one status left');
    const row = await waitForWebview('.grid-row[aria-rowindex="2"] .cell', (v) => v[0] === 'shipped');
    assert.ok(digits(row[1]) > 0, `a count of shipped orders of 150 or more, saw ${JSON.stringify(row)}`);
    const facts = await readWebview('.status', { frameUrlContains: FRAME });
    assert.match(facts.join(' '), /Parameter Status.*shipped/, 'the status line says which values it ran with');
  });

  it('draws an area question as an area chart, as Metabase does', async () => {
    assert.ok(driverAvailable(), 'the webview is read through the code-server driver');
    await signInAs(t.auth, issuer, 'alice');
    const finance = (await children(t.metabase)).find((n) => label(n) === 'Finance');
    assert.ok(finance, 'alice sees the Finance collection');
    const question = (await children(t.metabase, finance)).find((n) => label(n) === 'Monthly revenue');
    assert.ok(question, 'the area question is in Finance');
    const outcome = (await vscode.commands.executeCommand('gatehouse.metabase.runQuestion', question)) as RunOutcome;
    assert.equal(outcome.status, 'succeeded', ui.messages.join('\n'));
    assert.ok(await clickWebview('.tabs [role=tab]:nth-child(2)', { frameUrlContains: FRAME, timeoutMs: 30_000 }), 'the Chart tab is there to click');
    const deadline = Date.now() + 30_000;
    let fills: Array<string | null> = [];
    while (Date.now() < deadline && !fills.length) {
      fills = await readWebview('.chart-marks.area path.fill', { frameUrlContains: FRAME, property: 'outerHTML', timeoutMs: 2_000 }).catch(() => []);
    }
    assert.equal(fills.length, 1, 'one filled area');
    assert.deepEqual(await readWebview('.chart-marks.bar rect', { frameUrlContains: FRAME }), [], 'not bars');
    const pressed = await readWebview('.segmented [aria-checked=true]', { frameUrlContains: FRAME });
    assert.deepEqual(pressed, ['Area']);
    const caption = await readWebview('.chart-caption', { frameUrlContains: FRAME });
    assert.match(caption[0] ?? '', /^Area chart: /);
  });

  it('explains and audits a run Metabase refuses (bob and the Finance question)', async () => {
    await signInAs(t.auth, issuer, 'bob');
    const outcome = (await vscode.commands.executeCommand('gatehouse.metabase.runQuestion', 5)) as RunOutcome;
    assert.equal(outcome.status, 'denied');
    assert.match(outcome.message ?? '', /^Metabase refused: bob@example\.com may not run the question /);
    assert.ok(ui.messages.some((m) => m.startsWith('error: Metabase refused')), ui.messages.join('\n'));
    const audit = (await t.audit.recent(20)).filter((r) => r.service === 'metabase' && r.action.startsWith('run-')).pop();
    assert.equal(`${audit?.action}:${audit?.resource}:${audit?.outcome}:${audit?.reason}:${audit?.actor.email}`, 'run-question:card/5:denied:forbidden:bob@example.com');
  });

  it('opens Looker and Metabase content in the browser at URLs derived from the base URL', async () => {
    // Metabase's base URL is its identity-aware proxy's (its web pages are behind it); Looker is
    // reached directly with its own OAuth sign-in.
    const sandbox = sandboxUrls();
    const urls = { metabase: sandbox.metabaseProxy, looker: sandbox.looker };
    await signInToLooker(t.looker, issuer, 'bob');
    const [mbRoot] = await children(t.metabase);
    assert.equal(await vscode.commands.executeCommand('gatehouse.metabase.openInMetabase', mbRoot), `${urls.metabase}/collection/${(mbRoot as { collection?: { id: number } }).collection?.id}`);
    const [shared] = await children(t.looker);
    assert.equal(await vscode.commands.executeCommand('gatehouse.looker.openInLooker', shared), `${urls.looker}/folders/1`);
    assert.deepEqual(ui.opened.slice(-2), [`${urls.metabase}/collection/2`, `${urls.looker}/folders/1`]);
  });

  it('signs out of Looker: the tree empties, the sign-out is audited, and Looker is asked again', async () => {
    assert.ok((await lookerOutline()).length > 0, 'signed in to Looker as bob');
    assert.equal(await vscode.commands.executeCommand('gatehouse.looker.signOut'), true);
    assert.deepEqual(await lookerOutline(), []);
    const out = (await t.audit.recent(20)).filter((r) => r.service === 'looker' && r.action === 'sign-out').pop();
    assert.equal(`${out?.action}:${out?.outcome}:${out?.credential}:${out?.actor.email}`, 'sign-out:succeeded:service-oauth:bob@example.com');
    ui.messages.length = 0;
    const outcome = (await vscode.commands.executeCommand('gatehouse.looker.runLook', '1')) as RunOutcome | undefined;
    assert.equal(outcome, undefined);
    assert.ok(ui.messages.some((m) => /not signed in to Looker/.test(m)), ui.messages.join('\n'));
  });
});
