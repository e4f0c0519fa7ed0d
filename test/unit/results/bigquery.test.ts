import * as assert from 'node:assert/strict';
import { AxiosHttpClient } from '../../../src/core/http';
import { CancelledError } from '../../../src/core/errors';
import {
  BigQueryResultSource,
  compileRowDecoder,
  timestampToIso,
  toResultColumns,
  type BigQueryField,
  type BigQueryPageParams,
  type BigQueryRowsResponse,
} from '../../../src/bigquery/rows';
import { ResultError, type CellValue } from '../../../src/results/types';
import { eventRow, eventRowWire, EVENT_FIELDS, httpPageFetcher, startFakeBigQuery } from '../../../bench/results-fixtures';

const ADDR: BigQueryField = {
  name: 'addr',
  type: 'RECORD',
  mode: 'NULLABLE',
  fields: [
    { name: 'city', type: 'STRING', mode: 'NULLABLE' },
    { name: 'zip', type: 'INTEGER', mode: 'NULLABLE' },
  ],
};

/** [case, field, wire value of the cell, decoded value] */
const CELLS: [string, BigQueryField, unknown, CellValue][] = [
  ['STRING', { name: 'c', type: 'STRING' }, 'abc', 'abc'],
  ['STRING empty is not NULL', { name: 'c', type: 'STRING' }, '', ''],
  ['STRING NULL', { name: 'c', type: 'STRING' }, null, null],
  ['STRING unicode', { name: 'c', type: 'STRING' }, 'שלום 👋\nx', 'שלום 👋\nx'],
  ['INTEGER stays a string', { name: 'c', type: 'INTEGER' }, '42', '42'],
  ['INT64 beyond 2^53 keeps every digit', { name: 'c', type: 'INT64' }, '9223372036854775807', '9223372036854775807'],
  ['INTEGER negative', { name: 'c', type: 'INTEGER' }, '-9007199254740993', '-9007199254740993'],
  ['INTEGER NULL', { name: 'c', type: 'INTEGER' }, null, null],
  ['FLOAT', { name: 'c', type: 'FLOAT' }, '1.5', 1.5],
  ['FLOAT64 exponent', { name: 'c', type: 'FLOAT64' }, '1.0E-7', 1e-7],
  ['FLOAT NaN', { name: 'c', type: 'FLOAT' }, 'NaN', NaN],
  ['FLOAT -Infinity', { name: 'c', type: 'FLOAT' }, '-Infinity', -Infinity],
  ['FLOAT NULL', { name: 'c', type: 'FLOAT' }, null, null],
  ['NUMERIC keeps its scale', { name: 'c', type: 'NUMERIC' }, '1.230000000', '1.230000000'],
  ['BIGNUMERIC', { name: 'c', type: 'BIGNUMERIC' }, '123456789012345678901234567890.5', '123456789012345678901234567890.5'],
  ['BOOLEAN true', { name: 'c', type: 'BOOLEAN' }, 'true', true],
  ['BOOL false', { name: 'c', type: 'BOOL' }, 'false', false],
  ['BOOLEAN NULL', { name: 'c', type: 'BOOLEAN' }, null, null],
  ['TIMESTAMP int64 micros', { name: 'c', type: 'TIMESTAMP' }, '1700000000123456', '2023-11-14T22:13:20.123456Z'],
  ['TIMESTAMP whole second', { name: 'c', type: 'TIMESTAMP' }, '1700000000000000', '2023-11-14T22:13:20Z'],
  ['TIMESTAMP float seconds', { name: 'c', type: 'TIMESTAMP' }, '1.700000000123456E9', '2023-11-14T22:13:20.123456Z'],
  ['TIMESTAMP before 1970', { name: 'c', type: 'TIMESTAMP' }, '-1', '1969-12-31T23:59:59.999999Z'],
  ['TIMESTAMP year 9999 (beyond 2^53 µs)', { name: 'c', type: 'TIMESTAMP' }, '253402300799999999', '9999-12-31T23:59:59.999999Z'],
  ['TIMESTAMP NULL', { name: 'c', type: 'TIMESTAMP' }, null, null],
  ['DATE', { name: 'c', type: 'DATE' }, '2024-01-31', '2024-01-31'],
  ['DATETIME', { name: 'c', type: 'DATETIME' }, '2024-01-31T10:00:00.5', '2024-01-31T10:00:00.5'],
  ['TIME', { name: 'c', type: 'TIME' }, '23:59:59.999999', '23:59:59.999999'],
  ['BYTES stay base64', { name: 'c', type: 'BYTES' }, 'AAH/', 'AAH/'],
  ['JSON stays its text', { name: 'c', type: 'JSON' }, '{"a":12345678901234567890}', '{"a":12345678901234567890}'],
  ['GEOGRAPHY', { name: 'c', type: 'GEOGRAPHY' }, 'POINT(10 59)', 'POINT(10 59)'],
  ['unknown type reads as text', { name: 'c', type: 'SOMETHING_NEW' }, 'x', 'x'],
  ['REPEATED STRING', { name: 'c', type: 'STRING', mode: 'REPEATED' }, [{ v: 'x' }, { v: '' }, { v: null }], ['x', '', null]],
  ['REPEATED empty', { name: 'c', type: 'INTEGER', mode: 'REPEATED' }, [], []],
  ['REPEATED NULL is empty (BigQuery has no NULL arrays)', { name: 'c', type: 'STRING', mode: 'REPEATED' }, null, []],
  ['REPEATED INTEGER keeps precision', { name: 'c', type: 'INTEGER', mode: 'REPEATED' }, [{ v: '9007199254740993' }], ['9007199254740993']],
  ['RECORD', ADDR, { f: [{ v: 'Oslo' }, { v: '0150' }] }, { city: 'Oslo', zip: '0150' }],
  ['RECORD NULL', ADDR, null, null],
  ['RECORD with NULL and empty fields', ADDR, { f: [{ v: '' }, { v: null }] }, { city: '', zip: null }],
  [
    'STRUCT nested in STRUCT',
    { name: 'c', type: 'STRUCT', fields: [{ name: 'inner', type: 'RECORD', fields: [{ name: 't', type: 'TIMESTAMP' }] }] },
    { f: [{ v: { f: [{ v: '0' }] } }] },
    { inner: { t: '1970-01-01T00:00:00Z' } },
  ],
  [
    'REPEATED RECORD',
    { ...ADDR, mode: 'REPEATED' },
    [{ v: { f: [{ v: 'Oslo' }, { v: '1' }] } }, { v: { f: [{ v: null }, { v: '2' }] } }],
    [{ city: 'Oslo', zip: '1' }, { city: null, zip: '2' }],
  ],
  [
    'RECORD holding a REPEATED field',
    { name: 'c', type: 'RECORD', fields: [{ name: 'tags', type: 'STRING', mode: 'REPEATED' }] },
    { f: [{ v: [{ v: 'a' }, { v: 'b' }] }] },
    { tags: ['a', 'b'] },
  ],
];

describe('BigQuery cell decoding', () => {
  for (const [name, field, wire, expected] of CELLS) {
    it(name, () => {
      const decode = compileRowDecoder(toResultColumns([field]));
      const [value] = decode({ f: [{ v: wire }] });
      assert.deepEqual(value, expected);
    });
  }

  it('decodes the reference response of service-apis.md §1.3', () => {
    const fields: BigQueryField[] = [
      { name: 'id', type: 'INTEGER', mode: 'NULLABLE' },
      { name: 'name', type: 'STRING', mode: 'NULLABLE' },
      { name: 'ts', type: 'TIMESTAMP', mode: 'NULLABLE' },
      { name: 'tags', type: 'STRING', mode: 'REPEATED' },
      { name: 'addr', type: 'RECORD', mode: 'NULLABLE', fields: [{ name: 'city', type: 'STRING', mode: 'NULLABLE' }] },
    ];
    const decode = compileRowDecoder(toResultColumns(fields));
    assert.deepEqual(decode({ f: [{ v: '1' }, { v: 'a' }, { v: '1700000000000000' }, { v: [{ v: 'x' }, { v: 'y' }] }, { v: { f: [{ v: 'Oslo' }] } }] }), [
      '1', 'a', '2023-11-14T22:13:20Z', ['x', 'y'], { city: 'Oslo' },
    ]);
    assert.deepEqual(decode({ f: [{ v: '2' }, { v: null }, { v: null }, { v: [] }, { v: null }] }), ['2', null, null, [], null]);
  });

  it('maps the schema: aliases normalized, modes defaulted, nested fields kept', () => {
    assert.deepEqual(toResultColumns([{ name: 's', type: 'STRUCT', fields: [{ name: 'n', type: 'INT64' }] }, { name: 'b', type: 'BOOL', mode: 'REQUIRED' }]), [
      { name: 's', type: 'RECORD', mode: 'NULLABLE', fields: [{ name: 'n', type: 'INTEGER', mode: 'NULLABLE' }] },
      { name: 'b', type: 'BOOLEAN', mode: 'REQUIRED' },
    ]);
  });

  it('rejects a row whose cell count does not match the schema with a typed error', () => {
    const decode = compileRowDecoder(toResultColumns([{ name: 'a', type: 'STRING' }, { name: 'b', type: 'STRING' }]));
    assert.throws(() => decode({ f: [{ v: 'x' }] }), (e: unknown) => ResultError.is(e, 'badResponse'));
  });

  const TIMESTAMPS: [string, string][] = [
    ['0', '1970-01-01T00:00:00Z'],
    ['1', '1970-01-01T00:00:00.000001Z'],
    ['1000', '1970-01-01T00:00:00.001000Z'],
    ['-62135596800000000', '0001-01-01T00:00:00Z'],
    ['1.7E9', '2023-11-14T22:13:20Z'],
    ['1.5E-5', '1970-01-01T00:00:00.000015Z'],
    ['not a time', 'not a time'],
  ];
  for (const [wire, iso] of TIMESTAMPS) {
    it(`timestamp ${wire} → ${iso}`, () => assert.equal(timestampToIso(wire), iso));
  }
});

/** A fetcher over an in-memory result that records what it was asked. */
function memoryFetcher(total: number, cap = Infinity) {
  const calls: BigQueryPageParams[] = [];
  const fetch = async (params: BigQueryPageParams): Promise<BigQueryRowsResponse> => {
    calls.push(params);
    const start = params.pageToken ? Number(params.pageToken.slice(1)) : params.startIndex ?? 0;
    const end = Math.min(total, start + Math.min(params.maxResults, cap));
    const rows = [];
    for (let i = start; i < end; i++) rows.push(eventRowWire(i));
    return { schema: { fields: EVENT_FIELDS }, rows, totalRows: String(total), ...(end < total ? { pageToken: `t${end}` } : {}) };
  };
  return { calls, fetch };
}

describe('BigQueryResultSource', () => {
  it('opens with the first page, hands it to page 0 without a second request, then follows the page token', async () => {
    const f = memoryFetcher(250);
    const source = await BigQueryResultSource.open({ fetchPage: f.fetch, pageSize: 100 });
    assert.equal(source.totalRows, 250);
    assert.equal(source.access, 'random');
    assert.deepEqual(source.columns.map((c) => c.type), ['INTEGER', 'STRING', 'STRING', 'STRING', 'TIMESTAMP', 'FLOAT', 'STRING', 'BOOLEAN']);
    const p0 = await source.fetchPage(0);
    assert.equal(f.calls.length, 1);
    assert.equal(p0.rows.length, 100);
    assert.deepEqual(p0.rows[7], eventRow(7));
    const p1 = await source.fetchPage(1);
    assert.deepEqual(f.calls[1], { pageToken: 't100', maxResults: 100 });
    assert.deepEqual(p1.rows[0], eventRow(100));
    const p2 = await source.fetchPage(2);
    assert.equal(p2.rows.length, 50);
    assert.equal(p2.last, true);
    assert.equal(p1.last, false);
  });

  it('jumps by startIndex when it has no token for the offset', async () => {
    const f = memoryFetcher(1000);
    const source = await BigQueryResultSource.open({ fetchPage: f.fetch, pageSize: 100 });
    const p7 = await source.fetchPage(7);
    assert.deepEqual(f.calls[1], { startIndex: 700, maxResults: 100 });
    assert.equal(p7.startIndex, 700);
    assert.deepEqual(p7.rows[99], eventRow(799));
  });

  it('fills a page when BigQuery answers with fewer rows than asked (response size cap)', async () => {
    const f = memoryFetcher(1000, 30);
    const source = await BigQueryResultSource.open({ fetchPage: f.fetch, pageSize: 100 });
    const p0 = await source.fetchPage(0);
    assert.equal(p0.rows.length, 100);
    assert.deepEqual(p0.rows.map((r) => r[0]), Array.from({ length: 100 }, (_, i) => String(i)));
    assert.deepEqual(f.calls.slice(1).map((c) => c.pageToken), ['t30', 't60', 't90']);
    assert.equal(f.calls[3].maxResults, 10);
  });

  it('uses the response the query call already returned, trimming it to the page size', async () => {
    const f = memoryFetcher(500);
    const first = await f.fetch({ maxResults: 150 });
    f.calls.length = 0;
    const source = await BigQueryResultSource.open({ fetchPage: f.fetch, pageSize: 100, first });
    const p0 = await source.fetchPage(0);
    assert.equal(p0.rows.length, 100);
    assert.equal(f.calls.length, 0);
    await source.fetchPage(1);
    assert.deepEqual(f.calls[0], { startIndex: 100, maxResults: 100 }); // the token pointed at row 150, not 100
  });

  it('handles an empty result and a result that ends early without spinning', async () => {
    const empty = await BigQueryResultSource.open({ fetchPage: async () => ({ schema: { fields: EVENT_FIELDS }, totalRows: '0' }), pageSize: 10 });
    assert.deepEqual(await empty.fetchPage(0), { rows: [], startIndex: 0, last: true });
    let calls = 0;
    const short = await BigQueryResultSource.open({
      fetchPage: async () => (calls++ === 0 ? { schema: { fields: EVENT_FIELDS }, totalRows: '100', rows: [eventRowWire(0)] } : { totalRows: '100', rows: [] }),
      pageSize: 10,
    });
    const p0 = await short.fetchPage(0);
    assert.equal(p0.rows.length, 1);
    assert.equal(p0.last, true);
  });

  it('rejects a response without a schema, and stops when cancelled', async () => {
    await assert.rejects(BigQueryResultSource.open({ fetchPage: async () => ({ rows: [] }), pageSize: 10 }), (e: unknown) => ResultError.is(e, 'badResponse'));
    const f = memoryFetcher(100);
    const source = await BigQueryResultSource.open({ fetchPage: f.fetch, pageSize: 10 });
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(source.fetchPage(3, ac.signal), (e: unknown) => CancelledError.is(e));
  });

  it('pages a loopback getQueryResults endpoint end to end through AxiosHttpClient', async () => {
    const server = await startFakeBigQuery({ totalRows: 2_345, maxRowsPerResponse: 400 });
    try {
      const fetchPage = httpPageFetcher(new AxiosHttpClient(), server.url);
      const source = await BigQueryResultSource.open({ fetchPage, pageSize: 1000 });
      let seen = 0;
      for (let i = 0; ; i++) {
        const page = await source.fetchPage(i);
        for (const [k, row] of page.rows.entries()) assert.deepEqual(row, eventRow(page.startIndex + k));
        seen += page.rows.length;
        if (page.last) break;
      }
      assert.equal(seen, 2_345);
      assert.equal(server.requests[0].get('formatOptions.useInt64Timestamp'), 'true');
      assert.ok(server.requests.slice(1).every((q) => q.has('pageToken')), 'a sequential read follows page tokens');
    } finally {
      await server.close();
    }
  });
});
