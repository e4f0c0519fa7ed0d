// How Looker draws a look or tile (its query's vis_config.type), as the chart the results panel
// draws for it. Types with no counterpart get the nearest chart, marked as not exact, so the panel
// can say what Looker shows instead of pretending; tables and single values get none.
import { chartHintFrom, type ChartTypeTable } from '../results/chartHint';
import type { ChartHint } from '../results/resultsPresenter';
import type { ChartKind } from '../results/resultsProtocol';

const EXACT = new Map<string, ChartKind>([
  ['looker_line', 'line'],
  ['looker_area', 'area'],
  ['looker_column', 'bar'],
  ['looker_bar', 'bar'],
  ['looker_scatter', 'scatter'],
  ['looker_pie', 'pie'],
  ['looker_donut_multiples', 'pie'],
]);
const NEAREST = new Map<string, ChartKind>([
  ['looker_waterfall', 'bar'],
  ['looker_funnel', 'bar'],
  ['looker_timeline', 'bar'],
  ['looker_boxplot', 'bar'],
  ['looker_google_map', 'bar'],
  ['looker_map', 'bar'],
  ['looker_geo_choropleth', 'bar'],
  ['looker_geo_coordinates', 'scatter'],
]);
const TABLES = new Set(['looker_grid', 'table', 'single_value', 'looker_single_record', 'text']);

const TYPES: ChartTypeTable = { exact: EXACT, nearest: NEAREST, tables: TABLES };

export function lookerChartHint(visType: string | null | undefined): ChartHint | undefined {
  return chartHintFrom(TYPES, visType);
}
