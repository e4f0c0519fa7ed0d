// Sort and filter work on the rows the webview holds (the loaded rows), never on the whole
// result: the UI says so wherever they are active. A server-side sort would be a new query.
import type { WireColumn } from '../../src/results/resultsProtocol';
import { cellMatches, compareCells } from './format';
import type { LoadedRow } from './rowCache';

export interface LocalViewOptions {
  sort?: { column: number; descending: boolean };
  /** column -1 filters on any column. */
  filter?: { column: number; text: string };
}

export function isLocalViewActive(o: LocalViewOptions): boolean {
  return o.sort !== undefined || (o.filter !== undefined && o.filter.text.trim() !== '');
}

/** The loaded rows filtered, then sorted (stable: ties keep result order). */
export function buildLocalView(rows: readonly LoadedRow[], columns: readonly WireColumn[], o: LocalViewOptions): LoadedRow[] {
  let out = [...rows];
  const needle = o.filter?.text.trim().toLowerCase() ?? '';
  if (needle !== '') {
    const col = o.filter!.column;
    out = out.filter(({ row }) => (col >= 0 ? cellMatches(row[col] ?? null, needle) : row.some((v) => cellMatches(v, needle))));
  }
  if (o.sort && o.sort.column < columns.length) {
    const { column, descending } = o.sort;
    const type = columns[column].mode === 'REPEATED' ? 'JSON' : columns[column].type;
    out.sort((a, b) => {
      const c = compareCells(a.row[column] ?? null, b.row[column] ?? null, type);
      // NULLs stay last in both directions.
      const nullish = a.row[column] === null || b.row[column] === null;
      return (descending && !nullish ? -c : c) || a.index - b.index;
    });
  }
  return out;
}

/** Cells containing `needle`, in reading order; `rows` carry their display row as `index`. */
export function findMatches(rows: readonly LoadedRow[], needle: string, limit = 10_000): Array<{ row: number; col: number }> {
  const lower = needle.toLowerCase();
  const out: Array<{ row: number; col: number }> = [];
  if (lower === '') return out;
  for (const { index, row } of rows) {
    for (let c = 0; c < row.length; c++) {
      if (cellMatches(row[c], lower)) {
        out.push({ row: index, col: c });
        if (out.length >= limit) return out;
      }
    }
  }
  return out;
}
