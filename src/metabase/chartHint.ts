// How Metabase draws a question (its card's `display`), as the chart the results panel draws for
// it. Displays with no counterpart get the nearest chart, marked as not exact; tables, numbers and
// gauges get none.
import { chartHintFrom, type ChartTypeTable } from '../results/chartHint';
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

const TYPES: ChartTypeTable = { exact: EXACT, nearest: NEAREST, tables: TABLES };

export function metabaseChartHint(display: string | null | undefined): ChartHint | undefined {
  return chartHintFrom(TYPES, display);
}
