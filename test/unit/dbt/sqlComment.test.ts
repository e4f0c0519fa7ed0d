// The compiled SQL view says why there is no SQL in comments: nothing in a name or a message may
// turn into SQL.
import * as assert from 'node:assert/strict';
import { sqlComment } from '../../../src/dbt/sqlComment';

describe('sqlComment', () => {
  const cases: [name: string, text: string, expected: string][] = [
    ['one line', 'orders is not compiled.', '-- orders is not compiled.\n'],
    ['a line feed in a name', 'a\nselect 1', '-- a\n-- select 1\n'],
    ['CR LF and a lone CR', 'a\r\nb\rc', '-- a\n-- b\n-- c\n'],
    ['Unicode line and paragraph separators, NEL', 'a\u2028b\u2029c\u0085d', '-- a\n-- b\n-- c\n-- d\n'],
    ['empty text', '', '-- \n'],
  ];
  for (const [name, text, expected] of cases) it(name, () => assert.equal(sqlComment(text), expected));
});
