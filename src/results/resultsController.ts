// The host side of one results panel, without `vscode`: it holds the current result (a RowWindow
// over the service's ResultSource), answers the webview's validated messages (viewport rows,
// copy, export, chart data, state) and implements the ResultsPanelHandle services talk to.
// ResultsPanel (resultsPanel.ts) plugs a vscode.WebviewPanel and VS Code's UI into it; tests and
// the benchmark plug in a simulated webview.
//
// Memory: the webview only ever receives the rows it asked for (at most LIMITS.maxRowsPerRequest
// per request, for its viewport and a margin), and the host keeps only the RowWindow's bounded
// page cache. Copy and chart read in chunks and are capped; export streams page by page.
import { CancelledError, GatehouseError } from '../core/errors';
import { Emitter, type Event } from '../core/event';
import type { Disposable } from '../core/disposable';
import { Formatter } from '../core/format';
import type { Logger } from '../core/logger';
import { exportResult, type ExportResult } from './export';
import { RowWindow } from './rowWindow';
import type { CellValue, ResultColumn, ResultRow, ResultSource } from './types';
import { createRowWriter } from './writers';
import type { ResultRestoreKey, ResultStats, ResultsPanelRequest, TileHandle, TilesPanelHandle } from './resultsPresenter';
import type { AuditOutcome, AuditRecord } from '../audit/auditTrail';
import { t } from '../core/l10n';
import {
  LIMITS,
  PROTOCOL_VERSION,
  validateWebviewMessage,
  type CopyFormat,
  type CopySelection,
  type ExportFormat,
  type HostMessage,
  type PanelViewState,
  type WebviewMessage,
  type TileState,
  type WireColumn,
  type WireStats,
  type WireTile,
} from './resultsProtocol';

/** The webview as the controller sees it: post typed messages, receive raw (unvalidated) ones. */
export interface ResultsWebviewPort {
  postMessage(message: HostMessage): void;
  onDidReceiveMessage(listener: (raw: unknown) => void): Disposable;
}

/** What the controller asks of the editor's UI (VS Code in production, fakes in tests). */
export interface ResultsHostUi {
  writeClipboard(text: string): Promise<void>;
  /** Where to save an export; undefined when the user cancelled the dialog. */
  pickExportPath(format: ExportFormat, suggestedName: string): Promise<string | undefined>;
  /** Runs an export under a cancellable progress indicator; `report` takes a fraction 0..1 when the total is known. */
  withExportProgress<T>(title: string, task: (report: (message: string, fraction?: number) => void, signal: AbortSignal) => Promise<T>): Promise<T>;
  /** The final notification (with a way to open the file). */
  exportFinished(result: ExportResult): void;
  openExternal(url: string): void;
  showWarning(message: string): void;
}

export interface ResultsSettings {
  /** CSV/TSV exports and copies escape spreadsheet formulas (gatehouse.results.escapeFormulasInCsv). */
  escapeFormulasInCsv: boolean;
  /** Upper bound of the host's row cache per panel. */
  maxCachedRows: number;
}

export const DEFAULT_MAX_CACHED_ROWS = 20_000;
/** Rows a copy puts on the clipboard at most: beyond that, Export is the tool. */
export const COPY_LIMIT = 100_000;

type Phase =
  | { kind: 'idle' }
  | { kind: 'running'; message: string; startedAt: number }
  | { kind: 'result'; window: RowWindow; stats: ResultStats; shownAt: number; restore?: ResultRestoreKey }
  | { kind: 'error'; message: string; nextStep?: string }
  | { kind: 'cancelled'; message: string }
  | { kind: 'text'; text: string };

let nextResultId = 1;

/** One open() of the presenter: the handle a service holds. Superseded when the panel is reused. */
export class ResultsSession implements TileHandle {
  readonly resultId = nextResultId++;
  private readonly cancelEmitter = new Emitter<void>();
  private readonly disposeEmitter = new Emitter<void>();
  readonly onDidRequestCancel: Event<void> = this.cancelEmitter.event;
  readonly onDidDispose: Event<void> = this.disposeEmitter.event;
  phase: Phase = { kind: 'idle' };
  viewState: PanelViewState | undefined;
  private closed = false;
  private paintedAt: number | undefined;
  private readonly paintWaiters: Array<(ms: number) => void> = [];
  private progressListener: Disposable | undefined;

  constructor(
    readonly request: ResultsPanelRequest,
    private readonly owner: ResultsController,
  ) {}

  get visible(): boolean {
    return !this.closed;
  }

  setRunning(message: string): void {
    if (this.closed) return;
    this.replacePhase({ kind: 'running', message, startedAt: this.owner.now() });
  }

  setResult(source: ResultSource, stats: ResultStats = {}, restore?: ResultRestoreKey): void {
    const window = new RowWindow(source, { maxCachedRows: Math.max(this.owner.settings().maxCachedRows, source.pageSize * 2) });
    if (this.closed) {
      void window.dispose(); // the panel owns the source: a late result is released at once
      return;
    }
    this.replacePhase({ kind: 'result', window, stats: { ...stats }, shownAt: this.owner.now(), ...(restore ? { restore } : {}) });
    this.progressListener = window.onDidChangeProgress((p) => this.owner.postFor(this, { type: 'progress', loadedRows: p.loadedRows, totalRows: p.totalRows ?? null }));
  }

  updateStats(stats: ResultStats): void {
    if (this.closed || this.phase.kind !== 'result') return;
    this.phase.stats = { ...this.phase.stats, ...stats };
    this.owner.postFor(this, { type: 'stats', stats: toWireStats(this.phase.stats) });
  }

  setError(message: string, nextStep?: string): void {
    if (this.closed) return;
    this.replacePhase({ kind: 'error', message, nextStep });
  }

  setCancelled(message: string): void {
    if (this.closed) return;
    this.replacePhase({ kind: 'cancelled', message });
  }

  setText(text: string): void {
    if (this.closed) return;
    this.replacePhase({ kind: 'text', text });
  }

  /** What the tile picker says about this result. */
  get tileState(): TileState {
    switch (this.phase.kind) {
      case 'idle':
        return 'queued';
      case 'result':
        return 'succeeded';
      case 'error':
        return 'failed';
      default:
        return this.phase.kind;
    }
  }

  /** Milliseconds from setResult to the webview's first painted rows. */
  firstPaint(): Promise<number> {
    if (this.paintedAt !== undefined) return Promise.resolve(this.paintedAt);
    return new Promise((resolve) => this.paintWaiters.push(resolve));
  }

  /** The webview painted rows of this result. */
  notePainted(): void {
    if (this.paintedAt !== undefined || this.phase.kind !== 'result') return;
    this.paintedAt = this.owner.now() - this.phase.shownAt;
    for (const resolve of this.paintWaiters.splice(0)) resolve(this.paintedAt);
  }

  requestCancel(): void {
    // A queued tile may be cancelled before its turn comes.
    if (this.phase.kind === 'running' || this.phase.kind === 'idle') this.cancelEmitter.fire();
  }

  /** The panel closed or moved on to another query: release the rows and tell the service. */
  close(): void {
    if (this.closed) return;
    this.requestCancel();
    this.closed = true;
    this.releaseWindow();
    this.phase = { kind: 'idle' };
    this.disposeEmitter.fire();
    this.cancelEmitter.dispose();
    this.disposeEmitter.dispose();
  }

  get window(): RowWindow | undefined {
    return this.phase.kind === 'result' ? this.phase.window : undefined;
  }

  private replacePhase(phase: Phase): void {
    this.releaseWindow();
    this.phase = phase;
    this.owner.render(this);
  }

  private releaseWindow(): void {
    this.progressListener?.dispose();
    this.progressListener = undefined;
    if (this.phase.kind === 'result') void this.phase.window.dispose();
  }
}

/** A dashboard's tiles in one panel: one session per tile, the picked one shown. */
class TileGroup implements TilesPanelHandle {
  private readonly cancelEmitter = new Emitter<void>();
  private readonly disposeEmitter = new Emitter<void>();
  readonly onDidRequestCancel: Event<void> = this.cancelEmitter.event;
  readonly onDidDispose: Event<void> = this.disposeEmitter.event;
  active = 0;
  private closed = false;

  constructor(
    readonly request: ResultsPanelRequest,
    readonly tiles: readonly ResultsSession[],
  ) {}

  get visible(): boolean {
    return !this.closed;
  }

  requestCancel(): void {
    if (!this.closed) this.cancelEmitter.fire();
  }

  close(): void {
    if (this.closed) return;
    this.requestCancel();
    this.closed = true;
    for (const tile of this.tiles) tile.close();
    this.disposeEmitter.fire();
    this.cancelEmitter.dispose();
    this.disposeEmitter.dispose();
  }
}

export class ResultsController implements Disposable {
  private session: ResultsSession | undefined;
  private group: TileGroup | undefined;
  private ready = false;
  private readonly rowRequests = new Map<number, AbortController>();
  private chartRequest: AbortController | undefined;
  private exportRun: AbortController | undefined;
  private readonly subscription: Disposable;
  private readonly life = new AbortController();

  constructor(
    private readonly port: ResultsWebviewPort,
    private readonly ui: ResultsHostUi,
    private readonly logger: Logger,
    readonly settings: () => ResultsSettings,
    readonly now: () => number = Date.now,
    /** Counts in notices and progress; the glue passes one in the display language. */
    private readonly fmt: Formatter = new Formatter(),
    /** Writes the audit record of an export (the glue adds who asked). */
    private readonly recordExport?: (entry: Omit<AuditRecord, 'time' | 'actor'>) => void,
  ) {
    this.subscription = port.onDidReceiveMessage((raw) => this.receive(raw));
  }

  get current(): ResultsSession | undefined {
    return this.session;
  }

  /** The tiles of the dashboard shown, when this panel shows one. */
  get tiles(): TilesPanelHandle | undefined {
    return this.group;
  }

  get exporting(): boolean {
    return this.exportRun !== undefined;
  }

  /** Starts a new result in this panel; a previous one is closed (its service is told to cancel). */
  open(request: ResultsPanelRequest): ResultsSession {
    this.closeCurrent();
    this.session = new ResultsSession(request, this);
    this.render(this.session);
    return this.session;
  }

  /** Starts a dashboard in this panel: a queued result per tile, the first one shown. */
  openTiles(request: ResultsPanelRequest, tiles: ReadonlyArray<{ title: string }>): TilesPanelHandle {
    this.closeCurrent();
    const sessions = tiles.slice(0, LIMITS.maxTiles).map((t) => new ResultsSession({ title: t.title, origin: request.origin, ownerKey: request.ownerKey }, this));
    this.group = new TileGroup(request, sessions);
    this.session = sessions[0];
    if (this.session) this.render(this.session);
    else this.postTiles();
    return this.group;
  }

  /** Shows tile `index` of the dashboard (the webview's tile picker, tests). */
  selectTile(index: number): void {
    const group = this.group;
    const tile = group?.tiles[index];
    if (!group || !tile || tile === this.session) return;
    this.abortRowRequests();
    this.chartRequest?.abort();
    group.active = index;
    this.session = tile;
    this.render(tile);
  }

  private closeCurrent(): void {
    this.abortRowRequests();
    this.chartRequest?.abort();
    this.exportRun?.abort();
    const hadTiles = this.group !== undefined;
    if (this.group) this.group.close();
    else this.session?.close();
    this.group = undefined;
    this.session = undefined;
    // A single result after a dashboard: the tile picker goes away.
    if (hadTiles) this.post({ type: 'tiles', title: '', tiles: [], active: 0 });
  }

  private postTiles(): void {
    const group = this.group;
    if (!group) return;
    const tiles: WireTile[] = group.tiles.map((t) => {
      const rows = t.window?.totalRows;
      return { title: t.request.title, state: t.tileState, ...(rows !== undefined ? { rows } : {}) };
    });
    this.post({ type: 'tiles', title: group.request.title, tiles, active: group.active });
  }

  /** The webview went away (panel hidden): nothing is posted until it says ready again. */
  webviewGone(): void {
    this.ready = false;
    this.abortRowRequests();
    this.chartRequest?.abort();
  }

  /** Scrolls the grid so `row` is visible (go-to-row, tests). */
  revealRow(row: number): void {
    this.post({ type: 'scrollTo', row });
  }

  /** Asks for a file and exports the current result to it. */
  async exportWithDialog(format: ExportFormat): Promise<ExportResult | undefined> {
    const session = this.session;
    if (!session?.window) return undefined;
    if (this.exportRun) {
      this.ui.showWarning(t('An export of this result is already running.'));
      return undefined;
    }
    const path = await this.ui.pickExportPath(format, suggestedFileName(session.request.title, format));
    if (!path) return undefined;
    return this.exportTo(format, path);
  }

  /** Streams the whole current result to `path`, page by page, with progress and cancel. */
  async exportTo(format: ExportFormat, path: string): Promise<ExportResult | undefined> {
    const session = this.session;
    const window = session?.window;
    if (!session || !window) return undefined;
    if (this.exportRun) {
      this.ui.showWarning(t('An export of this result is already running.'));
      return undefined;
    }
    const own = new AbortController();
    this.exportRun = own;
    const totalRows = window.totalRows ?? null;
    const progress = (state: 'running' | 'done' | 'cancelled' | 'failed', rowsWritten: number, message?: string) =>
      this.postFor(session, { type: 'exportProgress', format, state, rowsWritten, totalRows, ...(message ? { message } : {}) });
    progress('running', 0);
    try {
      const result = await this.ui.withExportProgress(t('Exporting {0} as {1}', session.request.title, FORMAT_LABEL[format]), (report, signal) =>
        exportResult(window, {
          format,
          path,
          signal: AbortSignal.any([signal, own.signal, this.life.signal]),
          escapeFormulas: this.settings().escapeFormulasInCsv,
          onProgress: (p) => {
            const fraction = p.totalRows ? p.rowsWritten / p.totalRows : undefined;
            report(p.totalRows !== undefined ? t('{0} of {1} rows', this.fmt.count(p.rowsWritten), this.fmt.count(p.totalRows)) : t('{0} rows', this.fmt.count(p.rowsWritten)), fraction);
            progress('running', p.rowsWritten);
          },
        }),
      );
      progress('done', result.rowsWritten);
      this.auditExport(session, format, 'succeeded');
      this.ui.exportFinished(result);
      return result;
    } catch (err) {
      if (CancelledError.is(err)) {
        progress('cancelled', 0);
        this.auditExport(session, format, 'cancelled');
        return undefined;
      }
      this.auditExport(session, format, 'failed', err instanceof GatehouseError ? err.reason : 'writeFailed');
      const message = userMessage(err, t('The export failed.'));
      this.logger.error(`export failed: ${describe(err)}`);
      progress('failed', 0, message);
      this.ui.showWarning(message);
      return undefined;
    } finally {
      if (this.exportRun === own) this.exportRun = undefined;
    }
  }

  private auditExport(session: ResultsSession, format: ExportFormat, outcome: AuditOutcome, reason?: string): void {
    const subject = session.request.exportAudit?.();
    if (!subject || !this.recordExport) return;
    this.recordExport({ ...subject, resourceName: subject.resourceName ?? session.request.title, action: `export-${format}`, outcome, reason });
  }

  dispose(): void {
    this.life.abort();
    this.abortRowRequests();
    this.chartRequest?.abort();
    this.exportRun?.abort();
    this.subscription.dispose();
    this.group?.close();
    this.session?.close();
    this.group = undefined;
    this.session = undefined;
  }

  /** Sends the session's current phase, if it is the one shown and the webview is listening. */
  render(session: ResultsSession): void {
    if (!this.ready) return;
    // Any tile's change updates the picker; only the picked tile's phase is shown.
    if (this.group?.tiles.includes(session)) this.postTiles();
    if (session !== this.session) return;
    const { title, origin } = session.request;
    const phase = session.phase;
    const queued = this.group ? t('Queued…') : t('Starting…');
    switch (phase.kind) {
      case 'idle':
      case 'running':
        this.post({ type: 'running', title, origin, message: phase.kind === 'running' ? phase.message : queued, startedAt: phase.kind === 'running' ? phase.startedAt : this.now() });
        return;
      case 'text':
        this.post({ type: 'text', title, origin, text: phase.text });
        return;
      case 'error':
        this.post({ type: 'error', title, origin, message: phase.message, ...(phase.nextStep ? { nextStep: phase.nextStep } : {}) });
        break;
      case 'cancelled':
        this.post({ type: 'cancelled', title, origin, message: phase.message });
        return;
      case 'result': {
        const w = phase.window;
        this.post({
          type: 'init',
          resultId: session.resultId,
          title,
          origin,
          columns: w.columns.map(toWireColumn),
          totalRows: w.totalRows ?? null,
          stats: toWireStats(phase.stats),
          loadedRows: w.progress.loadedRows,
          ...(session.viewState?.resultId === session.resultId ? { panelState: session.viewState } : {}),
          ...(phase.restore ? { restore: { kind: phase.restore.kind, title, origin, data: { ...phase.restore.data } } } : {}),
        });
        return;
      }
    }
  }

  postFor(session: ResultsSession, message: HostMessage): void {
    if (session === this.session) this.post(message);
  }

  private post(message: HostMessage): void {
    if (this.ready) this.port.postMessage(message);
  }

  private receive(raw: unknown): void {
    const checked = validateWebviewMessage(raw);
    if (!checked.ok) {
      // A message we cannot read means a mismatched or tampered webview: drop it, keep a trace.
      this.logger.warn(`results webview sent an invalid message (${checked.error})`);
      return;
    }
    void this.handle(checked.message).catch((err: unknown) => this.logger.error(`results message ${checked.message.type} failed: ${describe(err)}`));
  }

  private async handle(message: WebviewMessage): Promise<void> {
    const session = this.session;
    switch (message.type) {
      case 'ready':
        if (message.version !== PROTOCOL_VERSION) this.logger.warn(`results webview speaks protocol ${message.version}, host ${PROTOCOL_VERSION}`);
        this.abortRowRequests();
        this.ready = true;
        if (session) this.render(session);
        return;
      case 'requestRows':
        return this.serveRows(message.requestId, message.start, message.count);
      case 'cancelRows':
        for (const id of message.requestIds) this.rowRequests.get(id)?.abort();
        return;
      case 'painted':
        if (session?.resultId === message.resultId) session.notePainted();
        return;
      case 'copy':
        return this.copy(message.format, message.header, message.selection);
      case 'export':
        await this.exportWithDialog(message.format);
        return;
      case 'cancelExport':
        this.exportRun?.abort();
        return;
      case 'cancel':
        session?.requestCancel();
        return;
      case 'selectTile':
        this.selectTile(message.index);
        return;
      case 'cancelTiles':
        this.group?.requestCancel();
        return;
      case 'openJobUrl': {
        const url = session?.phase.kind === 'result' ? session.phase.stats.jobUrl : undefined;
        // The URL comes from the service, never from the webview; only web links are opened.
        if (url && /^https?:\/\//i.test(url)) this.ui.openExternal(url);
        return;
      }
      case 'saveState':
        if (session && message.state.resultId === session.resultId) session.viewState = message.state;
        return;
      case 'requestChart':
        return this.serveChart(message.requestId, message.x, message.y, message.limit);
    }
  }

  private async serveRows(requestId: number, start: number, count: number): Promise<void> {
    const session = this.session;
    const window = session?.window;
    if (!session || !window) {
      this.post({ type: 'rowsFailed', requestId, message: t('There is no result to read rows from.') });
      return;
    }
    this.rowRequests.get(requestId)?.abort();
    const controller = new AbortController();
    this.rowRequests.set(requestId, controller);
    try {
      const rows = await window.getRows(start, count, controller.signal);
      if (!controller.signal.aborted) this.postFor(session, { type: 'rows', requestId, start, rows: rows as CellValue[][] });
    } catch (err) {
      if (CancelledError.is(err) || controller.signal.aborted) return;
      this.logger.warn(`rows ${start}+${count} failed: ${describe(err)}`);
      this.postFor(session, { type: 'rowsFailed', requestId, message: userMessage(err, t('Could not read these rows.')) });
    } finally {
      if (this.rowRequests.get(requestId) === controller) this.rowRequests.delete(requestId);
    }
  }

  private async copy(format: CopyFormat, header: boolean, selection: CopySelection): Promise<void> {
    const window = this.session?.window;
    if (!window) return;
    const columns = selection.columns.filter((c) => c < window.columns.length);
    if (columns.length === 0) return;
    const picked: ResultColumn[] = columns.map((c) => window.columns[c]);
    const writer = createRowWriter(format, picked, { header, escapeFormulas: format === 'csv' || format === 'tsv' ? this.settings().escapeFormulasInCsv : undefined });
    const project = (rows: readonly ResultRow[]) => rows.map((r) => columns.map((c) => r[c] ?? null));
    const signal = this.life.signal;
    let text = writer.begin();
    let copied = 0;
    let truncated = false;
    const chunk = window.pageSize;
    if (selection.kind === 'range') {
      const total = window.totalRows ?? Number.MAX_SAFE_INTEGER;
      const end = Math.min(selection.endRow + 1, total, selection.startRow + COPY_LIMIT);
      truncated = Math.min(selection.endRow + 1, total) > end;
      for (let at = selection.startRow; at < end; at += chunk) {
        const rows = await window.getRows(at, Math.min(chunk, end - at), signal);
        text += writer.rows(project(rows));
        copied += rows.length;
        if (rows.length === 0) break;
      }
    } else {
      // Individual rows (a sorted or filtered view of loaded rows): read runs of consecutive rows.
      const wanted = selection.rows.slice(0, COPY_LIMIT);
      truncated = selection.rows.length > wanted.length;
      for (let i = 0; i < wanted.length; ) {
        let j = i + 1;
        while (j < wanted.length && wanted[j] === wanted[j - 1] + 1 && j - i < chunk) j++;
        const rows = await window.getRows(wanted[i], j - i, signal);
        text += writer.rows(project(rows));
        copied += rows.length;
        i = j;
      }
    }
    text += writer.end();
    await this.ui.writeClipboard(text);
    const n = this.fmt.count(copied);
    const label = FORMAT_LABEL[format];
    const message = truncated
      ? copied === 1
        ? t('Copied the first {0} row as {1}. Export the result for every row.', n, label)
        : t('Copied the first {0} rows as {1}. Export the result for every row.', n, label)
      : copied === 1
        ? t('Copied {0} row as {1}.', n, label)
        : t('Copied {0} rows as {1}.', n, label);
    this.post({ type: 'notice', message });
  }

  private async serveChart(requestId: number, x: number, y: number, limit: number): Promise<void> {
    const session = this.session;
    const window = session?.window;
    if (!session || !window || x >= window.columns.length || y >= window.columns.length) return;
    this.chartRequest?.abort();
    const controller = new AbortController();
    this.chartRequest = controller;
    const signal = AbortSignal.any([controller.signal, this.life.signal]);
    const end = Math.min(limit, window.totalRows ?? limit);
    const xs: CellValue[] = [];
    const ys: Array<number | null> = [];
    try {
      for (let at = 0; at < end; at += window.pageSize) {
        const rows = await window.getRows(at, Math.min(window.pageSize, end - at), signal);
        for (const row of rows) {
          xs.push(row[x] ?? null);
          ys.push(toNumber(row[y] ?? null));
        }
        if (rows.length === 0) break;
      }
      this.postFor(session, { type: 'chartData', requestId, xs, ys, totalRows: window.totalRows ?? null });
    } catch (err) {
      if (!CancelledError.is(err) && !signal.aborted) {
        this.logger.warn(`chart data failed: ${describe(err)}`);
        this.postFor(session, { type: 'notice', message: userMessage(err, t('Could not read rows for the chart.')) });
      }
    } finally {
      if (this.chartRequest === controller) this.chartRequest = undefined;
    }
  }

  private abortRowRequests(): void {
    for (const c of this.rowRequests.values()) c.abort();
    this.rowRequests.clear();
  }
}

// Names of formats, the same in every language.
const FORMAT_LABEL: Record<CopyFormat | ExportFormat, string> = { csv: 'CSV', tsv: 'TSV', json: 'JSON', jsonl: 'JSON Lines', markdown: 'Markdown' };
const EXTENSION: Record<ExportFormat, string> = { csv: 'csv', jsonl: 'jsonl', json: 'json' };

/**
 * The export's file name, from what was run: a panel title such as "orders_by_day.sql · line 12"
 * names the query by its file, so the export is orders_by_day.csv, not orders_by_day.sql_line_12.csv.
 */
export function suggestedFileName(title: string, format: ExportFormat): string {
  const what = title.split(' · ')[0].replace(/\.(sql|bqsql)$/i, '');
  const base = what.replace(/[^\p{L}\p{N}._-]+/gu, '_').replace(/^[._]+|[._]+$/g, '').slice(0, 80) || 'result';
  return `${base}.${EXTENSION[format]}`;
}

export function toWireColumn(c: ResultColumn): WireColumn {
  return { name: c.name, type: c.type, mode: c.mode, ...(c.fields ? { fields: c.fields.map(toWireColumn) } : {}) };
}

/** Only what the status line shows; the job URL stays on the host (the webview asks to open it). */
export function toWireStats(s: ResultStats): WireStats {
  const whole = (n: number | undefined) => (n !== undefined && Number.isFinite(n) && n >= 0 ? Math.round(n) : undefined);
  const out: WireStats = {};
  if (s.jobId) out.jobId = s.jobId.slice(0, 1024);
  if (s.jobUrl) out.hasJobUrl = true;
  if (s.location) out.location = s.location.slice(0, 256);
  if (s.statementType) out.statementType = s.statementType.slice(0, 256);
  const bytesProcessed = whole(s.bytesProcessed);
  if (bytesProcessed !== undefined) out.bytesProcessed = bytesProcessed;
  const bytesBilled = whole(s.bytesBilled);
  if (bytesBilled !== undefined) out.bytesBilled = bytesBilled;
  if (s.cacheHit !== undefined) out.cacheHit = s.cacheHit;
  const slotMs = whole(s.slotMs);
  if (slotMs !== undefined) out.slotMs = slotMs;
  if (s.timeToFirstRowMs !== undefined && Number.isFinite(s.timeToFirstRowMs) && s.timeToFirstRowMs >= 0) out.timeToFirstRowMs = s.timeToFirstRowMs;
  if (s.chart) out.chart = { ...(s.chart.kind ? { kind: s.chart.kind } : {}), requested: s.chart.requested.slice(0, 100), exact: s.chart.exact };
  if (s.extra) out.extra = Object.fromEntries(Object.entries(s.extra).slice(0, 50).map(([k, v]) => [k.slice(0, 200), String(v).slice(0, 1024)]));
  return out;
}

function toNumber(v: CellValue): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  }
  if (typeof v === 'boolean') return v ? 1 : 0;
  return null;
}

/** A message fit for the user: typed errors carry one; anything else gets the fallback. */
function userMessage(err: unknown, fallback: string): string {
  return GatehouseError.isGatehouseError(err) ? err.userMessage : fallback;
}

function describe(err: unknown): string {
  if (GatehouseError.isGatehouseError(err)) return `${err.name}(${err.reason}): ${err.message}`;
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
