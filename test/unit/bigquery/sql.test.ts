import * as assert from 'node:assert/strict';
import { decideCost, isMultiStatement, maskNonCode, namedParameters, splitStatements, statementAt } from '../../../src/bigquery/sql';

describe('BigQuery SQL text', () => {
  it('splits on top-level semicolons only', () => {
    const sql = "select ';' as a; -- x; y\nselect `we;ird` from t /* ; */ ; select \"a;b\"";
    assert.deepEqual(splitStatements(sql).map((s) => s.text), [
      "select ';' as a",
      '-- x; y\nselect `we;ird` from t /* ; */',
      'select "a;b"',
    ]);
  });

  it('ignores empty statements and comment-only tails', () => {
    assert.equal(splitStatements('select 1;;  ; -- bye\n').length, 1);
    assert.equal(isMultiStatement('select 1; -- just a comment'), false);
    assert.equal(isMultiStatement('declare x int64 default 1; select x;'), true);
  });

  it('handles triple-quoted strings and escapes', () => {
    const sql = `select """a;\nb""" as x; select 'it\\'s;' as y`;
    assert.deepEqual(splitStatements(sql).map((s) => s.text), [`select """a;\nb""" as x`, `select 'it\\'s;' as y`]);
  });

  const cursorCases: [string, number, string][] = [
    ['inside the first', 3, 'select 1'],
    ['inside the second', 14, 'select 2'],
    ['right after a semicolon', 9, 'select 1'],
    ['at the very end', 100, 'select 2'],
  ];
  for (const [name, offset, expected] of cursorCases) {
    it(`finds the statement under the cursor: ${name}`, () => {
      assert.equal(statementAt('select 1;\nselect 2', offset)?.text, expected);
    });
  }

  it('lists named parameters, not system variables, strings or comments', () => {
    const sql = "select @a, @@session_id, '@notme' -- @nor_me\n from t where x = @b and y = @a /* @c */";
    assert.deepEqual(namedParameters(sql), ['a', 'b']);
  });

  it('masks non-code but keeps offsets', () => {
    const sql = "a 'b' -- c\nd";
    const masked = maskNonCode(sql);
    assert.equal(masked.length, sql.length);
    assert.equal(masked.indexOf('d'), sql.indexOf('d'));
  });

  const costCases: [number, number, number, string][] = [
    [100, 0, 0, 'run'],
    [100, 50, 0, 'block'],
    [100, 0, 50, 'confirm'],
    [100, 1000, 50, 'confirm'],
    [10, 1000, 50, 'run'],
  ];
  for (const [bytes, max, confirm, expected] of costCases) {
    it(`cost guard: ${bytes} bytes with limit ${max} and confirm above ${confirm} → ${expected}`, () => {
      assert.equal(decideCost(bytes, { maximumBytesBilled: max, confirmAboveBytes: confirm }).action, expected);
    });
  }
});
