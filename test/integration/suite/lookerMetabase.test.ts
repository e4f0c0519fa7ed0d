// Looker and Metabase inside VS Code against the sandbox (IdP tokens for both audiences): the
// trees differ between alice (engineer) and bob (analyst); running a look opens the shared
// results panel with the look's rows (read from the webview through the driver); a run Metabase
// refuses is explained and audited.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { clickWebview, driverAvailable, readWebview } from '../runner/driverClient';
import { EXTENSION_ID, sandboxUrls, signInAs, type AuthTestingApi } from '../support/signIn';
import { WEBVIEW_FRAME as FRAME } from '../support/wait';
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
  looker: ServiceTesting;
  metabase: ServiceTesting;
  audit: { recent(limit?: number): Promise<{ service: string; action: string; resource: string; outcome: string; reason?: string; actor: { email?: string } }[]> };
}
interface RunOutcome {
  status: string;
  rowCount?: number;
  message?: string;
}

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
    const aliceLooker = await lookerOutline();
    const aliceMetabase = await metabaseRoots();
    await signInAs(t.auth, issuer, 'bob');
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
    assert.equal(`${audit?.action}:${audit?.resource}:${audit?.outcome}:${audit?.actor.email}`, 'run-look:look/2:succeeded:alice@example.com');
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
    const urls = sandboxUrls();
    const [mbRoot] = await children(t.metabase);
    assert.equal(await vscode.commands.executeCommand('gatehouse.metabase.openInMetabase', mbRoot), `${urls.metabase}/collection/${(mbRoot as { collection?: { id: number } }).collection?.id}`);
    const [shared] = await children(t.looker);
    assert.equal(await vscode.commands.executeCommand('gatehouse.looker.openInLooker', shared), `${urls.looker}/folders/1`);
    assert.deepEqual(ui.opened.slice(-2), [`${urls.metabase}/collection/2`, `${urls.looker}/folders/1`]);
  });
});
