// Hostile data inside VS Code: the sandbox's hostile mode puts HTML, `[x](command:...)` and
// `javascript:` links, markdown, codicons, bidi controls and a spreadsheet formula into every
// display string its services return. Then every surface is read back: tree items (labels,
// descriptions, tooltips) of Airbyte, Looker, Metabase, dbt Cloud and BigQuery, a notification
// and a quick pick through the injected UI, the results webview's DOM, and a CSV export. Nothing
// becomes a link, markup or an icon; the webview shows the hostile text exactly, as text.
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { until as untilWithin } from '../../unit/support/wait';

const until = <T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000) => untilWithin(what, probe, timeoutMs, { intervalMs: 200 });
import { plain } from '../../../src/core/displayText';
import type { ResultsTestingApi } from '../../../src/results/vscode/resultsModule';
import { HOSTILE_CELL, HOSTILE_SUFFIX } from '../../sandbox/hostile';
import { driverAvailable, readWebview } from '../runner/driverClient';
import { runSandboxQuery, sandboxGoogleToken } from '../support/sandboxBigQuery';
import { EXTENSION_ID, sandboxUrls, signInAs, type AuthTestingApi } from '../support/signIn';
import { signInToLooker, type LookerSignInSeam } from '../support/lookerSignIn';

const FRAME = 'extensionId=gatehouse.gatehouse';

interface Tree {
  getChildren(el?: unknown): vscode.ProviderResult<unknown[]>;
  getTreeItem(el: unknown): vscode.TreeItem | Thenable<vscode.TreeItem>;
}
interface Testing {
  auth: AuthTestingApi;
  airbyte: { tree: Tree; model: { refresh(): void }; setUi(ui: unknown): void };
  looker: { tree: Tree; model: { refresh(): void }; setUi(ui: unknown): void } & LookerSignInSeam;
  metabase: { tree: Tree; model: { refresh(): void }; setUi(ui: unknown): void };
  dbt: {
    tree: Tree;
    cloud: { state: { kind: string }; refresh(): Promise<void> };
    projects: { projects(): { key: string; name: string; index?: unknown }[] };
    lineage: { onDidPost: vscode.Event<{ type: string }> };
    setUi(ui: unknown): void;
    settled(): Promise<void>;
  };
  bigquery: { treeChildren(path: string[]): Promise<{ label: string; kind: string; description?: string }[]> };
  results: ResultsTestingApi;
}

// What would make text act: a markdown/notification link, a runnable URI, an icon, reordering.
const LINK = /(?<!\\)\]\(/;
const ACTIVE_URI = /\b(?:command|javascript|vbscript|vscode|data|file):(?!\s)/i;
const CODICON = /(?<!\\)\$\(/;
const BIDI_OR_CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069]/;
/** The hostile suffix as every surface should show it. */
const SHOWN_SUFFIX = plain(HOSTILE_SUFFIX);

function assertInert(text: string, where: string): void {
  assert.doesNotMatch(text, LINK, `${where}: a link in ${JSON.stringify(text)}`);
  assert.doesNotMatch(text, ACTIVE_URI, `${where}: a runnable URI in ${JSON.stringify(text)}`);
  assert.doesNotMatch(text, CODICON, `${where}: an icon in ${JSON.stringify(text)}`);
  assert.doesNotMatch(text, BIDI_OR_CONTROL, `${where}: a bidi or control character in ${JSON.stringify(text)}`);
}

function textOf(v: string | vscode.TreeItemLabel | undefined | boolean): string {
  if (v === undefined || typeof v === 'boolean') return '';
  return typeof v === 'string' ? v : v.label;
}

/** Checks one tree item's label, description and tooltip; returns its label. */
function checkItem(item: vscode.TreeItem, where: string): string {
  const label = textOf(item.label);
  assertInert(label, `${where} label`);
  assertInert(textOf(item.description), `${where} description of ${label}`);
  const tip = item.tooltip;
  if (typeof tip === 'string') assertInert(tip, `${where} tooltip of ${label}`);
  else if (tip) {
    assert.ok(!tip.isTrusted, `${where} tooltip of ${label} is not trusted`);
    assert.ok(!tip.supportHtml, `${where} tooltip of ${label} renders no HTML`);
    assert.ok(!tip.supportThemeIcons, `${where} tooltip of ${label} renders no icons`);
    // appendText writes spaces as &nbsp; (no URI or link runs across one).
    assertInert(tip.value.replace(/&nbsp;/g, ' '), `${where} markdown tooltip of ${label}`);
  }
  return label;
}

/** Every item of a tree down to `depth`, at most `max` of them. */
async function walk(tree: Tree, where: string, depth = 3, max = 300): Promise<{ el: unknown; label: string }[]> {
  const out: { el: unknown; label: string }[] = [];
  let level: unknown[] = [undefined];
  for (let d = 0; d < depth && level.length && out.length < max; d++) {
    const next: unknown[] = [];
    for (const parent of level) {
      for (const el of ((await tree.getChildren(parent)) ?? []) as unknown[]) {
        const item = await tree.getTreeItem(el);
        out.push({ el, label: checkItem(item, where) });
        if (item.collapsibleState !== vscode.TreeItemCollapsibleState.None) next.push(el);
        if (out.length >= max) break;
      }
    }
    level = next;
  }
  return out;
}

/** Dialogs and notifications without a person: everything shown is recorded. */
class RecordingUi {
  readonly messages: string[] = [];
  readonly picks: vscode.QuickPickItem[][] = [];
  info = async (m: string) => void this.messages.push(m);
  warn = async (m: string) => void this.messages.push(m);
  error = async (m: string) => void this.messages.push(m);
  confirm = async (m: string, detail: string) => {
    this.messages.push(m, detail);
    return false;
  };
  input = async () => undefined;
  pick = async (items: vscode.QuickPickItem[]) => {
    this.picks.push(items);
    return undefined;
  };
  openExternal = async () => true;
}

describe('hostile data on every surface', function () {
  this.timeout(180_000);
  let t: Testing;
  const urls = sandboxUrls();
  const ui = new RecordingUi();
  const hostile = (on: boolean) => fetch(`${urls.airbyte}/__sandbox/hostile`, { method: 'POST', body: JSON.stringify({ on }) }).then((r) => r.json() as Promise<{ on: boolean }>);

  before(async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    t = ((await ext.activate()) as { testing: Testing }).testing;
    await t.auth.settled();
    assert.deepEqual(await hostile(true), { on: true }, 'the sandbox switched to hostile mode');
    t.airbyte.setUi(ui);
    t.looker.setUi(ui);
    t.metabase.setUi(ui);
    t.dbt.setUi(ui);
    await signInAs(t.auth, urls.issuer, 'alice');
    await signInToLooker(t.looker, urls.issuer, 'alice');
  });

  after(async () => {
    await hostile(false).catch(() => undefined);
    t?.airbyte.setUi(undefined);
    t?.looker.setUi(undefined);
    t?.metabase.setUi(undefined);
    t?.dbt.setUi(undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('gatehouse.auth.signOut');
  });

  for (const service of ['airbyte', 'looker', 'metabase'] as const) {
    it(`${service} tree: hostile names show as inert text`, async () => {
      t[service].model.refresh();
      const items = await until(`${service} names`, async () => {
        const all = await walk(t[service].tree, service);
        return all.some((i) => i.label.endsWith(SHOWN_SUFFIX)) ? all : undefined;
      });
      assert.ok(items.length > 2, `${items.length} ${service} items`);
    });
  }

  it('airbyte notification: a hostile connection name stays text', async () => {
    const items = await walk(t.airbyte.tree, 'airbyte');
    const connection = items.find((i) => (i.el as { kind?: string }).kind === 'connection' && !((i.el as { jobs?: { status: string }[] }).jobs ?? []).some((j) => !['succeeded', 'failed', 'cancelled'].includes(j.status)));
    assert.ok(connection, 'a connection without a running job');
    ui.messages.length = 0;
    await vscode.commands.executeCommand('gatehouse.airbyte.cancelJob', connection.el);
    const said = await until('a notification', () => ui.messages.find((m) => m.includes(SHOWN_SUFFIX)));
    assertInert(said, 'airbyte notification');
    assert.ok(said.includes('<img src=x'), 'the HTML is shown as text');
  });

  it('dbt Cloud: job tree items and the job quick pick are inert', async () => {
    await t.dbt.settled();
    await t.dbt.cloud.refresh();
    assert.equal(t.dbt.cloud.state.kind, 'loaded');
    const roots = ((await t.dbt.tree.getChildren()) ?? []) as { kind?: string }[];
    const cloud = roots.find((r) => r.kind === 'cloud');
    assert.ok(cloud, 'the dbt Cloud node');
    const jobs = ((await t.dbt.tree.getChildren(cloud)) ?? []) as unknown[];
    assert.ok(jobs.length > 0);
    const labels = await Promise.all(jobs.map(async (j) => checkItem(await t.dbt.tree.getTreeItem(j), 'dbt Cloud')));
    assert.ok(labels.every((l) => l.endsWith(SHOWN_SUFFIX)), labels.join(' | '));
    ui.picks.length = 0;
    await vscode.commands.executeCommand('gatehouse.dbtCloud.openRun');
    const items = await until('the job quick pick', () => ui.picks[0]);
    assert.equal(items.length, jobs.length);
    for (const item of items) for (const text of [item.label, item.description ?? '', item.detail ?? '']) assertInert(text, 'dbt Cloud quick pick');
    assert.ok(items.every((i) => i.label.endsWith(SHOWN_SUFFIX)));
  });

  it('dbt tree (workspace manifest) is inert', async () => {
    const items = await walk(t.dbt.tree, 'dbt', 4, 400);
    assert.ok(items.length > 5);
  });

  it('a hostile workspace dbt manifest: tree items and the lineage webview are inert', async function () {
    this.timeout(300_000);
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(folder, 'the demo workspace is open');
    const project = join(folder, 'hostile_dbt');
    const manifest = JSON.parse(readFileSync(join(folder, 'jaffle_gatehouse', 'target', 'manifest.json'), 'utf8')) as Record<string, Record<string, Record<string, unknown>>>;
    for (const section of ['nodes', 'sources', 'exposures', 'metrics', 'semantic_models']) {
      for (const entry of Object.values(manifest[section] ?? {})) {
        if (typeof entry.name === 'string') entry.name += HOSTILE_SUFFIX;
        if (typeof entry.description === 'string') entry.description += HOSTILE_SUFFIX;
        for (const column of Object.values((entry.columns ?? {}) as Record<string, Record<string, unknown>>)) {
          if (typeof column.description === 'string') column.description += HOSTILE_SUFFIX;
        }
      }
    }
    mkdirSync(join(project, 'target'), { recursive: true });
    writeFileSync(join(project, 'dbt_project.yml'), `name: ${JSON.stringify(`hostile_dbt${HOSTILE_SUFFIX}`)}\nversion: '1.0'\nprofile: 'gatehouse'\n`);
    writeFileSync(join(project, 'target', 'manifest.json'), JSON.stringify(manifest));
    try {
      const started = Date.now();
      let refreshed = false;
      const loaded = await until('the hostile project loaded', async () => {
        await t.dbt.settled();
        const found = t.dbt.projects.projects().find((p) => p.key.includes('hostile_dbt') && p.index);
        // VS Code's file watcher can drop events on a busy machine (it restarts under load): the
        // view's Refresh looks for projects again, as a person would press it.
        if (!found && !refreshed && Date.now() - started > 10_000) {
          refreshed = true;
          await vscode.commands.executeCommand('gatehouse.dbt.refresh');
        }
        return found;
        // Found by the file watcher and parsed in the worker: on a busy 2-core machine after the
        // real dbt runs this has taken over a minute; the test is about what shows, not how fast.
      }, 170_000);
      const items = await walk(t.dbt.tree, 'dbt (hostile manifest)', 4, 600);
      assert.ok(items.some((i) => i.label.endsWith(SHOWN_SUFFIX)), 'hostile node names are in the tree, as text');

      assert.ok(driverAvailable(), 'the lineage webview is read through the code-server driver');
      const stgOrders = Object.values(manifest.nodes).find((n) => String(n.unique_id).endsWith('.stg_orders'));
      assert.ok(stgOrders);
      const posted = new Promise<void>((resolve) => {
        const sub = t.dbt.lineage.onDidPost((m) => {
          if (m.type === 'graph') {
            sub.dispose();
            resolve();
          }
        });
      });
      await vscode.commands.executeCommand('gatehouse.dbt.showLineage', { projectKey: loaded.key, uniqueId: stgOrders.unique_id }, { upstream: 2, downstream: 3 });
      await posted;
      const names = await readWebview('g.node text.name', { frameUrlContains: FRAME, timeoutMs: 20_000 });
      assert.ok(names.length > 1, `lineage nodes: ${names.length}`);
      assert.ok(names.some((n) => (n ?? '').startsWith('stg_orders <img src=x')), `the hostile name is drawn as text: ${JSON.stringify(names.slice(0, 3))}`);
      for (const selector of ['img', '[onerror]', 'a', 'b', 'strong', 'foreignObject']) {
        assert.deepEqual(await readWebview(selector, { frameUrlContains: FRAME, timeoutMs: 2_000 }).catch(() => []), [], `no ${selector} element from data in the lineage`);
      }
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      rmSync(project, { recursive: true, force: true });
      await until('the hostile project gone', async () => {
        await t.dbt.settled();
        return !t.dbt.projects.projects().some((p) => p.key.includes('hostile_dbt'));
      }, 30_000).catch(() => undefined);
    }
  });

  it('bigquery tree: hostile descriptions and column names are inert', async () => {
    const projects = await until('bigquery projects', async () => {
      const p = await t.bigquery.treeChildren([]);
      return p.some((n) => n.kind === 'project') ? p : undefined;
    });
    const project = projects.find((n) => n.kind === 'project')!;
    const datasets = await t.bigquery.treeChildren([project.label]);
    const dataset = datasets.find((d) => d.kind === 'dataset');
    assert.ok(dataset, datasets.map((d) => d.label).join(', '));
    const tables = await t.bigquery.treeChildren([project.label, dataset.label]);
    const table = tables.find((n) => n.kind === 'table');
    assert.ok(table);
    const columns = await t.bigquery.treeChildren([project.label, dataset.label, table.label]);
    for (const n of [...projects, ...datasets, ...tables, ...columns]) {
      assertInert(n.label, 'bigquery label');
      assertInert(n.description ?? '', 'bigquery description');
    }
    assert.ok(columns.some((c) => c.label.endsWith(SHOWN_SUFFIX)), columns.map((c) => c.label).join(' | '));
  });

  it('results webview shows hostile cells and column names as exact text, and CSV escapes the formula', async () => {
    assert.ok(driverAvailable(), 'the webview is read through the code-server driver');
    const token = await sandboxGoogleToken(urls, 'alice');
    const q = await runSandboxQuery(urls, token, 'select event_id, country from `gatehouse-demo.events.page_views` order by event_id limit 3', 100);
    const probe = t.results.openSource({ title: `hostile${HOSTILE_SUFFIX}`, origin: 'BigQuery · gatehouse-demo', source: q.source });
    await probe.firstPaintMs();
    const headers = await until('the headers', async () => {
      const h = await readWebview('.colhead .name', { frameUrlContains: FRAME, timeoutMs: 10_000 }).catch(() => []);
      return h.length === 2 ? h : undefined;
    });
    assert.deepEqual(headers, [`event_id${HOSTILE_SUFFIX}`, `country${HOSTILE_SUFFIX}`], 'column names are the exact hostile text');
    const row = await until('row 1', async () => {
      const r = await readWebview('.grid-row[aria-rowindex="2"] .cell', { frameUrlContains: FRAME, timeoutMs: 10_000 }).catch(() => []);
      return r.length === 2 ? r : undefined;
    });
    // The grid shows invisible controls as visible markers (⟨U+2066⟩); everything else is the exact text.
    const shown = HOSTILE_CELL.replace(/[\u2066-\u2069]/g, (c) => `⟨U+${c.charCodeAt(0).toString(16).toUpperCase()}⟩`);
    assert.equal(row[1], shown, 'the cell is the exact hostile text');
    for (const selector of ['img', '[onerror]', 'a[href^="command:"]', 'a[href^="javascript:"]', 'b', 'strong']) {
      assert.deepEqual(await readWebview(selector, { frameUrlContains: FRAME, timeoutMs: 2_000 }).catch(() => []), [], `no ${selector} element from data`);
    }
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-hostile-'));
    try {
      const file = join(dir, 'hostile.csv');
      await probe.exportTo('csv', file);
      const lines = readFileSync(file, 'utf8').split(/\r?\n/);
      assert.ok(lines[1].includes(`'=HYPERLINK(`), `the formula is escaped: ${lines[1]}`);
      assert.ok(!/(^|,)"?=HYPERLINK/.test(lines[1]), 'no cell starts with the formula');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
