// Chart data without the DOM: which columns can be plotted, the points or bars a chart draws,
// and axis ticks. The chart view turns this into SVG.
import type { ChartKind, WireColumn } from '../../src/results/resultsProtocol';
import type { Formatter } from '../../src/core/format';
import type { CellValue } from '../../src/results/types';
import { cellDisplayText, isNumericType, isTimeType, NULL_TEXT } from './format';
import { t } from '../l10n';

export type { ChartKind };
export type AxisKind = 'number' | 'time' | 'category';

export const MAX_BARS = 60;
/** Slices a pie shows; the rest are summed into one "Other" slice. */
export const MAX_SLICES = 12;

const SCALAR_TYPES = new Set(['STRING', 'INTEGER', 'FLOAT', 'NUMERIC', 'BIGNUMERIC', 'BOOLEAN', 'TIMESTAMP', 'DATE', 'DATETIME', 'TIME']);

/** Columns usable on each axis: y needs numbers; x any scalar. */
export function chartColumns(columns: readonly WireColumn[]): { x: number[]; y: number[] } {
  const x: number[] = [];
  const y: number[] = [];
  columns.forEach((c, i) => {
    if (c.mode === 'REPEATED' || !SCALAR_TYPES.has(c.type)) return;
    x.push(i);
    if (isNumericType(c.type)) y.push(i);
  });
  return { x, y };
}

export function axisKind(type: string): AxisKind {
  return isNumericType(type) ? 'number' : isTimeType(type) ? 'time' : 'category';
}

export interface ChartPoint {
  x: number;
  y: number;
}

export interface ChartModel {
  kind: ChartKind;
  xKind: AxisKind;
  points: ChartPoint[];
  /** Labels of category positions 0..n-1 (bars, or a category x axis). */
  categories: string[];
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
  /** Rows left out: y was NULL or not a number, x was NULL or unreadable. */
  skipped: number;
  /** Categories beyond MAX_BARS were left out (bars), or summed into "Other" (pie). */
  truncated: boolean;
}

/** Kinds that group rows by category and sum y (bars and pie slices). */
const grouped = (kind: ChartKind) => kind === 'bar' || kind === 'pie';

function xNumber(v: CellValue, kind: AxisKind): number | undefined {
  if (v === null) return undefined;
  if (kind === 'number') {
    const n = typeof v === 'number' ? v : Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  if (kind === 'time') {
    const t = Date.parse(String(v));
    return Number.isFinite(t) ? t : undefined;
  }
  return undefined;
}

export function buildChart(kind: ChartKind, xs: readonly CellValue[], ys: ReadonlyArray<number | null>, xType: string): ChartModel {
  const declared = axisKind(xType);
  // Bars and pies group by the x value; a line, area or scatter over text x uses row order.
  const xKind: AxisKind = grouped(kind) ? 'category' : declared;
  let skipped = 0;
  let truncated = false;
  const points: ChartPoint[] = [];
  const categories: string[] = [];
  if (grouped(kind)) {
    const sums = new Map<string, { sort: number | undefined; y: number }>();
    for (let i = 0; i < xs.length; i++) {
      const y = ys[i];
      // A slice cannot be negative: a pie leaves such rows out (and says so).
      if (y === null || y === undefined || (kind === 'pie' && y < 0)) {
        skipped++;
        continue;
      }
      const label = xs[i] === null ? NULL_TEXT : cellDisplayText(xs[i] as Exclude<CellValue, null>, 60);
      const entry = sums.get(label);
      if (entry) entry.y += y;
      else if (kind === 'pie' || sums.size < MAX_BARS) sums.set(label, { sort: xNumber(xs[i], declared), y });
      else {
        truncated = true;
        skipped++;
      }
    }
    let entries = [...sums.entries()];
    if (kind === 'pie') {
      // Largest first; past MAX_SLICES the rest become one "Other" slice.
      entries.sort((a, b) => b[1].y - a[1].y);
      if (entries.length > MAX_SLICES) {
        const rest = entries.slice(MAX_SLICES - 1).reduce((sum, [, v]) => sum + v.y, 0);
        entries = [...entries.slice(0, MAX_SLICES - 1), [t('Other'), { sort: undefined, y: rest }]];
        truncated = true;
      }
    } else if (declared !== 'category') entries = entries.sort((a, b) => (a[1].sort ?? Infinity) - (b[1].sort ?? Infinity));
    entries.forEach(([label, { y }], i) => {
      categories.push(label);
      points.push({ x: i, y });
    });
  } else {
    for (let i = 0; i < xs.length; i++) {
      const y = ys[i];
      const x = xKind === 'category' ? i : xNumber(xs[i], xKind);
      if (y === null || y === undefined || x === undefined) {
        skipped++;
        continue;
      }
      points.push({ x, y });
    }
    if ((kind === 'line' || kind === 'area') && xKind !== 'category') points.sort((a, b) => a.x - b.x);
  }
  const yValues = points.map((p) => p.y);
  const xValues = points.map((p) => p.x);
  let yMin = Math.min(0, minOf(yValues));
  let yMax = Math.max(0, maxOf(yValues));
  if (yMin === yMax) yMax = yMin + 1;
  if ((kind === 'line' || kind === 'scatter') && yValues.length) {
    // Lines and points need not start at zero; bars and areas must, or their sizes lie.
    yMin = minOf(yValues);
    yMax = maxOf(yValues);
    if (yMin === yMax) {
      yMin -= 1;
      yMax += 1;
    }
  }
  let xMin = grouped(kind) ? -0.5 : minOf(xValues);
  let xMax = grouped(kind) ? Math.max(0.5, categories.length - 0.5) : maxOf(xValues);
  if (!Number.isFinite(xMin) || !Number.isFinite(xMax)) {
    xMin = 0;
    xMax = 1;
  } else if (xMin === xMax) {
    xMin -= 1;
    xMax += 1;
  }
  return { kind, xKind, points, categories, xMin, xMax, yMin, yMax, skipped, truncated };
}

function minOf(values: number[]): number {
  let m = Infinity;
  for (const v of values) if (v < m) m = v;
  return m === Infinity ? 0 : m;
}
function maxOf(values: number[]): number {
  let m = -Infinity;
  for (const v of values) if (v > m) m = v;
  return m === -Infinity ? 0 : m;
}

/** About `count` round tick values covering [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

/** An axis label: dates in UTC (DATE and TIMESTAMP values are read as UTC), numbers compact. */
export function formatTick(value: number, kind: AxisKind, fmt: Formatter): string {
  return kind === 'time' ? fmt.date(value, 'UTC') : fmt.compact(value);
}
