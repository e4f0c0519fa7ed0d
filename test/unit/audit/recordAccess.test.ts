// How a failed metadata read ends in the trail, and that a read is recorded once, either way.
import * as assert from 'node:assert/strict';
import type { AuditRecord } from '../../../src/audit/auditTrail';
import { auditedRead, readFailure } from '../../../src/audit/recordAccess';
import { HttpError } from '../../../src/core/errors';
import { BigQueryError } from '../../../src/bigquery/errors';

describe('audited metadata reads', function () {
  const table: Array<[string, unknown, string, string]> = [
    ['BigQuery access denied', new BigQueryError('accessDenied', 'no'), 'denied', 'accessDenied'],
    ['HTTP 403', new HttpError('forbidden', 'no', 403), 'denied', 'forbidden'],
    ['HTTP 401', new HttpError('unauthorized', 'no', 401), 'denied', 'unauthorized'],
    ['cancelled', new HttpError('cancelled', 'stop'), 'cancelled', 'cancelled'],
    ['server error', new HttpError('server', 'boom', 500), 'failed', 'server'],
    ['not a typed error', new Error('raw text from somewhere'), 'failed', 'unknown'],
  ];
  for (const [what, err, outcome, reason] of table) {
    it(`${what} → ${outcome} (${reason})`, function () {
      assert.deepEqual(readFailure(err), { outcome, reason });
    });
  }

  it('records one line per read, success or failure, and passes the failure on', async function () {
    const lines: Omit<AuditRecord, 'time'>[] = [];
    const deps = { audit: { record: async (e: Omit<AuditRecord, 'time'>) => lines.push(e) }, actor: () => ({ subject: 'alice-sub' }) };
    const entry = { credential: 'resource-indicator' as const, service: 'looker' as const, action: 'list-folder', resource: 'folder/1', resourceName: 'Sales' };
    assert.deepEqual(await auditedRead(deps, entry, async () => [1, 2, 3]), [1, 2, 3]);
    await assert.rejects(auditedRead(deps, entry, async () => Promise.reject(new HttpError('forbidden', 'no', 403))), (e: unknown) => HttpError.is(e, 'forbidden'));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(
      lines.map((l) => [l.action, l.resource, l.resourceName, l.outcome, l.reason, l.actor.subject]),
      [
        ['list-folder', 'folder/1', 'Sales', 'succeeded', undefined, 'alice-sub'],
        ['list-folder', 'folder/1', 'Sales', 'denied', 'forbidden', 'alice-sub'],
      ],
    );
  });
});
