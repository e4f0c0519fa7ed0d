// Where service credentials may be sent: https anywhere, plain http only to this machine, and a
// clear typed error with a next step for everything else.
import * as assert from 'node:assert/strict';
import { ServiceUrlError, checkServiceUrl, isLoopbackHost, originOf, type ServiceUrlReason } from '../../../src/core/serviceUrl';
import { DbtCloudClient, PersonalTokenCredentials } from '../../../src/dbt/cloud/dbtCloudClient';
import { DbtCloudError } from '../../../src/dbt/cloud/dbtCloudErrors';
import type { HttpClient } from '../../../src/core/http';
import { createGoogleCredentials, type FederationConfig } from '../../../src/bigquery/credentials';
import { BigQueryConnection } from '../../../src/bigquery/connection';
import { BigQueryError } from '../../../src/bigquery/errors';
import type { BigQuerySettings } from '../../../src/bigquery/settings';

const SETTING = 'gatehouse.looker.baseUrl';

// input                                      accepted origin, or the reason it is refused
const TABLE: [string | undefined, string | ServiceUrlReason][] = [
  ['https://acme.cloud.looker.com', 'https://acme.cloud.looker.com'],
  ['https://acme.cloud.looker.com:443/api/4.0', 'https://acme.cloud.looker.com'],
  ['https://metabase.example.com:8443/', 'https://metabase.example.com:8443'],
  ['  https://Airbyte.Example.com/api/public/v1  ', 'https://airbyte.example.com'],
  ['http://localhost:3000', 'http://localhost:3000'],
  ['http://LOCALHOST:8080/api', 'http://localhost:8080'],
  ['http://127.0.0.1:8000', 'http://127.0.0.1:8000'],
  ['http://127.5.6.7', 'http://127.5.6.7'],
  ['http://127.1:9000', 'http://127.0.0.1:9000'],
  ['http://[::1]:3000', 'http://[::1]:3000'],
  ['http://[0:0:0:0:0:0:0:1]:3000', 'http://[::1]:3000'],
  ['http://acme.cloud.looker.com', 'insecure'],
  ['http://10.0.0.5:8080', 'insecure'],
  ['http://128.0.0.1', 'insecure'],
  ['http://localhost.attacker.example', 'insecure'],
  ['http://127.0.0.1.nip.io', 'insecure'],
  ['http://[::ffff:127.0.0.1]', 'insecure'],
  ['http://[::2]', 'insecure'],
  ['http://0.0.0.0:8080', 'insecure'],
  ['ftp://files.example.com', 'unsupportedScheme'],
  ['file:///etc/passwd', 'unsupportedScheme'],
  ['javascript:alert(1)', 'unsupportedScheme'],
  ['https://alice:hunter2@looker.example.com', 'credentialsInUrl'],
  ['https://token@looker.example.com', 'credentialsInUrl'],
  ['looker.example.com', 'notAUrl'],
  ['not a url', 'notAUrl'],
  ['', 'missing'],
  ['   ', 'missing'],
  [undefined, 'missing'],
];

describe('service URLs', () => {
  it('accepts https and loopback http, refuses the rest with a reason', () => {
    for (const [input, expected] of TABLE) {
      const at = JSON.stringify(input);
      if (expected.includes('://')) {
        assert.equal(originOf(checkServiceUrl(input, SETTING)), expected, at);
        continue;
      }
      assert.throws(
        () => checkServiceUrl(input, SETTING),
        (e) => ServiceUrlError.is(e, expected as ServiceUrlReason) && e.setting === SETTING && e.message.includes(SETTING) && !!e.nextStep,
        at,
      );
    }
  });

  it('says what to set instead, and never echoes a password from the URL', () => {
    const insecure = (() => {
      try {
        checkServiceUrl('http://looker.example.com/api', SETTING);
      } catch (e) {
        return e as ServiceUrlError;
      }
      return undefined;
    })();
    assert.ok(insecure);
    assert.match(insecure.userMessage, /https:\/\/looker\.example\.com\/api/);
    try {
      checkServiceUrl('https://alice:hunter2@looker.example.com', SETTING);
      assert.fail('accepted credentials in the URL');
    } catch (e) {
      assert.ok(ServiceUrlError.is(e, 'credentialsInUrl'));
      assert.ok(!e.userMessage.includes('hunter2'));
    }
  });

  it('tells loopback hosts from look-alikes', () => {
    const table: [string, boolean][] = [['localhost', true], ['127.0.0.1', true], ['127.255.255.254', true], ['[::1]', true], ['localhost.', false], ['mylocalhost', false], ['127.0.0.1.example.com', false], ['::1', false], ['1.127.0.0', false]];
    for (const [host, loopback] of table) assert.equal(isLoopbackHost(host), loopback, host);
  });

  it('makes the dbt Cloud client refuse a plain-http base URL before any request', () => {
    let sent = 0;
    const http: HttpClient = { request: async () => (sent++, { status: 200, headers: {}, data: undefined }) } as unknown as HttpClient;
    assert.throws(
      () => new DbtCloudClient({ http, baseUrl: 'http://cloud.getdbt.com', accountId: '1', credentials: new PersonalTokenCredentials(async () => 'dbtu_x') }),
      (e) => DbtCloudError.is(e, 'notConfigured') && /https/.test(e.userMessage) && /gatehouse\.dbtCloud\.baseUrl/.test(e.message),
    );
    assert.equal(sent, 0);
  });
});

describe('BigQuery federation and API URLs', () => {
  const idTokens = { getIdToken: async () => 'id-token' };
  const AUDIENCE = '//iam.googleapis.com/locations/global/workforcePools/p/providers/x';

  it('refuses plain-http token, impersonation and API endpoints off this machine', () => {
    const table: [Partial<FederationConfig>, string | undefined][] = [
      [{ stsUrl: 'http://sts.example.com/v1/token' }, 'gatehouse.bigquery.stsUrl'],
      [{ serviceAccountImpersonationUrl: 'http://iam.example.com/v1/x:generateAccessToken' }, 'gatehouse.bigquery.serviceAccountImpersonationUrl'],
      [{ stsUrl: 'http://127.0.0.1:8099/v1/token' }, undefined],
      [{ stsUrl: 'https://sts.example.com/v1/token', serviceAccountImpersonationUrl: 'https://iam.example.com/v1/x:generateAccessToken' }, undefined],
    ];
    for (const [config, refused] of table) {
      const make = () => createGoogleCredentials({ audience: AUDIENCE, ...config }, idTokens);
      if (refused) assert.throws(make, (e) => BigQueryError.is(e, 'notConfigured') && e.message.includes(refused) && /https/.test(e.message), refused);
      else assert.ok(make().authClient, JSON.stringify(config));
    }
    const connection = (apiEndpoint: string) =>
      new BigQueryConnection({
        settings: () => ({ federation: { audience: AUDIENCE }, billingProject: 'p', location: 'US', apiEndpoint, resourceManagerEndpoint: '', cost: {} as BigQuerySettings['cost'] }),
        idTokens,
        subject: () => 'alice',
        sessionScope: { add: (d) => d },
      });
    assert.throws(() => connection('http://bigquery.example.com').client(), (e) => BigQueryError.is(e, 'notConfigured') && /gatehouse\.bigquery\.apiEndpoint/.test(e.message));
    assert.ok(connection('http://127.0.0.1:9050').client());
  });
});
