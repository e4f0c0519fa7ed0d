// The explorer model over the sandbox BigQuery: what each demo user sees, "Load more" paging,
// no-access answers instead of errors, the filter, and refresh.
import * as assert from 'node:assert/strict';
import { BigQueryExplorerModel, type ExplorerNode } from '../../../src/bigquery/explorerModel';
import type { BigQueryClient } from '../../../src/bigquery/client';
import { useBigQueryFixture, type BigQueryFixture } from './fixture';
import type { AuditRecord } from '../../../src/audit/auditTrail';
import { until } from '../support/wait';

type Parent = Parameters<BigQueryExplorerModel['children']>[0];

function label(n: ExplorerNode): string {
  switch (n.kind) {
    case 'project':
      return n.project.id;
    case 'dataset':
      return n.dataset.datasetId;
    case 'table':
      return n.table.tableId;
    case 'routine':
      return n.routine.routineId;
    case 'column':
      return n.field.name;
    case 'loadMore':
      return '(load more)';
    case 'message':
      return `(${n.severity})`;
  }
}

async function at(model: BigQueryExplorerModel, path: string[]): Promise<ExplorerNode[]> {
  let parent: Parent;
  for (const name of path) {
    const next = (await model.children(parent)).find((n) => label(n) === name);
    assert.ok(next, `no ${name} under ${parent?.key ?? 'root'}`);
    parent = next as Parent;
  }
  return model.children(parent);
}

describe('BigQuery explorer model against the sandbox', function () {
  this.timeout(30_000);
  const fixture = useBigQueryFixture();
  let f: BigQueryFixture;
  before(() => (f = fixture()));

  const model = async (user: string, pageSize = { projects: 50, datasets: 50, tables: 100 }) => {
    const { client } = await f.client(user);
    return new BigQueryExplorerModel(() => client, { pageSize });
  };

  const views: [string, string[], string, string[]][] = [
    ['alice', ['gatehouse-demo', 'gatehouse-finance'], 'gatehouse-demo', ['analytics', 'events', 'marketing', 'raw']],
    ['bob', ['gatehouse-demo'], 'gatehouse-demo', ['analytics', 'events', 'marketing', 'raw']],
    ['olivia', ['(empty)'], '', []],
  ];
  for (const [user, roots, project, datasets] of views) {
    it(`shows ${user} the projects and datasets of their grants`, async () => {
      const m = await model(user);
      assert.deepEqual((await m.children()).map(label).sort(), roots);
      if (project) assert.deepEqual((await at(m, [project])).map(label).sort(), datasets);
    });
  }

  it('answers a dataset bob may not read with a no-access child, not an error', async () => {
    const m = await model('bob');
    const raw = await at(m, ['gatehouse-demo', 'raw']);
    assert.equal(raw.length, 1);
    assert.equal(raw[0].kind === 'message' && raw[0].severity, 'noAccess');
    const alice = await model('alice');
    assert.ok((await at(alice, ['gatehouse-demo', 'raw'])).every((n) => n.kind === 'table'));
  });

  it('pages 250 tables with Load more, once per click even when clicked twice', async () => {
    const m = await model('bob');
    const first = await at(m, ['gatehouse-demo', 'marketing']);
    assert.equal(first.filter((n) => n.kind === 'table').length, 100);
    const more = first.at(-1)!;
    assert.equal(more.kind, 'loadMore');
    const datasetNode = (await at(m, ['gatehouse-demo'])).find((n) => label(n) === 'marketing') as Parent;
    const changed: (string | undefined)[] = [];
    m.onDidChange((k) => changed.push(k));
    await Promise.all([m.loadMore(datasetNode!.key, datasetNode), m.loadMore(datasetNode!.key, datasetNode)]);
    const second = await m.children(datasetNode);
    assert.equal(second.filter((n) => n.kind === 'table').length, 200);
    assert.ok(changed.includes(datasetNode!.key));
    await m.loadMore(datasetNode!.key, datasetNode);
    const all = await m.children(datasetNode);
    const tables = all.filter((n) => n.kind === 'table').map(label);
    assert.equal(tables.length, 250);
    assert.equal(new Set(tables).size, 250);
    assert.ok(!all.some((n) => n.kind === 'loadMore'));
  });

  it('lists columns with nested RECORD fields, and routines beside tables', async () => {
    const m = await model('bob');
    const cols = await at(m, ['gatehouse-demo', 'analytics', 'customers']);
    const addresses = cols.find((n) => label(n) === 'addresses');
    assert.ok(addresses?.kind === 'column' && addresses.field.mode === 'REPEATED');
    assert.deepEqual((await m.children(addresses as Parent)).map(label), ['street', 'city', 'country']);
    const datasets = await Promise.all(['analytics', 'events', 'marketing'].map((d) => at(m, ['gatehouse-demo', d])));
    assert.ok(datasets.flat().some((n) => n.kind === 'routine'), 'a routine somewhere in the demo datasets');
  });

  it('filters loaded tables by name and says when nothing loaded matches', async () => {
    const m = await model('bob');
    await at(m, ['gatehouse-demo', 'analytics']);
    m.setFilter('ORD');
    const filtered = await at(m, ['gatehouse-demo', 'analytics']);
    assert.ok(filtered.length > 0 && filtered.every((n) => n.kind !== 'table' || n.table.tableId.includes('ord')));
    m.setFilter('zzz-no-such');
    const none = await at(m, ['gatehouse-demo', 'analytics']);
    assert.deepEqual(none.map((n) => n.kind), ['message']);
    m.setFilter('');
    assert.ok((await at(m, ['gatehouse-demo', 'analytics'])).length > filtered.length);
  });

  it('refresh forgets a subtree and asks again; without a client the root is empty (the welcome asks to sign in)', async () => {
    let calls = 0;
    const { client } = await f.client('bob');
    const counting = new Proxy(client, {
      get(target, prop, receiver) {
        if (prop === 'listDatasets') calls++;
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    }) as BigQueryClient;
    let current: BigQueryClient | undefined = counting;
    const m = new BigQueryExplorerModel(() => current);
    await at(m, ['gatehouse-demo']);
    await at(m, ['gatehouse-demo']);
    assert.equal(calls, 1, 'cached');
    m.refresh('p:gatehouse-demo');
    await at(m, ['gatehouse-demo']);
    assert.equal(calls, 2, 'asked again after refresh');
    current = undefined;
    m.refresh();
    // Signed out: an empty root, so VS Code shows the view's Sign in welcome.
    assert.deepEqual(await m.children(), []);
  });
  it('records one audit line per metadata read (listing, table schema), with outcome, not one per row', async () => {
    const { client } = await f.client('bob');
    const records: Omit<AuditRecord, 'time'>[] = [];
    const m = new BigQueryExplorerModel(() => client, { audit: { audit: { record: async (e) => records.push(e) }, actor: () => ({ subject: 'bob-sub', email: 'bob@example.com' }) } });
    const tables = await at(m, ['gatehouse-demo', 'analytics']);
    await at(m, ['gatehouse-demo', 'raw']);
    const orders = tables.find((n) => n.kind === 'table' && n.table.tableId === 'orders');
    assert.ok(orders);
    await m.children(orders as Parent);
    // Cached listings are not read again, so not recorded again.
    await at(m, ['gatehouse-demo', 'analytics']);
    await until('five records', () => records.length >= 5);
    const rows = records.map((r) => [r.action, r.resource, r.outcome, r.reason ?? '']);
    assert.deepEqual(rows, [
      ['list-projects', 'projects', 'succeeded', ''],
      ['list-datasets', 'gatehouse-demo', 'succeeded', ''],
      ['list-tables', 'gatehouse-demo.analytics', 'succeeded', ''],
      ['list-tables', 'gatehouse-demo.raw', 'denied', 'accessDenied'],
      ['read-table-metadata', 'gatehouse-demo.analytics.orders', 'succeeded', ''],
    ]);
    assert.ok(records.every((r) => r.service === 'bigquery' && r.actor.subject === 'bob-sub' && r.credential === client.credentialOrigin));
  });
});
