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
import { buildChart, chartColumns, MAX_BARS, type ChartKind } from './chartModel';
import { chartKindText, drawChart } from './chartView';
import { button, el, menuButton } from './dom';
import { detailText, NULL_TEXT, typeBadge } from './format';
import { defaultWidth, Grid, type GridData } from './grid';
import { buildLocalView, findMatches, isLocalViewActive, type LocalViewOptions } from './localView';
import { BLOCK_SIZE, blocksFor, RowBlockCache, type LoadedRow, type Row } from './rowCache';
import type { CellPos } from './selection';
import type { HostChannel } from './vscodeApi';
import { t } from '../l10n';

/** Rows requested beyond the screen in each direction, so ordinary scrolling finds rows ready. */
const MARGIN_ROWS = 100;
/** Rows the chart reads from the start of the result. */
const CHART_ROWS = 5_000;
const REQUEST_DEBOUNCE_MS = 40;
/** File formats by their own names, which are not translated. */
const FORMAT_NAMES = { csv: 'CSV', jsonl: 'JSON Lines', json: 'JSON' } as const satisfies Record<ExportFormat, string>;

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
  private readonly tilebar = el('nav', { class: 'tilebar', attrs: { 'aria-label': t('Dashboard tiles') } });
  private readonly content = el('div', { class: 'content' });
  private readonly detail = el('aside', { class: 'detail', attrs: { 'aria-label': t('Cell value') } });
  private readonly status = el('footer', { class: 'status', attrs: { 'aria-label': t('Result status') } });
  private readonly toast = el('div', { class: 'toast', attrs: { role: 'status', 'aria-live': 'polite' } });
  private readonly findInput = el('input', { class: 'find', attrs: { type: 'search', placeholder: t('Find in loaded rows'), 'aria-label': t('Find in loaded rows'), spellcheck: 'false' } });
  private readonly findCount = el('span', { class: 'find-count', attrs: { 'aria-live': 'polite' } });
  private readonly filterColumn = el('select', { class: 'filter-column', attrs: { 'aria-label': t('Filter column') } });
  private readonly filterInput = el('input', { class: 'filter', attrs: { type: 'search', placeholder: t('Filter loaded rows'), 'aria-label': t('Filter loaded rows'), spellcheck: 'false' } });
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
    const cancel = button(t('Cancel'), () => {
      cancel.disabled = true;
      cancel.textContent = t('Cancelling…');
      this.host.post({ type: 'cancel' });
    }, { class: 'secondary' });
    this.content.replaceChildren(
      el('div', { class: 'phase running', attrs: { role: 'status', 'aria-live': 'polite' } },
        el('div', { class: 'spinner', attrs: { 'aria-hidden': 'true' } }),
        el('div', { class: 'phase-text' }, el('div', { class: 'phase-message', text: message }), elapsed),
        cancel),
    );
    this.status.replaceChildren(el('span', { text: t('Running') }));
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
    this.status.replaceChildren(el('span', { text: t('Failed') }));
    this.root.setAttribute('aria-busy', 'false');
  }

  private showCancelled(title: string, origin: string, message: string): void {
    this.resetResult();
    this.setHeading(title, origin);
    this.content.replaceChildren(
      el('div', { class: 'phase cancelled', attrs: { role: 'status' } },
        el('div', { class: 'phase-text' }, el('div', { class: 'phase-message', text: message }))),
    );
    this.status.replaceChildren(el('span', { text: t('Cancelled') }));
    this.root.setAttribute('aria-busy', 'false');
  }

  private showText(title: string, origin: string, text: string): void {
    this.resetResult();
    this.setHeading(title, origin);
    this.content.replaceChildren(el('div', { class: 'phase text-tile', attrs: { role: 'document' } }, el('div', { class: 'tile-text', text })));
    this.status.replaceChildren(el('span', { text: t('Text tile') }));
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
    const done = tiles.filter((tile) => tile.state !== 'queued' && tile.state !== 'running').length;
    const busy = done < tiles.length;
    const list = el('div', { class: 'tile-list' });
    tiles.forEach((tile, i) => {
      const b = button('', () => this.host.post({ type: 'selectTile', index: i }), {
        class: `tile state-${tile.state}`,
        attrs: { 'aria-pressed': String(i === active), 'data-state': tile.state },
      });
      b.append(el('span', { class: 'tile-title', text: tile.title }), el('span', { class: 'tile-state', text: this.tileStateText(tile) }));
      list.append(b);
    });
    const summary = el('span', {
      class: 'tiles-summary',
      attrs: { role: 'status', 'aria-live': 'polite' },
      text: tiles.length === 1 ? t('{0}: {1} of 1 tile done', title, this.fmt.count(done)) : t('{0}: {1} of {2} tiles done', title, this.fmt.count(done), this.fmt.count(tiles.length)),
    });
    const cancelAll = busy ? button(t('Cancel all'), () => {
      cancelAll!.disabled = true;
      this.host.post({ type: 'cancelTiles' });
    }, { class: 'secondary' }) : undefined;
    this.tilebar.replaceChildren(el('div', { class: 'tiles-head' }, summary, cancelAll), list);
    this.tilebar.hidden = false;
    if (focused >= 0) (list.children[focused] as HTMLElement | undefined)?.focus();
  }

  private tileStateText(tile: WireTile): string {
    switch (tile.state) {
      case 'succeeded':
        return tile.rows === undefined ? t('done') : this.rowsText(tile.rows);
      case 'queued':
        return t('queued');
      case 'running':
        return t('running…');
      case 'failed':
        return t('failed');
      case 'cancelled':
        return t('cancelled');
      case 'text':
        return t('text');
    }
  }

  /** "1 row" or "{n} rows": a count of rows as a phrase of its own. */
  private rowsText(n: number): string {
    return n === 1 ? t('1 row') : t('{0} rows', this.fmt.count(n));
  }

  /** Every row of a result, when each of them is in: "all {n} rows". */
  private allRowsText(n: number): string {
    return n === 1 ? t('the only row') : t('all {0} rows', this.fmt.count(n));
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
    const sort = r.options.sort;
    const sorted = sort ? (sort.descending ? t('sorted by {0} descending', r.columns[sort.column].name) : t('sorted by {0} ascending', r.columns[sort.column].name)) : undefined;
    const needle = r.options.filter?.text.trim();
    const filtered = needle ? t('filtered on “{0}”', needle) : undefined;
    const how = sorted && filtered ? t('{0} and {1}', sorted, filtered) : (sorted ?? filtered ?? '');
    const loaded = this.cache.size;
    const scope = complete
      ? this.allRowsText(loaded)
      : r.totalRows === null
        ? t('the {0} loaded rows only, not the whole result (of unknown size)', this.fmt.count(loaded))
        : t('the {0} loaded rows only, not the whole result of {1} rows', this.fmt.count(loaded), this.fmt.count(r.totalRows));
    const shown = r.local.length;
    this.banner.replaceChildren(
      el('span', { class: 'banner-icon', text: 'ⓘ', attrs: { 'aria-hidden': 'true' } }),
      el('span', { text: shown === 1 ? t('Showing 1 row, {0}, within {1}.', how, scope) : t('Showing {0} rows, {1}, within {2}.', this.fmt.count(shown), how, scope) }),
      button(t('Clear'), () => this.clearLocalView(), { class: 'link' }),
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
      this.findCount.textContent = t('No match in loaded rows');
      r.grid.setFind(this.findInput.value, undefined);
      return;
    }
    if (this.findIndex < 0) {
      const focus = r.grid.selection.focus;
      const at = this.findMatchesList.findIndex((p) => p.row > focus.row || (p.row === focus.row && p.col >= focus.col));
      this.findIndex = at < 0 ? 0 : at;
    } else this.findIndex = (this.findIndex + direction + n) % n;
    const pos = this.findMatchesList[this.findIndex];
    // findMatches stops at 10,000: past that there may be more.
    const place = this.fmt.count(this.findIndex + 1);
    this.findCount.textContent = n >= 10_000 ? t('{0} of {1}+ in loaded rows', place, this.fmt.count(n)) : t('{0} of {1} in loaded rows', place, this.fmt.count(n));
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
    const body = el('pre', { class: `detail-value${value === null ? ' null' : ''}`, text: row ? detailText(value ?? null) : t('Loading…'), attrs: { tabindex: '0' } });
    const close = button('✕', () => this.closeDetail(), { class: 'icon', title: t('Close (Escape)'), attrs: { 'aria-label': t('Close cell view') } });
    const copyValue = button(t('Copy value'), () => {
      this.host.post({ type: 'copy', format: typeof value === 'object' && value !== null ? 'json' : 'tsv', header: false, selection: { kind: 'rows', rows: [index], columns: [pos.col] } });
    }, { class: 'secondary' });
    this.detail.replaceChildren(
      el('div', { class: 'detail-head' },
        el('span', { class: 'badge', text: typeBadge(column.type, column.mode), title: `${column.type} ${column.mode}` }),
        el('span', { class: 'detail-title', text: column.name }),
        close),
      el('div', {
        class: 'detail-sub',
        text: [
          t('Row {0}', this.fmt.count(index + 1)),
          column.mode === 'REPEATED' ? t('{0} (repeated)', column.type) : column.type,
          value === '' ? t('empty string') : value === null ? NULL_TEXT : '',
        ]
          .filter(Boolean)
          .join(' · '),
      }),
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
    const label = FORMAT_NAMES[m.format];
    const rows = this.fmt.count(m.rowsWritten);
    if (m.state === 'running') {
      const pct = m.totalRows ? Math.floor((m.rowsWritten / m.totalRows) * 100) : undefined;
      const bar = el('progress', { attrs: { max: '100', 'aria-label': t('Export {0}', label) } });
      if (pct !== undefined) bar.value = pct;
      this.exportStatus.replaceChildren(
        el('span', { text: pct !== undefined ? t('Exporting {0}: {1}%', label, pct) : m.rowsWritten === 1 ? t('Exporting {0}: 1 row', label) : t('Exporting {0}: {1} rows', label, rows) }),
        bar,
        button(t('Cancel'), () => this.host.post({ type: 'cancelExport' }), { class: 'link' }),
      );
    } else {
      const text =
        m.state === 'done'
          ? m.rowsWritten === 1
            ? t('Exported 1 row as {0}', label)
            : t('Exported {0} rows as {1}', rows, label)
          : m.state === 'cancelled'
            ? t('Export cancelled')
            : m.message
              ? t('Export failed: {0}', m.message)
              : t('Export failed');
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
    this.tabs.replaceChildren(tab('grid', t('Table')), tab('chart', t('Chart')));
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
      this.content.replaceChildren(el('div', { class: 'chart' }, el('div', { class: 'phase', text: t('This result has no numeric column to chart.') })));
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
    const kinds = el('div', { class: 'segmented', attrs: { role: 'radiogroup', 'aria-label': t('Chart type') } });
    for (const kind of CHART_KINDS) {
      const b = button(chartKindText(kind).label, () => {
        chart.kind = kind;
        for (const other of kinds.children) other.setAttribute('aria-checked', String(other === b));
        this.requestChart();
      }, { attrs: { role: 'radio', 'aria-checked': String(chart.kind === kind) } });
      kinds.append(b);
    }
    const caption = el('div', { class: 'chart-caption', attrs: { 'aria-live': 'polite' } });
    this.content.replaceChildren(
      el('div', { class: 'chart' },
        el('div', { class: 'chart-controls' }, kinds, select(t('X'), x, chart.x, (v) => (chart.x = v)), select(t('Y'), y, chart.y, (v) => (chart.y = v))),
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
    if (caption) caption.textContent = t('Reading rows…');
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
    const scope = m.totalRows !== null && m.totalRows > m.xs.length ? t('the first {0} of {1} rows', this.fmt.count(m.xs.length), this.fmt.count(m.totalRows)) : this.allRowsText(m.xs.length);
    const hint = r.stats.chart;
    const notes = [
      kind === 'bar' || kind === 'pie' ? t('sum of {0} per {1}', r.columns[y].name, r.columns[x].name) : t('{0} by {1}', r.columns[y].name, r.columns[x].name),
      scope,
      model.skipped === 1 ? t('1 row without a value left out') : model.skipped ? t('{0} rows without a value left out', this.fmt.count(model.skipped)) : '',
      model.truncated ? (kind === 'pie' ? t('the smallest slices summed as “{0}”', t('Other')) : t('only the first {0} categories', MAX_BARS)) : '',
      // Say what the service itself draws when the panel cannot draw the same.
      hint && !hint.exact ? t('drawn in {0} by the service, shown here as the nearest chart', hint.requested) : '',
      hint && hint.exact && !hint.kind ? t('shown as a table ({0}) by the service', hint.requested) : '',
    ].filter(Boolean);
    caption.textContent = chartKindText(kind).caption(notes.join(' · '));
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
      label: { tsv: t('Copy as TSV'), csv: t('Copy as CSV'), json: t('Copy as JSON'), markdown: t('Copy as Markdown') }[format],
      run: () => this.copy(format, true),
    }));
    const exportItems = (['csv', 'jsonl', 'json'] as const).map((format: ExportFormat) => ({
      label: `${FORMAT_NAMES[format]}…`,
      run: () => this.host.post({ type: 'export', format }),
    }));
    this.toolbar.append(
      el('div', { class: 'group filter-group' }, this.filterColumn, this.filterInput),
      el('div', { class: 'group find-group' }, this.findInput, this.findCount),
      menuButton(t('Copy'), copyItems, { title: t('Copy the selected cells (Ctrl+C copies TSV)') }),
      menuButton(t('Export'), exportItems, { title: t('Export the whole result to a file') }),
    );
  }

  private fillFilterColumns(columns: WireColumn[]): void {
    this.filterColumn.replaceChildren(el('option', { text: t('All columns'), attrs: { value: '-1' } }), ...columns.map((c, i) => el('option', { text: c.name, attrs: { value: String(i) } })));
  }

  private renderStatus(): void {
    const r = this.result;
    if (!r) return;
    const s = r.stats;
    const item = (text: string, title?: string) => el('span', { class: 'item', text, ...(title ? { title } : {}) });
    const items: HTMLElement[] = [
      item(r.totalRows === null ? t('{0}+ rows', this.fmt.count(r.loadedRows)) : this.rowsText(r.totalRows), t('Rows in the result')),
      item(t('{0} fetched', this.fmt.count(r.loadedRows)), t('Rows fetched from the service so far')),
    ];
    if (s.timeToFirstRowMs !== undefined) items.push(item(t('first row {0}', this.fmt.duration(s.timeToFirstRowMs)), t('Time to first row')));
    if (s.bytesProcessed !== undefined) items.push(item(t('{0} processed', this.fmt.bytes(s.bytesProcessed))));
    if (s.bytesBilled !== undefined) items.push(item(t('{0} billed', this.fmt.bytes(s.bytesBilled))));
    if (s.cacheHit !== undefined) items.push(item(s.cacheHit ? t('cache hit') : t('not cached'), t('Whether the service answered from its result cache')));
    if (s.slotMs !== undefined) items.push(item(t('{0} slot time', this.fmt.duration(s.slotMs))));
    if (s.location) items.push(item(s.location, t('Location')));
    for (const [k, v] of Object.entries(s.extra ?? {})) items.push(item(`${k}: ${v}`));
    if (s.jobId) {
      items.push(
        s.hasJobUrl
          ? button(`${t('job {0}', s.jobId)} ↗`, () => this.host.post({ type: 'openJobUrl' }), { class: 'link job', title: t('Open the job in the service console') })
          : item(t('job {0}', s.jobId)),
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
