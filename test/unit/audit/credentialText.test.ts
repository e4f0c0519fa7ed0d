import * as assert from 'node:assert/strict';
import type { AuditService, CredentialOrigin } from '../../../src/audit/auditTrail';
import { describeCredential, identityLine, shortClientId, type Principal } from '../../../src/audit/credentialText';

describe('credential in words', () => {
  const cases: [AuditService, CredentialOrigin, Principal, string, boolean][] = [
    ['looker', 'service-oauth', {}, 'your Looker account via Looker sign-in', false],
    ['looker', 'service-oauth', { name: 'Alice Example' }, 'your Looker account via Looker sign-in (Alice Example)', false],
    ['looker', 'personal-token', { name: 'Alice Example' }, 'your Looker API3 key (Alice Example)', false],
    ['looker', 'identity-proxy', {}, 'your sign-in via the identity-aware proxy in front of Looker', false],
    ['looker', 'identity-proxy', { name: 'Alice Example' }, 'your sign-in via the identity-aware proxy in front of Looker (Alice Example)', false],
    ['looker', 'resource-indicator', { name: 'Alice Example' }, "your sign-in's token issued for Looker by your identity provider (Alice Example)", false],
    ['metabase', 'password-session', { name: 'Alice Example' }, 'your Metabase account via Metabase login (Alice Example)', false],
    ['metabase', 'api-key', { name: 'Analysts reporting key' }, "shared identity: group API key: Analysts reporting key (Metabase applies the key's group, not you)", true],
    ['metabase', 'api-key', { group: 'Analysts', name: 'ignored when the group is known' }, "shared identity: group API key: Analysts (Metabase applies the key's group, not you)", true],
    ['dbtCloud', 'personal-token', {}, 'your dbt Cloud personal access token', false],
    ['dbtCloud', 'service-token', { name: 'CI token', group: 'Job Admin' }, 'shared identity: dbt Cloud service token "CI token" with Job Admin (acts as the token, not as you)', true],
    ['airbyte', 'application-credentials', { clientId: 'gatehouse-demo-alice' }, 'your Airbyte application gateho…', false],
    ['airbyte', 'identity-proxy', {}, 'your sign-in via the identity-aware proxy in front of Airbyte', false],
    ['bigquery', 'google-federation', {}, 'your Google identity, federated from your sign-in', false],
    ['bigquery', 'google-impersonation', {}, 'shared identity: Google service account impersonated with your federated credentials', true],
    ['bigquery', 'application-default-credentials', {}, 'shared identity: gcloud Application Default Credentials on this machine', true],
    ['dbt', 'local-cli', {}, "the dbt command line with the project's own profile", false],
    ['auth', 'idp-id-token', {}, 'your sign-in id token', false],
  ];
  for (const [service, origin, principal, text, shared] of cases) {
    it(`${service} ${origin}${Object.keys(principal).length ? ' with what the service reported' : ''}`, () => {
      assert.deepEqual(describeCredential(service, origin, principal), { origin, text, shared });
    });
  }

  it('never shows a whole client id, and keeps service text on one short line', () => {
    assert.equal(shortClientId('abc'), 'ab…');
    assert.equal(shortClientId('0123456789abcdef'), '012345…');
    const d = describeCredential('looker', 'service-oauth', { name: `Alice\n\u202eevil${'x'.repeat(200)}` });
    assert.ok(!/[\n\u202e]/.test(d.text));
    assert.ok(d.text.length < 140, d.text);
  });

  it('the identity line names the person, or says first that the identity is shared', () => {
    assert.equal(identityLine('alice@example.com', describeCredential('looker', 'service-oauth')), 'As alice@example.com · your Looker account via Looker sign-in');
    assert.equal(identityLine('alice@example.com', describeCredential('metabase', 'api-key', { name: 'Analysts' })), "Shared identity: group API key: Analysts (Metabase applies the key's group, not you)");
    assert.equal(identityLine(undefined, describeCredential('dbtCloud', 'personal-token')), 'your dbt Cloud personal access token');
  });
});
