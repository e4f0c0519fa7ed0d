// The results panel inside VS Code on the sandbox's 1,000,000-row table: first paint, scrolling
// to the last row, surviving hide/show, a streamed CSV export, and hostile values staying text.
// The webview's DOM is read through the driver (Playwright holds the page).
import * as assert from 'node:assert/strict';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import * as vscode from 'vscode';
import { createArraySource } from '../../../src/results/sources';
import type { ResultColumn } from '../../../src/results/types';
import type { ResultsPanelProbe, ResultsTestingApi } from '../../../src/results/vscode/resultsModule';
import { driverAvailable, listFrames, readWebview, screenshot } from '../runner/driverClient';
import { runSandboxQuery, sandboxGoogleToken, sandboxUrls } from '../support/sandboxBigQuery';
import { WEBVIEW_FRAME as FRAME, waitForWebview } from '../support/wait';
import { until } from '../../unit/support/wait';

const EXTENSION_ID = 'gatehouse.gatehouse';
const ROWS = 1_000_000;

async function resultsApi(): Promise<ResultsTestingApi> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext);
  const exports = (await ext.activate()) as { testing?: { results?: ResultsTestingApi } } | undefined;
  assert.ok(exports?.testing?.results, 'the extension exports the results test seam in ExtensionMode.Test');
  return exports.testing.results;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms))]);
}

async function countLines(path: string): Promise<{ lines: number; head: string[] }> {
  const head: string[] = [];
  let lines = 0;
  for await (const line of createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity })) {
    if (lines < 10) head.push(line);
    lines++;
  }
  return { lines, head };
}

describe('results panel (1,000,000-row sandbox result)', function () {
  this.timeout(300_000);
  let api: ResultsTestingApi;
  let probe: ResultsPanelProbe;
  let dir: string;

  before(async function () {
    assert.ok(driverAvailable(), 'these tests read the webview through the code-server driver');
    api = await resultsApi();
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-results-it-'));
    const urls = sandboxUrls();
    const token = await sandboxGoogleToken(urls, 'alice');
    const pageSize = vscode.workspace.getConfiguration('gatehouse.results').get<number>('pageSize', 5_000);
    // ORDER BY makes row n the event n, so the test knows what the last row holds.
    const q = await runSandboxQuery(urls, token, 'select * from `gatehouse-demo.events.page_views` order by event_id', pageSize);
    assert.equal(q.source.totalRows, ROWS);
    probe = api.openSource({
      title: 'page_views',
      origin: 'BigQuery · gatehouse-demo',
      source: q.source,
      stats: { jobId: q.jobId, jobUrl: `https://console.cloud.google.com/bigquery?j=gatehouse-demo:US:${q.jobId}`, bytesProcessed: q.bytesProcessed, cacheHit: q.cacheHit, timeToFirstRowMs: q.timeToFirstRowMs },
    });
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('paints the first page: typed headers, NULL apart from empty, hostile text as text', async () => {
    const ms = await withTimeout(probe.firstPaintMs(), 30_000, 'the first paint');
    assert.ok(ms > 0, `first paint after ${ms} ms`);
    const headers = await waitForWebview('.colhead .name', (v) => v.length === 8);
    assert.deepEqual(headers, ['event_id', 'user_id', 'session_id', 'url', 'referrer', 'country', 'event_ts', 'duration_ms']);
    assert.deepEqual(await readWebview('.colhead .badge', { frameUrlContains: FRAME }), ['123', '123', 'abc', 'abc', 'abc', 'abc', 'ts', '1.5']);
    const first = await waitForWebview('.grid-row[aria-rowindex="2"] .cell', (v) => v[0] === '1');
    assert.equal(first[3], '<img src=x onerror=alert(1)>', 'the url cell of row 1 is the literal text');
    const nulls = await readWebview('.cell.null', { frameUrlContains: FRAME });
    assert.ok(nulls.length > 0 && nulls.every((t) => t === 'NULL'), 'some referrers are NULL and read NULL');
    assert.ok((await readWebview('.cell.empty', { frameUrlContains: FRAME })).every((t) => t === ''), 'empty strings stay empty (styled apart from NULL)');
    const status = (await readWebview('.status', { frameUrlContains: FRAME }))[0] ?? '';
    assert.match(status, /1,000,000 rows/);
    assert.match(status, /job /);
    // For a human to look at: test output outside the sources (.vscode-test/ is ignored and survives builds).
    // The panel gets the window: the sidebar and the editor group beside it are closed first.
    await vscode.commands.executeCommand('workbench.action.closeSidebar');
    await vscode.commands.executeCommand('notifications.clearAll');
    if (probe.viewColumn() !== vscode.ViewColumn.One) {
      await vscode.commands.executeCommand('workbench.action.focusFirstEditorGroup');
      await vscode.commands.executeCommand('workbench.action.closeEditorsInGroup');
    }
    await new Promise((r) => setTimeout(r, 1_000));
    await screenshot(join(process.env.GATEHOUSE_SCREENSHOT_DIR ?? join(__dirname, '..', '..', '..', '.vscode-test', 'screenshots'), 'results-panel.png'));
  });

  it('scrolls to row 1,000,000 and renders it', async () => {
    probe.revealRow(ROWS - 1);
    const last = await waitForWebview(`.grid-row[aria-rowindex="${ROWS + 1}"] .cell`, (v) => v[0] === String(ROWS), 60_000);
    assert.equal(last.length, 8);
    assert.deepEqual(await readWebview(`.grid-row[aria-rowindex="${ROWS + 1}"] .gutter`, { frameUrlContains: FRAME }), ['1,000,000']);
    // Only the rows on screen are in the DOM, whatever the result size.
    const rows = await readWebview('.grid-row:not([hidden])', { frameUrlContains: FRAME });
    assert.ok(rows.length > 5 && rows.length < 120, `${rows.length} rows in the DOM`);
  });

  it('comes back at the same row after the panel was hidden (state survives)', async () => {
    const column = probe.viewColumn();
    assert.ok(column, 'the panel sits in an editor group');
    const doc = await vscode.workspace.openTextDocument({ content: 'hides the results panel' });
    await vscode.window.showTextDocument(doc, { viewColumn: column, preview: false });
    await until('the hidden panel to drop its webview', async () => !(await listFrames()).some((f) => f.url.includes(FRAME)), 15_000, { intervalMs: 200 });
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    const last = await waitForWebview(`.grid-row[aria-rowindex="${ROWS + 1}"] .cell`, (v) => v[0] === String(ROWS), 30_000);
    assert.equal(last[0], String(ROWS));
  });

  it('exports the whole result to CSV, streamed, formulas escaped, host cache bounded', async () => {
    const path = join(dir, 'page_views.csv');
    const result = await probe.exportTo('csv', path);
    assert.ok(result, 'the export finished');
    assert.equal(result.rowsWritten, ROWS);
    const { lines, head } = await countLines(path);
    assert.equal(lines, ROWS + 1, 'a header and one line per row');
    assert.equal(head[0], 'event_id,user_id,session_id,url,referrer,country,event_ts,duration_ms');
    assert.ok(head[2].includes(`"'=HYPERLINK(""http://x"")"`), head[2]);
    assert.ok(head[7].includes(`'+cmd|' /C calc'!A0`), head[7]);
    const cache = probe.cachedRows();
    assert.ok(cache.peak <= 20_000, `the host cached at most ${cache.peak} rows`);
    await waitForWebview('.export-status', (v) => /Exported 1,000,000 rows/.test(v[0] ?? ''), 10_000);
  });
});

describe('results panel (hostile values)', function () {
  this.timeout(60_000);
  const CANARY = "document.body.setAttribute('data-pwned','1')";
  const hostile = [
    `<img src=x onerror="${CANARY}">`,
    `<script>${CANARY}</script>`,
    `"><svg onload="${CANARY}">`,
    `javascript:${CANARY}`,
    '<a href="javascript:alert(1)">click</a>',
    '=HYPERLINK("http://x")',
    'مرحبا \u202Egnp.exe',
  ];
  const columns: ResultColumn[] = [
    { name: `<img src=x onerror="${CANARY}">`, type: 'STRING', mode: 'NULLABLE' },
    { name: 'nested', type: 'RECORD', mode: 'NULLABLE', fields: [{ name: 'html', type: 'STRING', mode: 'NULLABLE' }] },
  ];

  after(() => vscode.commands.executeCommand('workbench.action.closeAllEditors'));

  it('shows hostile cells, column names and error text as literal text; nothing runs', async () => {
    const api = await resultsApi();
    const rows = hostile.map((h) => [h, { html: h }]);
    const probe = api.openSource({ title: '<script>alert(1)</script>', origin: 'Test', ownerKey: 'hostile', source: createArraySource(columns, rows, 100) });
    await withTimeout(probe.firstPaintMs(), 30_000, 'the first paint');
    const cells = await waitForWebview('.grid-row:not([hidden]) .cell', (v) => v.length >= hostile.length * 2);
    for (const h of hostile.slice(0, 6)) assert.ok(cells.includes(h), `literal ${h}`);
    assert.ok(cells.includes('مرحبا ⟨U+202E⟩gnp.exe'), 'a direction override is shown, not obeyed');
    assert.ok(cells.includes(JSON.stringify({ html: hostile[0] })), 'nested values read as compact JSON');
    assert.deepEqual(await readWebview('.colhead .name', { frameUrlContains: FRAME }), [columns[0].name, 'nested']);
    assert.deepEqual(await readWebview('.title', { frameUrlContains: FRAME }), ['<script>alert(1)</script>']);

    // Nothing became an element and nothing ran: no img/a/svg/iframe, one script (the bundle), no canary.
    // `body:has(> #app)` is the panel's own document (the outer webview frame matches FRAME too).
    assert.deepEqual(await readWebview('body:has(> #app) :is(img, a, iframe, object, embed, svg)', { frameUrlContains: FRAME }), []);
    assert.equal((await readWebview('body:has(> #app) script', { frameUrlContains: FRAME })).length, 1);
    assert.deepEqual(await readWebview('body[data-pwned]', { frameUrlContains: FRAME }), []);

    probe.handle.setError(`<img src=x onerror="${CANARY}">`, '<b>next</b>');
    const message = await waitForWebview('.phase-message', (v) => v.length === 1);
    assert.equal(message[0], `<img src=x onerror="${CANARY}">`);
    assert.deepEqual(await readWebview('.next-step', { frameUrlContains: FRAME }), ['<b>next</b>']);
    assert.deepEqual(await readWebview('body:has(> #app) :is(img, b)', { frameUrlContains: FRAME }), []);
    assert.deepEqual(await readWebview('body[data-pwned]', { frameUrlContains: FRAME }), []);
  });
});

describe('results panels: where they open and how a cancel reads', function () {
  this.timeout(120_000);
  const columns: ResultColumn[] = [{ name: 'n', type: 'INTEGER', mode: 'NULLABLE' }];

  after(() => vscode.commands.executeCommand('workbench.action.closeAllEditors'));

  it('opens the results of a second editor as a tab in the results group, not in a new group', async () => {
    const api = await resultsApi();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const one = await vscode.workspace.openTextDocument({ language: 'bqsql', content: 'select 1;\n' });
    await vscode.window.showTextDocument(one, { viewColumn: vscode.ViewColumn.One });
    const first = api.openSource({ title: 'first.sql', origin: 'Test', ownerKey: 'editor-1', source: createArraySource(columns, [['1']], 10) });
    await withTimeout(first.firstPaintMs(), 30_000, 'the first paint');
    const resultsColumn = first.viewColumn();
    assert.ok(resultsColumn !== undefined && resultsColumn !== vscode.ViewColumn.One, `results beside the editor, in ${resultsColumn}`);
    // The person now works in an editor in the results' group: "beside" it would be a third group.
    const two = await vscode.workspace.openTextDocument({ language: 'bqsql', content: 'select 2;\n' });
    await vscode.window.showTextDocument(two, { viewColumn: resultsColumn, preview: false });
    const second = api.openSource({ title: 'second.sql', origin: 'Test', ownerKey: 'editor-2', source: createArraySource(columns, [['2']], 10) });
    await withTimeout(second.firstPaintMs(), 30_000, 'the second paint');
    assert.equal(second.viewColumn(), resultsColumn);
    assert.equal(vscode.window.tabGroups.all.length, 2, 'the editor group and one results group');
  });

  it('shows a cancelled run as Cancelled, not as Failed', async () => {
    const api = await resultsApi();
    const probe = api.openSource({ title: 'slow.sql', origin: 'Test', ownerKey: 'cancelled', source: createArraySource(columns, [['1']], 10) });
    await withTimeout(probe.firstPaintMs(), 30_000, 'the first paint');
    probe.handle.setCancelled('Cancelled. The job was stopped at BigQuery.');
    const status = await waitForWebview('footer.status', (v) => v.some((t) => (t ?? '').includes('Cancelled')));
    assert.ok(!status.some((t) => (t ?? '').includes('Failed')), JSON.stringify(status));
    assert.deepEqual(await waitForWebview('.phase.cancelled .phase-message', (v) => v.length === 1), ['Cancelled. The job was stopped at BigQuery.']);
    assert.deepEqual(await readWebview('.phase.error', { frameUrlContains: FRAME }), []);
  });
});
