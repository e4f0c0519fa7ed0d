// The virtualized grid: a fixed row height, a body as tall as the rows (scaled beyond the
// browser's height limit, see viewport.ts), and only the rows on screen in the DOM, drawn into a
// pool of row elements that is reused on every scroll. Cells get their text via textContent.
import type { WireColumn } from '../../src/results/resultsProtocol';
import { el } from './dom';
import { t } from '../l10n';
import type { Formatter } from '../../src/core/format';
import { cellDisplayText, cellMatches, isNested, isNumericType, NULL_TEXT, typeBadge } from './format';
import type { Row } from './rowCache';
import { GridSelection, isNavigationKey, navigate, type CellPos } from './selection';
import {
  bodyHeight,
  clampTopRow,
  fullyVisibleRows,
  MAX_BODY_HEIGHT,
  revealTopRow,
  scrollFromTopRow,
  topRowFromScroll,
  visibleRows,
  type Geometry,
} from './viewport';

export const ROW_HEIGHT = 22;
const MIN_WIDTH = 48;
const MAX_WIDTH = 2_000;
/** Rows drawn above and below the viewport, so a fast scroll shows rows rather than gaps. */
const OVERSCAN = 6;

/** What the grid shows: display rows, which map to result rows (differently when sorted/filtered). */
export interface GridData {
  readonly rowCount: number;
  indexAt(displayRow: number): number;
  rowAt(displayRow: number): Row | undefined;
}

export interface GridCallbacks {
  /** Display rows [first, last] are on screen (plus margin): load what is missing. */
  onViewport(first: number, last: number): void;
  /** Every row on screen had data when drawn. */
  onPainted(first: number, last: number): void;
  onCopy(header: boolean): void;
  onOpenDetail(pos: CellPos): void;
  onSort(column: number): void;
  onFind(): void;
  onEscape(): void;
  /** Scroll position, widths or selection changed (the app saves its state). */
  onStateChange(): void;
}

export function defaultWidth(c: WireColumn): number {
  const byType = c.mode === 'REPEATED' || c.type === 'RECORD' || c.type === 'JSON' ? 240 : isNumericType(c.type) ? 120 : c.type === 'BOOLEAN' ? 80 : c.type === 'TIMESTAMP' || c.type === 'DATETIME' ? 210 : 180;
  return Math.min(Math.max(byType, c.name.length * 8 + 60), 400);
}

interface RowElement {
  row: HTMLElement;
  gutter: HTMLElement;
  cells: HTMLElement[];
}

export class Grid {
  readonly element: HTMLElement;
  readonly selection = new GridSelection();
  private readonly scroller: HTMLElement;
  private readonly header: HTMLElement;
  private readonly body: HTMLElement;
  private readonly layer: HTMLElement;
  private readonly headerCells: HTMLElement[] = [];
  private readonly pool: RowElement[] = [];
  private data: GridData = { rowCount: 0, indexAt: (i) => i, rowAt: () => undefined };
  private topRowValue = 0;
  private expectedScrollTop = 0;
  private gutterWidth = 60;
  private dragging: 'cells' | 'rows' | undefined;
  private findNeedle = '';
  private currentMatch: CellPos | undefined;
  private resizeObserver: ResizeObserver;
  private readonly endDrag = () => {
    if (this.dragging) this.callbacks.onStateChange();
    this.dragging = undefined;
  };

  constructor(
    readonly columns: readonly WireColumn[],
    readonly widths: number[],
    private readonly callbacks: GridCallbacks,
    private readonly fmt: Formatter,
  ) {
    this.header = el('div', { class: 'grid-header', attrs: { role: 'row', 'aria-rowindex': '1' } });
    this.layer = el('div', { class: 'grid-layer', attrs: { role: 'rowgroup' } });
    this.body = el('div', { class: 'grid-body' }, this.layer);
    this.scroller = el('div', {
      class: 'grid-scroller',
      attrs: { role: 'grid', tabindex: '0', 'aria-multiselectable': 'true', 'aria-colcount': String(columns.length + 1), 'aria-label': t('Result rows') },
    }, this.header, this.body);
    this.element = el('div', { class: 'grid' }, this.scroller);
    this.buildHeader();
    this.scroller.addEventListener('scroll', () => this.onScroll(), { passive: true });
    this.scroller.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    this.scroller.addEventListener('keydown', (e) => this.onKey(e));
    this.layer.addEventListener('pointerdown', (e) => this.onPointerDown(e));
    this.layer.addEventListener('pointerover', (e) => this.onPointerOver(e));
    this.layer.addEventListener('dblclick', (e) => {
      const pos = this.cellAt(e.target);
      if (pos) this.callbacks.onOpenDetail(pos);
    });
    window.addEventListener('pointerup', this.endDrag);
    this.resizeObserver = new ResizeObserver(() => this.render());
    this.resizeObserver.observe(this.scroller);
  }

  get topRow(): number {
    return this.topRowValue;
  }

  get scrollLeft(): number {
    return this.scroller.scrollLeft;
  }

  set scrollLeft(v: number) {
    this.scroller.scrollLeft = v;
  }

  get rowCount(): number {
    return this.data.rowCount;
  }

  focus(): void {
    this.scroller.focus({ preventScroll: true });
  }

  dispose(): void {
    window.removeEventListener('pointerup', this.endDrag);
    this.resizeObserver.disconnect();
    this.element.remove();
  }

  setData(data: GridData): void {
    this.data = data;
    const digits = String(Math.max(1, data.rowCount)).length;
    this.gutterWidth = Math.max(40, Math.ceil((digits + Math.floor((digits - 1) / 3)) * 7.5 + 16));
    this.scroller.setAttribute('aria-rowcount', String(data.rowCount + 1));
    this.selection.clamp(data.rowCount, this.columns.length);
    this.applyWidths();
    this.setTopRow(this.topRowValue);
  }

  setSort(sort: { column: number; descending: boolean } | undefined): void {
    this.headerCells.forEach((cell, i) => {
      const marker = cell.querySelector('.sort');
      const on = sort?.column === i;
      cell.setAttribute('aria-sort', on ? (sort!.descending ? 'descending' : 'ascending') : 'none');
      if (marker) marker.textContent = on ? (sort!.descending ? '▼' : '▲') : '';
    });
  }

  setFind(needle: string, current: CellPos | undefined): void {
    this.findNeedle = needle.toLowerCase();
    this.currentMatch = current;
    this.render();
  }

  /** Moves so that `row` is on screen and makes it the active cell's row. */
  revealRow(row: number, column = this.selection.focus.col): void {
    const pos = { row: Math.min(Math.max(0, row), Math.max(0, this.data.rowCount - 1)), col: column };
    this.selection.moveTo(pos, false);
    this.revealCell(pos);
  }

  setTopRow(row: number): void {
    const g = this.geometry();
    this.topRowValue = clampTopRow(row, g);
    this.expectedScrollTop = scrollFromTopRow(this.topRowValue, g);
    if (Math.abs(this.scroller.scrollTop - this.expectedScrollTop) >= 1) this.scroller.scrollTop = this.expectedScrollTop;
    this.render();
  }

  /** Draws the rows on screen from the current data. Cheap enough to run on every scroll event. */
  render(): void {
    const g = this.geometry();
    this.body.style.height = `${bodyHeight(g)}px`;
    const { first, last } = visibleRows(this.topRowValue, g);
    const from = Math.max(0, first - OVERSCAN);
    const to = Math.min(this.data.rowCount - 1, last + OVERSCAN);
    const frac = this.topRowValue - Math.floor(this.topRowValue);
    // The layer sits at the visible top of the body; rows above the first visible one go above it.
    const offset = this.scroller.scrollTop - frac * ROW_HEIGHT - (first - from) * ROW_HEIGHT;
    this.layer.style.transform = `translateY(${Math.round(offset)}px)`;
    let complete = true;
    const columns = this.columns.length;
    const focus = this.selection.focus;
    for (let i = from; i <= to; i++) {
      const r = this.pool[i - from] ?? this.createRow();
      const data = this.data.rowAt(i);
      if (!data && i >= first && i <= last) complete = false;
      const index = this.data.indexAt(i);
      r.row.hidden = false;
      r.row.setAttribute('aria-rowindex', String(index + 2));
      r.row.dataset.row = String(i);
      r.gutter.textContent = this.fmt.count(index + 1);
      const rowSelected = this.selection.coversRow(i, columns);
      r.row.classList.toggle('selected-row', rowSelected);
      for (let c = 0; c < columns; c++) {
        const cell = r.cells[c];
        const v = data?.[c];
        let cls = c === 0 ? 'cell pinned' : 'cell';
        let text = '';
        if (!data) cls += ' loading';
        else if (v === null || v === undefined) {
          cls += ' null';
          text = NULL_TEXT;
        } else {
          text = cellDisplayText(v);
          if (isNested(v)) cls += ' nested';
          else if (typeof v === 'number' || isNumericType(this.columns[c].type)) cls += ' num';
          else if (typeof v === 'boolean') cls += ' bool';
          else if (v === '') cls += ' empty';
        }
        if (this.selection.contains(i, c)) cls += ' selected';
        if (focus.row === i && focus.col === c) cls += ' active';
        if (data && this.findNeedle && cellMatches(v ?? null, this.findNeedle)) cls += this.currentMatch?.row === i && this.currentMatch.col === c ? ' match current' : ' match';
        if (cell.className !== cls) cell.className = cls;
        if (cell.textContent !== text) cell.textContent = text;
        cell.setAttribute('aria-selected', this.selection.contains(i, c) ? 'true' : 'false');
        if (focus.row === i && focus.col === c) cell.id = 'grid-active-cell';
        else if (cell.id) cell.removeAttribute('id');
      }
    }
    for (let k = to - from + 1; k < this.pool.length; k++) this.pool[k].row.hidden = true;
    if (this.scroller.querySelector('#grid-active-cell')) this.scroller.setAttribute('aria-activedescendant', 'grid-active-cell');
    else this.scroller.removeAttribute('aria-activedescendant');
    if (this.data.rowCount > 0) {
      this.callbacks.onViewport(from, to);
      if (complete && last >= first) this.callbacks.onPainted(first, last);
    }
  }

  geometry(): Geometry {
    const viewportHeight = Math.max(ROW_HEIGHT, this.scroller.clientHeight - this.header.offsetHeight);
    return { totalRows: this.data.rowCount, rowHeight: ROW_HEIGHT, viewportHeight };
  }

  /** Sets a column's width (dragging the header edge) and redraws. */
  setWidth(column: number, width: number): void {
    this.widths[column] = Math.round(Math.min(Math.max(width, MIN_WIDTH), MAX_WIDTH));
    this.applyWidths();
  }

  private buildHeader(): void {
    const corner = el('div', { class: 'gutter corner', text: '#', attrs: { role: 'columnheader', 'aria-colindex': '1', title: t('Select all (Ctrl+A)') } });
    corner.addEventListener('click', () => {
      this.selection.selectAll(this.data.rowCount, this.columns.length);
      this.render();
      this.callbacks.onStateChange();
    });
    this.header.append(corner);
    this.columns.forEach((c, i) => {
      const name = el('span', { class: 'name', text: c.name });
      const badge = el('span', {
        class: `badge type-${c.type.toLowerCase()}`,
        text: typeBadge(c.type, c.mode),
        title: c.mode === 'REPEATED' ? t('{0} (repeated)', c.type) : c.mode === 'REQUIRED' ? t('{0} (required)', c.type) : c.type,
      });
      const sort = el('span', { class: 'sort', attrs: { 'aria-hidden': 'true' } });
      const resizer = el('div', { class: 'resizer', attrs: { role: 'separator', 'aria-orientation': 'vertical', 'aria-label': t('Resize {0}', c.name) } });
      const cell = el('div', {
        class: i === 0 ? 'colhead pinned' : 'colhead',
        title: t('{0}: {1} {2}. Click to sort the loaded rows.', c.name, c.type, c.mode),
        attrs: { role: 'columnheader', 'aria-colindex': String(i + 2), 'aria-sort': 'none' },
      }, badge, name, sort, resizer);
      cell.addEventListener('click', (e) => {
        if (e.target === resizer) return;
        this.callbacks.onSort(i);
      });
      this.attachResizer(resizer, i);
      this.headerCells.push(cell);
      this.header.append(cell);
    });
  }

  private attachResizer(handle: HTMLElement, column: number): void {
    handle.addEventListener('pointerdown', (e) => {
      e.preventDefault();
      e.stopPropagation();
      handle.setPointerCapture(e.pointerId);
      const startX = e.clientX;
      const startWidth = this.widths[column];
      const move = (m: PointerEvent) => this.setWidth(column, startWidth + m.clientX - startX);
      const up = () => {
        handle.removeEventListener('pointermove', move);
        handle.removeEventListener('pointerup', up);
        this.callbacks.onStateChange();
      };
      handle.addEventListener('pointermove', move);
      handle.addEventListener('pointerup', up);
    });
    handle.addEventListener('click', (e) => e.stopPropagation());
    handle.addEventListener('dblclick', (e) => {
      e.stopPropagation();
      this.autosize(column);
      this.callbacks.onStateChange();
    });
  }

  /** Fits a column to its header and the rows on screen. */
  private autosize(column: number): void {
    const ctx = document.createElement('canvas').getContext('2d');
    if (!ctx) return;
    ctx.font = getComputedStyle(this.scroller).font;
    let widest = ctx.measureText(this.columns[column].name).width + 70;
    for (const r of this.pool) if (!r.row.hidden) widest = Math.max(widest, ctx.measureText(r.cells[column].textContent ?? '').width + 24);
    this.setWidth(column, Math.min(widest, 800));
  }

  private applyWidths(): void {
    const total = this.gutterWidth + this.widths.reduce((a, b) => a + b, 0);
    for (const target of [this.header, this.body]) target.style.width = `${total}px`;
    const corner = this.header.firstElementChild as HTMLElement;
    corner.style.width = `${this.gutterWidth}px`;
    this.headerCells.forEach((cell, i) => {
      cell.style.width = `${this.widths[i]}px`;
      if (i === 0) cell.style.left = `${this.gutterWidth}px`;
    });
    for (const r of this.pool) this.sizeRow(r, total);
  }

  private sizeRow(r: RowElement, total: number): void {
    r.row.style.width = `${total}px`;
    r.gutter.style.width = `${this.gutterWidth}px`;
    r.cells.forEach((cell, i) => {
      cell.style.width = `${this.widths[i]}px`;
      if (i === 0) cell.style.left = `${this.gutterWidth}px`;
    });
  }

  private createRow(): RowElement {
    const gutter = el('div', { class: 'gutter', attrs: { role: 'rowheader' } });
    const cells = this.columns.map((_, c) => el('div', { class: 'cell', attrs: { role: 'gridcell', 'aria-colindex': String(c + 2), 'data-col': String(c) } }));
    const row = el('div', { class: 'grid-row', attrs: { role: 'row' } }, gutter, ...cells);
    const r = { row, gutter, cells };
    this.sizeRow(r, this.gutterWidth + this.widths.reduce((a, b) => a + b, 0));
    this.pool.push(r);
    this.layer.append(row);
    return r;
  }

  private onScroll(): void {
    const top = this.scroller.scrollTop;
    // Our own scrollTop writes land within a pixel of what we asked; anything else is the user
    // dragging the scrollbar (or the browser clamping), and the row follows the thumb.
    if (Math.abs(top - this.expectedScrollTop) >= 1) {
      this.topRowValue = topRowFromScroll(top, this.geometry());
      this.expectedScrollTop = top;
      this.callbacks.onStateChange();
    }
    this.render();
  }

  private onWheel(e: WheelEvent): void {
    const g = this.geometry();
    // Below the height cap the native scroll is exact; above it, move by rows ourselves.
    if (g.totalRows * g.rowHeight <= MAX_BODY_HEIGHT || e.ctrlKey) return;
    const unit = e.deltaMode === 1 ? 1 : e.deltaMode === 2 ? fullyVisibleRows(g) : 1 / ROW_HEIGHT;
    if (Math.abs(e.deltaY) < Math.abs(e.deltaX)) return;
    e.preventDefault();
    this.scroller.scrollLeft += e.deltaX * (e.deltaMode === 0 ? 1 : 16);
    this.setTopRow(this.topRowValue + e.deltaY * unit);
    this.callbacks.onStateChange();
  }

  private onKey(e: KeyboardEvent): void {
    const ctrl = e.ctrlKey || e.metaKey;
    const key = e.key;
    if (isNavigationKey(key)) {
      const pos = navigate(this.selection.focus, key, { rows: this.data.rowCount, columns: this.columns.length, pageRows: fullyVisibleRows(this.geometry()), ctrl });
      this.selection.moveTo(pos, e.shiftKey);
      this.revealCell(pos);
      this.callbacks.onStateChange();
    } else if (ctrl && key.toLowerCase() === 'a') {
      this.selection.selectAll(this.data.rowCount, this.columns.length);
      this.render();
    } else if (ctrl && key.toLowerCase() === 'c') {
      this.callbacks.onCopy(e.shiftKey);
    } else if (ctrl && key.toLowerCase() === 'f') {
      this.callbacks.onFind();
    } else if (key === 'Enter' || key === ' ') {
      this.callbacks.onOpenDetail(this.selection.focus);
    } else if (key === 'Escape') {
      this.callbacks.onEscape();
    } else return;
    e.preventDefault();
    e.stopPropagation();
  }

  private revealCell(pos: CellPos): void {
    const g = this.geometry();
    this.setTopRow(revealTopRow(this.topRowValue, pos.row, g));
    // Horizontally: bring the column into view right of the pinned columns.
    let left = this.gutterWidth;
    for (let c = 0; c < pos.col; c++) left += this.widths[c];
    const pinned = this.gutterWidth + (pos.col > 0 ? this.widths[0] : 0);
    const width = this.widths[pos.col];
    if (pos.col > 0 && left - this.scroller.scrollLeft < pinned) this.scroller.scrollLeft = left - pinned;
    else if (left + width - this.scroller.scrollLeft > this.scroller.clientWidth) this.scroller.scrollLeft = left + width - this.scroller.clientWidth;
    this.render();
  }

  private cellAt(target: EventTarget | null): CellPos | undefined {
    const cell = (target as HTMLElement | null)?.closest?.('.cell') as HTMLElement | null;
    const row = cell?.parentElement?.dataset.row;
    if (!cell || row === undefined) return undefined;
    return { row: Number(row), col: Number(cell.dataset.col) };
  }

  private onPointerDown(e: PointerEvent): void {
    if (e.button !== 0) return;
    const target = e.target as HTMLElement;
    const gutter = target.closest('.gutter') as HTMLElement | null;
    this.focus();
    if (gutter) {
      const row = Number(gutter.parentElement?.dataset.row);
      if (!Number.isFinite(row)) return;
      const from = e.shiftKey ? this.selection.anchor.row : row;
      this.selection.selectRows(from, row, this.columns.length);
      this.dragging = 'rows';
    } else {
      const pos = this.cellAt(target);
      if (!pos) return;
      this.selection.moveTo(pos, e.shiftKey);
      this.dragging = 'cells';
    }
    e.preventDefault();
    this.render();
  }

  private onPointerOver(e: PointerEvent): void {
    if (!this.dragging || (e.buttons & 1) === 0) return;
    if (this.dragging === 'rows') {
      const row = Number((e.target as HTMLElement).closest('.grid-row')?.getAttribute('data-row'));
      if (!Number.isFinite(row)) return;
      this.selection.selectRows(this.selection.anchor.row, row, this.columns.length);
    } else {
      const pos = this.cellAt(e.target);
      if (!pos) return;
      this.selection.moveTo(pos, true);
    }
    this.render();
  }
}
