import * as assert from 'node:assert/strict';
import { bigQueryChain, capabilityFacts, federatedPrincipal, renderExplanation, ResourceExplainers, tokenChain } from '../../../src/policy/accessExplanation';
import { HttpError } from '../../../src/core/errors';
import { serviceReport } from '../../../src/core/serviceReport';
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

describe('explain access from a refusal: the service’s own answer', () => {
  const failed = (body: unknown) => new HttpError('forbidden', 'x answered HTTP 403.', 403, body);
  const bodies: [string, unknown, string | undefined][] = [
    ['Airbyte problem+json', { type: 'https://reference.airbyte.com/reference/errors#forbidden', title: 'forbidden', status: 403, detail: 'User bob@example.com does not have the permission to read workspace w.' }, 'User bob@example.com does not have the permission to read workspace w.'],
    ['a problem with only a title', { type: 'about:blank', title: 'forbidden' }, 'forbidden'],
    ['dbt Cloud status', { status: { code: 403, is_success: false, user_message: 'You do not have permission to perform this action.' }, data: null }, 'You do not have permission to perform this action.'],
    ['Looker message', { message: 'Not authorized', documentation_url: 'https://cloud.google.com/looker/docs/' }, 'Not authorized'],
    ['BigQuery error', { error: { code: 403, message: 'Access Denied: Table p:d.t', errors: [{ reason: 'accessDenied' }] } }, 'Access Denied: Table p:d.t'],
    ['Metabase plain text', "You don't have permissions to do that.", "You don't have permissions to do that."],
    ['nothing readable', { code: 7 }, undefined],
  ];
  for (const [name, body, expected] of bodies) it(`reads ${name}`, () => assert.equal(serviceReport(new Error('wrapped', { cause: failed(body) })), expected));

  it('clips a long answer to one line', () => {
    const said = serviceReport(failed(`line one\nline two ${'x'.repeat(1000)}`))!;
    assert.ok(said.length <= 400 && !said.includes('\n') && said.startsWith('line one line two'));
  });

  it('renders what was refused, the service’s words as text, and each permission granted or missing', () => {
    const text = renderExplanation({
      roles: [],
      capabilities: [],
      services: [],
      refusal: { service: 'Metabase', what: 'run question "Finance" (card 7)', reported: 'You don\u0007t have [permissions](command:x).' },
      resource: {
        service: 'BigQuery',
        resource: 'table p:d.t',
        checks: [
          { resource: 'table p:d.t', via: 'BigQuery tables.testIamPermissions', asked: ['bigquery.tables.get', 'bigquery.tables.getData'], granted: ['bigquery.tables.get'] },
          { resource: 'project p', via: 'Cloud Resource Manager projects.testIamPermissions', asked: ['bigquery.jobs.create'], granted: [], failed: 'network: Could not reach BigQuery.' },
        ],
        notes: ['A query needs getData.'],
      },
    });
    assert.match(text, /Refused: Metabase — run question "Finance" \(card 7\)\nMetabase answered \(its words, as text\): You dont have \[permissions\]\(command:x\)\./);
    assert.match(text, /Resource: BigQuery table p:d\.t\n {3}table p:d\.t, as BigQuery tables\.testIamPermissions answered:\n {5}\[granted\] bigquery\.tables\.get\n {5}\[missing\] bigquery\.tables\.getData\n {3}project p, as Cloud Resource Manager projects\.testIamPermissions answered:\n {5}could not be checked: network: Could not reach BigQuery\.\n {3}A query needs getData\./);
  });

  it('resource explainers: the first that knows the target answers; one that throws is passed over', async () => {
    const explainers = new ResourceExplainers();
    explainers.add(() => {
      throw new Error('offline');
    });
    const sub = explainers.add((t) => ((t as { kind?: string }).kind === 'x' ? { service: 'S', resource: 'x' } : undefined));
    assert.deepEqual(await explainers.explain({ kind: 'x' }, AbortSignal.timeout(1000)), { service: 'S', resource: 'x' });
    assert.equal(await explainers.explain({ kind: 'y' }, AbortSignal.timeout(1000)), undefined);
    sub.dispose();
    assert.equal(await explainers.explain({ kind: 'x' }, AbortSignal.timeout(1000)), undefined);
  });
});
