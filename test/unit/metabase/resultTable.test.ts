// A Metabase dataset's statistics as the results panel shows them: counts and durations in the
// display language the client was given.
import * as assert from 'node:assert/strict';
import { Formatter } from '../../../src/core/format';
import { datasetToTable } from '../../../src/metabase/resultTable';

describe('metabase result statistics', () => {
  const dataset = { status: 'completed', running_time: 1234, data: { cols: [{ name: 'n', base_type: 'type/Integer' }], rows: [[1]], rows_truncated: 2000 } };
  const cases: Array<[string, string, string]> = [
    ['en-US', '1.2 s', 'Metabase returns at most 2,000 rows here; open it in Metabase to export all'],
    ['de-DE', '1,2 s', 'Metabase returns at most 2.000 rows here; open it in Metabase to export all'],
  ];
  for (const [locale, time, truncated] of cases) {
    it(`says running time and truncation in ${locale}`, () => {
      const { stats, rows } = datasetToTable(dataset, new Formatter({ locale }));
      assert.deepEqual(rows, [['1']]);
      assert.deepEqual(stats?.extra, { 'Metabase running time': time, Truncated: truncated });
    });
  }

  it('leaves out what Metabase did not say', () => {
    assert.deepEqual(datasetToTable({ status: 'completed', data: { cols: [], rows: [] } }).stats?.extra, {});
  });
});
