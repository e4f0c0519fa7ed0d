// Explain Access on BigQuery: tables.testIamPermissions and Resource Manager's
// projects.testIamPermissions against the sandbox, whose answers follow its dataset access lists
// and project members, and the targets read from tree items, refusals and denial messages.
import * as assert from 'node:assert/strict';
import { BigQueryError } from '../../../src/bigquery/errors';
import { bigQueryTargetOf, checkBigQueryAccess, PROJECT_PERMISSIONS, TABLE_PERMISSIONS, targetOfDenial } from '../../../src/bigquery/accessCheck';
import { renderExplanation } from '../../../src/policy/accessExplanation';
import { useBigQueryFixture, type BigQueryFixture } from './fixture';

describe('BigQuery permission tests (Explain Access)', function () {
  this.timeout(30_000);
  const fixture = useBigQueryFixture();
  let f: BigQueryFixture;
  before(() => (f = fixture()));

  const tables: [string, string, string[]][] = [
    ['alice', 'gatehouse-demo:raw.orders_raw', ['bigquery.tables.get', 'bigquery.tables.getData', 'bigquery.tables.export', 'bigquery.tables.updateData']],
    ['bob', 'gatehouse-demo:analytics.orders', ['bigquery.tables.get', 'bigquery.tables.getData', 'bigquery.tables.export']],
    ['bob', 'gatehouse-demo:raw.orders_raw', []],
    ['bob', 'gatehouse-finance:finance.revenue', []],
    ['olivia', 'gatehouse-demo:analytics.orders', []],
  ];
  for (const [user, name, granted] of tables) {
    it(`tables.testIamPermissions: ${user} on ${name} holds ${granted.length ? granted.join(', ') : 'nothing'}`, async () => {
      const [projectId, rest] = name.split(':');
      const [datasetId, tableId] = rest.split('.');
      const { client } = await f.client(user);
      assert.deepEqual(await client.testTablePermissions({ projectId, datasetId, tableId }, TABLE_PERMISSIONS), granted);
    });
  }

  const projects: [string, string, string[]][] = [
    ['alice', 'gatehouse-finance', [...PROJECT_PERMISSIONS]],
    ['bob', 'gatehouse-demo', [...PROJECT_PERMISSIONS]],
    ['bob', 'gatehouse-finance', []],
    ['olivia', 'gatehouse-demo', []],
  ];
  for (const [user, project, granted] of projects) {
    it(`projects.testIamPermissions: ${user} on ${project} holds ${granted.length ? 'bigquery.jobs.create and the rest' : 'nothing'}`, async () => {
      const { client } = await f.client(user);
      assert.deepEqual(await client.testProjectPermissions(project, PROJECT_PERMISSIONS), granted);
    });
  }

  it('keeps only permissions that were asked, and says notFound for a missing table the caller could see', async () => {
    const { client } = await f.client('alice');
    assert.deepEqual(await client.testTablePermissions({ projectId: 'gatehouse-demo', datasetId: 'analytics', tableId: 'orders' }, ['bigquery.tables.getData']), ['bigquery.tables.getData']);
    await assert.rejects(client.testTablePermissions({ projectId: 'gatehouse-demo', datasetId: 'analytics', tableId: 'nope' }, TABLE_PERMISSIONS), (e: unknown) => BigQueryError.is(e, 'notFound'));
    await assert.rejects(client.testTablePermissions({ projectId: 'gatehouse-demo', datasetId: 'analytics', tableId: 'orders' }, ['bigquery.*']), (e: unknown) => BigQueryError.is(e, 'invalid'));
  });

  it('bob on the finance table: the table and its project grant nothing, the billing project lets him run jobs', async () => {
    const { client } = await f.client('bob');
    const access = await checkBigQueryAccess(client, { kind: 'table', projectId: 'gatehouse-finance', datasetId: 'finance', tableId: 'revenue' });
    const text = renderExplanation({ roles: [], capabilities: [], services: [], resource: access });
    assert.match(text, /Resource: BigQuery table gatehouse-finance:finance\.revenue/);
    assert.match(text, /table gatehouse-finance:finance\.revenue, as BigQuery tables\.testIamPermissions answered:\n {5}\[missing\] bigquery\.tables\.get\n {5}\[missing\] bigquery\.tables\.getData/);
    assert.match(text, /project gatehouse-finance, as Cloud Resource Manager projects\.testIamPermissions answered:\n {5}\[missing\] resourcemanager\.projects\.get\n {5}\[missing\] bigquery\.jobs\.create/);
    assert.match(text, /project gatehouse-demo \(the billing project, where queries run\), as Cloud Resource Manager projects\.testIamPermissions answered:\n {5}\[granted\] resourcemanager\.projects\.get\n {5}\[granted\] bigquery\.jobs\.create/);
  });

  it('a check that fails is shown as failed, not as missing permissions', async () => {
    const { client } = await f.client('bob', { resourceManagerEndpoint: 'http://127.0.0.1:9', retry: { maxAttempts: 1 } });
    const access = await checkBigQueryAccess(client, { kind: 'project', projectId: 'gatehouse-demo' });
    assert.equal(access.checks?.length, 1);
    assert.match(access.checks![0].failed ?? '', /^network: /);
  });

  it('targets: explorer nodes, refusal targets and denial messages; anything else is not a BigQuery target', () => {
    const table = { projectId: 'p', datasetId: 'd', tableId: 't' };
    assert.deepEqual(bigQueryTargetOf({ kind: 'table', key: 'k', table }), { kind: 'table', ...table });
    assert.deepEqual(bigQueryTargetOf({ kind: 'dataset', key: 'k', dataset: { projectId: 'p', datasetId: 'd' } }), { kind: 'dataset', projectId: 'p', datasetId: 'd' });
    assert.deepEqual(bigQueryTargetOf({ service: 'bigquery', kind: 'project', projectId: 'p' }), { kind: 'project', projectId: 'p' });
    assert.equal(bigQueryTargetOf({ kind: 'cloudJob', jobId: 1 }), undefined);
    assert.equal(bigQueryTargetOf({ service: 'bigquery', kind: 'table', projectId: 'p/../x', datasetId: 'd', tableId: 't' }), undefined);
    assert.equal(bigQueryTargetOf('table'), undefined);
    assert.deepEqual(targetOfDenial('Access Denied: Table gatehouse-finance:finance.revenue: User does not have permission to query table gatehouse-finance:finance.revenue.'), { kind: 'table', projectId: 'gatehouse-finance', datasetId: 'finance', tableId: 'revenue' });
    assert.deepEqual(targetOfDenial('Access Denied: Dataset gatehouse-demo:raw: Permission bigquery.tables.list denied'), { kind: 'dataset', projectId: 'gatehouse-demo', datasetId: 'raw' });
    assert.deepEqual(targetOfDenial('Access Denied: Project gatehouse-finance: User does not have bigquery.jobs.create permission'), { kind: 'project', projectId: 'gatehouse-finance' });
    assert.equal(targetOfDenial('Something else'), undefined);
  });
});
