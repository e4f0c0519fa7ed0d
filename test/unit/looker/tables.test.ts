// Table-driven: Looker and Metabase type mappings, error reasons by status, web links.
import * as assert from 'node:assert/strict';
import { HttpError } from '../../../src/core/errors';
import { AuthError } from '../../../src/auth/authError';
import { lookerApiUrl, lookerContentUrl } from '../../../src/looker/client';
import { toLookerError } from '../../../src/looker/errors';
import { lookerCredentialMode } from '../../../src/looker/credentialMode';
import { jsonBiToTable, lookerCell, lookerResultType } from '../../../src/looker/resultTable';
import { queryFailure, toMetabaseError } from '../../../src/metabase/errors';
import { metabaseCell, metabaseResultType } from '../../../src/metabase/resultTable';

describe('looker and metabase tables', () => {
  it('chooses the Looker credential: explicit setting first, else OAuth, an old audience meaning the proxy', () => {
    const rows: [unknown, string | undefined, string][] = [
      [undefined, undefined, 'oauth'],
      [undefined, 'https://looker.example', 'proxy'],
      ['oauth', 'https://looker.example', 'oauth'],
      ['api3', undefined, 'api3'],
      ['api3', 'https://looker.example', 'api3'],
      ['proxy', undefined, 'proxy'],
      ['something-else', undefined, 'oauth'],
      ['something-else', 'https://looker.example', 'proxy'],
    ];
    for (const [explicit, audience, mode] of rows) assert.equal(lookerCredentialMode(explicit, audience), mode, `${String(explicit)} / ${audience}`);
  });

  it('maps Looker field types', () => {
    const rows: [string | undefined, string][] = [
      ['string', 'STRING'], ['count', 'INTEGER'], ['count_distinct', 'INTEGER'], ['sum', 'FLOAT'], ['average', 'FLOAT'],
      ['number', 'FLOAT'], ['date_date', 'DATE'], ['date_time', 'DATETIME'], ['date_month', 'STRING'], ['yesno', 'STRING'],
      ['something_new', 'STRING'], [undefined, 'STRING'],
    ];
    for (const [type, want] of rows) assert.equal(lookerResultType(type), want, String(type));
  });

  it('maps Metabase base types', () => {
    const rows: [string | undefined, string][] = [
      ['type/Integer', 'INTEGER'], ['type/BigInteger', 'INTEGER'], ['type/Float', 'FLOAT'], ['type/Decimal', 'NUMERIC'],
      ['type/Boolean', 'BOOLEAN'], ['type/Date', 'DATE'], ['type/DateTime', 'DATETIME'], ['type/DateTimeWithLocalTZ', 'TIMESTAMP'],
      ['type/Time', 'TIME'], ['type/Dictionary', 'JSON'], ['type/Array', 'JSON'], ['type/Text', 'STRING'], ['type/*', 'STRING'], [undefined, 'STRING'],
    ];
    for (const [type, want] of rows) assert.equal(metabaseResultType(type), want, String(type));
  });

  it('shapes cells: integers as decimal strings, NULL as null, objects as JSON text', () => {
    const rows: [(t: never, v: unknown) => unknown, string, unknown, unknown][] = [
      [lookerCell, 'INTEGER', 9007199254740993n.toString(), '9007199254740993'],
      [lookerCell, 'INTEGER', 42, '42'],
      [lookerCell, 'FLOAT', 1.5, 1.5],
      [lookerCell, 'FLOAT', '2.5', 2.5],
      [lookerCell, 'FLOAT', '', ''],
      [lookerCell, 'STRING', null, null],
      [lookerCell, 'FLOAT', { complete: 3 }, '{"complete":3}'],
      [metabaseCell, 'BOOLEAN', true, true],
      [metabaseCell, 'NUMERIC', 12.5, '12.5'],
      [metabaseCell, 'JSON', [1, 2], '[1,2]'],
      [metabaseCell, 'STRING', undefined, null],
    ];
    for (const [fn, type, value, want] of rows) assert.deepEqual(fn(type as never, value), want, `${type} ${String(value)}`);
  });

  it('orders json_bi columns by the query and keeps labels unique', () => {
    const table = jsonBiToTable(
      {
        metadata: { fields: { dimensions: [{ name: 'a.x', label: 'Same', type: 'string' }], measures: [{ name: 'a.n', label: 'Count', type: 'count' }, { name: 'b.x', label: 'Same', type: 'number' }] } },
        rows: [{ 'a.x': 'p', 'a.n': 3, 'b.x': 1.25 }],
      },
      ['a.n', 'b.x', 'a.x'],
    );
    assert.deepEqual(table.columns.map((c) => c.name), ['Count', 'b.x', 'a.x']);
    assert.deepEqual(table.rows, [['3', 1.25, 'p']]);
  });

  it('derives error reasons from statuses', () => {
    const rows: [number, string, string][] = [
      [400, 'badRequest', 'badRequest'], [401, 'unauthorized', 'unauthorized'], [403, 'forbidden', 'forbidden'], [404, 'notFound', 'notFound'],
      [422, 'validation', 'badRequest'], [429, 'rateLimited', 'rateLimited'], [500, 'server', 'server'], [503, 'unavailable', 'unavailable'],
    ];
    for (const [status, looker, metabase] of rows) {
      const err = new HttpError('badRequest', 'x', status, 'Server said: secret_table missing');
      assert.equal(toLookerError(err).reason, looker, `looker ${status}`);
      assert.equal(toMetabaseError(err).reason, metabase, `metabase ${status}`);
      assert.doesNotMatch(toMetabaseError(err).message + toLookerError(err).message, /secret_table/);
    }
    assert.equal(toLookerError(new AuthError('audienceNotConfigured', 'No audience.')).reason, 'signIn');
    assert.equal(toMetabaseError(new HttpError('cancelled', 'Cancelled.')).reason, 'cancelled');
  });

  it('names failed Metabase queries by error_type only', () => {
    const rows: [unknown, string, string | undefined][] = [
      ['invalid-query', 'queryFailed', 'invalid-query'],
      ['missing-required-permissions', 'forbidden', 'missing-required-permissions'],
      ['timed-out', 'queryFailed', 'timed-out'],
      ['ERROR: relation "x" does not exist', 'queryFailed', undefined],
      [undefined, 'queryFailed', undefined],
    ];
    for (const [type, reason, slug] of rows) {
      const e = queryFailure(type);
      assert.equal(`${e.reason}:${e.errorType}`, `${reason}:${slug}`, String(type));
      assert.doesNotMatch(e.message, /relation/);
    }
  });

  it('derives Looker API and web URLs from the configured host', () => {
    const rows: [string, string, string][] = [
      ['https://acme.cloud.looker.com', 'https://acme.cloud.looker.com/api/4.0', 'https://acme.cloud.looker.com/looks/7'],
      ['https://acme.cloud.looker.com/api/4.0/', 'https://acme.cloud.looker.com/api/4.0', 'https://acme.cloud.looker.com/looks/7'],
      ['https://looker.acme.internal:19999', 'https://looker.acme.internal:19999/api/4.0', 'https://looker.acme.internal:9999/looks/7'],
    ];
    for (const [base, api, web] of rows) {
      assert.equal(lookerApiUrl(base), api);
      assert.equal(lookerContentUrl(base, { kind: 'look', id: '7' }), web);
    }
    assert.equal(lookerContentUrl('https://l.acme.com', { kind: 'dashboard', id: '1' }), 'https://l.acme.com/dashboards/1');
    assert.equal(lookerContentUrl('https://l.acme.com', { kind: 'folder', id: '3' }), 'https://l.acme.com/folders/3');
  });
});
