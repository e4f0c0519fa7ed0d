// dbt inside VS Code on the sandbox demo project (a copy of test/sandbox/demo-workspace): the tree
// (sections, folders, icons, tooltips, grouping, filter), open file and reveal, the lineage webview
// (read through the driver, screenshot), dbt run/build as tasks through a stand-in dbt executable
// that records its argv and writes run_results.json, a damaged manifest, and dbt Cloud
// trigger/follow/cancel/open against the sandbox as alice (engineer) and bob (analyst).
// The stand-in dbt is handed to the module through its test seam, not gatehouse.dbt.executablePath:
// writing a machine-scoped setting under code-server replaces the user settings of the sandbox.
import * as assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { signInAs as signInWith } from '../support/signIn';
import { driverAvailable, readWebview, screenshot } from '../runner/driverClient';

const EXTENSION_ID = 'gatehouse.gatehouse';
const STG_ORDERS = 'model.jaffle_gatehouse.stg_orders';
const ORDERS = 'model.jaffle_gatehouse.orders';
const JOBS = { nightly: 902131, hourlyMarts: 902132, ci: 902133 };

interface El {
  kind: string;
  id: string;
  projectKey?: string;
  uniqueId?: string;
  section?: string;
  label?: string;
  jobId?: number;
  text?: string;
}
interface Run {
  id: number;
  status: string;
  href?: string;
}
interface DbtTesting {
  projects: { projects(): { key: string; error?: unknown; index?: unknown; location: { manifestPath: string } }[]; whenIdle(): Promise<void> };
  tree: vscode.TreeDataProvider<El> & { runStatus(key: string, id: string): string | undefined; elementOf(key: string, id: string): El | undefined };
  view: vscode.TreeView<El>;
  lineage: { current: { graph?: { nodes: { id: string; name: string }[]; truncated: boolean } }; onDidPost: vscode.Event<{ type: string }> };
  cloud: { state: { kind: string; jobs?: { id: number; name: string }[] }; refresh(): Promise<void> };
  commands: { followOf(runId: number): Promise<{ kind: string; run?: Run }> | undefined };
  settled(): Promise<void>;
  setUi(ui: unknown): void;
  setFollowerOptions(o: { initialDelayMs?: number; maxDelayMs?: number }): void;
  setExecutable(exe: string | undefined): void;
}
interface Testing {
  auth: { setBrowser(b: ((url: string) => Promise<void>) | undefined): void; settled(): Promise<void> };
  dbt: DbtTesting;
  bigquery: { client(): { getJob(ref: { projectId: string; jobId: string; location?: string }): Promise<{ state: string; query?: string; labels?: Record<string, string> }> } | undefined };
  audit: { recent(limit?: number): Promise<{ action: string; outcome: string; jobIds?: string[]; service: string; resource: string; credential: string; actor: { email?: string } }[]> };
}


/** Dialogs and notifications without a person: messages recorded, confirmations accepted. */
class RecordingUi {
  readonly messages: string[] = [];
  readonly opened: string[] = [];
  info = async (m: string) => void this.messages.push(`info: ${m}`);
  warn = async (m: string) => void this.messages.push(`warn: ${m}`);
  error = async (m: string) => void this.messages.push(`error: ${m}`);
  confirm = async () => true;
  input = async () => undefined;
  pick = async () => undefined;
  openExternal = async (url: string) => {
    this.opened.push(url);
    return true;
  };
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('dbt (tree, lineage, run, dbt Cloud)', function () {
  this.timeout(90_000);
  let t: Testing;
  let issuer: string;
  let dbtCloudUrl: string;
  let projectKey: string;
  let extensionPath: string;
  const ui = new RecordingUi();
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-fake-dbt-'));
  const config = () => vscode.workspace.getConfiguration('gatehouse');

  async function signInAs(user: string): Promise<void> {
    await signInWith(t.auth, issuer, user);
  }


  const children = async (el?: El) => ((await t.dbt.tree.getChildren(el)) ?? []) as El[];
  const item = (el: El) => t.dbt.tree.getTreeItem(el) as vscode.TreeItem;
  const label = (el: El) => String(item(el).label);
  const icon = (el: El) => (item(el).iconPath as vscode.ThemeIcon | undefined)?.id;
  async function find(el: El | undefined, name: string): Promise<El> {
    const found = (await children(el)).find((c) => label(c) === name);
    assert.ok(found, `"${name}" under ${el ? label(el) : 'the root'}: ${(await children(el)).map(label).join(', ')}`);
    return found;
  }
  const node = (uniqueId: string) => ({ projectKey, uniqueId });

  /** A dbt executable for the tasks: the fake, with its log file and the model that should fail. */
  function fakeDbt(fail?: string): { exe: string; log: string } {
    const log = path.join(scratch, `calls-${Date.now()}.jsonl`);
    const exe = path.join(scratch, 'dbt');
    const fake = path.join(extensionPath, 'test', 'integration', 'fixtures', 'fake-dbt.mjs');
    writeFileSync(exe, `#!/bin/sh\nGATEHOUSE_FAKE_DBT_LOG='${log}' GATEHOUSE_FAKE_DBT_FAIL='${fail ?? ''}' exec '${process.execPath}' '${fake}' "$@"\n`);
    chmodSync(exe, 0o755);
    return { exe, log };
  }

  before(async () => {
    const urls = JSON.parse(process.env.GATEHOUSE_SANDBOX_URLS ?? '{}') as { issuer?: string; dbtCloud?: string };
    assert.ok(urls.issuer && urls.dbtCloud, 'GATEHOUSE_SANDBOX_URLS names the sandbox');
    issuer = urls.issuer;
    dbtCloudUrl = urls.dbtCloud;
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    extensionPath = ext.extensionPath;
    t = ((await ext.activate()) as { testing: Testing }).testing;
    assert.ok(t.dbt, 'the dbt module exports its test seam');
    await config().update('auth.flow', 'loopback', vscode.ConfigurationTarget.Global);
    await t.auth.settled();
    t.dbt.setUi(ui);
    t.dbt.setFollowerOptions({ initialDelayMs: 150, maxDelayMs: 400 });
    await t.dbt.settled();
    const projects = t.dbt.projects.projects();
    assert.equal(projects.length, 1, 'the demo workspace has one dbt project');
    projectKey = projects[0].key;
    assert.ok(projects[0].index, `its manifest loaded (${String((projects[0].error as Error | undefined)?.message)} ${String(((projects[0].error as Error | undefined)?.cause as Error | undefined)?.message)})`);
  });

  after(async () => {
    t?.dbt.setUi(undefined);
    t?.dbt.setExecutable(undefined);
    await config().update('dbt.treeGrouping', undefined, vscode.ConfigurationTarget.Global);
    await fetch(`${dbtCloudUrl}/__sandbox/dbt-cloud/speed`, { method: 'POST', body: JSON.stringify({ factor: 1 }) }).catch(() => undefined);
    rmSync(scratch, { recursive: true, force: true });
  });

  it('shows models by folder, the other resource types, icons and tooltips', async () => {
    const roots = await children();
    assert.deepEqual(roots.filter((r) => r.kind === 'section').map(label), ['Models', 'Sources', 'Seeds', 'Snapshots', 'Exposures', 'Tests']);
    assert.ok(roots.some((r) => r.kind === 'cloud'), 'the dbt Cloud node is there (configured in user settings)');
    const models = await find(undefined, 'Models');
    assert.equal(item(models).description, '6');
    assert.deepEqual((await children(models)).map(label), ['marts', 'staging']);
    const staging = await find(models, 'staging');
    assert.deepEqual((await children(staging)).map(label), ['stg_customers', 'stg_orders', 'stg_payments']);
    const stg = await find(staging, 'stg_orders');
    const tooltip = (item(stg).tooltip as vscode.MarkdownString).value.replace(/\\/g, '');
    assert.match(tooltip, /gatehouse-demo/, 'relation name');
    assert.match(tooltip, /order_id/, 'columns');
    assert.equal(item(stg).contextValue, 'dbtNode:model:compiled');
    assert.equal(t.dbt.tree.runStatus(projectKey, STG_ORDERS), 'success', 'the demo run_results.json');
    assert.equal(icon(stg), 'pass');
    assert.deepEqual((await children(await find(undefined, 'Sources'))).map(label), ['raw']);
    assert.equal(icon((await children(await find(undefined, 'Exposures')))[0]), 'dashboard');

    await config().update('dbt.treeGrouping', 'materialization', vscode.ConfigurationTarget.Global);
    assert.deepEqual((await children(await find(undefined, 'Models'))).map(label), ['materialized_view', 'table', 'view']);
    await config().update('dbt.treeGrouping', 'tag', vscode.ConfigurationTarget.Global);
    assert.deepEqual((await children(await find(undefined, 'Models'))).map(label), ['marts', 'staging']);
    await config().update('dbt.treeGrouping', undefined, vscode.ConfigurationTarget.Global);
  });

  it('filters by name, opens a model’s file and reveals the current file’s model', async () => {
    await vscode.commands.executeCommand('gatehouse.dbt.filter', 'pay');
    const models = await find(undefined, 'Models');
    assert.deepEqual((await children(models)).map(label), ['staging']);
    assert.deepEqual((await children(await find(models, 'staging'))).map(label), ['stg_payments']);
    assert.equal(t.dbt.view.description, 'filter: pay');
    await vscode.commands.executeCommand('gatehouse.dbt.clearFilter');

    const staging = await find(await find(undefined, 'Models'), 'staging');
    const stg = await find(staging, 'stg_orders');
    assert.deepEqual(item(stg).command?.command, 'gatehouse.dbt.openFile');
    await vscode.commands.executeCommand('gatehouse.dbt.openFile', stg);
    const editor = await until('the model file in an editor', () => vscode.window.activeTextEditor);
    assert.equal(editor.document.uri.fsPath, path.join(projectKey, 'models', 'staging', 'stg_orders.sql'));
    assert.match(editor.document.getText(), /source\('raw', 'orders_raw'\)/);

    await vscode.window.showTextDocument(vscode.Uri.file(path.join(projectKey, 'models', 'marts', 'customers.sql')));
    const revealed = (await vscode.commands.executeCommand('gatehouse.dbt.revealCurrentFile')) as El;
    assert.equal(revealed?.uniqueId, 'model.jaffle_gatehouse.customers');
    await until('the model selected in the tree', () => t.dbt.view.selection.some((s) => s.id === revealed.id));
  });

  it('draws the lineage in a webview and opens a node’s file from it', async function () {
    assert.ok(driverAvailable(), 'this suite runs on the code-server backend, which has the webview driver');
    const posted = new Promise<{ type: string }>((resolve) => {
      const sub = t.dbt.lineage.onDidPost((m) => {
        if (m.type === 'graph') {
          sub.dispose();
          resolve(m);
        }
      });
    });
    await vscode.commands.executeCommand('gatehouse.dbt.showLineage', node(STG_ORDERS), { upstream: 2, downstream: 3 });
    await posted;
    const names = await readWebview('g.node text.name', { frameUrlContains: 'extensionId=gatehouse.gatehouse', timeoutMs: 20_000 });
    assert.deepEqual([...new Set(names)].sort(), ['customers', 'daily_revenue', 'orders', 'orders_raw', 'shop_revenue_dashboard', 'stg_orders']);
    const focus = await readWebview('g.node.focus text.name', { frameUrlContains: 'extensionId=gatehouse.gatehouse' });
    assert.deepEqual(focus, ['stg_orders']);
    const edges = await readWebview('path.edge', { property: 'outerHTML', frameUrlContains: 'extensionId=gatehouse.gatehouse' });
    assert.equal(edges.length, 6);
    const title = await readWebview('h1.title', { frameUrlContains: 'extensionId=gatehouse.gatehouse' });
    assert.deepEqual(title, ['Lineage of stg_orders']);
    // The whole picture for the screenshot: the lineage alone in the editor area, no side bar.
    await vscode.commands.executeCommand('workbench.action.closeSidebar');
    await vscode.commands.executeCommand('workbench.action.joinAllGroups');
    await new Promise((r) => setTimeout(r, 800));
    const shot = await screenshot(path.join(scratch, 'dbt-lineage.png'));
    await vscode.commands.executeCommand('workbench.view.extension.gatehouse');
    assert.ok(existsSync(shot));
    if (process.env.GATEHOUSE_DBT_SCREENSHOT) writeFileSync(process.env.GATEHOUSE_DBT_SCREENSHOT, readFileSync(shot));

    // What a click in the page posts: the host opens the file of a node on screen, and nothing else.
    const host = t.dbt.lineage as unknown as { onMessage(raw: unknown): Promise<void> };
    await host.onMessage({ type: 'openNode', id: ORDERS });
    await until('orders.sql opened from the lineage', () => vscode.window.activeTextEditor?.document.uri.fsPath.endsWith(path.join('marts', 'orders.sql')));
    await host.onMessage({ type: 'openNode', id: 'model.jaffle_gatehouse.stg_customers' });
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(vscode.window.activeTextEditor?.document.uri.fsPath.endsWith(path.join('marts', 'orders.sql')), 'a node not on screen is not opened');
    await host.onMessage({ type: 'openNode', id: ORDERS, path: '/etc/passwd', extra: '<script>' });
  });

  it('runs dbt build +model as a task with the configured executable and marks the results in the tree', async () => {
    await signInAs('alice');
    assert.ok(vscode.workspace.isTrusted, 'the test workspace is trusted');
    const { exe, log } = fakeDbt('orders');
    t.dbt.setExecutable(exe);
    const outcome = (await vscode.commands.executeCommand('gatehouse.dbt.build', node(ORDERS), 'parents')) as { kind: string; exitCode?: number };
    assert.equal(outcome.kind, 'finished', JSON.stringify(outcome) + ui.messages.join('\n'));
    assert.equal(outcome.exitCode, 1, 'the fake fails the model named in its environment');
    const calls = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { argv: string[]; cwd: string });
    assert.deepEqual(calls, [{ argv: ['build', '--select', '+orders'], cwd: projectKey }]);
    await t.dbt.projects.whenIdle();
    assert.equal(t.dbt.tree.runStatus(projectKey, ORDERS), 'error');
    assert.equal(t.dbt.tree.runStatus(projectKey, STG_ORDERS), 'success');
    assert.equal(t.dbt.tree.runStatus(projectKey, 'model.jaffle_gatehouse.customers'), undefined, 'not selected by +orders');
    const ordersEl = t.dbt.tree.elementOf(projectKey, ORDERS)!;
    assert.equal(icon(ordersEl), 'error');
    assert.match(String(item(ordersEl).description), /error/);
    assert.ok(ui.messages.some((m) => m.startsWith('warn: dbt build orders ended with exit code 1')), ui.messages.join('\n'));

    const ok = fakeDbt();
    t.dbt.setExecutable(ok.exe);
    const second = (await vscode.commands.executeCommand('gatehouse.dbt.run', node(STG_ORDERS), 'children')) as { exitCode?: number };
    assert.equal(second.exitCode, 0);
    assert.deepEqual(JSON.parse(readFileSync(ok.log, 'utf8')).argv, ['run', '--select', 'stg_orders+']);
    await t.dbt.projects.whenIdle();
    assert.equal(t.dbt.tree.runStatus(projectKey, ORDERS), 'success');
    assert.equal(t.dbt.tree.runStatus(projectKey, STG_ORDERS), 'success');
    const audit = (await t.audit.recent(50)).filter((r) => r.service === 'dbt');
    assert.deepEqual(audit.slice(-4).map((r) => `${r.action}:${r.outcome}:${r.resource}`), [`dbt-build:started:${ORDERS}`, `dbt-build:failed:${ORDERS}`, `dbt-run:started:${STG_ORDERS}`, `dbt-run:succeeded:${STG_ORDERS}`]);
    assert.equal(audit[audit.length - 1].credential, 'local-cli');
  });

  it('previews a model: its compiled SQL, limited, runs on BigQuery as alice into the results panel', async () => {
    await signInAs('alice');
    await vscode.commands.executeCommand('gatehouse.dbt.preview', node(STG_ORDERS));
    const audit = (await t.audit.recent(50)).filter((r) => r.action === 'preview-dbt-model');
    const last = audit[audit.length - 1];
    assert.equal(last?.outcome, 'succeeded', JSON.stringify(last) + ui.messages.join('\n'));
    assert.equal(last.service, 'bigquery');
    assert.equal(last.credential, 'google-federation');
    assert.equal(last.actor.email, 'alice@example.com');
    const client = t.bigquery.client();
    assert.ok(client, 'signed in: the BigQuery module has a client');
    const job = await client.getJob({ projectId: 'gatehouse-demo', jobId: last.jobIds![0], location: 'US' });
    assert.equal(job.state, 'DONE');
    assert.match(job.query ?? '', /orders_raw/, 'the compiled SQL of stg_orders ran');
    assert.match(job.query ?? '', /limit \d+\s*$/i, 'limited');
    if (driverAvailable()) {
      const headers = await readWebview('.colhead .name', { frameUrlContains: 'extensionId=gatehouse.gatehouse', timeoutMs: 20_000 });
      assert.ok(['order_id', 'customer_id', 'order_date', 'status'].every((h) => headers.includes(h)), headers.join(', '));
    }
  });

  it('shows a damaged manifest as an error in the view and keeps the last good tree', async () => {
    const manifest = t.dbt.projects.projects()[0].location.manifestPath;
    const good = readFileSync(manifest, 'utf8');
    try {
      writeFileSync(manifest, good.slice(0, 5000));
      const error = await until('the error node', async () => (await children()).find((c) => c.kind === 'message' && /Manifest problem/.test(label(c))), 20_000);
      assert.match(label(error), /ends early/);
      assert.match(String(item(error).tooltip), /last good manifest/);
      assert.ok((await children()).some((c) => label(c) === 'Models'), 'the models are still listed');
    } finally {
      writeFileSync(manifest, good);
    }
    await until('the error gone after a good manifest', async () => !(await children()).some((c) => c.kind === 'message' && c.id.endsWith('|error')), 30_000);
  });

  it('lists dbt Cloud jobs, triggers a run naming alice, follows it to success, and opens it', async () => {
    await fetch(`${dbtCloudUrl}/__sandbox/dbt-cloud/speed`, { method: 'POST', body: JSON.stringify({ factor: 30 }) });
    await t.dbt.cloud.refresh();
    const cloud = (await children()).find((c) => c.kind === 'cloud')!;
    assert.ok(cloud, `dbt Cloud node (baseUrl ${JSON.stringify(config().inspect('dbtCloud.baseUrl'))})`);
    const jobs = await children(cloud);
    assert.deepEqual(jobs.map(label).sort(), ['CI check', 'Hourly marts', 'Nightly build']);
    const nightly = jobs.find((j) => label(j) === 'Nightly build')!;
    assert.match(String(item(nightly).contextValue), /^dbtCloudJob/);

    const run = (await vscode.commands.executeCommand('gatehouse.dbtCloud.triggerRun', nightly)) as Run;
    assert.ok(run?.id, ui.messages.join('\n'));
    const done = await t.dbt.commands.followOf(run.id)!;
    assert.equal(done.kind, 'finished');
    assert.equal(done.run?.status, 'success');
    await until('the success message', () => ui.messages.find((m) => m.startsWith(`info: Run #${run.id} of "Nightly build" succeeded`)));
    const audit = (await t.audit.recent(50)).filter((r) => r.service === 'dbtCloud' && r.jobIds?.includes(String(run.id)));
    assert.deepEqual(audit.map((r) => `${r.action}:${r.outcome}`), ['trigger-run:started', 'trigger-run:succeeded']);
    assert.equal(audit[0].actor.email, 'alice@example.com');
    assert.equal(audit[0].credential, 'resource-indicator');

    const runPage = await fetch(`${dbtCloudUrl}/api/v2/accounts/70403/runs/${run.id}/?include_related=["trigger"]`, { headers: { Authorization: 'Token dbtu_alice_gatehouse_demo_3f9a1c' } }).then((r) => r.json() as Promise<{ data: { trigger: { cause: string } } }>);
    assert.equal(runPage.data.trigger.cause, 'Triggered from VS Code (Gatehouse) by alice@example.com');

    await t.dbt.cloud.refresh();
    const url = (await vscode.commands.executeCommand('gatehouse.dbtCloud.openRun', JOBS.nightly)) as string;
    assert.equal(url, `${dbtCloudUrl}/deploy/70403/projects/270542/runs/${run.id}/`);
    assert.deepEqual(ui.opened.slice(-1), [url]);
  });

  it('cancels a running dbt Cloud run', async () => {
    await fetch(`${dbtCloudUrl}/__sandbox/dbt-cloud/speed`, { method: 'POST', body: JSON.stringify({ factor: 1 }) });
    const run = (await vscode.commands.executeCommand('gatehouse.dbtCloud.triggerRun', JOBS.hourlyMarts)) as Run;
    assert.ok(run?.id);
    const hourly = (await children((await children()).find((c) => c.kind === 'cloud'))).find((j) => j.jobId === JOBS.hourlyMarts)!;
    assert.match(String(item(hourly).contextValue), /^dbtCloudJob:running/);
    const cancelled = (await vscode.commands.executeCommand('gatehouse.dbtCloud.cancelRun', hourly)) as Run;
    assert.equal(cancelled?.id, run.id);
    const done = await t.dbt.commands.followOf(run.id)!;
    assert.equal(done.run?.status, 'cancelled');
    const audit = (await t.audit.recent(50)).filter((r) => r.service === 'dbtCloud' && r.jobIds?.includes(String(run.id)));
    assert.deepEqual(audit.map((r) => `${r.action}:${r.outcome}`), ['trigger-run:started', 'cancel-run:cancelled', 'trigger-run:cancelled']);
  });

  it('as bob (analyst): lists jobs but may neither trigger nor run dbt', async () => {
    await signInAs('bob');
    await t.dbt.cloud.refresh();
    assert.equal(t.dbt.cloud.state.kind, 'loaded');
    const before = ui.messages.length;
    const run = await vscode.commands.executeCommand('gatehouse.dbtCloud.triggerRun', JOBS.nightly);
    assert.equal(run, undefined);
    assert.match(ui.messages.slice(before).join('\n'), /^error: You may not trigger dbt Cloud jobs in Gatehouse\. The Gatehouse capability "Trigger dbt Cloud jobs" is granted to members of data-engineers \(role engineer\); you are in analysts\./m);
    const local = (await vscode.commands.executeCommand('gatehouse.dbt.run', node(STG_ORDERS), 'only')) as { kind: string };
    assert.equal(local.kind, 'refused');
    const denied = (await t.audit.recent(20)).filter((r) => r.service === 'dbtCloud' && r.outcome === 'denied');
    assert.equal(denied[denied.length - 1]?.actor.email, 'bob@example.com');
    await vscode.commands.executeCommand('gatehouse.auth.signOut');
  });
});
