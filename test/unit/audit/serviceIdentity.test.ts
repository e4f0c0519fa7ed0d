import * as assert from 'node:assert/strict';
import type { CredentialOrigin } from '../../../src/audit/auditTrail';
import { ServiceIdentities } from '../../../src/audit/serviceIdentity';
import { identityReportLines } from '../../../src/auth/identityText';

describe('who each service sees', () => {
  it('reports every registered service: the credential in words, whom the service reports, or what is missing', async () => {
    const ids = new ServiceIdentities();
    let lookerOrigin: CredentialOrigin | undefined = 'service-oauth';
    let asked = 0;
    ids.register({ service: 'looker', credential: () => lookerOrigin, principal: async () => (asked++, { name: 'Alice Example' }) });
    ids.register({ service: 'metabase', credential: () => 'api-key', principal: async () => ({ name: 'Analysts reporting key' }) });
    ids.register({ service: 'airbyte', credential: () => undefined });
    ids.register({ service: 'bigquery', credential: () => { throw new Error('not configured'); } });
    ids.register({ service: 'dbtCloud', credential: () => 'personal-token', principal: async () => { throw new Error('unreachable'); } });

    // Signed out: words from the settings alone, nobody asked.
    assert.deepEqual((await ids.report(undefined, false)).map((r) => `${r.title}: ${r.text}`), [
      'Looker: your Looker account via Looker sign-in',
      "Metabase: Shared identity: group API key (Metabase applies the key's group, not you)",
      'Airbyte: not configured, or no credential entered',
      'BigQuery: not configured, or no credential entered',
      'dbt Cloud: your dbt Cloud personal access token',
    ]);
    assert.equal(asked, 0);

    const rows = await ids.report('alice@example.com', true);
    assert.deepEqual(identityReportLines([{ label: 'Account', value: 'alice@example.com' }], rows), [
      'Account: alice@example.com',
      'Looker: As alice@example.com · your Looker account via Looker sign-in (Alice Example)',
      "Metabase: Shared identity: group API key: Analysts reporting key (Metabase applies the key's group, not you)",
      'Airbyte: not configured, or no credential entered',
      'BigQuery: not configured, or no credential entered',
      // The service could not be asked: the words still say how the call is made.
      'dbt Cloud: As alice@example.com · your dbt Cloud personal access token',
    ]);
    assert.equal(rows.find((r) => r.service === 'metabase')?.description?.shared, true);

    // What Looker reported belongs to that credential: another origin, or a changed connection, drops it.
    lookerOrigin = 'identity-proxy';
    assert.equal(ids.describe('looker')?.text, 'your sign-in via the identity-aware proxy in front of Looker');
    lookerOrigin = 'service-oauth';
    assert.match(ids.describe('looker')?.text ?? '', /\(Alice Example\)$/);
    const changed: string[] = [];
    ids.onDidChange((s) => changed.push(s));
    ids.forget('looker');
    assert.equal(ids.describe('looker')?.text, 'your Looker account via Looker sign-in');
    assert.deepEqual(changed, ['looker']);
    ids.dispose();
  });

  it('a module that goes away takes its entry with it', async () => {
    const ids = new ServiceIdentities();
    const reg = ids.register({ service: 'airbyte', credential: () => 'application-credentials', principal: async () => ({ clientId: 'gatehouse-demo-alice' }) });
    assert.equal((await ids.lookUp('airbyte'))?.text, 'your Airbyte application gateho…');
    reg.dispose();
    assert.deepEqual(await ids.report('alice', true), []);
  });
});
