// The webview's DOM-free parts: scroll arithmetic past the browser's height limit, the bounded
// row cache, keyboard navigation, loaded-rows sort/filter/find, cell text and chart data.
import * as assert from 'node:assert/strict';
import {
  bodyHeight,
  MAX_BODY_HEIGHT,
  maxScrollTop,
  revealTopRow,
  scrollFromTopRow,
  topRowFromScroll,
  visibleRows,
  type Geometry,
} from '../../../media/results/viewport';
import { BLOCK_SIZE, blocksFor, RowBlockCache } from '../../../media/results/rowCache';
import { GridSelection, navigate } from '../../../media/results/selection';
import { buildLocalView, findMatches } from '../../../media/results/localView';
import { cellDisplayText, compareCells, detailText, typeBadge } from '../../../media/results/format';
import { MAX_SLICES, buildChart, chartColumns, formatTick, niceTicks } from '../../../media/results/chartModel';
import { Formatter } from '../../../src/core/format';
import type { WireColumn } from '../../../src/results/resultsProtocol';

describe('results webview: virtual scrolling', () => {
  const million: Geometry = { totalRows: 1_000_000, rowHeight: 22, viewportHeight: 440 };
  const small: Geometry = { totalRows: 1_000, rowHeight: 22, viewportHeight: 440 };

  it('caps the body height below the browser limit for a million rows', () => {
    assert.equal(bodyHeight(million), MAX_BODY_HEIGHT);
    assert.ok(1_000_000 * 22 > MAX_BODY_HEIGHT);
    assert.equal(bodyHeight(small), 22_000);
  });

  it('reaches the last row at the bottom of the scrollbar', () => {
    const top = topRowFromScroll(maxScrollTop(million), million);
    const { last } = visibleRows(top, million);
    assert.equal(last, 999_999);
    assert.equal(visibleRows(topRowFromScroll(0, million), million).first, 0);
  });

  it('maps scroll positions and rows both ways (exact without scaling)', () => {
    for (const row of [0, 1, 12.5, 500_000, 999_980]) {
      assert.ok(Math.abs(topRowFromScroll(scrollFromTopRow(row, million), million) - row) < 1e-6, `row ${row}`);
    }
    assert.equal(topRowFromScroll(22 * 37, small), 37);
  });

  it('reveals a row with the least movement', () => {
    assert.equal(revealTopRow(100, 105, million), 100, 'already visible');
    assert.equal(revealTopRow(100, 50, million), 50, 'above: to the top');
    assert.equal(revealTopRow(100, 200, million), 181, 'below: to the bottom');
    assert.equal(revealTopRow(0, 999_999, million), 999_980);
  });
});

describe('results webview: row cache', () => {
  it('never holds more than its bound, evicting the least recently used block', () => {
    const cache = new RowBlockCache(300);
    const block = (b: number) => Array.from({ length: BLOCK_SIZE }, (_, i) => [String(b * BLOCK_SIZE + i)]);
    for (const b of [0, 1, 2]) cache.put(b, block(b));
    cache.touch(0, 0);
    cache.put(3, block(3));
    assert.equal(cache.size, 300);
    assert.equal(cache.hasBlock(1), false, 'block 1 was least recently used');
    assert.deepEqual(cache.get(0), ['0']);
    assert.deepEqual(cache.get(399), ['399']);
    assert.equal(cache.get(150), undefined);
    assert.deepEqual(cache.loaded().map((r) => r.index).slice(0, 2), [0, 1]);
  });

  it('computes the blocks of a row range, clamped to the result', () => {
    assert.deepEqual(blocksFor(-50, 250, 1_000), { first: 0, last: 2 });
    assert.deepEqual(blocksFor(999_950, 1_000_100, 1_000_000), { first: 9_999, last: 9_999 });
    assert.equal(blocksFor(10, 5, 100), undefined);
  });
});

describe('results webview: keyboard navigation and selection', () => {
  const o = { rows: 1_000_000, columns: 8, pageRows: 20, ctrl: false };
  const table: Array<[string, Parameters<typeof navigate>[1], boolean, { row: number; col: number }]> = [
    ['down', 'ArrowDown', false, { row: 11, col: 3 }],
    ['up', 'ArrowUp', false, { row: 9, col: 3 }],
    ['left', 'ArrowLeft', false, { row: 10, col: 2 }],
    ['right', 'ArrowRight', false, { row: 10, col: 4 }],
    ['home', 'Home', false, { row: 10, col: 0 }],
    ['end', 'End', false, { row: 10, col: 7 }],
    ['ctrl+home', 'Home', true, { row: 0, col: 0 }],
    ['ctrl+end', 'End', true, { row: 999_999, col: 7 }],
    ['page down', 'PageDown', false, { row: 30, col: 3 }],
    ['page up (clamped)', 'PageUp', false, { row: 0, col: 3 }],
    ['ctrl+down', 'ArrowDown', true, { row: 999_999, col: 3 }],
  ];
  for (const [name, key, ctrl, expected] of table) {
    it(`moves ${name}`, () => assert.deepEqual(navigate({ row: 10, col: 3 }, key, { ...o, ctrl }), expected));
  }

  it('extends a rectangle with shift and selects whole rows', () => {
    const s = new GridSelection();
    s.moveTo({ row: 5, col: 1 }, false);
    s.moveTo({ row: 2, col: 3 }, true);
    assert.deepEqual(s.range, { top: 2, bottom: 5, left: 1, right: 3 });
    assert.equal(s.contains(4, 2), true);
    assert.equal(s.contains(6, 2), false);
    s.selectRows(7, 9, 8);
    assert.equal(s.coversRow(8, 8), true);
    assert.equal(s.rowCount, 3);
  });
});

describe('results webview: sort, filter and find over loaded rows', () => {
  const columns: WireColumn[] = [
    { name: 'n', type: 'INTEGER', mode: 'NULLABLE' },
    { name: 's', type: 'STRING', mode: 'NULLABLE' },
  ];
  const rows = [
    { index: 0, row: ['10', 'b'] },
    { index: 1, row: [null, 'NULL'] },
    { index: 2, row: ['9', ''] },
    { index: 3, row: ['-1', 'apple'] },
  ];

  it('sorts numbers by value with NULLs last in both directions', () => {
    assert.deepEqual(buildLocalView(rows, columns, { sort: { column: 0, descending: false } }).map((r) => r.index), [3, 2, 0, 1]);
    assert.deepEqual(buildLocalView(rows, columns, { sort: { column: 0, descending: true } }).map((r) => r.index), [0, 2, 3, 1]);
  });

  it('filters on a column or any column; NULL is not the text "NULL"', () => {
    assert.deepEqual(buildLocalView(rows, columns, { filter: { column: 1, text: 'null' } }).map((r) => r.index), [1]);
    assert.deepEqual(buildLocalView(rows, columns, { filter: { column: 0, text: 'null' } }).map((r) => r.index), [1]);
    assert.deepEqual(buildLocalView(rows, columns, { filter: { column: -1, text: 'P' } }).map((r) => r.index), [3]);
  });

  it('finds cells in reading order', () => {
    assert.deepEqual(findMatches(rows, '1'), [{ row: 0, col: 0 }, { row: 3, col: 0 }]);
    assert.deepEqual(findMatches(rows, ''), []);
  });

  it('compares booleans and text', () => {
    assert.equal(compareCells(false, true, 'BOOLEAN'), -1);
    assert.equal(compareCells('a', 'b', 'STRING'), -1);
    assert.equal(compareCells(null, 'a', 'STRING'), 1);
  });
});

describe('results webview: cell text', () => {
  it('shows controls and direction overrides instead of obeying them', () => {
    assert.equal(cellDisplayText('a\nb\tc'), 'a↵b⇥c');
    assert.equal(cellDisplayText('x\u202Egnp.exe'), 'x⟨U+202E⟩gnp.exe');
    assert.equal(cellDisplayText('\u0007'), '⟨U+0007⟩');
    assert.equal(cellDisplayText('<img src=x onerror=alert(1)>'), '<img src=x onerror=alert(1)>');
  });

  it('shows nested values as compact JSON, cut for the grid, pretty in the cell view', () => {
    assert.equal(cellDisplayText({ a: [1, null], b: 'x' }), '{"a":[1,null],"b":"x"}');
    assert.equal(cellDisplayText('x'.repeat(600)).length, 501);
    assert.equal(detailText({ a: 1 }), '{\n  "a": 1\n}');
    assert.equal(detailText(Number.NaN), 'NaN');
    assert.equal(detailText(null), 'NULL');
  });

  it('labels types', () => {
    assert.equal(typeBadge('INTEGER', 'NULLABLE'), '123');
    assert.equal(typeBadge('RECORD', 'REPEATED'), '[{…}]');
    assert.equal(typeBadge('WEIRD', 'NULLABLE'), 'weir');
  });
});

describe('results webview: chart data', () => {
  const ticks: Array<[number, 'number' | 'time', string, string]> = [
    [2_500_000, 'number', '2.5M', '2,5\u00a0Mio.'],
    [1234.5, 'number', '1,234.5', '1.234,5'],
    // DATE values are read as UTC midnight: the label must not slip to the day before in any zone.
    [Date.parse('2024-01-03'), 'time', 'Jan 3, 2024', '03.01.2024'],
  ];
  for (const [value, kind, inEnglish, inGerman] of ticks) {
    it(`labels the ${kind} tick ${value} as "${inEnglish}" / "${inGerman}"`, () => {
      const west = new Formatter({ locale: 'en-US', timeZone: 'America/Los_Angeles' });
      assert.equal(formatTick(value, kind, west), inEnglish);
      assert.equal(formatTick(value, kind, new Formatter({ locale: 'de-DE', timeZone: 'Pacific/Auckland' })), inGerman);
    });
  }

  const columns: WireColumn[] = [
    { name: 'day', type: 'DATE', mode: 'NULLABLE' },
    { name: 'country', type: 'STRING', mode: 'NULLABLE' },
    { name: 'orders', type: 'INTEGER', mode: 'NULLABLE' },
    { name: 'tags', type: 'STRING', mode: 'REPEATED' },
    { name: 'r', type: 'RECORD', mode: 'NULLABLE' },
  ];

  it('offers scalar columns for x and numeric ones for y', () => {
    assert.deepEqual(chartColumns(columns), { x: [0, 1, 2], y: [2] });
  });

  it('sums bars per category and starts the y axis at zero', () => {
    const m = buildChart('bar', ['NO', 'SE', 'NO', null], [1, 2, 3, null], 'STRING');
    assert.deepEqual(m.categories, ['NO', 'SE']);
    assert.deepEqual(m.points.map((p) => p.y), [4, 2]);
    assert.equal(m.yMin, 0);
    assert.equal(m.skipped, 1);
  });

  it('orders a line over time and skips rows without a value', () => {
    const m = buildChart('line', ['2024-01-03', '2024-01-01', null, '2024-01-02'], [3, 1, 5, 2], 'DATE');
    assert.equal(m.xKind, 'time');
    assert.deepEqual(m.points.map((p) => p.y), [1, 2, 3]);
    assert.equal(m.skipped, 1);
  });

  it('fills an area down to zero, ordered over time', () => {
    const m = buildChart('area', ['2024-01-03', '2024-01-01', '2024-01-02'], [30, 10, 20], 'DATE');
    assert.equal(m.kind, 'area');
    assert.equal(m.xKind, 'time');
    assert.deepEqual(m.points.map((p) => p.y), [10, 20, 30]);
    assert.equal(m.yMin, 0, 'an area starts at zero, or its size lies');
    assert.equal(buildChart('line', ['a', 'b'], [10, 20], 'STRING').yMin, 10, 'a line need not');
  });

  it('sums pie slices per category, largest first, leaves out negative rows and folds the tail into Other', () => {
    const m = buildChart('pie', ['NO', 'SE', 'NO', 'DK', 'FI'], [1, 5, 3, -2, null], 'STRING');
    assert.deepEqual(m.categories, ['SE', 'NO']);
    assert.deepEqual(m.points.map((p) => p.y), [5, 4]);
    assert.equal(m.skipped, 2);
    const many = buildChart('pie', Array.from({ length: 20 }, (_, i) => `c${i}`), Array.from({ length: 20 }, (_, i) => 20 - i), 'STRING');
    assert.equal(many.categories.length, MAX_SLICES);
    assert.equal(many.categories.at(-1), 'Other');
    assert.equal(many.points.reduce((s, p) => s + p.y, 0), 210, 'Other keeps the rest of the total');
    assert.equal(many.truncated, true);
  });

  it('makes round ticks', () => {
    assert.deepEqual(niceTicks(0, 100, 5), [0, 20, 40, 60, 80, 100]);
    assert.deepEqual(niceTicks(0, 1, 4), [0, 0.25, 0.5, 0.75, 1]);
  });
});
