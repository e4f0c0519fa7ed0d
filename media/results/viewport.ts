// Vertical virtual scrolling arithmetic. Browsers cap an element's height (Chromium near 33.5M
// px, Firefox near 17.9M), and 1,000,000 rows x 22 px is 22M px, so the scrolled body is at most
// MAX_BODY_HEIGHT tall and a scroll position maps to a row by proportion. The grid keeps the top
// row (fractional) as the truth; wheel and keys move it in rows, so scrolling stays smooth and
// exact even when one scrollbar pixel spans several rows.

export const MAX_BODY_HEIGHT = 8_000_000;

export interface Geometry {
  totalRows: number;
  rowHeight: number;
  /** Height of the visible body (viewport minus the sticky header). */
  viewportHeight: number;
}

export function bodyHeight(g: Geometry): number {
  return Math.min(g.totalRows * g.rowHeight, MAX_BODY_HEIGHT);
}

/** The largest top row: the last row then sits at the bottom of the viewport. */
export function maxTopRow(g: Geometry): number {
  return Math.max(0, g.totalRows - g.viewportHeight / g.rowHeight);
}

export function maxScrollTop(g: Geometry): number {
  return Math.max(0, bodyHeight(g) - g.viewportHeight);
}

export function clampTopRow(topRow: number, g: Geometry): number {
  return Math.min(Math.max(0, topRow), maxTopRow(g));
}

export function topRowFromScroll(scrollTop: number, g: Geometry): number {
  const maxScroll = maxScrollTop(g);
  if (maxScroll <= 0) return 0;
  return clampTopRow((Math.min(scrollTop, maxScroll) / maxScroll) * maxTopRow(g), g);
}

export function scrollFromTopRow(topRow: number, g: Geometry): number {
  const maxRow = maxTopRow(g);
  if (maxRow <= 0) return 0;
  return (clampTopRow(topRow, g) / maxRow) * maxScrollTop(g);
}

/** Rows with at least one pixel on screen. */
export function visibleRows(topRow: number, g: Geometry): { first: number; last: number } {
  const first = Math.max(0, Math.floor(topRow));
  const last = Math.min(g.totalRows - 1, Math.ceil(topRow + g.viewportHeight / g.rowHeight) - 1);
  return { first, last: Math.max(first - 1, last) };
}

/** Rows fully on screen (keyboard paging and reveal use these). */
export function fullyVisibleRows(g: Geometry): number {
  return Math.max(1, Math.floor(g.viewportHeight / g.rowHeight));
}

/** The top row that brings `row` fully into view with the least movement. */
export function revealTopRow(topRow: number, row: number, g: Geometry): number {
  const fits = g.viewportHeight / g.rowHeight;
  if (row < topRow) return clampTopRow(row, g);
  if (row + 1 > topRow + fits) return clampTopRow(row + 1 - fits, g);
  return topRow;
}
