// The grid's selection: an anchor and a focus cell spanning a rectangle, in display rows (the
// rows as shown, which differ from result rows when loaded rows are sorted or filtered).

export interface CellPos {
  row: number;
  col: number;
}

export interface SelectionRange {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

export class GridSelection {
  anchor: CellPos = { row: 0, col: 0 };
  focus: CellPos = { row: 0, col: 0 };

  get range(): SelectionRange {
    return {
      top: Math.min(this.anchor.row, this.focus.row),
      bottom: Math.max(this.anchor.row, this.focus.row),
      left: Math.min(this.anchor.col, this.focus.col),
      right: Math.max(this.anchor.col, this.focus.col),
    };
  }

  get rowCount(): number {
    const r = this.range;
    return r.bottom - r.top + 1;
  }

  moveTo(pos: CellPos, extend: boolean): void {
    this.focus = { ...pos };
    if (!extend) this.anchor = { ...pos };
  }

  selectRows(from: number, to: number, columns: number): void {
    this.anchor = { row: from, col: 0 };
    this.focus = { row: to, col: Math.max(0, columns - 1) };
  }

  selectAll(rows: number, columns: number): void {
    this.selectRows(0, Math.max(0, rows - 1), columns);
  }

  contains(row: number, col: number): boolean {
    const r = this.range;
    return row >= r.top && row <= r.bottom && col >= r.left && col <= r.right;
  }

  /** Whether whole rows are selected (every column). */
  coversRow(row: number, columns: number): boolean {
    const r = this.range;
    return row >= r.top && row <= r.bottom && r.left === 0 && r.right === columns - 1;
  }

  clamp(rows: number, columns: number): void {
    const fit = (p: CellPos): CellPos => ({ row: Math.min(Math.max(0, p.row), Math.max(0, rows - 1)), col: Math.min(Math.max(0, p.col), Math.max(0, columns - 1)) });
    this.anchor = fit(this.anchor);
    this.focus = fit(this.focus);
  }
}

export type NavigationKey = 'ArrowUp' | 'ArrowDown' | 'ArrowLeft' | 'ArrowRight' | 'Home' | 'End' | 'PageUp' | 'PageDown';

export function isNavigationKey(key: string): key is NavigationKey {
  return ['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'Home', 'End', 'PageUp', 'PageDown'].includes(key);
}

/** Where a key moves the focus cell (spreadsheet conventions: Ctrl+Home is the first cell). */
export function navigate(pos: CellPos, key: NavigationKey, o: { rows: number; columns: number; pageRows: number; ctrl: boolean }): CellPos {
  const lastRow = Math.max(0, o.rows - 1);
  const lastCol = Math.max(0, o.columns - 1);
  let { row, col } = pos;
  switch (key) {
    case 'ArrowUp':
      row = o.ctrl ? 0 : row - 1;
      break;
    case 'ArrowDown':
      row = o.ctrl ? lastRow : row + 1;
      break;
    case 'ArrowLeft':
      col = o.ctrl ? 0 : col - 1;
      break;
    case 'ArrowRight':
      col = o.ctrl ? lastCol : col + 1;
      break;
    case 'Home':
      col = 0;
      if (o.ctrl) row = 0;
      break;
    case 'End':
      col = lastCol;
      if (o.ctrl) row = lastRow;
      break;
    case 'PageUp':
      row -= o.pageRows;
      break;
    case 'PageDown':
      row += o.pageRows;
      break;
  }
  return { row: Math.min(Math.max(0, row), lastRow), col: Math.min(Math.max(0, col), lastCol) };
}
