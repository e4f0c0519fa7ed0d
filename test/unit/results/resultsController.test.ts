import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedactingLogger, MemoryLogSink } from '../../../src/core/logger';
import type { ExportResult } from '../../../src/results/export';
import { createArraySource } from '../../../src/results/sources';
import type { ResultColumn, ResultRow } from '../../../src/results/types';
import { ResultsController, suggestedFileName, type ResultsHostUi } from '../../../src/results/resultsController';
import { validateHostMessage, type HostMessage } from '../../../src/results/resultsProtocol';
import { syntheticSource } from '../../../bench/results-fixtures';
import { until } from '../support/wait';

/** The webview side, simulated: records what the host posts (validated as the webview would). */
class FakeWebview {
  readonly received: HostMessage[] = [];
  private listener: ((raw: unknown) => void) | undefined;
  readonly port = {
    postMessage: (m: HostMessage) => {
      const checked = validateHostMessage(structuredClone(m));
      assert.ok(checked.ok, `the host posted an invalid message: ${checked.ok ? '' : checked.error}`);
      this.received.push(checked.message);
    },
    onDidReceiveMessage: (listener: (raw: unknown) => void) => {
      this.listener = listener;
      return { dispose: () => (this.listener = undefined) };
    },
  };
  send(raw: unknown): void {
    this.listener?.(raw);
  }
  of<T extends HostMessage['type']>(type: T): Array<Extract<HostMessage, { type: T }>> {
    return this.received.filter((m): m is Extract<HostMessage, { type: T }> => m.type === type);
  }
  async next<T extends HostMessage['type']>(type: T, after = 0): Promise<Extract<HostMessage, { type: T }>> {
    return until(`a ${type} message`, () => this.received.slice(after).find((m): m is Extract<HostMessage, { type: T }> => m.type === type), 2_500, { intervalMs: 5 });
  }
}

class FakeUi implements ResultsHostUi {
  clipboard = '';
  savePath: string | undefined;
  opened: string[] = [];
  warnings: string[] = [];
  finished: ExportResult[] = [];
  progress: string[] = [];
  cancelProgress = new AbortController();
  async writeClipboard(text: string) {
    this.clipboard = text;
  }
  async pickExportPath() {
    return this.savePath;
  }
  withExportProgress<T>(_title: string, task: (report: (m: string, f?: number) => void, signal: AbortSignal) => Promise<T>): Promise<T> {
    return task((m) => this.progress.push(m), this.cancelProgress.signal);
  }
  exportFinished(r: ExportResult) {
    this.finished.push(r);
  }
  openExternal(url: string) {
    this.opened.push(url);
  }
  showWarning(m: string) {
    this.warnings.push(m);
  }
}

const COLUMNS: ResultColumn[] = [
  { name: 'id', type: 'INTEGER', mode: 'REQUIRED' },
  { name: 'text', type: 'STRING', mode: 'NULLABLE' },
  { name: 'tags', type: 'STRING', mode: 'REPEATED' },
];
const ROWS: ResultRow[] = [
  ['1', '=HYPERLINK("http://x")', ['a']],
  ['2', null, []],
  ['3', '', ['b', 'c']],
  ['-4', '<img src=x onerror=alert(1)>', []],
];

function setup(opts: { maxCachedRows?: number } = {}) {
  const webview = new FakeWebview();
  const ui = new FakeUi();
  const sink = new MemoryLogSink();
  const controller = new ResultsController(webview.port, ui, new RedactingLogger(sink), () => ({ escapeFormulasInCsv: true, maxCachedRows: opts.maxCachedRows ?? 20_000 }));
  return { webview, ui, sink, controller };
}

describe('ResultsController (host side of the results panel)', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'gatehouse-results-ctl-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('posts nothing before the webview is ready, then the current phase', () => {
    const { webview, controller } = setup();
    const handle = controller.open({ title: 'q', origin: 'BigQuery' });
    handle.setRunning('Running query');
    assert.equal(webview.received.length, 0);
    webview.send({ type: 'ready', version: 1 });
    assert.deepEqual(webview.received.map((m) => m.type), ['running']);
    handle.setResult(createArraySource(COLUMNS, ROWS, 2), { jobId: 'job_1', jobUrl: 'https://console.example/job_1', bytesProcessed: 1234.4 });
    const init = webview.of('init')[0];
    assert.equal(init.totalRows, 4);
    assert.deepEqual(init.columns.map((c) => c.name), ['id', 'text', 'tags']);
    assert.deepEqual(init.stats, { jobId: 'job_1', hasJobUrl: true, bytesProcessed: 1234 }, 'the URL stays on the host');
    controller.dispose();
  });

  it('answers row requests with exactly the rows asked for, NULL and empty kept apart', async () => {
    const { webview, controller } = setup();
    controller.open({ title: 'q', origin: 'o' }).setResult(createArraySource(COLUMNS, ROWS, 2));
    webview.send({ type: 'ready', version: 1 });
    webview.send({ type: 'requestRows', requestId: 9, start: 1, count: 2 });
    const rows = await webview.next('rows');
    assert.equal(rows.requestId, 9);
    assert.equal(rows.start, 1);
    assert.deepEqual(rows.rows, [['2', null, []], ['3', '', ['b', 'c']]]);
    controller.dispose();
  });

  it('drops invalid messages and logs them without acting', async () => {
    const { webview, ui, sink, controller } = setup();
    controller.open({ title: 'q', origin: 'o' }).setResult(createArraySource(COLUMNS, ROWS, 2), { jobUrl: 'https://console.example/j' });
    webview.send({ type: 'ready', version: 1 });
    const before = webview.received.length;
    webview.send({ type: 'requestRows', requestId: 1, start: 0, count: 5_000_000 });
    webview.send({ type: 'openJobUrl', url: 'javascript:alert(1)' });
    webview.send({ type: 'export', format: 'csv', path: '/etc/passwd' });
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(webview.received.length, before);
    assert.deepEqual(ui.opened, []);
    assert.equal(sink.lines.filter((l) => l.includes('invalid message')).length, 3);
    controller.dispose();
  });

  it('opens only the job URL the service gave, and only a web URL', async () => {
    const ok = setup();
    ok.controller.open({ title: 'q', origin: 'o' }).setResult(createArraySource(COLUMNS, ROWS, 2), { jobUrl: 'https://console.example/j' });
    ok.webview.send({ type: 'ready', version: 1 });
    ok.webview.send({ type: 'openJobUrl' });
    await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(ok.ui.opened, ['https://console.example/j']);
    const bad = setup();
    bad.controller.open({ title: 'q', origin: 'o' }).setResult(createArraySource(COLUMNS, ROWS, 2), { jobUrl: 'javascript:alert(1)' });
    bad.webview.send({ type: 'ready', version: 1 });
    bad.webview.send({ type: 'openJobUrl' });
    await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(bad.ui.opened, []);
    ok.controller.dispose();
    bad.controller.dispose();
  });

  const copies: Array<[string, 'tsv' | 'csv' | 'json' | 'markdown', boolean, string]> = [
    ['TSV without header, formulas escaped', 'tsv', false, `1\t"'=HYPERLINK(""http://x"")"\n2\t\n`],
    ['CSV with header', 'csv', true, `id,text\n1,"'=HYPERLINK(""http://x"")"\n2,\n`],
    ['JSON', 'json', true, `[\n{"id":"1","text":"=HYPERLINK(\\"http://x\\")"},\n{"id":"2","text":null}\n]\n`],
    ['Markdown', 'markdown', true, `| id | text |\n| --- | --- |\n| 1 | =HYPERLINK("http://x") |\n| 2 | *NULL* |\n`],
  ];
  for (const [name, format, header, expected] of copies) {
    it(`copies a selection as ${name}`, async () => {
      const { webview, ui, controller } = setup();
      controller.open({ title: 'q', origin: 'o' }).setResult(createArraySource(COLUMNS, ROWS, 2));
      webview.send({ type: 'ready', version: 1 });
      webview.send({ type: 'copy', format, header, selection: { kind: 'range', startRow: 0, endRow: 1, columns: [0, 1] } });
      const notice = await webview.next('notice');
      assert.equal(ui.clipboard.replace(/\r\n/g, '\n'), expected);
      assert.match(notice.message, /Copied 2 rows/);
      controller.dispose();
    });
  }

  it('copies individual rows of a sorted view in the order shown', async () => {
    const { webview, ui, controller } = setup();
    controller.open({ title: 'q', origin: 'o' }).setResult(createArraySource(COLUMNS, ROWS, 2));
    webview.send({ type: 'ready', version: 1 });
    webview.send({ type: 'copy', format: 'tsv', header: false, selection: { kind: 'rows', rows: [3, 0], columns: [0] } });
    await webview.next('notice');
    assert.equal(ui.clipboard, '-4\r\n1\r\n');
    controller.dispose();
  });

  it('exports the whole result page by page with progress, then notifies', async () => {
    const { webview, ui, controller } = setup();
    controller.open({ title: 'orders by day', origin: 'o' }).setResult(syntheticSource(25_000, 1_000));
    webview.send({ type: 'ready', version: 1 });
    ui.savePath = join(dir, 'orders.jsonl');
    webview.send({ type: 'export', format: 'jsonl' });
    await until('the export to finish', () => ui.finished.length > 0, 4_000, { intervalMs: 10 });
    assert.equal(ui.finished[0]?.rowsWritten, 25_000);
    assert.equal(readFileSync(ui.savePath, 'utf8').trimEnd().split('\n').length, 25_000);
    const states = webview.of('exportProgress').map((m) => m.state);
    assert.equal(states[0], 'running');
    assert.equal(states.at(-1), 'done');
    assert.ok(ui.progress.length >= 25, 'progress after every page');
    controller.dispose();
  });

  it('records each export in the audit trail: what the rows are, the format and how it ended', async () => {
    const recorded: Array<Record<string, unknown>> = [];
    const webview = new FakeWebview();
    const controller = new ResultsController(webview.port, new FakeUi(), new RedactingLogger(new MemoryLogSink()), () => ({ escapeFormulasInCsv: true, maxCachedRows: 20_000 }), Date.now, undefined, (e) => recorded.push(e));
    let jobId: string | undefined;
    const handle = controller.open({ title: 'orders by day', origin: 'o', exportAudit: () => ({ service: 'bigquery', resource: 'gatehouse-demo.analytics.orders', jobIds: jobId ? [jobId] : undefined, credential: 'google-federation' }) });
    handle.setResult(syntheticSource(30, 10));
    jobId = 'job_late';
    webview.send({ type: 'ready', version: 1 });
    assert.ok(await controller.exportTo('csv', join(dir, 'audited.csv')));
    await controller.exportTo('json', join(dir, 'missing-dir', 'nope.json'));
    assert.deepEqual(recorded, [
      { service: 'bigquery', resource: 'gatehouse-demo.analytics.orders', resourceName: 'orders by day', jobIds: ['job_late'], credential: 'google-federation', action: 'export-csv', outcome: 'succeeded', reason: undefined },
      { service: 'bigquery', resource: 'gatehouse-demo.analytics.orders', resourceName: 'orders by day', jobIds: ['job_late'], credential: 'google-federation', action: 'export-json', outcome: 'failed', reason: recorded[1]?.reason },
    ]);
    assert.equal(typeof recorded[1].reason, 'string');
    controller.dispose();
  });

  it('cancels an export from the webview and leaves no file', async () => {
    const { webview, ui, controller } = setup();
    ui.savePath = undefined;
    controller.open({ title: 'q', origin: 'o' }).setResult(syntheticSource(200_000, 1_000, { delayMs: 5 }));
    webview.send({ type: 'ready', version: 1 });
    const path = join(dir, 'cancelled.csv');
    const run = controller.exportTo('csv', path);
    await new Promise((r) => setTimeout(r, 30));
    webview.send({ type: 'cancelExport' });
    assert.equal(await run, undefined);
    assert.equal(webview.of('exportProgress').at(-1)?.state, 'cancelled');
    assert.throws(() => readFileSync(path));
    assert.deepEqual(ui.finished, [], 'no "exported" notification');
    controller.dispose();
  });

  it('fires onDidRequestCancel while running, and closes a superseded result', async () => {
    const { webview, controller } = setup();
    const first = controller.open({ title: 'a', origin: 'o' });
    let cancels = 0;
    let disposed = 0;
    first.onDidRequestCancel(() => cancels++);
    first.onDidDispose(() => disposed++);
    first.setRunning('Running');
    webview.send({ type: 'ready', version: 1 });
    webview.send({ type: 'cancel' });
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(cancels, 1);
    const second = controller.open({ title: 'b', origin: 'o' });
    assert.equal(cancels, 2, 'a running query is cancelled when its panel is reused');
    assert.equal(disposed, 1);
    assert.equal(first.visible, false);
    const source = syntheticSource(10, 5);
    first.setResult(source);
    second.setRunning('Running b');
    assert.equal(webview.of('init').length, 0, 'a late result of the superseded query is not shown');
    assert.deepEqual(source.fetched, []);
    controller.dispose();
    assert.equal(second.visible, false);
  });

  it('gives a recreated webview its saved view state back', async () => {
    const { webview, controller } = setup();
    const handle = controller.open({ title: 'q', origin: 'o' });
    handle.setResult(createArraySource(COLUMNS, ROWS, 2));
    webview.send({ type: 'ready', version: 1 });
    const resultId = webview.of('init')[0].resultId;
    const state = { resultId, topRow: 2, scrollLeft: 10, columnWidths: [50, 60, 70], tab: 'chart' as const, sort: { column: 1, descending: true } };
    webview.send({ type: 'saveState', state });
    controller.webviewGone();
    webview.send({ type: 'ready', version: 1 });
    assert.deepEqual(webview.of('init')[1].panelState, state);
    controller.dispose();
  });

  it('reports the first paint of the current result only', async () => {
    let now = 1_000;
    const webview = new FakeWebview();
    const controller = new ResultsController(webview.port, new FakeUi(), new RedactingLogger(new MemoryLogSink()), () => ({ escapeFormulasInCsv: true, maxCachedRows: 20_000 }), () => now);
    const handle = controller.open({ title: 'q', origin: 'o' });
    handle.setResult(syntheticSource(100, 10));
    webview.send({ type: 'ready', version: 1 });
    const resultId = webview.of('init')[0].resultId;
    now += 42;
    webview.send({ type: 'painted', resultId: resultId + 1, start: 0, count: 10 });
    webview.send({ type: 'painted', resultId, start: 0, count: 10 });
    assert.equal(await handle.firstPaint(), 42);
    controller.dispose();
  });

  it('keeps the host cache bounded while the webview scrolls through 1,000,000 rows', async () => {
    const { webview, controller } = setup({ maxCachedRows: 20_000 });
    const source = syntheticSource(1_000_000, 5_000);
    const handle = controller.open({ title: 'q', origin: 'o' });
    handle.setResult(source);
    webview.send({ type: 'ready', version: 1 });
    let id = 0;
    for (let start = 0; start < 1_000_000; start += 25_000) {
      const after = webview.received.length;
      webview.send({ type: 'requestRows', requestId: ++id, start, count: 1_000 });
      const rows = await webview.next('rows', after);
      assert.equal(rows.rows[0][0], String(start));
    }
    const window = (handle as unknown as { window: { peakCachedRows: number } }).window;
    assert.ok(window.peakCachedRows <= 20_000, `peak ${window.peakCachedRows} rows`);
    controller.dispose();
  });

  it('serves chart data for two columns, numbers parsed, capped at the limit', async () => {
    const { webview, controller } = setup();
    controller.open({ title: 'q', origin: 'o' }).setResult(syntheticSource(30_000, 5_000));
    webview.send({ type: 'ready', version: 1 });
    webview.send({ type: 'requestChart', requestId: 4, x: 6, y: 0, limit: 10_000 });
    const chart = await webview.next('chartData');
    assert.equal(chart.xs.length, 10_000);
    assert.equal(chart.ys[9_999], 9_999, 'INTEGER strings become numbers');
    assert.equal(chart.totalRows, 30_000);
    controller.dispose();
  });

  const names: Array<[string, 'csv' | 'json' | 'jsonl', string]> = [
    ['orders by day', 'csv', 'orders_by_day.csv'],
    ['orders_by_day.sql · line 1', 'csv', 'orders_by_day.csv'],
    ['orders_by_day.sql', 'jsonl', 'orders_by_day.jsonl'],
    ['Finance.BQSQL · line 40', 'json', 'Finance.json'],
    ['Orders by day (look)', 'csv', 'Orders_by_day_look.csv'],
    ['stg_orders · preview', 'csv', 'stg_orders.csv'],
    ['../../etc/passwd', 'json', 'etc_passwd.json'],
    ['<script>', 'jsonl', 'script.jsonl'],
    ['', 'csv', 'result.csv'],
    [' · line 3', 'csv', 'result.csv'],
  ];
  for (const [title, format, expected] of names) {
    it(`names the export of "${title}" ${expected}`, () => assert.equal(suggestedFileName(title, format), expected));
  }

  it('tells the webview how to bring the result back after a reload, and nothing when the service gave no way', () => {
    const { webview, controller } = setup();
    const handle = controller.open({ title: 'orders_by_day.sql', origin: 'BigQuery · p' });
    webview.send({ type: 'ready', version: 1 });
    handle.setResult(createArraySource(COLUMNS, ROWS, 2), {}, { kind: 'bigquery-job', data: { projectId: 'p', jobId: 'j1' } });
    assert.deepEqual(JSON.parse(JSON.stringify(webview.of('init').at(-1)?.restore)), { kind: 'bigquery-job', title: 'orders_by_day.sql', origin: 'BigQuery · p', data: { projectId: 'p', jobId: 'j1' } });
    controller.open({ title: 'look', origin: 'Looker' }).setResult(createArraySource(COLUMNS, ROWS, 2));
    assert.equal(webview.of('init').at(-1)?.restore, undefined);
    controller.dispose();
  });

  it('shows a cancelled run as cancelled, not as a failure', () => {
    const { webview, controller } = setup();
    const handle = controller.open({ title: 'q', origin: 'BigQuery' });
    webview.send({ type: 'ready', version: 1 });
    handle.setRunning('Running query');
    handle.setCancelled('Cancelled. The job was stopped at BigQuery.');
    assert.equal(webview.received.at(-1)?.type, 'cancelled');
    assert.equal(webview.of('cancelled')[0].message, 'Cancelled. The job was stopped at BigQuery.');
    assert.equal(webview.of('error').length, 0);
    controller.dispose();
  });
});
