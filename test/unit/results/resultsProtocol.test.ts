import * as assert from 'node:assert/strict';
import { validateHostMessage, validatePanelViewState, validateRestoreState, validateWebviewMessage } from '../../../src/results/resultsProtocol';

const state = { resultId: 3, topRow: 12.5, scrollLeft: 0, columnWidths: [120, 80], tab: 'grid' };

describe('results protocol: messages from the webview (validated by the host)', () => {
  const good: Array<[string, unknown]> = [
    ['ready', { type: 'ready', version: 1 }],
    ['requestRows', { type: 'requestRows', requestId: 7, start: 999_900, count: 100 }],
    ['cancelRows', { type: 'cancelRows', requestIds: [1, 2] }],
    ['painted', { type: 'painted', resultId: 1, start: 0, count: 40 }],
    ['copy range', { type: 'copy', format: 'tsv', header: false, selection: { kind: 'range', startRow: 0, endRow: 9, columns: [0, 1] } }],
    ['copy rows', { type: 'copy', format: 'markdown', header: true, selection: { kind: 'rows', rows: [5, 2, 9], columns: [3] } }],
    ['export', { type: 'export', format: 'jsonl' }],
    ['cancelExport', { type: 'cancelExport' }],
    ['cancel', { type: 'cancel' }],
    ['openJobUrl', { type: 'openJobUrl' }],
    ['saveState', { type: 'saveState', state: { ...state, sort: { column: 1, descending: true }, filter: { column: -1, text: 'x' }, chart: { kind: 'line', x: 0, y: 1 }, active: { row: 4, column: 1 } } }],
    ['requestChart', { type: 'requestChart', requestId: 1, x: 0, y: 1, limit: 5_000 }],
  ];
  for (const [name, message] of good) {
    it(`accepts ${name}`, () => {
      const r = validateWebviewMessage(message);
      assert.ok(r.ok, r.ok ? '' : r.error);
      assert.deepEqual(r.message, message);
    });
  }

  const bad: Array<[string, unknown]> = [
    ['not an object', 'ready'],
    ['null', null],
    ['an array', [{ type: 'ready' }]],
    ['an unknown type', { type: 'eval', code: 'alert(1)' }],
    ['a prototype key as type', { type: '__proto__' }],
    ['a host message type', { type: 'rows', requestId: 1, start: 0, rows: [] }],
    ['an extra key', { type: 'cancel', url: 'https://evil.example' }],
    ['openJobUrl carrying a URL', { type: 'openJobUrl', url: 'javascript:alert(1)' }],
    ['a negative start', { type: 'requestRows', requestId: 1, start: -1, count: 10 }],
    ['a fractional start', { type: 'requestRows', requestId: 1, start: 1.5, count: 10 }],
    ['too many rows at once', { type: 'requestRows', requestId: 1, start: 0, count: 1_000_000 }],
    ['zero rows', { type: 'requestRows', requestId: 1, start: 0, count: 0 }],
    ['a string count', { type: 'requestRows', requestId: 1, start: 0, count: '10' }],
    ['NaN start', { type: 'requestRows', requestId: 1, start: Number.NaN, count: 10 }],
    ['an unknown copy format', { type: 'copy', format: 'html', header: true, selection: { kind: 'range', startRow: 0, endRow: 0, columns: [0] } }],
    ['a reversed range', { type: 'copy', format: 'csv', header: true, selection: { kind: 'range', startRow: 5, endRow: 1, columns: [0] } }],
    ['an unknown selection kind', { type: 'copy', format: 'csv', header: true, selection: { kind: 'all' } }],
    ['an export to a path', { type: 'export', format: 'csv', path: '/etc/passwd' }],
    ['an unknown export format', { type: 'export', format: 'xlsx' }],
    ['a state with a bad tab', { type: 'saveState', state: { ...state, tab: 'html' } }],
    ['a state with a negative top row', { type: 'saveState', state: { ...state, topRow: -3 } }],
    ['a chart over too many rows', { type: 'requestChart', requestId: 1, x: 0, y: 1, limit: 10_000_000 }],
    ['a class instance', { type: 'ready', version: new Number(1) }],
  ];
  for (const [name, message] of bad) {
    it(`rejects ${name}`, () => {
      const r = validateWebviewMessage(message);
      assert.equal(r.ok, false);
    });
  }
});

describe('results protocol: messages from the host (validated by the webview)', () => {
  const columns = [{ name: '<img src=x>', type: 'STRING', mode: 'NULLABLE' }, { name: 'r', type: 'RECORD', mode: 'REPEATED', fields: [{ name: 'a', type: 'INTEGER', mode: 'NULLABLE' }] }];
  const good: Array<[string, unknown]> = [
    ['running', { type: 'running', title: 't', origin: 'o', message: 'Running', startedAt: 1 }],
    ['error', { type: 'error', title: 't', origin: 'o', message: '<b>no</b>', nextStep: 'retry' }],
    ['cancelled', { type: 'cancelled', title: 't', origin: 'o', message: 'Cancelled.' }],
    ['init with the service’s chart', { type: 'init', resultId: 2, title: 't', origin: 'o', columns, totalRows: 1, stats: { chart: { kind: 'area', requested: 'looker_area', exact: true } }, loadedRows: 0 }],
    ['init with what brings it back after a reload', { type: 'init', resultId: 4, title: 't', origin: 'o', columns, totalRows: 1, stats: {}, loadedRows: 0, restore: { kind: 'bigquery-job', title: 't', origin: 'o', data: { projectId: 'p', jobId: 'j' } } }],
    ['init drawn as a table by the service', { type: 'init', resultId: 3, title: 't', origin: 'o', columns, totalRows: 1, stats: { chart: { requested: 'table', exact: true } }, loadedRows: 0 }],
    ['init', { type: 'init', resultId: 1, title: 't', origin: 'o', columns, totalRows: 1_000_000, stats: { jobId: 'j', hasJobUrl: true, bytesProcessed: 10, cacheHit: false, timeToFirstRowMs: 12.5, extra: { Look: 'x' } }, loadedRows: 0, panelState: state }],
    ['init of unknown size', { type: 'init', resultId: 1, title: 't', origin: 'o', columns, totalRows: null, stats: {}, loadedRows: 0 }],
    ['rows with every cell kind', { type: 'rows', requestId: 1, start: 0, rows: [[null, '', 'x', 1.5, Number.NaN, Infinity, true, ['a', null], { a: { b: [1] } }]] }],
    ['rowsFailed', { type: 'rowsFailed', requestId: 1, message: 'gone' }],
    ['progress', { type: 'progress', loadedRows: 5, totalRows: null }],
    ['exportProgress', { type: 'exportProgress', format: 'csv', state: 'running', rowsWritten: 10, totalRows: 100 }],
    ['chartData', { type: 'chartData', requestId: 2, xs: ['a', 1, null], ys: [1, null, 3], totalRows: 3 }],
    ['notice', { type: 'notice', message: 'Copied' }],
    ['scrollTo', { type: 'scrollTo', row: 999_999 }],
  ];
  for (const [name, message] of good) {
    it(`accepts ${name}`, () => {
      const r = validateHostMessage(message);
      assert.ok(r.ok, r.ok ? '' : r.error);
    });
  }

  let deep: unknown = 'x';
  for (let i = 0; i < 100; i++) deep = [deep];
  let deepColumn: Record<string, unknown> = { name: 'x', type: 'STRING', mode: 'NULLABLE' };
  for (let i = 0; i < 40; i++) deepColumn = { name: 'r', type: 'RECORD', mode: 'NULLABLE', fields: [deepColumn] };
  const bad: Array<[string, unknown]> = [
    ['a webview message', { type: 'ready', version: 1 }],
    ['rows with a function', { type: 'rows', requestId: 1, start: 0, rows: [[() => 1]] }],
    ['rows with undefined', { type: 'rows', requestId: 1, start: 0, rows: [[undefined]] }],
    ['rows with a Date', { type: 'rows', requestId: 1, start: 0, rows: [[new Date()]] }],
    ['rows nested too deep', { type: 'rows', requestId: 1, start: 0, rows: [[deep]] }],
    ['too many rows', { type: 'rows', requestId: 1, start: 0, rows: Array.from({ length: 1_001 }, () => []) }],
    ['rows not arrays', { type: 'rows', requestId: 1, start: 0, rows: ['<img src=x>'] }],
    ['init without columns', { type: 'init', resultId: 1, title: 't', origin: 'o', totalRows: 1, stats: {}, loadedRows: 0 }],
    ['init with a column without a name', { type: 'init', resultId: 1, title: 't', origin: 'o', columns: [{ type: 'STRING', mode: 'NULLABLE' }], totalRows: 1, stats: {}, loadedRows: 0 }],
    ['init with a schema nested too deep', { type: 'init', resultId: 1, title: 't', origin: 'o', columns: [deepColumn], totalRows: 1, stats: {}, loadedRows: 0 }],
    ['stats carrying a job URL', { type: 'stats', stats: { jobUrl: 'javascript:alert(1)' } }],
    ['stats with negative bytes', { type: 'stats', stats: { bytesProcessed: -1 } }],
    ['init with a restore kind that is not a name', { type: 'init', resultId: 1, title: 't', origin: 'o', columns, totalRows: 1, stats: {}, loadedRows: 0, restore: { kind: 'Bad Kind!', title: 't', origin: 'o', data: {} } }],
    ['init with restore data that is not text', { type: 'init', resultId: 1, title: 't', origin: 'o', columns, totalRows: 1, stats: {}, loadedRows: 0, restore: { kind: 'bigquery-job', title: 't', origin: 'o', data: { jobId: 1 } } }],
    ['stats with an unknown chart kind', { type: 'stats', stats: { chart: { kind: 'donut<script>', requested: 'x', exact: true } } }],
    ['stats with a chart hint without its name', { type: 'stats', stats: { chart: { kind: 'bar', exact: true } } }],
    ['a message with a huge title', { type: 'notice', message: 'x'.repeat(20_000) }],
    ['scrollTo a negative row', { type: 'scrollTo', row: -1 }],
  ];
  for (const [name, message] of bad) {
    it(`rejects ${name}`, () => {
      const r = validateHostMessage(message);
      assert.equal(r.ok, false);
    });
  }
});

describe('results protocol: saved view state', () => {
  it('reads back a valid state and ignores anything else', () => {
    assert.deepEqual(validatePanelViewState(state), state);
    assert.equal(validatePanelViewState(undefined), undefined);
    assert.equal(validatePanelViewState({ ...state, columnWidths: ['120px'] }), undefined);
    assert.equal(validatePanelViewState({ ...state, extra: 1 }), undefined);
  });
});

describe('results protocol: the state VS Code hands back after a reload (validated by the host)', () => {
  const good = { kind: 'bigquery-job', title: 'orders_by_day.sql', origin: 'BigQuery · p', data: { projectId: 'gatehouse-demo', jobId: 'gatehouse_1' } };
  // The validator builds its records without a prototype: compare as JSON.
  it('reads the restore key of a saved state', () => assert.deepEqual(JSON.parse(JSON.stringify(validateRestoreState({ v: 1, view: {}, restore: good }))), good));
  const bad: Array<[string, unknown]> = [
    ['no state', undefined],
    ['null', null],
    ['no restore key', { v: 1, view: {} }],
    ['a kind with markup', { restore: { ...good, kind: '<img src=x>' } }],
    ['too many data keys', { restore: { ...good, data: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'v'])) } }],
    ['an extra field', { restore: { ...good, token: 'secret' } }],
    ['a huge title', { restore: { ...good, title: 'x'.repeat(5_000) } }],
  ];
  for (const [name, state] of bad) it(`ignores ${name}`, () => assert.equal(validateRestoreState(state), undefined));
});
