// dbt inside VS Code on the sandbox demo project (a copy of test/sandbox/demo-workspace): the tree
// (sections, folders, icons, tooltips, grouping, filter), open file and reveal, the lineage webview
// (read through the driver, screenshot), a damaged manifest, dbt Cloud trigger/follow/cancel/open
// against the sandbox as alice (engineer) and bob (analyst), and last, real dbt (dbt-core with
// dbt-duckdb from .venv-dbt) building the demo project into the DuckDB file the sandbox's BigQuery
// serves: a passing build that shows up in the BigQuery tree and the results panel, then a broken
// model and a failing test whose errors land in the tree and the Problems view.
// dbt is handed to the module through its test seam, not gatehouse.dbt.executablePath: writing a
// machine-scoped setting under code-server replaces the user settings of the sandbox.
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { signInAs as signInWith } from '../support/signIn';
import { jobsLoaded } from '../support/dbtCloud';
import { waitForWebview } from '../support/wait';
import { driverAvailable, readWebview, screenshot } from '../runner/driverClient';
import { RecordingUi } from '../../unit/support/recordingUi';
import { until } from '../../unit/support/wait';

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
  lineage: { current: { graph?: { nodes: { id: string; name: string }[]; truncated: boolean } }; onDidPost: vscode.Event<{ type: string; state?: Record<string, unknown> }> };
  /** As after a window reload: VS Code hands the serializer a new panel and the state the page kept. */
  restoreLineage(state: unknown): void;
  cloud: { state: { kind: string; jobs?: { id: number; name: string }[] }; refresh(): Promise<void> };
  commands: { followOf(runId: number): Promise<{ kind: string; run?: Run }> | undefined };
  settled(): Promise<void>;
  setUi(ui: unknown): void;
  setFollowerOptions(o: { initialDelayMs?: number; maxDelayMs?: number }): void;
  setExecutable(exe: string | undefined): void;
}
interface Testing {
  auth: { setBrowser(b: ((url: string) => Promise<void>) | undefined): void; settled(): Promise<void> };
  dbt: DbtTesting & { problems: { get(uri: vscode.Uri): readonly vscode.Diagnostic[] } };
  bigquery: {
    treeChildren(path: string[]): Promise<{ label: string; kind: string }[]>;
    client():
      | {
          getJob(ref: { projectId: string; jobId: string; location?: string }): Promise<{ state: string; query?: string; labels?: Record<string, string> }>;
          listJobs(o?: { maxResults?: number }): Promise<{ items: { ref: { jobId: string } }[] }>;
        }
      | undefined;
  };
  audit: { recent(limit?: number): Promise<{ action: string; outcome: string; reason?: string; jobIds?: string[]; sqlSha256?: string; service: string; resource: string; credential: string; actor: { email?: string } }[]> };
}

describe('dbt (tree, lineage, run, dbt Cloud)', function () {
  this.timeout(90_000);
  let t: Testing;
  let issuer: string;
  let dbtCloudUrl: string;
  let projectKey: string;
  let dbtExecutable: string;
  const ui = new RecordingUi();
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-dbt-it-'));
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

  before(async () => {
    const urls = JSON.parse(process.env.GATEHOUSE_SANDBOX_URLS ?? '{}') as { issuer?: string; dbtCloud?: string; dbtExecutable?: string };
    assert.ok(urls.issuer && urls.dbtCloud, 'GATEHOUSE_SANDBOX_URLS names the sandbox');
    assert.ok(urls.dbtExecutable && existsSync(urls.dbtExecutable), `real dbt is installed (scripts/dbt-venv.mjs): ${urls.dbtExecutable}`);
    issuer = urls.issuer;
    dbtCloudUrl = urls.dbtCloud;
    dbtExecutable = urls.dbtExecutable;
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
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
    const viewportTransform = async () => (await readWebview('svg.graph > g.viewport', { property: 'outerHTML', frameUrlContains: 'extensionId=gatehouse.gatehouse' }))[0]?.match(/transform="([^"]+)"/)?.[1];
    const before = await viewportTransform();
    assert.ok(before, 'the graph is fitted into the panel');
    // The whole picture for the screenshot: the lineage alone in the editor area, no side bar.
    await vscode.commands.executeCommand('workbench.action.closeSidebar');
    await vscode.commands.executeCommand('workbench.action.joinAllGroups');
    await new Promise((r) => setTimeout(r, 800));
    // The panel grew: the picture is fitted again to the new size (nobody panned or zoomed).
    let after = await viewportTransform();
    await until('the graph fitted to the larger panel', async () => (after = await viewportTransform()) !== before, 5_000).catch(() => undefined);
    assert.notEqual(after, before, `re-fitted on resize (${before} -> ${after})`);
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

  it('brings the lineage panel back after a window reload, read again from the manifest; a missing model says so', async function () {
    assert.ok(driverAvailable(), 'this suite runs on the code-server backend, which has the webview driver');
    const FRAME_URL = 'extensionId=gatehouse.gatehouse';
    const next = (type: string) =>
      new Promise<{ type: string; state?: Record<string, unknown>; message?: string }>((resolve) => {
        const sub = t.dbt.lineage.onDidPost((m) => {
          if (m.type === type) {
            sub.dispose();
            resolve(m);
          }
        });
      });
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const remembered = next('remember');
    await vscode.commands.executeCommand('gatehouse.dbt.showLineage', node(STG_ORDERS), { upstream: 1, downstream: 1 });
    const { state } = await remembered;
    assert.deepEqual({ ...state, projectKey: typeof state?.projectKey }, { v: 1, projectKey: 'string', uniqueId: STG_ORDERS, upstream: 1, downstream: 1 }, 'the page keeps ids and depths only');

    // The window reloads: the panel is gone, VS Code hands a new one and the kept state to the serializer.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const graph = next('graph');
    t.dbt.restoreLineage(state);
    await graph;
    const title = await waitForWebview('h1.title', (v) => v[0] === 'Lineage of stg_orders');
    assert.deepEqual(title, ['Lineage of stg_orders']);
    const names = await readWebview('g.node text.name', { frameUrlContains: FRAME_URL, timeoutMs: 20_000 });
    const fromManifest = (t.dbt.lineage.current.graph?.nodes ?? []).map((n) => n.name);
    assert.ok(fromManifest.includes('stg_orders') && fromManifest.length >= 2, JSON.stringify(fromManifest));
    assert.deepEqual([...new Set(names)].sort(), [...new Set(fromManifest)].sort(), 'the graph of the current manifest, at the kept depths');

    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const missing = next('error');
    t.dbt.restoreLineage({ ...state, uniqueId: 'model.jaffle_gatehouse.stg_orders_renamed' });
    assert.match((await missing).message ?? '', /is not in the manifest any more/);
    const shown = await waitForWebview('.status', (v) => /not in the manifest any more/.test(v[0] ?? ''));
    assert.match(shown[0] ?? '', /^model\.jaffle_gatehouse\.stg_orders_renamed is not in the manifest any more/);

    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const unreadable = next('error');
    t.dbt.restoreLineage({ v: 1, projectKey: '', uniqueId: '<img src=x onerror=alert(1)>', upstream: 99 });
    assert.match((await unreadable).message ?? '', /not kept across the window reload/);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
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
    assert.equal(last.sqlSha256, createHash('sha256').update(job.query ?? '').digest('hex'), 'the audit names the exact SQL that ran');
    if (driverAvailable()) {
      const headers = await readWebview('.colhead .name', { frameUrlContains: 'extensionId=gatehouse.gatehouse', timeoutMs: 20_000 });
      assert.ok(['order_id', 'customer_id', 'order_date', 'status'].every((h) => headers.includes(h)), headers.join(', '));
    }
  });

  it('refuses to preview a model whose compiled SQL closes the wrapper and appends a DELETE: no job runs', async () => {
    await signInAs('alice');
    const project = () => t.dbt.projects.projects()[0];
    const manifestPath = project().location.manifestPath;
    const good = readFileSync(manifestPath, 'utf8');
    const manifest = JSON.parse(good) as { nodes: Record<string, { compiled_code?: string }> };
    manifest.nodes[STG_ORDERS].compiled_code = 'select 1 as x) as t; DELETE FROM `gatehouse-demo.analytics.orders` WHERE true; select * from (select 1 as x';
    const client = t.bigquery.client();
    assert.ok(client, 'signed in: the BigQuery module has a client');
    const jobs = async () => new Set((await client.listJobs({ maxResults: 1000 })).items.map((j) => j.ref.jobId));
    const before = await jobs();
    const reloaded = async (from: unknown) => {
      await until('the manifest reloaded', () => project().index !== from && project().index, 30_000);
      await t.dbt.projects.whenIdle();
    };
    let index = project().index;
    try {
      writeFileSync(manifestPath, JSON.stringify(manifest));
      await reloaded(index);
      index = project().index;
      await vscode.commands.executeCommand('gatehouse.dbt.preview', node(STG_ORDERS));
      const last = (await t.audit.recent(50)).filter((r) => r.action === 'preview-dbt-model').pop();
      assert.equal(last?.outcome, 'denied', JSON.stringify(last));
      assert.equal(last.reason, 'notASelect');
      assert.equal(last.jobIds, undefined);
      assert.match(last.sqlSha256 ?? '', /^[0-9a-f]{64}$/);
      assert.deepEqual([...(await jobs())].filter((id) => !before.has(id)), [], 'the sandbox lists no new job');
    } finally {
      writeFileSync(manifestPath, good);
      await reloaded(index);
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
    assert.equal(audit[0].credential, 'identity-proxy', 'the sign-in reaches dbt Cloud through its identity-aware proxy');

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
    await jobsLoaded(t.dbt.cloud);
    assert.equal(t.dbt.cloud.state.kind, 'loaded', JSON.stringify((t.dbt.cloud.state as { error?: { reason?: string; message?: string } }).error ?? {}) + ' ' + String((t.dbt.cloud.state as { error?: { message?: string } }).error?.message));
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

  // ---- real dbt -------------------------------------------------------------------------------
  // Last: these replace the demo's manifest with what dbt 1.11 on DuckDB writes.

  const BROKEN = 'model.jaffle_gatehouse.broken_orders';
  const CUSTOMERS = 'model.jaffle_gatehouse.customers';
  const FAILING_TEST = 'test.jaffle_gatehouse.assert_no_cancelled_orders';
  const dbtProblems = (file: string) => vscode.languages.getDiagnostics(vscode.Uri.file(path.join(projectKey, file))).filter((d) => d.source === 'dbt');

  it('builds +customers with real dbt: results in the tree, the tables in the BigQuery tree, their rows in the results panel', async function () {
    this.timeout(240_000);
    await signInAs('alice');
    t.dbt.setExecutable(dbtExecutable);
    const compiled = (await vscode.commands.executeCommand('gatehouse.dbt.showCompiledSql', node(STG_ORDERS))) as vscode.TextDocument;
    assert.equal(compiled.uri.scheme, 'gatehouse-dbt-compiled', 'a virtual document, not an untitled one');
    assert.match(compiled.getText(), /`gatehouse-demo`.`raw`.`orders_raw`/, 'the demo manifest (BigQuery) before the run');

    // +customers, not +orders: dbt also selects the tests of a selected model, and the orders →
    // customers relationships test needs customers built.
    const outcome = (await vscode.commands.executeCommand('gatehouse.dbt.build', node(CUSTOMERS), 'parents')) as { kind: string; exitCode?: number; args?: string[] };
    assert.equal(outcome.kind, 'finished', JSON.stringify(outcome) + ui.messages.join('\n'));
    assert.equal(outcome.exitCode, 0, ui.messages.join('\n'));
    assert.deepEqual(outcome.args, ['build', '--select', '+customers']);
    await t.dbt.projects.whenIdle();
    const project = t.dbt.projects.projects()[0] as unknown as { index: { info: { dbtVersion?: string; adapterType?: string }; nodes(): { uniqueId: string; resourceType: string; name: string }[] } };
    assert.deepEqual([project.index.info.dbtVersion, project.index.info.adapterType], ['1.11.16', 'duckdb'], 'the manifest real dbt wrote was reloaded');
    assert.equal(t.dbt.tree.runStatus(projectKey, ORDERS), 'success');
    assert.equal(t.dbt.tree.runStatus(projectKey, STG_ORDERS), 'success');
    const ordersTest = project.index.nodes().find((n) => n.resourceType === 'test' && n.name === 'unique_orders_order_id')!;
    assert.equal(t.dbt.tree.runStatus(projectKey, ordersTest.uniqueId), 'pass');
    assert.equal(t.dbt.tree.runStatus(projectKey, CUSTOMERS), 'success');
    assert.equal(t.dbt.tree.runStatus(projectKey, 'model.jaffle_gatehouse.daily_revenue'), undefined, 'not selected by +customers');
    assert.equal(icon(t.dbt.tree.elementOf(projectKey, ORDERS)!), 'pass');
    assert.deepEqual(dbtProblems('models/marts/orders.sql'), []);
    // The open compiled SQL follows the reload: now dbt-duckdb's.
    await until('the compiled SQL document refreshed', () => /"gatehouse-demo"\."raw"\."orders_raw"/.test(compiled.getText()), 20_000);

    await vscode.commands.executeCommand('gatehouse.bigquery.refresh');
    const built = await until('dbt_dev in the BigQuery tree', async () => {
      const tables = (await t.bigquery.treeChildren(['gatehouse-demo', 'dbt_dev'])).map((n) => n.label);
      return tables.includes('orders') ? tables : undefined;
    }, 20_000);
    assert.ok(['customers', 'orders', 'stg_customers', 'stg_orders', 'stg_payments', 'country_codes'].every((x) => built.includes(x)), built.join(', '));
    assert.ok(!built.includes('daily_revenue'), built.join(', '));

    const doc = await vscode.workspace.openTextDocument({ language: 'bqsql', content: 'select order_id, status, amount from `gatehouse-demo.dbt_dev.orders` order by order_id limit 7;\n' });
    await vscode.window.showTextDocument(doc);
    const result = (await vscode.commands.executeCommand('gatehouse.bigquery.runStatement', doc.uri, 10)) as { status: string; totalRows?: number; error?: unknown };
    assert.equal(result?.status, 'succeeded', JSON.stringify(result?.error));
    assert.equal(result.totalRows, 7);
    if (driverAvailable()) {
      let cells: (string | null)[] = [];
      const painted = await until('a status cell in the results panel', async () => {
        cells = await readWebview('[role=gridcell]', { frameUrlContains: `extensionId=${EXTENSION_ID}`, timeoutMs: 10_000 });
        return cells.some((c) => /^(placed|shipped|completed|cancelled|returned|return_pending)$/.test((c ?? '').trim()));
      }, 30_000).catch(() => false);
      assert.ok(painted, `a status cell among ${cells.slice(0, 8).join(' | ')}`);
    }
    const audit = (await t.audit.recent(50)).filter((r) => r.service === 'dbt');
    assert.deepEqual(audit.slice(-2).map((r) => `${r.action}:${r.outcome}:${r.resource}`), [`dbt-build:started:${CUSTOMERS}`, `dbt-build:succeeded:${CUSTOMERS}`]);
    assert.equal(audit[audit.length - 1].credential, 'local-cli');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('a broken model and a failing test: errors in the tree and in the Problems view at their file and line', async function () {
    this.timeout(240_000);
    t.dbt.setExecutable(dbtExecutable);
    const brokenFile = path.join(projectKey, 'models', 'marts', 'broken_orders.sql');
    const testFile = path.join(projectKey, 'tests', 'assert_no_cancelled_orders.sql');
    writeFileSync(brokenFile, "-- A typo in the SQL.\nselect\n    payment_id,\n    amount\nfrom {{ ref('stg_payments') }}\nwher amount > 100\n");
    mkdirSync(path.dirname(testFile), { recursive: true });
    writeFileSync(testFile, "-- Fails with one row per cancelled order.\nselect order_id, status\nfrom {{ ref('orders') }}\nwhere status = 'cancelled'\n");
    try {
      const before = ui.messages.length;
      const outcome = (await vscode.commands.executeCommand('gatehouse.dbt.build', node('model.jaffle_gatehouse.stg_payments'), 'children')) as { kind: string; exitCode?: number };
      assert.equal(outcome.exitCode, 1, ui.messages.join('\n'));
      assert.ok(ui.messages.slice(before).some((m) => m.startsWith('warn: dbt build stg_payments ended with exit code 1')), ui.messages.join('\n'));
      await t.dbt.projects.whenIdle();
      assert.equal(t.dbt.tree.runStatus(projectKey, BROKEN), 'error');
      assert.equal(t.dbt.tree.runStatus(projectKey, FAILING_TEST), 'fail');
      assert.equal(t.dbt.tree.runStatus(projectKey, ORDERS), 'success');
      const brokenEl = t.dbt.tree.elementOf(projectKey, BROKEN)!;
      assert.equal(icon(brokenEl), 'error');
      const testEl = t.dbt.tree.elementOf(projectKey, FAILING_TEST)!;
      assert.match(String(item(testEl).description), /^fail · \d+ failing rows$/);
      const failing = Number(/(\d+) failing/.exec(String(item(testEl).description))![1]);

      const modelProblems = await until('the broken model in the Problems view', () => (dbtProblems('models/marts/broken_orders.sql').length ? dbtProblems('models/marts/broken_orders.sql') : undefined));
      assert.equal(modelProblems.length, 1);
      assert.equal(modelProblems[0].range.start.line, 5, 'line 6, the one with "wher"');
      assert.equal(modelProblems[0].severity, vscode.DiagnosticSeverity.Error);
      assert.match(modelProblems[0].message, /syntax error/i);
      const testProblems = dbtProblems('tests/assert_no_cancelled_orders.sql');
      assert.equal(testProblems.length, 1);
      assert.match(testProblems[0].message, new RegExp(`failed with ${failing} failing rows`));

      // Fixed and rebuilt: its problem goes away.
      writeFileSync(brokenFile, "select\n    payment_id,\n    amount\nfrom {{ ref('stg_payments') }}\nwhere amount > 100\n");
      rmSync(testFile);
      const fixed = (await vscode.commands.executeCommand('gatehouse.dbt.run', node(BROKEN), 'only')) as { exitCode?: number };
      assert.equal(fixed.exitCode, 0, ui.messages.join('\n'));
      await until('the problem cleared', () => dbtProblems('models/marts/broken_orders.sql').length === 0);
      assert.equal(t.dbt.tree.runStatus(projectKey, BROKEN), 'success');
    } finally {
      rmSync(brokenFile, { force: true });
      rmSync(testFile, { force: true });
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
  });
});
