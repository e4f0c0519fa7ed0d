// How Metabase draws a question (its card's `display`), as the chart the results panel draws for
// it. Displays with no counterpart get the nearest chart, marked as not exact; tables, numbers and
// gauges get none.
import type { ChartHint } from '../results/resultsPresenter';
import type { ChartKind } from '../results/resultsProtocol';

const EXACT = new Map<string, ChartKind>([
  ['line', 'line'],
  ['area', 'area'],
  ['bar', 'bar'],
  ['row', 'bar'],
  ['scatter', 'scatter'],
  ['pie', 'pie'],
]);
const NEAREST = new Map<string, ChartKind>([
  ['combo', 'line'],
  ['waterfall', 'bar'],
  ['funnel', 'bar'],
  ['map', 'bar'],
  ['sankey', 'bar'],
]);
const TABLES = new Set(['table', 'pivot', 'scalar', 'smartscalar', 'progress', 'gauge', 'object', 'list']);

export function metabaseChartHint(display: string | null | undefined): ChartHint | undefined {
  if (typeof display !== 'string' || !display) return undefined;
  const requested = display.slice(0, 100);
  const exact = EXACT.get(display);
  if (exact) return { kind: exact, requested, exact: true };
  if (TABLES.has(display)) return { requested, exact: true };
  return { kind: NEAREST.get(display) ?? 'bar', requested, exact: false };
}
