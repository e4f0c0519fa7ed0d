// The one status-to-reason lookup (core) and each service's table: every service keeps its own
// reasons, and a status means the same thing it meant before the tables were shared.
import * as assert from 'node:assert/strict';
import { HTTP_STATUS_REASONS, HttpError, reasonForStatus, statusReason } from '../../../src/core/errors';
import { AIRBYTE_STATUS_REASONS, toAirbyteError } from '../../../src/airbyte/errors';
import { LOOKER_STATUS_REASONS, toLookerError } from '../../../src/looker/errors';
import { METABASE_STATUS_REASONS, toMetabaseError } from '../../../src/metabase/errors';
import { DBT_CLOUD_STATUS_REASONS, toDbtCloudError } from '../../../src/dbt/cloud/dbtCloudErrors';
import { BIGQUERY_STATUS_REASONS, toBigQueryError } from '../../../src/bigquery/errors';

type Row = [status: number | undefined, http: string, airbyte: string, looker: string, metabase: string, dbtCloud: string, bigquery: string | undefined];

// status         http           airbyte          looker         metabase       dbt Cloud      BigQuery (no reason in the body)
const ROWS: Row[] = [
  [400, 'badRequest', 'badRequest', 'badRequest', 'badRequest', 'badRequest', undefined],
  [401, 'unauthorized', 'unauthorized', 'unauthorized', 'unauthorized', 'unauthorized', 'authError'],
  [403, 'forbidden', 'forbidden', 'forbidden', 'forbidden', 'forbidden', 'accessDenied'],
  [404, 'notFound', 'notFound', 'notFound', 'notFound', 'notFound', 'notFound'],
  [405, 'badRequest', 'badRequest', 'badRequest', 'badRequest', 'badRequest', undefined],
  [409, 'conflict', 'conflict', 'conflict', 'badRequest', 'conflict', 'duplicate'],
  [413, 'badRequest', 'badRequest', 'badRequest', 'badRequest', 'badRequest', undefined],
  [422, 'badRequest', 'unprocessable', 'validation', 'badRequest', 'badRequest', undefined],
  [429, 'rateLimited', 'rateLimited', 'rateLimited', 'rateLimited', 'rateLimited', 'rateLimitExceeded'],
  [500, 'server', 'server', 'server', 'server', 'server', 'backendError'],
  [502, 'server', 'server', 'server', 'server', 'server', 'backendError'],
  [503, 'server', 'unavailable', 'unavailable', 'unavailable', 'server', 'backendError'],
  [504, 'server', 'server', 'server', 'server', 'server', 'backendError'],
  [599, 'server', 'server', 'server', 'server', 'server', 'backendError'],
  [302, 'badRequest', 'badRequest', 'badRequest', 'badRequest', 'badRequest', undefined],
  [undefined, 'badRequest', 'badRequest', 'badRequest', 'badRequest', 'badRequest', undefined],
];

describe('status reasons', () => {
  it('looks up exact statuses, then any 5xx, then the fallback (or none)', () => {
    const table = { exact: { 404: 'gone', 503: 'later' }, server: 'broken', otherwise: 'other' } as const;
    const cases: [number | undefined, string | undefined][] = [[404, 'gone'], [503, 'later'], [500, 'broken'], [520, 'broken'], [499, 'other'], [200, 'other'], [undefined, 'other'], [Number.NaN, 'other'], [404.5, 'other']];
    for (const [status, reason] of cases) assert.equal(statusReason(status, table), reason, String(status));
    const open = { exact: { 404: 'gone' }, server: 'broken' } as const;
    assert.equal(statusReason(418, open), undefined, 'no fallback: the caller looks further');
    assert.equal(statusReason(undefined, open), undefined);
  });

  it('is not fooled by inherited property names', () => {
    const table = { exact: {} as Record<number, string>, server: 's', otherwise: 'o' };
    assert.equal(statusReason(Number('0'), table), 'o');
    // A problem title such as "constructor" must not pick a reason in Airbyte's title table.
    const e = toAirbyteError(new HttpError('badRequest', 'x', 400, { title: 'constructor' }));
    assert.equal(e.reason, 'badRequest');
  });

  it('maps each status to each service\'s own reason, through the table and through the error converters', () => {
    for (const [status, http, airbyte, looker, metabase, dbtCloud, bigquery] of ROWS) {
      const at = `HTTP ${status}`;
      assert.equal(statusReason(status, HTTP_STATUS_REASONS), http, at);
      if (status !== undefined) assert.equal(reasonForStatus(status), http, at);
      assert.equal(statusReason(status, AIRBYTE_STATUS_REASONS), airbyte, at);
      assert.equal(statusReason(status, LOOKER_STATUS_REASONS), looker, at);
      assert.equal(statusReason(status, METABASE_STATUS_REASONS), metabase, at);
      assert.equal(statusReason(status, DBT_CLOUD_STATUS_REASONS), dbtCloud, at);
      assert.equal(statusReason(status, BIGQUERY_STATUS_REASONS), bigquery, at);

      if (status === undefined) continue;
      const failed = new HttpError(statusReason(status, HTTP_STATUS_REASONS), `host answered HTTP ${status}.`, status, undefined);
      assert.equal(toAirbyteError(failed).reason, airbyte, at);
      assert.equal(toLookerError(failed).reason, looker, at);
      assert.equal(toMetabaseError(failed).reason, metabase, at);
      assert.equal(toDbtCloudError(failed).reason, dbtCloud, at);
      // BigQuery's SDK errors carry the status as `code`; with no reason of their own and no
      // status it knows, the error is 'unknown'.
      assert.equal(toBigQueryError({ code: status, message: 'failed' }).reason, bigquery ?? 'unknown', at);
    }
  });

  it('keeps transport failures what they were, whatever the status table says', () => {
    for (const reason of ['network', 'timeout', 'cancelled'] as const) {
      const failed = new HttpError(reason, 'x');
      assert.equal(toAirbyteError(failed).reason, reason);
      assert.equal(toLookerError(failed).reason, reason);
      assert.equal(toMetabaseError(failed).reason, reason);
      assert.equal(toDbtCloudError(failed).reason, reason);
    }
    const garbled = new HttpError('badResponse', 'x', 200);
    for (const convert of [toAirbyteError, toLookerError, toMetabaseError, toDbtCloudError]) assert.equal(convert(garbled).reason, 'badResponse');
  });
});
