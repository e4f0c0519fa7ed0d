// The streaming scanner against JSON.parse: same entries whatever the chunking, and damage told apart.
import assert from 'node:assert/strict';
import { JsonScanError, ManifestJsonScanner, type ScanFailure } from '../../../src/dbt/jsonScanner';

const DOC = JSON.stringify({
  metadata: { dbt_schema_version: 'https://schemas.getdbt.com/dbt/manifest/v12.json', n: -1.5e3, ok: true, none: null },
  nodes: {
    'model.a.x': { code: 'select "quoted" \\ from t -- \u00e9\u4e2d', deps: [1, [2, { k: '}' }]], esc: '\\"' },
    'model.a.\\"odd key\\"': {},
    'model.a.\u00e9': { v: '\\\\' },
  },
  macros: { m1: { s: '{' }, m2: {} },
  version: 7,
  flag: false,
});

function scan(text: string, chunk: number): { entries: [string, string, unknown][]; captured: Record<string, unknown> } {
  const entries: [string, string, unknown][] = [];
  const captured: Record<string, unknown> = {};
  const scanner = new ManifestJsonScanner({
    topLevelKey: (key) => (key === 'nodes' ? 'entries' : key === 'macros' ? 'spans' : 'capture'),
    topLevelValue: (key, json) => void (captured[key] = JSON.parse(json!.toString('utf8'))),
    entry: (section, key, json, start, end) => {
      const bytes = Buffer.from(text).subarray(start, end);
      if (json) assert.deepEqual(json, bytes);
      entries.push([section, key, JSON.parse(bytes.toString('utf8'))]);
    },
  });
  const buf = Buffer.from(text);
  for (let i = 0; i < buf.length; i += chunk) scanner.feed(buf.subarray(i, i + chunk));
  scanner.end();
  return { entries, captured };
}

function failure(text: string, chunk = 3): ScanFailure | 'ok' {
  try {
    scan(text, chunk);
    return 'ok';
  } catch (e) {
    if (e instanceof JsonScanError) return e.failure;
    throw e;
  }
}

describe('ManifestJsonScanner', () => {
  const parsed = JSON.parse(DOC);
  for (const chunk of [1, 2, 3, 5, 64, 1 << 20]) {
    it(`finds the same entries and values as JSON.parse with ${chunk}-byte chunks`, () => {
      const { entries, captured } = scan(DOC, chunk);
      assert.deepEqual(
        entries.filter(([s]) => s === 'nodes').map(([, k, v]) => [k, v]),
        Object.entries(parsed.nodes),
      );
      assert.deepEqual(entries.filter(([s]) => s === 'macros').map(([, k]) => k), ['m1', 'm2']);
      assert.deepEqual(captured, { metadata: parsed.metadata, version: 7, flag: false });
    });
  }

  const cases: [string, string, ScanFailure | 'ok'][] = [
    ['empty input', '', 'empty'],
    ['whitespace', ' \n ', 'empty'],
    ['an empty object', '{}', 'ok'],
    ['every proper prefix', '', 'truncated'], // expanded below
    ['an array', '[1]', 'notAnObject'],
    ['a number', '12', 'notAnObject'],
    ['garbage', 'hello', 'invalidJson'],
    ['a missing colon', '{"a" 1}', 'invalidJson'],
    ['a trailing comma', '{"a":1,}', 'invalidJson'],
    ['mismatched brackets', '{"a":[1}', 'invalidJson'],
    ['a bad literal', '{"a":tru}', 'invalidJson'],
    ['a stray character deep inside', '{"a":{"b":[1,#]}}', 'invalidJson'],
    ['text after the end', '{"a":1} x', 'invalidJson'],
  ];
  for (const [label, text, expected] of cases) {
    if (label === 'every proper prefix') {
      it('reports every proper prefix of a document as truncated', () => {
        for (let i = 1; i < DOC.length; i++) assert.equal(failure(DOC.slice(0, i)), 'truncated', `prefix ${i}: ${DOC.slice(Math.max(0, i - 10), i)}`);
      });
    } else {
      it(`${label} -> ${expected}`, () => assert.equal(failure(text), expected));
    }
  }
});
