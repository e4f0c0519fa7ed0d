// Table-driven: connection health, schedules, durations, web UI URLs, error reasons.
import * as assert from 'node:assert/strict';
import { HttpError } from '../../../src/core/errors';
import { AuthError } from '../../../src/auth/authError';
import { reasonFor, toAirbyteError } from '../../../src/airbyte/errors';
import {
  connectionHealth,
  connectionWebUrl,
  describeSchedule,
  jobEndTime,
  parseIsoDuration,
  webUiBase,
} from '../../../src/airbyte/present';
import type { JobStatus } from '../../../src/airbyte/types';
import { Formatter } from '../../../src/core/format';

describe('airbyte tables', () => {
  it('derives connection health from status and last job', () => {
    const rows: [string, JobStatus | undefined, string][] = [
      ['active', 'succeeded', 'succeeded'],
      ['active', 'failed', 'failed'],
      ['active', 'cancelled', 'cancelled'],
      ['active', 'running', 'running'],
      ['active', 'pending', 'running'],
      ['active', 'incomplete', 'running'],
      ['active', undefined, 'never'],
      ['inactive', 'succeeded', 'disabled'],
      ['inactive', undefined, 'disabled'],
      ['deprecated', 'failed', 'disabled'],
      ['inactive', 'running', 'running'],
    ];
    for (const [status, last, want] of rows) {
      assert.equal(connectionHealth({ status: status as 'active' }, last ? { status: last } : undefined), want, `${status}/${last}`);
    }
  });

  it('describes schedules', () => {
    assert.equal(describeSchedule(undefined), 'manual');
    assert.equal(describeSchedule({ scheduleType: 'manual' }), 'manual');
    assert.equal(describeSchedule({ scheduleType: 'basic', basicTiming: 'Every 24 hours' }), 'every 24 hours');
    assert.equal(describeSchedule({ scheduleType: 'cron', cronExpression: '0 0 */6 * * ? UTC' }), 'cron 0 0 */6 * * ? UTC');
  });

  it('parses ISO 8601 durations and formats them', () => {
    const rows: [string | undefined, number | undefined, string][] = [
      ['PT8H6M12S', (8 * 3600 + 6 * 60 + 12) * 1000, '8 h 6 min'],
      ['PT3M12S', 192_000, '3 min 12 s'],
      ['PT40S', 40_000, '40 s'],
      ['PT0S', 0, '0 ms'],
      ['P1DT2H', 26 * 3600_000, '1 d 2 h'],
      ['PT0.5S', 500, '500 ms'],
      ['PT', undefined, ''],
      ['garbage', undefined, ''],
      [undefined, undefined, ''],
    ];
    const fmt = new Formatter({ locale: 'en-US' });
    for (const [text, ms, shown] of rows) {
      assert.equal(parseIsoDuration(text), ms, String(text));
      assert.equal(fmt.duration(parseIsoDuration(text)), shown, String(text));
    }
  });

  it('derives job end times', () => {
    assert.equal(jobEndTime({ jobId: 1, status: 'succeeded', jobType: 'sync', connectionId: 'c', startTime: '2024-01-01T00:00:00Z', duration: 'PT1M' }), '2024-01-01T00:01:00.000Z');
  });

  it('derives the web UI URL from the API base URL', () => {
    const rows: [string, string][] = [
      ['https://api.airbyte.com/v1', 'https://cloud.airbyte.com'],
      ['https://api.airbyte.com/v1/', 'https://cloud.airbyte.com'],
      ['https://airbyte.acme.com/api/public/v1', 'https://airbyte.acme.com'],
      ['http://localhost:8000/api/public/v1', 'http://localhost:8000'],
      ['https://acme.com/airbyte/api/public/v1', 'https://acme.com/airbyte'],
    ];
    for (const [api, web] of rows) assert.equal(webUiBase(api), web, api);
    assert.equal(connectionWebUrl('https://api.airbyte.com/v1', 'ws1', 'c1'), 'https://cloud.airbyte.com/workspaces/ws1/connections/c1');
  });

  it('maps status and problem title to a reason', () => {
    const rows: [number | undefined, string | undefined, string][] = [
      [401, 'invalid-api-key', 'unauthorized'],
      [403, 'forbidden', 'forbidden'],
      [404, 'resource-not-found', 'notFound'],
      [400, 'resource-not-found', 'notFound'],
      [409, undefined, 'conflict'],
      [409, 'try-again-later', 'rateLimited'],
      [409, 'state-conflict', 'conflict'],
      [422, 'unprocessable-entity', 'unprocessable'],
      [429, undefined, 'rateLimited'],
      [500, 'unexpected-problem', 'server'],
      [503, undefined, 'unavailable'],
      [400, 'bad-request', 'badRequest'],
    ];
    for (const [status, title, reason] of rows) assert.equal(reasonFor(status, title ? { title } : undefined), reason, `${status} ${title}`);
  });

  it('never puts the server text into the message', () => {
    const body = { type: 'x', title: 'forbidden', status: 403, detail: 'The request is forbidden.', data: { message: 'secret internal detail eyJhbGciOi' } };
    const e = toAirbyteError(new HttpError('forbidden', 'host answered HTTP 403.', 403, body));
    assert.equal(e.reason, 'forbidden');
    assert.equal(e.problemTitle, 'forbidden');
    assert.ok(!e.message.includes('secret internal detail'));
    const a = toAirbyteError(new AuthError('notSignedIn', 'Not signed in.', 'Sign in.'));
    assert.equal(a.reason, 'signIn');
    assert.equal(a.nextStep, 'Sign in.');
    assert.equal(toAirbyteError(new HttpError('network', 'x')).reason, 'network');
  });
});
