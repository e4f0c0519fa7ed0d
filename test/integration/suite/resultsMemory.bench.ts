// Benchmark, not a test (runs only with GATEHOUSE_BENCH=1, from `npm run bench -- --only webview`):
// memory of the results panel's two sides while a user scrolls through a whole 1,000,000-row x
// 8-column BigQuery result inside a real VS Code. Prints `BENCH` lines; asserts only that the
// measurement happened, never a number (these machines are shared and noisy).
import * as assert from 'node:assert/strict';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import * as vscode from 'vscode';
import type { ResultsTestingApi } from '../../../src/results/vscode/resultsModule';
import { driverAvailable, readWebview, webviewHeap } from '../runner/driverClient';
import { runSandboxQuery, sandboxGoogleToken, sandboxUrls } from '../support/sandboxBigQuery';
import { WEBVIEW_FRAME as FRAME } from '../support/wait';

const ROWS = 1_000_000;
const STEPS = 40;
const MB = 1024 * 1024;

/** The extension host runs without --expose-gc; a benchmark may turn it on to measure what is retained. */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  gc();
  gc();
}

function report(name: string, value: number, unit: string, goal?: string): void {
  console.log(`BENCH ${name}: ${value.toFixed(1)} ${unit}${goal ? ` (goal ${goal})` : ''}`);
}

async function rendered(row: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const cells = await readWebview(`.grid-row[aria-rowindex="${row + 2}"] .cell`, { frameUrlContains: FRAME, timeoutMs: 5_000 }).catch(() => []);
    if (cells.length === 8 && cells[0] !== '') return;
    if (Date.now() > deadline) throw new Error(`row ${row + 1} did not render within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('bench: results panel memory, 1,000,000 rows x 8 columns', function () {
  this.timeout(900_000);

  after(() => vscode.commands.executeCommand('workbench.action.closeAllEditors'));

  it('scrolls through the whole result and reports heap growth of the webview and the extension host', async () => {
    assert.ok(driverAvailable(), 'the webview heap is read through the code-server driver');
    const ext = vscode.extensions.getExtension('gatehouse.gatehouse')!;
    const api = ((await ext.activate()) as { testing: { results: ResultsTestingApi } }).testing.results;
    const urls = sandboxUrls();
    const token = await sandboxGoogleToken(urls, 'alice');
    const q = await runSandboxQuery(urls, token, 'select * from `gatehouse-demo.events.page_views` order by event_id', 5_000);
    assert.equal(q.source.totalRows, ROWS);

    const probe = api.openSource({ title: 'page_views (bench)', origin: 'BigQuery · gatehouse-demo', source: q.source });
    report('time to first row painted', await probe.firstPaintMs(), 'ms');
    await rendered(0);
    const webviewBefore = await webviewHeap(FRAME);
    collectGarbage();
    const hostBefore = process.memoryUsage();
    let hostPeak = hostBefore.rss;

    for (let i = 1; i <= STEPS; i++) {
      const row = Math.min(ROWS - 1, Math.round((i / STEPS) * (ROWS - 1)));
      probe.revealRow(row);
      await rendered(row);
      hostPeak = Math.max(hostPeak, process.memoryUsage().rss);
    }
    const webviewAfter = await webviewHeap(FRAME);
    collectGarbage();
    const hostAfter = process.memoryUsage();
    const cache = probe.cachedRows();

    report(`webview JS heap growth (${webviewAfter.scope} renderer, after GC)`, (webviewAfter.usedBytes - webviewBefore.usedBytes) / MB, 'MB', '< 150 MB');
    report('extension host heap growth (after GC)', (hostAfter.heapUsed - hostBefore.heapUsed) / MB, 'MB', '< 150 MB');
    report('extension host peak RSS growth while scrolling', (hostPeak - hostBefore.rss) / MB, 'MB', '< 150 MB');
    report('host row cache peak', cache.peak, 'rows');
    assert.ok(webviewAfter.usedBytes > 0 && cache.peak > 0);
  });
});
