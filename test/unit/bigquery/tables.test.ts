// Table-shaped logic of the BigQuery service: error reasons, settings, parameter values, console
// links, labels and the local history.
import * as assert from 'node:assert/strict';
import { BigQueryError, missingPermission, toBigQueryError, type BigQueryErrorReason } from '../../../src/bigquery/errors';
import { readBigQuerySettings, connectionKey } from '../../../src/bigquery/settings';
import { guessParameterType, parameterValueProblem, type ParameterType } from '../../../src/bigquery/sql';
import { jobConsoleUrl, tableConsoleUrl } from '../../../src/bigquery/consoleLinks';
import { jobLabelsFor, labelValue } from '../../../src/bigquery/client';
import { MAX_HISTORY, QueryHistory } from '../../../src/bigquery/queryHistory';
import { AuthError } from '../../../src/auth/authError';
import { createGoogleCredentials } from '../../../src/bigquery/credentials';

describe('BigQuery tables', () => {
  const errors: [string, unknown, BigQueryErrorReason, number | undefined][] = [
    ['403 accessDenied', { code: 403, errors: [{ reason: 'accessDenied', message: 'Access Denied' }] }, 'accessDenied', 403],
    ['403 rateLimitExceeded stays a rate limit', { code: 403, errors: [{ reason: 'rateLimitExceeded', message: 'slow down' }] }, 'rateLimitExceeded', 403],
    ['403 userRateLimitExceeded', { code: 403, errors: [{ reason: 'userRateLimitExceeded', message: 'slow down' }] }, 'rateLimitExceeded', 403],
    ['403 quotaExceeded', { code: 403, errors: [{ reason: 'quotaExceeded', message: 'quota' }] }, 'quotaExceeded', 403],
    ['403 without a reason', { code: 403, message: 'Forbidden' }, 'accessDenied', 403],
    ['404 notFound', { code: 404, errors: [{ reason: 'notFound', message: 'Not found: Table x' }] }, 'notFound', 404],
    ['400 invalidQuery', { code: 400, errors: [{ reason: 'invalidQuery', message: 'Syntax error: Unexpected "=" at [3:18]' }] }, 'invalidQuery', 400],
    ['400 bytesBilledLimitExceeded', { code: 400, errors: [{ reason: 'bytesBilledLimitExceeded', message: 'limit' }] }, 'bytesBilledLimitExceeded', 400],
    ['400 responseTooLarge', { code: 403, errors: [{ reason: 'responseTooLarge', message: 'big' }] }, 'resourcesExceeded', 403],
    ['401 authError', { code: 401, errors: [{ reason: 'authError', message: 'Invalid Credentials' }] }, 'authError', 401],
    ['500 internalError', { code: 500, errors: [{ reason: 'internalError', message: 'oops' }] }, 'backendError', 500],
    ['503 without body', { code: 503, message: 'unavailable' }, 'backendError', 503],
    ['connection refused', Object.assign(new Error('request to http://x failed, reason: connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'network', undefined],
    ['STS invalid_grant', { message: 'invalid_grant', response: { status: 400, data: { error: 'invalid_grant', error_description: 'The audience in ID Token [x] does not match' } } }, 'federationRefused', 400],
    ['impersonation denied', { message: 'denied', response: { status: 403, data: { error: { code: 403 } }, config: { url: 'https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/sa:generateAccessToken' } } }, 'federationRefused', 403],
    ['signed out while a token was needed', new Error('wrapped', { cause: new AuthError('notSignedIn', 'Sign in first.') }), 'authError', undefined],
  ];
  for (const [name, raw, reason, status] of errors) {
    it(`maps ${name} to ${reason}`, () => {
      const e = toBigQueryError(raw);
      assert.ok(BigQueryError.is(e, reason), `${e.reason}: ${e.message}`);
      assert.equal(e.status, status);
      assert.doesNotMatch(e.message, /does not match/, 'no raw token-service description');
    });
  }

  it('parses the location of a syntax error', () => {
    assert.deepEqual(toBigQueryError(errors[6][1]).location, { line: 3, column: 18 });
  });

  const permissions: [string, string | undefined][] = [
    ['Access Denied: Project p: User does not have bigquery.jobs.create permission in project p.', 'the permission bigquery.jobs.create'],
    ['Access Denied: Table p:d.t: User does not have permission to query table p:d.t, or perhaps it does not exist.', 'read access to the table (bigquery.tables.getData)'],
    ['Access Denied', undefined],
  ];
  for (const [message, missing] of permissions) {
    it(`names what is missing in “${message.slice(0, 40)}…”`, () => assert.equal(missingPermission(message), missing));
  }

  it('reads settings with defaults, trimming and bounds', () => {
    const values: Record<string, unknown> = { federationAudience: ' //iam/x ', stsUrl: '', maximumBytesBilled: -5, confirmAboveBytes: 100.7, useApplicationDefaultCredentials: 'yes' };
    const s = readBigQuerySettings(<T>(k: string, fallback: T) => (k in values ? values[k] : fallback) as T);
    assert.equal(s.federation.audience, '//iam/x');
    assert.equal(s.federation.stsUrl, undefined);
    assert.equal(s.federation.useApplicationDefaultCredentials, false, 'only a real true opts into ADC');
    assert.deepEqual(s.cost, { maximumBytesBilled: 0, confirmAboveBytes: 100 });
    assert.equal(s.location, 'US');
    assert.notEqual(connectionKey(s), connectionKey({ ...s, billingProject: 'other' }));
    assert.equal(connectionKey(s), connectionKey({ ...s, cost: { maximumBytesBilled: 1, confirmAboveBytes: 1 } }));
  });

  const values: [ParameterType, string, boolean][] = [
    ['INT64', '42', true],
    ['INT64', '4.2', false],
    ['FLOAT64', '-1.5e3', true],
    ['BOOL', 'TRUE', true],
    ['BOOL', 'yes', false],
    ['DATE', '2026-11-23', true],
    ['DATE', '23.11.2026', false],
    ['TIMESTAMP', '2026-11-23 10:00:00+01:00', true],
    ['NUMERIC', '12.34', true],
    ['STRING', '', true],
  ];
  for (const [type, value, ok] of values) {
    it(`${ok ? 'accepts' : 'rejects'} ${JSON.stringify(value)} as ${type}`, () => assert.equal(parameterValueProblem(type, value) === undefined, ok));
  }

  const guesses: [string, ParameterType][] = [
    ['start_date', 'DATE'],
    ['created_at', 'TIMESTAMP'],
    ['min_duration_ms', 'INT64'],
    ['is_active', 'BOOL'],
    ['country', 'STRING'],
  ];
  for (const [name, type] of guesses) it(`guesses @${name} is ${type}`, () => assert.equal(guessParameterType(name), type));

  const credentialCases: [string, Parameters<typeof createGoogleCredentials>[0], string][] = [
    ['workforce pool: the person', { audience: '//iam.googleapis.com/locations/global/workforcePools/p/providers/x', workforcePoolUserProject: '1' }, 'google-federation'],
    ['workload pool with impersonation: the service account', { audience: '//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/x', serviceAccountImpersonationUrl: 'https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/sa@p.iam.gserviceaccount.com:generateAccessToken' }, 'google-impersonation'],
    ['Application Default Credentials only when opted in', { audience: '', useApplicationDefaultCredentials: true }, 'application-default-credentials'],
    ['no audience and no opt-in: refused, never a silent fallback', { audience: '' }, 'notConfigured'],
  ];
  for (const [name, config, expected] of credentialCases) {
    it(`credentials: ${name}`, () => {
      const idTokens = { getIdToken: async () => 'unused' };
      if (expected === 'notConfigured') assert.throws(() => createGoogleCredentials(config, idTokens), (e: unknown) => BigQueryError.is(e, 'notConfigured'));
      else assert.equal(createGoogleCredentials(config, idTokens).origin, expected);
    });
  }

  it('builds console links and labels', () => {
    assert.equal(tableConsoleUrl({ projectId: 'p-1', datasetId: 'd', tableId: 't' }), 'https://console.cloud.google.com/bigquery?project=p-1&ws=!1m5!1m4!4m3!1sp-1!2sd!3st');
    assert.equal(jobConsoleUrl({ projectId: 'p', jobId: 'j1', location: 'EU' }), 'https://console.cloud.google.com/bigquery?project=p&j=bq:EU:j1&page=queryresults');
    assert.equal(labelValue('Alice.Smith@Example.COM'), 'alice_smith_example_com');
    assert.equal(labelValue('x'.repeat(100)).length, 63);
    assert.deepEqual(jobLabelsFor('00uABC'), { tool: 'gatehouse', 'gatehouse-user': '00uabc' });
  });

  it('keeps a bounded local history per signed-in subject', async () => {
    const map = new Map<string, unknown>();
    const store = { get: <T>(k: string) => map.get(k) as T | undefined, update: async (k: string, v: unknown) => void map.set(k, v) };
    let subject: string | undefined = 'alice';
    const history = new QueryHistory(store, () => subject);
    for (let i = 0; i < MAX_HISTORY + 5; i++) await history.add({ sql: `select ${i}`, at: i, status: 'succeeded' });
    assert.equal(history.entries().length, MAX_HISTORY);
    assert.equal(history.entries()[0].sql, `select ${MAX_HISTORY + 4}`);
    subject = 'bob';
    assert.deepEqual(history.entries(), [], 'bob does not see alice’s queries');
    subject = undefined;
    await history.add({ sql: 'select 1', at: 1, status: 'succeeded' });
    assert.deepEqual(history.entries(), []);
  });
});
