// Gatehouse in another display language, as a person who set it with "Configure Display Language"
// sees it. The runner (run.mjs --locale) starts VS Code in GATEHOUSE_LOCALE and writes a pseudo-
// translation of the shipped extension into its bundles (runner/pseudoLocale.mjs: "Sign in" reads
// "Sïgn ïn"). Each test reads a surface from the workbench and expects the translation of what it
// says in English: a string still in English there never went through l10n.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { createArraySource } from '../../../../src/results/sources';
import type { ResultColumn } from '../../../../src/results/types';
import type { ResultsTestingApi } from '../../../../src/results/vscode/resultsModule';
import { driverAvailable, readWorkbench } from '../../runner/driverClient';
import { EXTENSION_ID } from '../../support/signIn';
import { waitForWebview } from '../../support/wait';
import { until } from '../../../unit/support/wait';

const LOCALE = process.env.GATEHOUSE_LOCALE ?? '';

interface LineageTesting {
  settled(): Promise<void>;
  projects: { projects(): { key: string }[] };
}

function extension(): vscode.Extension<unknown> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is installed`);
  return ext;
}

/** A translated file of the extension (the runner wrote it), as message → translation. */
function shipped(file: string): Record<string, string> {
  return JSON.parse(readFileSync(join(extension().extensionPath, file), 'utf8')) as Record<string, string>;
}

/** The translation of an English message of ours (plain code and glue share l10n/bundle). */
function translated(message: string): string {
  const bundle = shipped(`l10n/bundle.l10n.${LOCALE}.json`);
  assert.ok(Object.prototype.hasOwnProperty.call(bundle, message), `"${message}" is a message of the bundle`);
  assert.notEqual(bundle[message], message, `"${message}" reads differently in ${LOCALE}`);
  return bundle[message];
}

/** The translation of package.json text by its package.nls key. */
function nls(key: string): string {
  const value = shipped(`package.nls.${LOCALE}.json`)[key];
  assert.ok(value, `package.nls.${LOCALE}.json has ${key}`);
  return value;
}

/** Text of workbench elements, polled until `ok` holds; the last seen is in the failure. */
async function workbenchUntil(selector: string, ok: (texts: string[]) => boolean, what: string, attribute?: string): Promise<string[]> {
  let seen: string[] = [];
  await until(what, async () => {
    seen = (await readWorkbench(selector, { attribute, timeoutMs: 5_000 }).catch(() => [])).map((t) => (t ?? '').trim());
    return ok(seen);
  }, 30_000).catch(() => undefined);
  assert.ok(ok(seen), `${what}; saw ${JSON.stringify(seen.slice(0, 12))}`);
  return seen;
}

describe(`display language: Gatehouse reads in the language VS Code runs in`, function () {
  this.timeout(120_000);

  before(async () => {
    assert.ok(LOCALE, 'the runner names the display language (GATEHOUSE_LOCALE)');
    assert.ok(driverAvailable(), 'the workbench is read through the code-server driver');
    await extension().activate();
  });
  after(async () => {
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('VS Code runs in it, and the shipped extension has its translation', () => {
    assert.equal(vscode.env.language, LOCALE);
    // What the extension loaded from it shows on the surfaces below (the tests' own vscode.l10n
    // belongs to no extension, so it has no bundle to look at).
    assert.equal(translated('Results'), shipped(`l10n/bundle.l10n.${LOCALE}.json`)['Results']);
    assert.ok(nls('viewsContainer.activitybar.gatehouse.title'));
  });

  it('package.json text: the Gatehouse views and the signed-out welcome', async () => {
    await vscode.commands.executeCommand('workbench.view.extension.gatehouse');
    const views = ['view.gatehouse.bigquery.name', 'view.gatehouse.dbt.name', 'view.gatehouse.activity.name'].map(nls);
    await workbenchUntil('.pane-header h3.title', (titles) => views.every((v) => titles.some((t) => t.toLowerCase() === v.toLowerCase())), `the views are titled ${views.join(', ')}`);
    // Signed out, with sign-in configured (the runner's settings): BigQuery's welcome and its button.
    const welcome = nls('viewsWelcome.gatehouse.bigquery.1').split('\n');
    const button = /^\[([^\]]+)\]\(command:gatehouse\.auth\.signIn\)$/.exec(welcome[1])?.[1];
    assert.ok(button, `the welcome keeps its Sign in button: ${welcome[1]}`);
    await workbenchUntil('.welcome-view-content p', (texts) => texts.includes(welcome[0]), `the welcome says "${welcome[0]}"`);
    await workbenchUntil('.welcome-view-content .monaco-button', (texts) => texts.includes(button), `the welcome's button reads "${button}"`);
  });

  it('the status bar, from plain code through t()', async () => {
    // '$(sign-in) Sign in': the codicon is an icon element, the words are the item's text.
    const words = translated('$(sign-in) Sign in').replace('$(sign-in)', '').trim();
    await workbenchUntil('#workbench\\.parts\\.statusbar .statusbar-item', (texts) => texts.some((t) => t.endsWith(words)), `the status bar says "${words}"`);
  });

  it('a notification, from the VS Code side through vscode.l10n.t', async () => {
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand('gatehouse.auth.signOut');
    const said = translated('You are not signed in to Gatehouse.');
    await workbenchUntil('.notification-list-item-message', (texts) => texts.includes(said), `the notification says "${said}"`);
  });

  it('the lineage panel: its title and controls, a dbt name kept as it is', async () => {
    const dbt = ((await extension().activate()) as { testing?: { dbt?: LineageTesting } }).testing?.dbt;
    assert.ok(dbt, 'the dbt test seam');
    await dbt.settled();
    const [project] = dbt.projects.projects();
    assert.ok(project, 'the demo workspace has a dbt project');
    await vscode.commands.executeCommand('gatehouse.dbt.showLineage', { projectKey: project.key, uniqueId: 'model.jaffle_gatehouse.stg_orders' }, { upstream: 1, downstream: 1 });
    // The model's name is data: it stays stg_orders inside the translated sentence.
    const title = translated('Lineage of {0}').replace('{0}', 'stg_orders');
    assert.deepEqual(await waitForWebview('h1.title', (v) => v.includes(title)), [title]);
    const fit = translated('Fit');
    await waitForWebview('.toolbar button', (v) => v.includes(fit));
    await workbenchUntil('.tab .label-name, .tab .monaco-icon-label', (tabs) => tabs.some((x) => x.includes(translated('Lineage: {0}').replace('{0}', 'stg_orders'))), 'the tab is titled in the language');
  });

  it('the results panel: its words in the language and its counts grouped as the language groups them', async () => {
    const exports = (await extension().activate()) as { testing?: { results?: ResultsTestingApi } } | undefined;
    const api = exports?.testing?.results;
    assert.ok(api, 'the results test seam');
    const columns: ResultColumn[] = [{ name: 'n', type: 'INTEGER', mode: 'NULLABLE' }];
    const rows = Array.from({ length: 1234 }, (_, i) => [String(i)]);
    const probe = api.openSource({ title: 'numbers.sql', origin: 'Test', ownerKey: 'locale', source: createArraySource(columns, rows, 2000) });
    await probe.firstPaintMs();
    const grouped = new Intl.NumberFormat(LOCALE).format(1234);
    assert.notEqual(grouped, '1,234', `${LOCALE} groups digits otherwise than English`);
    const rowsText = translated('{0} rows').replace('{0}', grouped);
    const status = await waitForWebview('footer.status', (v) => v.some((t) => (t ?? '').includes(rowsText)));
    assert.ok(!status.some((t) => (t ?? '').includes('1,234')), `no English grouping: ${JSON.stringify(status)}`);
    const tabs = await waitForWebview('[role="tab"]', (v) => v.length >= 2);
    assert.deepEqual(tabs, [translated('Table'), translated('Chart')]);
  });
});
