// The results panel's host side without VS Code: a ResultsController fed by a BigQuery-shaped
// 1,000,000-row x 8-column result (paging server in a child process, BigQueryResultSource), and a
// simulated webview speaking the real protocol: every message is structured-cloned (as
// postMessage does) and validated, rows land in the webview's own bounded block cache, and
// "painted" is acknowledged as the grid does once the first screen has rows.
// Measures: time from setResult to the painted ack for page 0; the extension host's heap growth
// while the webview scrolls through every row (goal < 150 MB), and the rows each side held.
// The simulated webview's cache lives in this process too, so the host figures include its
// 10,000 rows. The webview's own memory needs a browser; this reports the webview cache's row
// bound, which is what keeps it flat.
// Standalone: `npx tsx bench/results-panel.ts [rows]`.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { AxiosHttpClient } from '../src/core/http';
import { MemoryLogSink, RedactingLogger } from '../src/core/logger';
import { ResultsController, type ResultsHostUi } from '../src/results/resultsController';
import { validateHostMessage, type HostMessage, type WebviewMessage } from '../src/results/resultsProtocol';
import { BigQueryResultSource } from '../src/bigquery/rows';
import { BLOCK_SIZE, RowBlockCache } from '../media/results/rowCache';
import { httpPageFetcher, spawnFakeBigQuery } from './results-fixtures';
import type { BenchOptions, BenchResult } from './lib/types';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const PAGE_SIZE = 5_000;
/** Rows on one screen of the grid (about 900 px of 22 px rows) and the margin it requests. */
const SCREEN_ROWS = 40;
const MARGIN_ROWS = 100;

const noUi: ResultsHostUi = {
  writeClipboard: async () => undefined,
  pickExportPath: async () => undefined,
  withExportProgress: (_t, task) => task(() => undefined, new AbortController().signal),
  exportFinished: () => undefined,
  openExternal: () => undefined,
  showWarning: () => undefined,
};

/** The webview's side of the protocol, as media/results/app.ts speaks it (without the DOM). */
class SimulatedWebview {
  readonly cache = new RowBlockCache(10_000);
  peakRows = 0;
  private listener: ((raw: unknown) => void) | undefined;
  private resultId = -1;
  private painted = false;
  private nextId = 1;
  private readonly waiting = new Map<number, (rows: unknown[]) => void>();
  private readonly blockOf = new Map<number, number>();
  onInit: (() => void) | undefined;

  readonly port = {
    postMessage: (m: HostMessage) => setImmediate(() => this.receive(structuredClone(m))),
    onDidReceiveMessage: (listener: (raw: unknown) => void) => {
      this.listener = listener;
      return { dispose: () => (this.listener = undefined) };
    },
  };

  send(m: WebviewMessage): void {
    const raw = structuredClone(m);
    setImmediate(() => this.listener?.(raw));
  }

  /** Asks for the blocks of a screen at `top` (plus margins) and waits until they are in. */
  async showScreen(top: number, total: number): Promise<void> {
    const first = Math.max(0, Math.floor((top - MARGIN_ROWS) / BLOCK_SIZE));
    const last = Math.floor(Math.min(total - 1, top + SCREEN_ROWS + MARGIN_ROWS) / BLOCK_SIZE);
    const loads: Promise<unknown>[] = [];
    for (let b = first; b <= last; b++) {
      if (this.cache.hasBlock(b)) continue;
      const requestId = this.nextId++;
      this.blockOf.set(requestId, b);
      loads.push(new Promise((resolve) => this.waiting.set(requestId, resolve)));
      this.send({ type: 'requestRows', requestId, start: b * BLOCK_SIZE, count: Math.min(BLOCK_SIZE, total - b * BLOCK_SIZE) });
    }
    await Promise.all(loads);
  }

  private receive(raw: unknown): void {
    const checked = validateHostMessage(raw);
    if (!checked.ok) throw new Error(`host posted an invalid message: ${checked.error}`);
    const m = checked.message;
    if (m.type === 'init') {
      this.resultId = m.resultId;
      this.painted = false;
      this.onInit?.();
    } else if (m.type === 'rows') {
      const block = this.blockOf.get(m.requestId);
      if (block === undefined) return;
      this.blockOf.delete(m.requestId);
      this.cache.put(block, m.rows);
      this.peakRows = Math.max(this.peakRows, this.cache.size);
      if (!this.painted && block === 0) {
        this.painted = true;
        this.send({ type: 'painted', resultId: this.resultId, start: 0, count: SCREEN_ROWS });
      }
      this.waiting.get(m.requestId)?.(m.rows);
      this.waiting.delete(m.requestId);
    }
  }
}

const mb = (bytes: number) => bytes / 1024 / 1024;

export async function runResultsPanelBench(opts: BenchOptions = {}): Promise<BenchResult[]> {
  const log = opts.log ?? (() => undefined);
  const rows = opts.rows ?? 1_000_000;
  const server = await spawnFakeBigQuery(rows);
  const client = new AxiosHttpClient({ timeoutMs: 120_000 });
  const fetchPage = httpPageFetcher(client, server.url);
  const webview = new SimulatedWebview();
  const controller = new ResultsController(webview.port, noUi, new RedactingLogger(new MemoryLogSink()), () => ({ escapeFormulasInCsv: true, maxCachedRows: 20_000 }));
  try {
    webview.send({ type: 'ready', version: 1 });
    const handle = controller.open({ title: 'page_views', origin: 'bench' });
    // The service's part (jobs.query returning the first page) is not the panel's: done before the clock starts.
    const source = await BigQueryResultSource.open({ fetchPage, pageSize: PAGE_SIZE });
    gc();
    const heapBefore = process.memoryUsage();
    const painted = handle.firstPaint();
    webview.onInit = () => void webview.showScreen(0, rows);
    handle.setResult(source);
    const firstPaintMs = await painted;
    log(`first paint ${firstPaintMs.toFixed(1)} ms after setResult`);

    // Scroll through every row, one screen at a time, as a user dragging to the end would ask.
    let peakHeap = 0;
    let peakRss = 0;
    let peakRetained = 0;
    const base = heapBefore.heapUsed + heapBefore.external + heapBefore.arrayBuffers;
    const t0 = performance.now();
    for (let top = 0; top < rows; top += SCREEN_ROWS * 5) {
      await webview.showScreen(top, rows);
      const screen = top / (SCREEN_ROWS * 5);
      if (screen % 50 === 0) {
        // Peak as V8 left it (garbage included), and what stays alive (after a collection).
        const m = process.memoryUsage();
        peakHeap = Math.max(peakHeap, m.heapUsed + m.external + m.arrayBuffers - base);
        peakRss = Math.max(peakRss, m.rss - heapBefore.rss);
        if (screen % 500 === 0) {
          gc();
          const live = process.memoryUsage();
          peakRetained = Math.max(peakRetained, live.heapUsed + live.external + live.arrayBuffers - base);
        }
      }
    }
    const scrollMs = performance.now() - t0;
    const window = handle.window;
    log(`scrolled ${rows} rows in ${(scrollMs / 1000).toFixed(1)} s; host cache peak ${window?.peakCachedRows} rows, webview cache peak ${webview.peakRows} rows`);
    return [
      { name: 'panel: time to first row painted (from setResult)', value: firstPaintMs, unit: 'ms' },
      { name: `panel: host heap growth scrolling ${rows.toLocaleString('en-US')} rows x 8 (peak, garbage incl.)`, value: mb(peakHeap), unit: 'MB', goal: '< 150' },
      { name: `panel: host heap retained scrolling ${rows.toLocaleString('en-US')} rows x 8 (after GC)`, value: mb(peakRetained), unit: 'MB', goal: '< 150' },
      { name: `panel: host RSS growth scrolling ${rows.toLocaleString('en-US')} rows x 8`, value: mb(peakRss), unit: 'MB', goal: '< 150' },
      { name: 'panel: host row cache peak', value: window?.peakCachedRows ?? 0, unit: 'rows', goal: '<= 20000' },
      { name: 'panel: webview row cache peak (simulated)', value: webview.peakRows, unit: 'rows', goal: '<= 10000' },
      { name: 'panel: scroll through every row (simulated webview)', value: scrollMs / 1000, unit: 's' },
    ];
  } finally {
    controller.dispose();
    server.close();
  }
}

if (require.main === module) {
  runResultsPanelBench({ rows: Number(process.argv[2] ?? 1_000_000), log: (l) => process.stderr.write(`${l}\n`) })
    .then((r) => {
      for (const x of r) process.stdout.write(`${x.name.padEnd(72)} ${x.value.toFixed(1).padStart(10)} ${x.unit}${x.goal ? `  (goal ${x.goal})` : ''}\n`);
    })
    .catch((err) => {
      process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
      process.exitCode = 1;
    });
}
