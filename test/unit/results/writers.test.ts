import * as assert from 'node:assert/strict';
import { createRowWriter, formatRows, needsFormulaEscape } from '../../../src/results/writers';
import type { ResultColumn, ResultRow } from '../../../src/results/types';

const col = (name: string, type: ResultColumn['type'] = 'STRING', mode: ResultColumn['mode'] = 'NULLABLE'): ResultColumn => ({ name, type, mode });
const S = col('s');
const csvCell = (value: ResultRow[number], column: ResultColumn = S, options = {}) =>
  formatRows('csv', [column], [[value]], { header: false, ...options }).slice(0, -2);

describe('CSV quoting (RFC 4180)', () => {
  const cases: [string, ResultRow[number], string][] = [
    ['plain text', 'abc', 'abc'],
    ['comma', 'a,b', '"a,b"'],
    ['double quote doubled', 'say "hi"', '"say ""hi"""'],
    ['LF inside', 'a\nb', '"a\nb"'],
    ['CRLF inside', 'a\r\nb', '"a\r\nb"'],
    ['empty string is a quoted empty field', '', '""'],
    ['NULL is an empty unquoted field', null, ''],
    ['number', 1.5, '1.5'],
    ['boolean', false, 'false'],
    ['NaN', NaN, 'NaN'],
    ['emoji and RTL pass through unquoted', 'שלום 👋🏽 مرحبا', 'שלום 👋🏽 مرحبا'],
    ['nested record as JSON (quoted: it has quotes and commas)', { city: 'Oslo', zip: null, n: ['1', '2'] }, '"{""city"":""Oslo"",""zip"":null,""n"":[""1"",""2""]}"'],
    ['nested NaN as a JSON string', [NaN, 1], '"[""NaN"",1]"'],
    ['leading and trailing spaces kept', '  x  ', '  x  '],
  ];
  for (const [name, value, expected] of cases) {
    it(name, () => assert.equal(csvCell(value), expected));
  }

  it('writes a header, CRLF line ends, and NULL distinct from empty in a whole table', () => {
    const out = formatRows('csv', [col('id', 'INTEGER'), col('name'), col('note')], [
      ['1', 'a', null],
      ['2', '', 'x'],
    ]);
    assert.equal(out, 'id,name,note\r\n1,a,\r\n2,"",x\r\n');
  });

  it('writes a NULL marker when asked, and quotes a string equal to it', () => {
    assert.equal(csvCell(null, S, { nullText: 'NULL' }), 'NULL');
    assert.equal(csvCell('NULL', S, { nullText: 'NULL' }), '"NULL"');
    assert.equal(csvCell('', S, { nullText: '\\N' }), '""');
    assert.equal(csvCell(null, S, { nullText: '\\N' }), '\\N');
  });

  it('starts with a UTF-8 BOM only when asked', () => {
    const w = createRowWriter('csv', [S], { bom: true });
    assert.equal(w.begin(), '\uFEFFs\r\n');
    assert.equal(createRowWriter('csv', [S]).begin(), 's\r\n');
    assert.equal(formatRows('csv', [S], [], { bom: true }), 's\r\n', 'never on the clipboard');
  });
});

describe('formula injection escaping', () => {
  const INT = col('n', 'INTEGER');
  const FLOAT = col('f', 'FLOAT');
  const NUM = col('d', 'NUMERIC');
  const INTS = col('ns', 'INTEGER', 'REPEATED');
  /** [case, value, column, CSV cell with escaping on] */
  const cases: [string, ResultRow[number], ResultColumn, string][] = [
    ['= formula', '=HYPERLINK("http://evil","x")', S, `"'=HYPERLINK(""http://evil"",""x"")"`],
    ['+ formula', '+1+cmd|/C calc!A0', S, `'+1+cmd|/C calc!A0`],
    ['- formula', '-2+3', S, `'-2+3`],
    ['@ formula', '@SUM(A1:A9)', S, `'@SUM(A1:A9)`],
    ['leading tab', '\t=1', S, `'\t=1`],
    ['leading CR', '\r=1', S, `"'\r=1"`],
    ['negative-looking text in a STRING column is escaped', '-5', S, `'-5`],
    ['negative INTEGER is a number, not escaped', '-42', INT, '-42'],
    ['negative FLOAT number', -1.5, FLOAT, '-1.5'],
    ['negative FLOAT in exponent form', -1e-7, FLOAT, '-1e-7'],
    ['negative NUMERIC string', '-0.500', NUM, '-0.500'],
    ['-Infinity is not a plain number', -Infinity, FLOAT, `'-Infinity`],
    ['formula text in an INTEGER column (a bad adapter) is still escaped', '-1+2', INT, `'-1+2`],
    ['a REPEATED numeric renders as JSON and is safe', ['-1'], INTS, '"[""-1""]"'],
    ['= in the middle is harmless', 'a=b', S, 'a=b'],
    ['leading space then = is not a formula', ' =1', S, ' =1'],
    ['empty string', '', S, '""'],
  ];
  for (const [name, value, column, expected] of cases) {
    it(name, () => assert.equal(csvCell(value, column), expected));
  }

  it('escapes the header too, and can be turned off', () => {
    assert.equal(formatRows('csv', [col('=cmd')], [['=1']]), `'=cmd\r\n'=1\r\n`);
    assert.equal(formatRows('csv', [col('=cmd')], [['=1']], { escapeFormulas: false }), `=cmd\r\n=1\r\n`);
  });

  it('applies to TSV (pasted into a spreadsheet) but not to JSON or Markdown', () => {
    assert.equal(formatRows('tsv', [S], [['=1']], { header: false }), `'=1\r\n`);
    assert.equal(formatRows('jsonl', [S], [['=1']]), '{"s":"=1"}\n');
    assert.match(formatRows('markdown', [S], [['=1']]), /\| =1 \|/);
  });

  it('needsFormulaEscape is the documented predicate', () => {
    assert.equal(needsFormulaEscape('-3'), true);
    assert.equal(needsFormulaEscape('-3', INT), false);
    assert.equal(needsFormulaEscape('3'), false);
    assert.equal(needsFormulaEscape(''), false);
  });
});

describe('TSV', () => {
  it('separates by tab, quotes tabs/newlines/quotes, keeps NULL distinct from empty', () => {
    const out = formatRows('tsv', [col('a'), col('b'), col('c')], [['x\ty', 'line1\nline2', null], ['', 'say "q"', 'ok']]);
    assert.equal(out, 'a\tb\tc\r\n"x\ty"\t"line1\nline2"\t\r\n""\t"say ""q"""\tok\r\n');
  });
});

describe('JSON Lines and JSON', () => {
  const cols = [col('id', 'INTEGER'), col('name'), col('f', 'FLOAT'), col('ok', 'BOOLEAN'), { name: 'addr', type: 'RECORD', mode: 'NULLABLE', fields: [col('city')] } as ResultColumn, col('tags', 'STRING', 'REPEATED')];
  const rows: ResultRow[] = [
    ['9007199254740993', '', 0.1, true, { city: 'Tromsø' }, ['a', 'b']],
    [null, null, Infinity, null, null, []],
    ['3', 'line\n"q"\u2028 👋', NaN, false, { city: null }, ['']],
  ];

  it('JSON Lines: one object per line, INT64 as a string, NULL as null, non-finite floats as strings', () => {
    const out = formatRows('jsonl', cols, rows);
    const lines = out.split('\n');
    assert.equal(lines.length, 4);
    assert.equal(lines[3], '');
    assert.deepEqual(lines.slice(0, 3).map((l) => JSON.parse(l)), [
      { id: '9007199254740993', name: '', f: 0.1, ok: true, addr: { city: 'Tromsø' }, tags: ['a', 'b'] },
      { id: null, name: null, f: 'Infinity', ok: null, addr: null, tags: [] },
      { id: '3', name: 'line\n"q"\u2028 👋', f: 'NaN', ok: false, addr: { city: null }, tags: [''] },
    ]);
  });

  it('JSON: a valid array across several pages, and for an empty result', () => {
    const w = createRowWriter('json', cols);
    const out = w.begin() + w.rows(rows.slice(0, 1)) + w.rows([]) + w.rows(rows.slice(1)) + w.end();
    assert.deepEqual(JSON.parse(out).map((r: { id: unknown }) => r.id), ['9007199254740993', null, '3']);
    assert.equal(formatRows('json', cols, []), '[]\n');
    assert.deepEqual(JSON.parse(formatRows('json', cols, [])), []);
  });

  it('keeps column order for index-like names and __proto__, and NaN nested in a record', () => {
    assert.equal(formatRows('jsonl', [col('b'), col('1'), col('__proto__')], [['x', 'y', 'z']]), '{"b":"x","1":"y","__proto__":"z"}\n');
    const rec = { name: 'r', type: 'RECORD', mode: 'NULLABLE', fields: [col('v', 'FLOAT')] } as ResultColumn;
    assert.equal(formatRows('jsonl', [rec], [[{ v: NaN }], [{ v: 2 }]]), '{"r":{"v":"NaN"}}\n{"r":{"v":2}}\n');
  });

  it('makes duplicate column names unique as keys', () => {
    assert.equal(formatRows('jsonl', [col('id'), col('id'), col('id_2'), col('id')], [['a', 'b', 'c', 'd']]), '{"id":"a","id_2":"b","id_2_2":"c","id_3":"d"}\n');
  });
});

describe('Markdown', () => {
  it('escapes pipes and markup, turns newlines into <br>, shows NULL distinct from empty and from the text *NULL*', () => {
    const out = formatRows('markdown', [col('a|b'), col('c')], [
      ['x|y', null],
      ['', '*NULL*'],
      ['l1\r\nl2\nl3', '<b>[link](u)</b> `c` _i_ \\'],
      [{ k: 'v' }, '👋 שלום'],
    ]);
    assert.equal(
      out,
      [
        '| a\\|b | c |',
        '| --- | --- |',
        '| x\\|y | *NULL* |',
        '|  | \\*NULL\\* |',
        '| l1<br>l2<br>l3 | \\<b\\>\\[link\\](u)\\</b\\> \\`c\\` \\_i\\_ \\\\ |',
        '| {"k":"v"} | 👋 שלום |',
        '',
      ].join('\n'),
    );
  });
});
