import * as assert from 'node:assert/strict';
import { bigQueryChain, capabilityFacts, federatedPrincipal, renderExplanation, tokenChain } from '../../../src/policy/accessExplanation';
import { groupsGranting, isAllowed, rolesFromGroups } from '../../../src/policy/roles';

const WORKFORCE = '//iam.googleapis.com/locations/global/workforcePools/gatehouse-sandbox/providers/sandbox-idp';

describe('explain access', () => {
  const principals: [string, string | undefined][] = [
    [WORKFORCE, 'principal://iam.googleapis.com/locations/global/workforcePools/gatehouse-sandbox/subject/bob'],
    ['//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/x', 'principal://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/subject/bob'],
    ['https://example.com/not-google', undefined],
  ];
  for (const [audience, expected] of principals) it(`principal for ${audience}`, () => assert.equal(federatedPrincipal(audience, 'bob'), expected));

  it('says what each service sees: federated principal, impersonated account, ADC, IdP token or own credentials', () => {
    assert.match(bigQueryChain({ audience: WORKFORCE, useApplicationDefaultCredentials: false }, 'bob').lines.join(' '), /sees the federated principal principal:\/\/.*\/subject\/bob\./);
    assert.match(bigQueryChain({ audience: WORKFORCE, impersonationUrl: 'https://iam/sa', useApplicationDefaultCredentials: false }, 'bob').lines.join(' '), /impersonates a service account/);
    assert.match(bigQueryChain({ useApplicationDefaultCredentials: true }, 'bob').lines[0], /Application Default Credentials/);
    assert.match(bigQueryChain({ useApplicationDefaultCredentials: false }, 'bob').lines[0], /^Not configured/);
    assert.match(tokenChain('Airbyte', { baseUrl: 'http://a', audience: 'airbyte-api' }, 'tokenExchange').lines[0], /exchanged for that audience.*audience airbyte-api/);
    assert.match(tokenChain('Looker', { baseUrl: 'http://l' }, 'resourceIndicators').lines[0], /API3 keys/);
    assert.deepEqual(tokenChain('Metabase', {}, 'resourceIndicators').lines, ['Not configured.']);
  });

  it('renders the whole chain as text: person and groups, granted capabilities with their groups, services, whom to ask', () => {
    const mapping = { 'data-engineers': ['engineer'], analysts: ['analyst'] };
    const roles = rolesFromGroups(['analysts'], mapping);
    const text = renderExplanation({
      person: { label: 'bob@example.com', subject: 'bob', issuer: 'http://idp', groups: ['analysts', 'evil\u0007<script>'], rolesClaim: [] },
      roles: [...roles],
      capabilities: capabilityFacts((a) => isAllowed(a, roles), (a) => groupsGranting(a, mapping)),
      services: [bigQueryChain({ audience: WORKFORCE, useApplicationDefaultCredentials: false }, 'bob')],
      contact: 'data-platform@example.com',
      refusal: { service: 'BigQuery', what: 'run this query', missing: 'bigquery.tables.getData' },
    });
    assert.match(text, /Refused: BigQuery — run this query\nBigQuery reported missing: bigquery\.tables\.getData/);
    assert.match(text, /Groups: analysts, evil<script>/, 'kept as text, control characters dropped');
    assert.match(text, /\[no \] Trigger dbt Cloud jobs — granted to data-engineers/);
    assert.match(text, /\[yes\] Run BigQuery queries — open to everyone signed in/);
    assert.match(text, /Ask data-platform@example\.com for access\./);
    assert.match(text, /subject\/bob/);
    assert.ok(!text.includes('\u0007'));
  });

  it('signed out: says so instead of naming anyone', () => {
    assert.match(renderExplanation({ roles: [], capabilities: [], services: [] }), /Not signed in/);
  });
});
