// gatehouse.<service>.credential → the mode a service connection uses, including the fallback for
// settings written before the setting existed (an audience alone meant the IdP token).
import * as assert from 'node:assert/strict';
import { CREDENTIAL_MODES, credentialMode } from '../../../src/auth/credentialModes';

describe('credentialMode', () => {
  const table: [keyof typeof CREDENTIAL_MODES, unknown, string | undefined, string][] = [
    ['airbyte', undefined, undefined, 'application'],
    ['airbyte', undefined, 'https://airbyte.example', 'proxy'],
    ['airbyte', 'application', 'https://airbyte.example', 'application'],
    ['airbyte', 'proxy', undefined, 'proxy'],
    ['airbyte', 'personalToken', undefined, 'application'],
    ['dbtCloud', undefined, undefined, 'personalToken'],
    ['dbtCloud', 'serviceToken', 'https://dbt.example', 'serviceToken'],
    ['dbtCloud', undefined, 'https://dbt.example', 'proxy'],
    ['dbtCloud', 42, 'https://dbt.example', 'proxy'],
    ['metabase', undefined, undefined, 'session'],
    ['metabase', 'apiKey', undefined, 'apiKey'],
    ['metabase', 'session', 'https://metabase.example', 'session'],
    ['metabase', undefined, 'https://metabase.example', 'proxy'],
    ['metabase', 'bogus', undefined, 'session'],
  ];
  for (const [service, explicit, audience, expected] of table) {
    it(`${service}: credential ${JSON.stringify(explicit)}, audience ${audience ? 'set' : 'unset'} → ${expected}`, () => {
      assert.equal(credentialMode(service, explicit, audience), expected);
    });
  }

  it('defaults to the per-person path, first in each list', () => {
    assert.deepEqual(Object.values(CREDENTIAL_MODES).map((m) => m[0]), ['application', 'personalToken', 'session']);
  });
});
