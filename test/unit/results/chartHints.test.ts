// How a look's or question's own visualization becomes the chart the results panel draws, as a
// table per service: exact matches, the nearest chart for types the panel lacks, none for tables.
import * as assert from 'node:assert/strict';
import { lookerChartHint } from '../../../src/looker/chartHint';
import { metabaseChartHint } from '../../../src/metabase/chartHint';
import type { ChartHint } from '../../../src/results/resultsPresenter';

const looker: Array<[string | null | undefined, ChartHint | undefined]> = [
  ['looker_line', { kind: 'line', requested: 'looker_line', exact: true }],
  ['looker_area', { kind: 'area', requested: 'looker_area', exact: true }],
  ['looker_column', { kind: 'bar', requested: 'looker_column', exact: true }],
  ['looker_bar', { kind: 'bar', requested: 'looker_bar', exact: true }],
  ['looker_scatter', { kind: 'scatter', requested: 'looker_scatter', exact: true }],
  ['looker_pie', { kind: 'pie', requested: 'looker_pie', exact: true }],
  ['looker_grid', { requested: 'looker_grid', exact: true }],
  ['single_value', { requested: 'single_value', exact: true }],
  ['looker_map', { kind: 'bar', requested: 'looker_map', exact: false }],
  ['marketplace_viz_sankey::sankey', { kind: 'bar', requested: 'marketplace_viz_sankey::sankey', exact: false }],
  ['constructor', { kind: 'bar', requested: 'constructor', exact: false }],
  ['__proto__', { kind: 'bar', requested: '__proto__', exact: false }],
  ['', undefined],
  [null, undefined],
  [undefined, undefined],
];
const metabase: Array<[string | null | undefined, ChartHint | undefined]> = [
  ['line', { kind: 'line', requested: 'line', exact: true }],
  ['area', { kind: 'area', requested: 'area', exact: true }],
  ['bar', { kind: 'bar', requested: 'bar', exact: true }],
  ['row', { kind: 'bar', requested: 'row', exact: true }],
  ['scatter', { kind: 'scatter', requested: 'scatter', exact: true }],
  ['pie', { kind: 'pie', requested: 'pie', exact: true }],
  ['table', { requested: 'table', exact: true }],
  ['scalar', { requested: 'scalar', exact: true }],
  ['combo', { kind: 'line', requested: 'combo', exact: false }],
  ['funnel', { kind: 'bar', requested: 'funnel', exact: false }],
  ['toString', { kind: 'bar', requested: 'toString', exact: false }],
  [null, undefined],
];

describe('chart hints: the service’s own visualization as the panel’s chart', () => {
  for (const [type, want] of looker) it(`Looker ${JSON.stringify(type)}`, () => assert.deepEqual(lookerChartHint(type), want));
  for (const [type, want] of metabase) it(`Metabase ${JSON.stringify(type)}`, () => assert.deepEqual(metabaseChartHint(type), want));
  it('caps a long type name', () => assert.equal(lookerChartHint('x'.repeat(500))?.requested.length, 100));
});
