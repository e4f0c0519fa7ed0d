// Roles inside VS Code, as alice (engineer), bob (analyst) and olivia (contractor): the menus
// package.json contributes, evaluated against the context keys the running extension set, on
// every item type of every view; the real dbt tree (read from the workbench DOM) showing alice a
// Trigger action on a dbt Cloud job and bob none, without a reload; a refusal that comes before
// any confirmation and names the granting group; and an Activity view per person, by day, with
// filter and export.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EXTENSION_ID, sandboxUrls, signInAs as signInWith, type AuthTestingApi } from '../support/signIn';
import { jobsLoaded } from '../support/dbtCloud';
import { driverAvailable, readWorkbench, screenshot } from '../runner/driverClient';
import { GATED, itemCommands, rowsOffering } from '../../support/menuCases';
import type { MenuEntry } from '../../support/whenClause';

const NIGHTLY = 902131;

interface Rec {
  time: string;
  service: string;
  action: string;
  resource: string;
  resourceName?: string;
  outcome: string;
  credential: string;
  actor: { subject: string; email?: string };
}
type ActivityNode = { kind: 'day'; day: string; records: Rec[] } | { kind: 'record'; record: Rec };
interface El {
  kind: string;
  jobId?: number;
}
interface Testing {
  auth: AuthTestingApi;
  roles: { can(action: string): boolean };
  policyContext: { keys: Map<string, unknown> };
  audit: { recent(limit?: number): Promise<Rec[]> };
  activity: {
    tree: vscode.TreeDataProvider<ActivityNode> & { setFilter(text: string): void; visibleRecords(): Promise<Rec[]> };
    exportTrail(target?: string): Promise<vscode.Uri | undefined>;
  };
  dbt: {
    setUi(ui: unknown): void;
    setFollowerOptions(o: { initialDelayMs?: number; maxDelayMs?: number }): void;
    commands: { followOf(runId: number): Promise<{ kind: string; run?: { status: string } }> | undefined };
    cloud: { state: { kind: string }; refresh(): Promise<void> };
    tree: vscode.TreeDataProvider<El>;
    view: vscode.TreeView<El>;
  };
}

class RecordingUi {
  readonly messages: string[] = [];
  confirmations = 0;
  info = async (m: string) => void this.messages.push(`info: ${m}`);
  warn = async (m: string) => void this.messages.push(`warn: ${m}`);
  error = async (m: string) => void this.messages.push(`error: ${m}`);
  confirm = async () => {
    this.confirmations++;
    return true;
  };
  input = async () => undefined;
  pick = async () => undefined;
  openExternal = async () => true;
}

async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('roles in VS Code: menus, refusals, per-person activity', function () {
  this.timeout(120_000);
  let t: Testing;
  let issuer: string;
  let menus: Record<string, MenuEntry[]>;
  const ui = new RecordingUi();
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-policy-'));

  /** Signs in and waits until the context keys follow the new person's roles. */
  async function signInAs(user: 'alice' | 'bob' | 'olivia'): Promise<Record<string, unknown>> {
    await signInWith(t.auth, issuer, user);
    const engineer = user === 'alice';
    await until(`the context keys of ${user}`, () => t.policyContext.keys.get('gatehouse.can.dbtCloud.trigger') === engineer && t.policyContext.keys.get('gatehouse.can.looker.run') === true);
    return Object.fromEntries(t.policyContext.keys);
  }

  before(async () => {
    issuer = sandboxUrls().issuer;
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    menus = ext.packageJSON.contributes.menus;
    t = ((await ext.activate()) as { testing: Testing }).testing;
    assert.ok(t.policyContext && t.activity, 'the extension exports the policy and activity test seams');
    await vscode.workspace.getConfiguration('gatehouse').update('auth.flow', 'loopback', vscode.ConfigurationTarget.Global);
    await t.auth.settled();
    t.dbt.setUi(ui);
  });

  after(async () => {
    t?.dbt.setUi(undefined);
    t?.activity.tree.setFilter('');
    rmSync(scratch, { recursive: true, force: true });
    if ((await vscode.authentication.getAccounts('gatehouse-oidc')).length) await vscode.commands.executeCommand('gatehouse.auth.signOut');
  });

  it('alice: the keys VS Code was given offer dbt Cloud triggers only on dbt Cloud jobs, syncs only on active connections', async () => {
    const rows = itemCommands(menus, await signInAs('alice'));
    assert.deepEqual(rowsOffering(rows, 'gatehouse.dbtCloud.triggerRun'), ['gatehouse.dbt dbtCloudJob', 'gatehouse.dbt dbtCloudJob:hasRun', 'gatehouse.dbt dbtCloudJob:running:hasRun']);
    assert.deepEqual(rowsOffering(rows, 'gatehouse.airbyte.syncNow'), ['gatehouse.airbyte airbyteConnection.active']);
    assert.ok(rowsOffering(rows, 'gatehouse.dbt.run').every((r) => r.startsWith('gatehouse.dbt dbtNode:')));
  });

  for (const user of ['bob', 'olivia'] as const) {
    it(`${user}: no trigger, run, sync, reset or cancel on any row of any view; reports still run`, async () => {
      const rows = itemCommands(menus, await signInAs(user));
      const writes = Object.keys(GATED).filter((c) => /^gatehouse\.(dbt|dbtCloud|airbyte)\./.test(c));
      assert.deepEqual(writes.flatMap((c) => rowsOffering(rows, c).map((r) => `${c} on ${r}`)), []);
      assert.deepEqual(rowsOffering(rows, 'gatehouse.looker.runLook'), ['gatehouse.looker lookerLook']);
    });
  }

  it('the real dbt tree: alice sees Trigger on a dbt Cloud job, and after bob signs in it is gone (no reload)', async () => {
    assert.ok(driverAvailable(), 'this suite runs on the code-server backend, which has the workbench driver');
    await signInAs('alice');
    await vscode.commands.executeCommand('gatehouse.dbt.focus');
    const showNightly = async () => {
      await jobsLoaded(t.dbt.cloud);
      const cloud = ((await t.dbt.tree.getChildren()) ?? []).find((e) => e.kind === 'cloud');
      assert.ok(cloud, 'the dbt Cloud node');
      const job = await until('the Nightly build job', async () => ((await t.dbt.tree.getChildren(cloud)) ?? []).find((e) => e.jobId === NIGHTLY));
      await t.dbt.view.reveal(job, { select: true, focus: true, expand: true });
    };
    const row = '.monaco-list-row[aria-label*="Nightly build"]';
    const actionsOfRow = () => readWorkbench(`${row} .actions .action-label`, { attribute: 'aria-label' });
    await showNightly();
    try {
      await until('a Trigger action on alice’s Nightly build row', async () => (await actionsOfRow()).some((l) => /Trigger dbt Cloud Run/.test(l ?? '')), 20_000);
      await signInAs('bob');
      await showNightly();
      assert.ok((await readWorkbench(row, { timeoutMs: 20_000 })).length, 'bob still sees the job row');
      await until('no Trigger action on bob’s row', async () => !(await actionsOfRow()).some((l) => /Trigger dbt Cloud Run/.test(l ?? '')) && 'gone', 20_000);
    } catch (err) {
      await screenshot(path.join('.vscode-test', 'screenshots', 'policy-dbt-row.png')).catch(() => undefined);
      throw err;
    }
  });

  it('bob asked to trigger anyway (a keybinding, the API): refused before any confirmation, naming the group and the capability', async () => {
    await signInAs('bob');
    await jobsLoaded(t.dbt.cloud);
    const before = ui.messages.length;
    const confirmations = ui.confirmations;
    assert.equal(await vscode.commands.executeCommand('gatehouse.dbtCloud.triggerRun', NIGHTLY), undefined);
    assert.equal(ui.confirmations, confirmations, 'no confirmation before the refusal');
    const said = ui.messages.slice(before).join('\n');
    assert.match(said, /You may not trigger dbt Cloud jobs in Gatehouse\. The Gatehouse capability "Trigger dbt Cloud jobs" is granted to members of data-engineers \(role engineer\); you are in analysts\./);
    assert.doesNotMatch(said, /dbtCloud\.trigger|\(role\)|accessDenied/);
    const denied = (await t.audit.recent(20)).filter((r) => r.service === 'dbtCloud' && r.outcome === 'denied').pop();
    assert.equal(`${denied?.resourceName}:${denied?.actor.email}`, 'Nightly build:bob@example.com');
  });

  it('Explain Access on a tree item opens the identity chain beside the editor, as text', async () => {
    await signInAs('bob');
    const body = (await vscode.commands.executeCommand('gatehouse.policy.explainAccess', { kind: 'cloudJob', jobId: NIGHTLY }, { service: 'dbt Cloud', what: 'trigger a run of "Nightly build"', missing: 'a developer role' })) as string;
    const doc = await until('the explanation document', () => vscode.window.visibleTextEditors.map((e) => e.document).find((d) => d.uri.scheme === 'gatehouse-access'));
    assert.equal(doc.getText(), body);
    assert.match(body, /bob@example\.com \(subject [^)]+\) at /);
    assert.match(body, /Groups: analysts/);
    assert.match(body, /\[no \] Trigger dbt Cloud jobs — granted to data-engineers/);
    assert.match(body, /BigQuery sees the federated principal principal:\/\/iam\.googleapis\.com\/locations\/global\/workforcePools\/gatehouse-sandbox\/subject\//);
    assert.match(body, /Airbyte at http:\/\/[^ ]+ sees an access token your identity provider issues for that audience/);
    assert.match(body, /dbt Cloud reported missing: a developer role/);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('a failed dbt Cloud run says which step failed and why, where the failure is shown', async () => {
    const { dbtCloud } = sandboxUrls() as unknown as { dbtCloud: string };
    await fetch(`${dbtCloud}/__sandbox/dbt-cloud/speed`, { method: 'POST', body: JSON.stringify({ factor: 30 }) });
    try {
      await signInAs('alice');
      t.dbt.setFollowerOptions({ initialDelayMs: 150, maxDelayMs: 400 });
      await jobsLoaded(t.dbt.cloud);
      const before = ui.messages.length;
      const run = (await vscode.commands.executeCommand('gatehouse.dbtCloud.triggerRun', 902133)) as { id: number } | undefined;
      assert.ok(run?.id, ui.messages.slice(before).join('\n'));
      const done = await t.dbt.commands.followOf(run.id)!;
      assert.equal(done.run?.status, 'error');
      const said = await until('the failure notification', () => ui.messages.slice(before).find((m) => m.startsWith('error: Run #')));
      assert.match(said, /failed: step \d+ "Invoke dbt build[^"]*" failed \(Failure in test not_null_orders_amount\)\.$/);
    } finally {
      await fetch(`${dbtCloud}/__sandbox/dbt-cloud/speed`, { method: 'POST', body: JSON.stringify({ factor: 1 }) }).catch(() => undefined);
    }
  });

  it('a contractor signed in after alice sees only her own activity, by day with local times, filtered and exported', async () => {
    await signInAs('alice');
    await signInAs('olivia');
    const mine = await t.activity.tree.visibleRecords();
    assert.ok(mine.length > 0, 'olivia has records of her own (her sign-in)');
    assert.deepEqual([...new Set(mine.map((r) => r.actor.email))], ['olivia@example.com']);
    const all = await t.audit.recent(1000);
    assert.ok(all.some((r) => r.actor.email === 'alice@example.com'), 'the trail itself still holds alice’s records');

    const days = (await t.activity.tree.getChildren()) ?? [];
    assert.ok(days.length >= 1 && days.every((d) => d.kind === 'day'));
    assert.equal((t.activity.tree.getTreeItem(days[0]) as vscode.TreeItem).label, 'Today');
    const entries = ((await t.activity.tree.getChildren(days[0])) ?? []).map((n) => t.activity.tree.getTreeItem(n) as vscode.TreeItem);
    const signIn = entries.find((i) => String(i.label).startsWith('Signed in'));
    assert.ok(signIn, entries.map((i) => i.label).join(', '));
    assert.doesNotMatch(String(signIn.description), /\d{4}-\d\d-\d\dT/, 'a local time, not an ISO UTC stamp');
    const tooltip = (signIn.tooltip as vscode.MarkdownString).value;
    assert.doesNotMatch(tooltip, /idp-id-token|resource-indicator/);

    t.activity.tree.setFilter('sign-in');
    const filtered = await t.activity.tree.visibleRecords();
    assert.ok(filtered.length > 0 && filtered.every((r) => r.action === 'sign-in'), filtered.map((r) => r.action).join(', '));
    t.activity.tree.setFilter('');

    const jsonl = path.join(scratch, 'audit.jsonl');
    await t.activity.exportTrail(jsonl);
    const lines = readFileSync(jsonl, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Rec);
    assert.ok(lines.length > 0 && lines.every((r) => r.actor.email === 'olivia@example.com'));
    const csv = path.join(scratch, 'audit.csv');
    await t.activity.exportTrail(csv);
    const rows = readFileSync(csv, 'utf8').trim().split('\r\n');
    assert.match(rows[0], /^time,actor_subject,actor_email/);
    // Header, the same records, and the audit record of the JSON Lines export just before (and any
    // record written meanwhile, such as a view's listing).
    assert.ok(rows.length >= lines.length + 2, `${rows.length} CSV rows for ${lines.length} records`);
    for (const r of lines) assert.ok(rows.some((row) => row.startsWith(`${r.time},`)), `the CSV holds the record of ${r.time}`);
    assert.ok(rows.some((row) => /,export-audit-trail,audit-trail\/own,/.test(row)), 'the CSV holds the record of the JSON Lines export');
  });
});
