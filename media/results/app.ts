// The results webview: phases (running, error, result), the toolbar, the grid or chart, the cell
// view and the status line. It talks to the host only through validated protocol messages and
// keeps a bounded block cache of rows; everything it shows is assigned as text.
import {
  CHART_KINDS,
  LIMITS,
  PROTOCOL_VERSION,
  validateHostMessage,
  validatePanelViewState,
  type CopyFormat,
  type CopySelection,
  type ExportFormat,
  type HostMessage,
  type PanelViewState,
  type WireColumn,
  type WireRestore,
  type WireStats,
  type WireTile,
} from '../../src/results/resultsProtocol';
import type { Formatter } from '../../src/core/format';
import { buildChart, chartColumns, type ChartKind } from './chartModel';
import { drawChart } from './chartView';
import { button, el, menuButton } from './dom';
import { detailText, typeBadge } from './format';
import { defaultWidth, Grid, type GridData } from './grid';
import { buildLocalView, findMatches, isLocalViewActive, type LocalViewOptions } from './localView';
import { BLOCK_SIZE, blocksFor, RowBlockCache, type LoadedRow, type Row } from './rowCache';
import type { CellPos } from './selection';
import type { HostChannel } from './vscodeApi';

/** Rows requested beyond the screen in each direction, so ordinary scrolling finds rows ready. */
const MARGIN_ROWS = 100;
/** Rows the chart reads from the start of the result. */
const CHART_ROWS = 5_000;
const REQUEST_DEBOUNCE_MS = 40;

interface SavedState {
  v: number;
  view: PanelViewState;
  /** Handed back to the host after a window reload, to fetch the result again. */
  restore?: WireRestore;
}

type InitMessage = Extract<HostMessage, { type: 'init' }>;

interface ResultState {
  resultId: number;
  columns: WireColumn[];
  totalRows: number | null;
  /** Set when a sequential result of unknown size ran out of rows. */
  endRow: number | undefined;
  stats: WireStats;
  loadedRows: number;
  grid: Grid;
  local: LoadedRow[] | undefined;
  options: LocalViewOptions;
  tab: 'grid' | 'chart';
  chart: { kind: ChartKind; x: number; y: number } | undefined;
  painted: boolean;
  restore: WireRestore | undefined;
}

export class ResultsApp {
  private readonly cache = new RowBlockCache(10_000);
  private readonly pendingBlocks = new Map<number, number>();
  private readonly requestBlocks = new Map<number, number>();
  private nextRequestId = 1;
  private requestTimer: number | undefined;
  private wanted: { from: number; to: number } | undefined;
  private result: ResultState | undefined;
  private runningTimer: number | undefined;
  private saveTimer: number | undefined;
  private toastTimer: number | undefined;
  private chartRequestId = 0;
  private findMatchesList: CellPos[] = [];
  private findIndex = -1;
  private idleWaiters: Array<() => void> = [];
  private chartObserver: ResizeObserver | undefined;

  private readonly titleEl = el('span', { class: 'title' });
  private readonly originEl = el('span', { class: 'origin' });
  private readonly tabs = el('div', { class: 'tabs', attrs: { role: 'tablist' } });
  private readonly toolbar = el('div', { class: 'toolbar' });
  private readonly banner = el('div', { class: 'banner', attrs: { role: 'note' } });
  /** A dashboard's tiles: one button per tile, the picked one's result below. */
  private readonly tilebar = el('nav', { class: 'tilebar', attrs: { 'aria-label': 'Dashboard tiles' } });
  private readonly content = el('div', { class: 'content' });
  private readonly detail = el('aside', { class: 'detail', attrs: { 'aria-label': 'Cell value' } });
  private readonly status = el('footer', { class: 'status', attrs: { 'aria-label': 'Result status' } });
  private readonly toast = el('div', { class: 'toast', attrs: { role: 'status', 'aria-live': 'polite' } });
  private readonly findInput = el('input', { class: 'find', attrs: { type: 'search', placeholder: 'Find in loaded rows', 'aria-label': 'Find in loaded rows', spellcheck: 'false' } });
  private readonly findCount = el('span', { class: 'find-count', attrs: { 'aria-live': 'polite' } });
  private readonly filterColumn = el('select', { class: 'filter-column', attrs: { 'aria-label': 'Filter column' } });
  private readonly filterInput = el('input', { class: 'filter', attrs: { type: 'search', placeholder: 'Filter loaded rows', 'aria-label': 'Filter loaded rows', spellcheck: 'false' } });
  private readonly exportStatus = el('span', { class: 'export-status' });

  constructor(
    private readonly root: HTMLElement,
    private readonly host: HostChannel,
    private readonly fmt: Formatter,
  ) {
    const top = el('header', { class: 'topbar' }, el('div', { class: 'heading' }, this.titleEl, this.originEl), this.tabs, this.toolbar);
    this.detail.hidden = true;
    this.banner.hidden = true;
    this.tilebar.hidden = true;
    root.append(top, this.tilebar, this.banner, el('div', { class: 'main' }, this.content, this.detail), this.status, this.toast);
    root.setAttribute('aria-busy', 'false');
    this.buildToolbar();
    document.addEventListener('keydown', (e) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'f' && this.result) {
        e.preventDefault();
        this.focusFind();
      }
    });
  }

  start(): void {
    window.addEventListener('message', (e: MessageEvent) => this.receive(e.data));
    this.host.post({ type: 'ready', version: PROTOCOL_VERSION });
  }

  receive(raw: unknown): void {
    const checked = validateHostMessage(raw);
    if (!checked.ok) return; // not ours, or malformed: never rendered, never acted on
    const m = checked.message;
    switch (m.type) {
      case 'running':
        return this.showRunning(m.title, m.origin, m.message, m.startedAt);
      case 'error':
        return this.showError(m.title, m.origin, m.message, m.nextStep);
      case 'cancelled':
        return this.showCancelled(m.title, m.origin, m.message);
      case 'text':
        return this.showText(m.title, m.origin, m.text);
      case 'tiles':
        return this.showTiles(m.title, m.tiles, m.active);
      case 'init':
        return this.showResult(m);
      case 'rows':
        return this.receiveRows(m.requestId, m.start, m.rows);
      case 'rowsFailed':
        this.dropRequest(m.requestId);
        return this.showToast(m.message);
      case 'progress':
        if (!this.result) return;
        this.result.loadedRows = m.loadedRows;
        if (m.totalRows !== null && this.result.totalRows === null) {
          this.result.totalRows = m.totalRows;
          this.refreshData();
        }
        return this.renderStatus();
      case 'stats':
        if (!this.result) return;
        this.result.stats = m.stats;
        return this.renderStatus();
      case 'exportProgress':
        return this.showExportProgress(m);
      case 'chartData':
        return this.receiveChart(m);
      case 'notice':
        return this.showToast(m.message);
      case 'scrollTo':
        if (!this.result) return;
        if (this.result.local) this.clearLocalView();
        this.result.grid.revealRow(m.row);
        this.scheduleSave();
        return;
    }
  }

  // ---- phases -------------------------------------------------------------------------------

  private setHeading(title: string, origin: string): void {
    this.titleEl.textContent = title;
    this.originEl.textContent = origin;
  }

  private resetResult(): void {
    this.result?.grid.dispose();
    this.result = undefined;
    this.cache.clear();
    this.pendingBlocks.clear();
    this.requestBlocks.clear();
    this.wanted = undefined;
    this.detail.hidden = true;
    this.banner.hidden = true;
    window.clearInterval(this.runningTimer);
    this.root.classList.remove('has-result');
  }

  private showRunning(title: string, origin: string, message: string, startedAt: number): void {
    this.resetResult();
    this.setHeading(title, origin);
    const elapsed = el('span', { class: 'elapsed' });
    const tick = () => (elapsed.textContent = this.fmt.duration(Math.max(0, Date.now() - startedAt)));
    tick();
    this.runningTimer = window.setInterval(tick, 200);
    const cancel = button('Cancel', () => {
      cancel.disabled = true;
      cancel.textContent = 'Cancelling…';
      this.host.post({ type: 'cancel' });
    }, { class: 'secondary' });
    this.content.replaceChildren(
      el('div', { class: 'phase running', attrs: { role: 'status', 'aria-live': 'polite' } },
        el('div', { class: 'spinner', attrs: { 'aria-hidden': 'true' } }),
        el('div', { class: 'phase-text' }, el('div', { class: 'phase-message', text: message }), elapsed),
        cancel),
    );
    this.status.replaceChildren(el('span', { text: 'Running' }));
    this.root.setAttribute('aria-busy', 'true');
  }

  private showError(title: string, origin: string, message: string, nextStep: string | undefined): void {
    this.resetResult();
    this.setHeading(title, origin);
    this.content.replaceChildren(
      el('div', { class: 'phase error', attrs: { role: 'alert' } },
        el('div', { class: 'error-icon', text: '!', attrs: { 'aria-hidden': 'true' } }),
        el('div', { class: 'phase-text' }, el('div', { class: 'phase-message', text: message }), nextStep ? el('div', { class: 'next-step', text: nextStep }) : undefined)),
    );
    this.status.replaceChildren(el('span', { text: 'Failed' }));
    this.root.setAttribute('aria-busy', 'false');
  }

  private showCancelled(title: string, origin: string, message: string): void {
    this.resetResult();
    this.setHeading(title, origin);
    this.content.replaceChildren(
      el('div', { class: 'phase cancelled', attrs: { role: 'status' } },
        el('div', { class: 'phase-text' }, el('div', { class: 'phase-message', text: message }))),
    );
    this.status.replaceChildren(el('span', { text: 'Cancelled' }));
    this.root.setAttribute('aria-busy', 'false');
  }

  private showText(title: string, origin: string, text: string): void {
    this.resetResult();
    this.setHeading(title, origin);
    this.content.replaceChildren(el('div', { class: 'phase text-tile', attrs: { role: 'document' } }, el('div', { class: 'tile-text', text })));
    this.status.replaceChildren(el('span', { text: 'Text tile' }));
    this.root.setAttribute('aria-busy', 'false');
  }

  private showTiles(title: string, tiles: WireTile[], active: number): void {
    if (!tiles.length) {
      this.tilebar.hidden = true;
      this.tilebar.replaceChildren();
      return;
    }
    // Rebuilt on every change: keep the keyboard focus on the tile that had it.
    const focused = [...this.tilebar.querySelectorAll('.tile')].indexOf(document.activeElement as Element);
    const done = tiles.filter((t) => t.state !== 'queued' && t.state !== 'running').length;
    const busy = done < tiles.length;
    const list = el('div', { class: 'tile-list' });
    tiles.forEach((t, i) => {
      const b = button('', () => this.host.post({ type: 'selectTile', index: i }), {
        class: `tile state-${t.state}`,
        attrs: { 'aria-pressed': String(i === active), 'data-state': t.state },
      });
      b.append(el('span', { class: 'tile-title', text: t.title }), el('span', { class: 'tile-state', text: this.tileStateText(t) }));
      list.append(b);
    });
    const summary = el('span', { class: 'tiles-summary', attrs: { role: 'status', 'aria-live': 'polite' }, text: `${title}: ${this.fmt.count(done)} of ${this.fmt.count(tiles.length)} tiles done` });
    const cancelAll = busy ? button('Cancel all', () => {
      cancelAll!.disabled = true;
      this.host.post({ type: 'cancelTiles' });
    }, { class: 'secondary' }) : undefined;
    this.tilebar.replaceChildren(el('div', { class: 'tiles-head' }, summary, cancelAll), list);
    this.tilebar.hidden = false;
    if (focused >= 0) (list.children[focused] as HTMLElement | undefined)?.focus();
  }

  private tileStateText(t: WireTile): string {
    switch (t.state) {
      case 'succeeded':
        return t.rows === undefined ? 'done' : `${this.fmt.count(t.rows)} rows`;
      case 'queued':
        return 'queued';
      case 'running':
        return 'running…';
      case 'failed':
        return 'failed';
      case 'cancelled':
        return 'cancelled';
      case 'text':
        return 'text';
    }
  }

  private showResult(m: InitMessage): void {
    const saved = this.savedState(m);
    this.resetResult();
    this.setHeading(m.title, m.origin);
    this.root.setAttribute('aria-busy', 'false');
    this.root.classList.add('has-result');
    const widths = saved && saved.columnWidths.length === m.columns.length ? [...saved.columnWidths] : m.columns.map(defaultWidth);
    const grid = new Grid(m.columns, widths, {
      onViewport: (from, to) => this.onViewport(from, to),
      onPainted: (first, last) => this.onPainted(first, last),
      onCopy: (header) => this.copy('tsv', header),
      onOpenDetail: (pos) => this.openDetail(pos),
      onSort: (column) => this.cycleSort(column),
      onFind: () => this.focusFind(),
      onEscape: () => this.closeDetail(),
      onStateChange: () => this.scheduleSave(),
    }, this.fmt);
    const options: LocalViewOptions = {};
    if (saved?.sort && saved.sort.column < m.columns.length) options.sort = saved.sort;
    if (saved?.filter && saved.filter.column < m.columns.length) options.filter = saved.filter;
    const charts = chartColumns(m.columns);
    const chart = saved?.chart && charts.x.includes(saved.chart.x) && charts.y.includes(saved.chart.y) ? saved.chart : undefined;
    this.result = {
      resultId: m.resultId,
      columns: m.columns,
      totalRows: m.totalRows,
      endRow: undefined,
      stats: m.stats,
      loadedRows: m.loadedRows,
      grid,
      local: undefined,
      options,
      tab: saved?.tab ?? 'grid',
      chart,
      painted: false,
      restore: m.restore,
    };
    this.fillFilterColumns(m.columns);
    this.filterColumn.value = String(options.filter?.column ?? -1);
    this.filterInput.value = options.filter?.text ?? '';
    this.findInput.value = '';
    this.findCount.textContent = '';
    this.content.replaceChildren(grid.element);
    grid.setData(this.remoteData());
    grid.setSort(options.sort);
    if (saved?.active) grid.selection.moveTo({ row: saved.active.row, col: Math.min(saved.active.column, m.columns.length - 1) }, false);
    grid.setTopRow(saved?.topRow ?? 0);
    grid.scrollLeft = saved?.scrollLeft ?? 0;
    if (isLocalViewActive(options)) void this.applyLocalView();
    this.renderTabs();
    if (this.result.tab === 'chart') this.showChart();
    this.renderStatus();
    // Saved at once: a window reload right after the result arrives can still bring it back.
    this.saveState();
  }

  /** The view state to restore: VS Code's copy (survives hiding) first, then the host's. */
  private savedState(m: InitMessage): PanelViewState | undefined {
    const raw = this.host.getState() as Partial<SavedState> | undefined;
    const local = raw && raw.v === PROTOCOL_VERSION ? validatePanelViewState(raw.view) : undefined;
    if (local?.resultId === m.resultId) return local;
    return m.panelState?.resultId === m.resultId ? m.panelState : undefined;
  }

  // ---- rows ---------------------------------------------------------------------------------

  private rowCount(r: ResultState): number {
    if (r.totalRows !== null) return r.totalRows;
    if (r.endRow !== undefined) return r.endRow;
    // Unknown size: one block of placeholders past what we know makes the grid ask for more.
    return Math.max(r.loadedRows, this.highestCachedRow() + 1) + BLOCK_SIZE;
  }

  private highestCachedRow(): number {
    const loaded = this.cache.loaded();
    return loaded.length ? loaded[loaded.length - 1].index : -1;
  }

  private remoteData(): GridData {
    const r = this.result!;
    return { rowCount: this.rowCount(r), indexAt: (i) => i, rowAt: (i) => this.cache.get(i) };
  }

  private localData(rows: LoadedRow[]): GridData {
    return { rowCount: rows.length, indexAt: (i) => rows[i]?.index ?? i, rowAt: (i) => rows[i]?.row };
  }

  private refreshData(): void {
    const r = this.result;
    if (!r || r.local) return;
    r.grid.setData(this.remoteData());
  }

  private onViewport(from: number, to: number): void {
    const r = this.result;
    if (!r || r.local) return;
    this.wanted = { from, to };
    const range = blocksFor(from, to, this.rowCount(r));
    if (range) this.cache.touch(range.first, range.last);
    // The first screen goes out at once (time to first row); later ones wait for scrolling to settle.
    if (!r.painted && this.pendingBlocks.size === 0) return this.sendRequests();
    window.clearTimeout(this.requestTimer);
    this.requestTimer = window.setTimeout(() => this.sendRequests(), REQUEST_DEBOUNCE_MS);
  }

  private sendRequests(): void {
    const r = this.result;
    const w = this.wanted;
    if (!r || !w) return;
    const total = this.rowCount(r);
    const need = blocksFor(w.from - MARGIN_ROWS, w.to + MARGIN_ROWS, total);
    const keep = blocksFor(w.from - 4 * MARGIN_ROWS, w.to + 4 * MARGIN_ROWS, total);
    const stale: number[] = [];
    for (const [block, requestId] of this.pendingBlocks) {
      if (!keep || block < keep.first || block > keep.last) {
        stale.push(requestId);
        this.pendingBlocks.delete(block);
        this.requestBlocks.delete(requestId);
      }
    }
    if (stale.length) this.host.post({ type: 'cancelRows', requestIds: stale });
    if (!need) return;
    // Visible blocks first, then the margins.
    const visible = blocksFor(w.from, w.to, total);
    const order: number[] = [];
    if (visible) for (let b = visible.first; b <= visible.last; b++) order.push(b);
    for (let b = need.first; b <= need.last; b++) if (!order.includes(b)) order.push(b);
    for (const block of order) this.requestBlock(block, total);
  }

  private requestBlock(block: number, total: number): void {
    if (this.cache.hasBlock(block) || this.pendingBlocks.has(block)) return;
    const start = block * BLOCK_SIZE;
    const count = Math.min(BLOCK_SIZE, total - start);
    if (count < 1) return;
    const requestId = this.nextRequestId++;
    this.pendingBlocks.set(block, requestId);
    this.requestBlocks.set(requestId, block);
    this.host.post({ type: 'requestRows', requestId, start, count });
  }

  private receiveRows(requestId: number, start: number, rows: Row[]): void {
    const block = this.requestBlocks.get(requestId);
    const r = this.result;
    if (block === undefined || !r || start !== block * BLOCK_SIZE) return;
    this.dropRequest(requestId);
    this.cache.put(block, rows);
    if (r.totalRows === null && rows.length < BLOCK_SIZE) r.endRow = start + rows.length;
    if (r.totalRows === null) this.refreshData();
    else if (!r.local) r.grid.render();
    if (this.pendingBlocks.size === 0) for (const done of this.idleWaiters.splice(0)) done();
  }

  private dropRequest(requestId: number): void {
    const block = this.requestBlocks.get(requestId);
    this.requestBlocks.delete(requestId);
    if (block !== undefined && this.pendingBlocks.get(block) === requestId) this.pendingBlocks.delete(block);
    if (this.pendingBlocks.size === 0) for (const done of this.idleWaiters.splice(0)) done();
  }

  private onPainted(first: number, last: number): void {
    const r = this.result;
    if (!r || r.painted) return;
    r.painted = true;
    const resultId = r.resultId;
    const start = r.local ? (r.local[first]?.index ?? first) : first;
    const count = Math.min(LIMITS.maxRowsPerRequest, last - first + 1);
    // Acknowledge after the browser has drawn the frame, so the host measures a real paint.
    requestAnimationFrame(() => this.host.post({ type: 'painted', resultId, start, count }));
  }

  /** Loads every row of a result small enough to fit in the cache, for a complete sort/filter. */
  private loadAllIfSmall(): Promise<boolean> {
    const r = this.result;
    if (!r || r.totalRows === null || r.totalRows > this.cache.maxRows) return Promise.resolve(false);
    const range = blocksFor(0, r.totalRows - 1, r.totalRows);
    if (!range) return Promise.resolve(true);
    for (let b = range.first; b <= range.last; b++) this.requestBlock(b, r.totalRows);
    if (this.pendingBlocks.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => this.idleWaiters.push(() => resolve(true)));
  }

  // ---- sort, filter, find (loaded rows only) ------------------------------------------------

  private cycleSort(column: number): void {
    const r = this.result;
    if (!r) return;
    const s = r.options.sort;
    r.options.sort = s?.column !== column ? { column, descending: false } : !s.descending ? { column, descending: true } : undefined;
    r.grid.setSort(r.options.sort);
    void this.applyLocalView(true);
  }

  private async applyLocalView(resetScroll = false): Promise<void> {
    const r = this.result;
    if (!r) return;
    if (!isLocalViewActive(r.options)) return this.clearLocalView();
    const complete = await this.loadAllIfSmall();
    if (this.result !== r) return;
    r.local = buildLocalView(this.cache.loaded(), r.columns, r.options);
    r.grid.setData(this.localData(r.local));
    if (resetScroll) r.grid.setTopRow(0);
    const parts: string[] = [];
    if (r.options.sort) parts.push(`sorted by ${r.columns[r.options.sort.column].name} ${r.options.sort.descending ? 'descending' : 'ascending'}`);
    if (r.options.filter?.text.trim()) parts.push(`filtered on “${r.options.filter.text.trim()}”`);
    const loaded = this.cache.size;
    const scope = complete ? `all ${this.fmt.count(loaded)} rows` : `the ${this.fmt.count(loaded)} loaded rows only, not the whole result of ${r.totalRows === null ? 'unknown size' : this.fmt.count(r.totalRows)} rows`;
    this.banner.replaceChildren(
      el('span', { class: 'banner-icon', text: 'ⓘ', attrs: { 'aria-hidden': 'true' } }),
      el('span', { text: `Showing ${this.fmt.count(r.local.length)} rows, ${parts.join(' and ')}, within ${scope}.` }),
      button('Clear', () => this.clearLocalView(), { class: 'link' }),
    );
    this.banner.hidden = false;
    this.runFind();
    this.scheduleSave();
  }

  private clearLocalView(): void {
    const r = this.result;
    if (!r) return;
    r.options = {};
    r.local = undefined;
    this.filterInput.value = '';
    this.filterColumn.value = '-1';
    r.grid.setSort(undefined);
    r.grid.setData(this.remoteData());
    this.banner.hidden = true;
    this.runFind();
    this.scheduleSave();
  }

  private focusFind(): void {
    if (this.result?.tab !== 'grid') this.switchTab('grid');
    this.findInput.focus();
    this.findInput.select();
  }

  private runFind(): void {
    const r = this.result;
    const needle = this.findInput.value;
    if (!r || needle === '') {
      this.findMatchesList = [];
      this.findIndex = -1;
      this.findCount.textContent = '';
      r?.grid.setFind('', undefined);
      return;
    }
    const rows = r.local ? r.local.map((l, i) => ({ index: i, row: l.row })) : this.cache.loaded();
    this.findMatchesList = findMatches(rows, needle);
    this.findIndex = -1;
    this.stepFind(1);
  }

  private stepFind(direction: 1 | -1): void {
    const r = this.result;
    if (!r) return;
    const n = this.findMatchesList.length;
    if (n === 0) {
      this.findCount.textContent = 'No match in loaded rows';
      r.grid.setFind(this.findInput.value, undefined);
      return;
    }
    if (this.findIndex < 0) {
      const focus = r.grid.selection.focus;
      const at = this.findMatchesList.findIndex((p) => p.row > focus.row || (p.row === focus.row && p.col >= focus.col));
      this.findIndex = at < 0 ? 0 : at;
    } else this.findIndex = (this.findIndex + direction + n) % n;
    const pos = this.findMatchesList[this.findIndex];
    this.findCount.textContent = `${this.fmt.count(this.findIndex + 1)} of ${this.fmt.count(n)}${n >= 10_000 ? '+' : ''} in loaded rows`;
    r.grid.revealRow(pos.row, pos.col);
    r.grid.setFind(this.findInput.value, pos);
  }

  // ---- copy, export, detail -----------------------------------------------------------------

  private copy(format: CopyFormat, header: boolean): void {
    const r = this.result;
    if (!r || r.grid.rowCount === 0) return;
    const range = r.grid.selection.range;
    const columns = Array.from({ length: range.right - range.left + 1 }, (_, i) => range.left + i);
    let selection: CopySelection;
    if (r.local) {
      selection = { kind: 'rows', rows: r.local.slice(range.top, range.bottom + 1).map((l) => l.index).slice(0, LIMITS.maxSelectedRows), columns };
    } else {
      selection = { kind: 'range', startRow: range.top, endRow: range.bottom, columns };
    }
    this.host.post({ type: 'copy', format, header, selection });
  }

  private openDetail(pos: CellPos): void {
    const r = this.result;
    if (!r) return;
    const column = r.columns[pos.col];
    const row = r.local ? r.local[pos.row]?.row : this.cache.get(pos.row);
    const index = r.local ? r.local[pos.row]?.index ?? pos.row : pos.row;
    if (!column) return;
    const value = row?.[pos.col];
    const body = el('pre', { class: `detail-value${value === null ? ' null' : ''}`, text: row ? detailText(value ?? null) : 'Loading…', attrs: { tabindex: '0' } });
    const close = button('✕', () => this.closeDetail(), { class: 'icon', title: 'Close (Escape)', attrs: { 'aria-label': 'Close cell view' } });
    const copyValue = button('Copy value', () => {
      this.host.post({ type: 'copy', format: typeof value === 'object' && value !== null ? 'json' : 'tsv', header: false, selection: { kind: 'rows', rows: [index], columns: [pos.col] } });
    }, { class: 'secondary' });
    this.detail.replaceChildren(
      el('div', { class: 'detail-head' },
        el('span', { class: 'badge', text: typeBadge(column.type, column.mode), title: `${column.type} ${column.mode}` }),
        el('span', { class: 'detail-title', text: column.name }),
        close),
      el('div', { class: 'detail-sub', text: `Row ${this.fmt.count(index + 1)} · ${column.type}${column.mode === 'REPEATED' ? ' (repeated)' : ''}${value === '' ? ' · empty string' : value === null ? ' · NULL' : ''}` }),
      body,
      el('div', { class: 'detail-actions' }, copyValue),
    );
    this.detail.hidden = false;
    body.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') this.closeDetail();
    });
  }

  private closeDetail(): void {
    if (this.detail.hidden) return;
    this.detail.hidden = true;
    this.result?.grid.focus();
  }

  private showExportProgress(m: Extract<HostMessage, { type: 'exportProgress' }>): void {
    const label = m.format === 'csv' ? 'CSV' : m.format === 'jsonl' ? 'JSON Lines' : 'JSON';
    if (m.state === 'running') {
      const pct = m.totalRows ? Math.floor((m.rowsWritten / m.totalRows) * 100) : undefined;
      const bar = el('progress', { attrs: { max: '100', 'aria-label': `Export ${label}` } });
      if (pct !== undefined) bar.value = pct;
      this.exportStatus.replaceChildren(
        el('span', { text: `Exporting ${label} ${pct !== undefined ? `${pct}%` : `${this.fmt.count(m.rowsWritten)} rows`}` }),
        bar,
        button('Cancel', () => this.host.post({ type: 'cancelExport' }), { class: 'link' }),
      );
    } else {
      const text = m.state === 'done' ? `Exported ${this.fmt.count(m.rowsWritten)} rows as ${label}` : m.state === 'cancelled' ? 'Export cancelled' : `Export failed: ${m.message ?? ''}`;
      this.exportStatus.replaceChildren(el('span', { text }));
      window.setTimeout(() => {
        if (this.exportStatus.textContent === text) this.exportStatus.replaceChildren();
      }, 8_000);
    }
  }

  // ---- chart --------------------------------------------------------------------------------

  private renderTabs(): void {
    const r = this.result;
    const tab = (name: 'grid' | 'chart', label: string) => {
      const b = button(label, () => this.switchTab(name), { class: 'tab', attrs: { role: 'tab', 'aria-selected': String(r?.tab === name) } });
      return b;
    };
    this.tabs.replaceChildren(tab('grid', 'Table'), tab('chart', 'Chart'));
  }

  private switchTab(tab: 'grid' | 'chart'): void {
    const r = this.result;
    if (!r || r.tab === tab) return;
    r.tab = tab;
    this.renderTabs();
    if (tab === 'grid') {
      this.content.replaceChildren(r.grid.element);
      r.grid.render();
      r.grid.focus();
    } else this.showChart();
    this.scheduleSave();
  }

  private showChart(): void {
    const r = this.result!;
    const { x, y } = chartColumns(r.columns);
    const area = el('div', { class: 'chart-area' });
    if (y.length === 0 || x.length === 0) {
      this.content.replaceChildren(el('div', { class: 'chart' }, el('div', { class: 'phase', text: 'This result has no numeric column to chart.' })));
      return;
    }
    // The service's own chart type (a look's or question's visualization) comes first.
    r.chart ??= { kind: r.stats.chart?.kind ?? 'bar', x: x.find((i) => !y.includes(i)) ?? x[0], y: y.find((i) => i !== x[0]) ?? y[0] };
    const chart = r.chart;
    const select = (label: string, options: number[], value: number, set: (v: number) => void) => {
      const s = el('select', { attrs: { 'aria-label': label } });
      for (const i of options) s.append(el('option', { text: r.columns[i].name, attrs: { value: String(i) } }));
      s.value = String(value);
      s.addEventListener('change', () => {
        set(Number(s.value));
        this.requestChart();
      });
      return el('label', { class: 'chart-pick' }, el('span', { text: label }), s);
    };
    const kinds = el('div', { class: 'segmented', attrs: { role: 'radiogroup', 'aria-label': 'Chart type' } });
    for (const kind of CHART_KINDS) {
      const b = button(kind[0].toUpperCase() + kind.slice(1), () => {
        chart.kind = kind;
        for (const other of kinds.children) other.setAttribute('aria-checked', String(other === b));
        this.requestChart();
      }, { attrs: { role: 'radio', 'aria-checked': String(chart.kind === kind) } });
      kinds.append(b);
    }
    const caption = el('div', { class: 'chart-caption', attrs: { 'aria-live': 'polite' } });
    this.content.replaceChildren(
      el('div', { class: 'chart' },
        el('div', { class: 'chart-controls' }, kinds, select('X', x, chart.x, (v) => (chart.x = v)), select('Y', y, chart.y, (v) => (chart.y = v))),
        caption,
        area),
    );
    this.requestChart();
  }

  private requestChart(): void {
    const r = this.result;
    if (!r?.chart) return;
    this.chartRequestId++;
    const caption = this.content.querySelector('.chart-caption');
    if (caption) caption.textContent = 'Reading rows…';
    this.host.post({ type: 'requestChart', requestId: this.chartRequestId, x: r.chart.x, y: r.chart.y, limit: CHART_ROWS });
    this.scheduleSave();
  }

  private receiveChart(m: Extract<HostMessage, { type: 'chartData' }>): void {
    const r = this.result;
    if (!r?.chart || m.requestId !== this.chartRequestId || r.tab !== 'chart') return;
    const area = this.content.querySelector('.chart-area') as HTMLElement | null;
    const caption = this.content.querySelector('.chart-caption');
    if (!area || !caption) return;
    const { kind, x, y } = r.chart;
    const model = buildChart(kind, m.xs, m.ys, r.columns[x].type);
    const scope = m.totalRows !== null && m.totalRows > m.xs.length ? `the first ${this.fmt.count(m.xs.length)} of ${this.fmt.count(m.totalRows)} rows` : `all ${this.fmt.count(m.xs.length)} rows`;
    const hint = r.stats.chart;
    const notes = [
      kind === 'bar' || kind === 'pie' ? `sum of ${r.columns[y].name} per ${r.columns[x].name}` : `${r.columns[y].name} by ${r.columns[x].name}`,
      scope,
      model.skipped ? `${this.fmt.count(model.skipped)} rows without a value left out` : '',
      model.truncated ? (kind === 'pie' ? `the smallest slices summed as Other` : 'only the first 60 categories') : '',
      // Say what the service itself draws when the panel cannot draw the same.
      hint && !hint.exact ? `drawn in ${hint.requested} by the service, shown here as the nearest chart` : '',
      hint && hint.exact && !hint.kind ? `shown as a table (${hint.requested}) by the service` : '',
    ].filter(Boolean);
    caption.textContent = `${kind[0].toUpperCase() + kind.slice(1)} chart: ${notes.join(' · ')}`;
    const draw = () => area.replaceChildren(drawChart(model, Math.max(200, area.clientWidth), Math.max(160, area.clientHeight), { x: r.columns[x].name, y: r.columns[y].name }, this.fmt));
    draw();
    this.chartObserver?.disconnect();
    this.chartObserver = new ResizeObserver(() => (area.isConnected ? draw() : this.chartObserver?.disconnect()));
    this.chartObserver.observe(area);
  }

  // ---- toolbar, status, state ---------------------------------------------------------------

  private buildToolbar(): void {
    let filterTimer: number | undefined;
    const applyFilter = () => {
      const r = this.result;
      if (!r) return;
      const text = this.filterInput.value;
      r.options.filter = text.trim() ? { column: Number(this.filterColumn.value), text } : undefined;
      void this.applyLocalView(true);
    };
    this.filterInput.addEventListener('input', () => {
      window.clearTimeout(filterTimer);
      filterTimer = window.setTimeout(applyFilter, 200);
    });
    this.filterColumn.addEventListener('change', applyFilter);
    let findTimer: number | undefined;
    this.findInput.addEventListener('input', () => {
      window.clearTimeout(findTimer);
      findTimer = window.setTimeout(() => this.runFind(), 150);
    });
    this.findInput.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        this.stepFind(e.shiftKey ? -1 : 1);
      } else if (e.key === 'Escape') {
        this.findInput.value = '';
        this.runFind();
        this.result?.grid.focus();
      }
    });
    const copyItems = (['tsv', 'csv', 'json', 'markdown'] as const).map((format) => ({
      label: { tsv: 'Copy as TSV', csv: 'Copy as CSV', json: 'Copy as JSON', markdown: 'Copy as Markdown' }[format],
      run: () => this.copy(format, true),
    }));
    const exportItems = (['csv', 'jsonl', 'json'] as const).map((format: ExportFormat) => ({
      label: { csv: 'CSV…', jsonl: 'JSON Lines…', json: 'JSON…' }[format],
      run: () => this.host.post({ type: 'export', format }),
    }));
    this.toolbar.append(
      el('div', { class: 'group filter-group' }, this.filterColumn, this.filterInput),
      el('div', { class: 'group find-group' }, this.findInput, this.findCount),
      menuButton('Copy', copyItems, { title: 'Copy the selected cells (Ctrl+C copies TSV)' }),
      menuButton('Export', exportItems, { title: 'Export the whole result to a file' }),
    );
  }

  private fillFilterColumns(columns: WireColumn[]): void {
    this.filterColumn.replaceChildren(el('option', { text: 'All columns', attrs: { value: '-1' } }), ...columns.map((c, i) => el('option', { text: c.name, attrs: { value: String(i) } })));
  }

  private renderStatus(): void {
    const r = this.result;
    if (!r) return;
    const s = r.stats;
    const item = (text: string, title?: string) => el('span', { class: 'item', text, ...(title ? { title } : {}) });
    const items: HTMLElement[] = [
      item(r.totalRows === null ? `${this.fmt.count(r.loadedRows)}+ rows` : `${this.fmt.count(r.totalRows)} rows`, 'Rows in the result'),
      item(`${this.fmt.count(r.loadedRows)} fetched`, 'Rows fetched from the service so far'),
    ];
    if (s.timeToFirstRowMs !== undefined) items.push(item(`first row ${this.fmt.duration(s.timeToFirstRowMs)}`, 'Time to first row'));
    if (s.bytesProcessed !== undefined) items.push(item(`${this.fmt.bytes(s.bytesProcessed)} processed`));
    if (s.bytesBilled !== undefined) items.push(item(`${this.fmt.bytes(s.bytesBilled)} billed`));
    if (s.cacheHit !== undefined) items.push(item(s.cacheHit ? 'cache hit' : 'not cached', 'Whether the service answered from its result cache'));
    if (s.slotMs !== undefined) items.push(item(`${this.fmt.duration(s.slotMs)} slot time`));
    if (s.location) items.push(item(s.location, 'Location'));
    for (const [k, v] of Object.entries(s.extra ?? {})) items.push(item(`${k}: ${v}`));
    if (s.jobId) {
      items.push(
        s.hasJobUrl
          ? button(`job ${s.jobId} ↗`, () => this.host.post({ type: 'openJobUrl' }), { class: 'link job', title: 'Open the job in the service console' })
          : item(`job ${s.jobId}`),
      );
    }
    this.status.replaceChildren(...items, this.exportStatus);
  }

  private showToast(message: string): void {
    this.toast.textContent = message;
    this.toast.classList.add('visible');
    window.clearTimeout(this.toastTimer);
    this.toastTimer = window.setTimeout(() => this.toast.classList.remove('visible'), 4_000);
  }

  private scheduleSave(): void {
    window.clearTimeout(this.saveTimer);
    this.saveTimer = window.setTimeout(() => this.saveState(), 250);
  }

  private saveState(): void {
    const r = this.result;
    if (!r) return;
    const focus = r.grid.selection.focus;
    const view: PanelViewState = {
      resultId: r.resultId,
      topRow: r.grid.topRow,
      scrollLeft: Math.max(0, r.grid.scrollLeft),
      columnWidths: [...r.grid.widths],
      tab: r.tab,
      ...(r.options.sort ? { sort: r.options.sort } : {}),
      ...(r.options.filter ? { filter: r.options.filter } : {}),
      ...(r.chart ? { chart: r.chart } : {}),
      active: { row: focus.row, column: focus.col },
    };
    const saved: SavedState = { v: PROTOCOL_VERSION, view, ...(r.restore ? { restore: r.restore } : {}) };
    this.host.setState(saved);
    this.host.post({ type: 'saveState', state: view });
  }
}
