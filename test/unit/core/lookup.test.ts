// Tables keyed by strings a service or a workspace sends: keys that name Object.prototype members
// must fall through to the default, as any unknown key does.
import * as assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lookup } from '../../../src/core/lookup';
import { reasonFor } from '../../../src/airbyte/errors';
import { lookerResultType } from '../../../src/looker/resultTable';
import { metabaseResultType } from '../../../src/metabase/resultTable';
import { queryFailure } from '../../../src/metabase/errors';
import { normalizeType } from '../../../src/results/types';
import { toBigQueryError } from '../../../src/bigquery/errors';
import { compileRowDecoder, toResultColumns } from '../../../src/bigquery/rows';
import { runStatusOf } from '../../../src/dbt/cloud/dbtCloudClient';
import { parseRunResults } from '../../../src/dbt/runResults';

const PROTOTYPE_KEYS = ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', '__defineGetter__'];

describe('lookup tables keyed by service strings', () => {
  it('lookup answers only from own entries', () => {
    const table = { pass: 'ok', '0': 'zero' } as Record<string, string>;
    assert.equal(lookup(table, 'pass'), 'ok');
    assert.equal(lookup(table, 0), 'zero');
    for (const k of [...PROTOTYPE_KEYS, 'missing', undefined, null, {}, ['pass']]) assert.equal(lookup(table, k), undefined, String(k));
  });

  for (const key of PROTOTYPE_KEYS) {
    describe(`key ${JSON.stringify(key)}`, () => {
      it('Airbyte problem title', () => assert.equal(reasonFor(500, { title: key }), reasonFor(500, undefined)));
      it('Looker field type', () => assert.equal(lookerResultType(key), 'STRING'));
      it('Metabase base type', () => assert.equal(metabaseResultType(key), 'STRING'));
      it('Metabase query error type', () => {
        const e = queryFailure(key);
        assert.equal(e.reason, 'queryFailed');
        assert.equal(typeof e.message, 'string');
        assert.equal(e.message, queryFailure('no-such-error-type').message);
      });
      it('result column type', () => assert.equal(normalizeType(key), 'STRING'));
      it('BigQuery error reason', () => {
        const e = toBigQueryError({ code: 500, errors: [{ reason: key, message: 'x' }] });
        assert.equal(e.reason, toBigQueryError({ code: 500, errors: [{ reason: 'noSuchReason', message: 'x' }] }).reason);
      });
      it('dbt run_results status', async () => {
        const dir = mkdtempSync(join(tmpdir(), 'gh-lookup-'));
        const path = join(dir, 'run_results.json');
        writeFileSync(path, JSON.stringify({ metadata: {}, results: [{ unique_id: 'model.p.a', status: key }] }));
        const parsed = await parseRunResults(path);
        const r = [...parsed.results.values()][0];
        assert.equal(r.status, 'other');
        assert.equal(r.rawStatus, key);
      });
      it('BigQuery RECORD field name stays a field', () => {
        const decode = compileRowDecoder(toResultColumns([{ name: 'r', type: 'RECORD', fields: [{ name: key, type: 'STRING' }] }]));
        const [record] = decode({ f: [{ v: { f: [{ v: 'hostile' }] } }] });
        assert.deepEqual(Object.entries(record as object), [[key, 'hostile']]);
        assert.equal(JSON.stringify(record), `{"${key}":"hostile"}`);
      });
    });
  }

  it('dbt Cloud run status codes', () => assert.equal(runStatusOf(Number.NaN), 'unknown'));
});
