// The sandbox's hostile mode: off by default, switched per run, and it rewrites display strings
// only (names, titles, messages, STRING cells), never ids, so the extension's requests still work.
import * as assert from 'node:assert/strict';
import { HOSTILE_CELL, HOSTILE_SUFFIX, hostileBody, hostileMode } from '../../sandbox/hostile';
import { startSandbox, type Sandbox } from '../../sandbox/sandbox';

describe('sandbox hostile mode', () => {
  it('rewrites display strings and keeps ids', () => {
    const airbyte = hostileBody('airbyte', { data: [{ connectionId: 'c1', name: 'Shop', status: 'active' }] }) as any;
    assert.deepEqual(airbyte.data[0], { connectionId: 'c1', name: `Shop${HOSTILE_SUFFIX}`, status: 'active' });
    const looker = hostileBody('looker', [{ id: '7', name: 'Sales', parent_id: '1', title: 'x' }, { name: 'orders.status', label: 'Status' }]) as any[];
    assert.equal(looker[0].name, `Sales${HOSTILE_SUFFIX}`);
    assert.equal(looker[0].title, `x${HOSTILE_SUFFIX}`);
    assert.equal(looker[1].name, 'orders.status', 'a Looker field name is a key of the result rows');
    assert.deepEqual(hostileBody('sts', { access_token: 'ya29.x' }), { access_token: 'ya29.x' });
  });

  it('puts hostile cells into BigQuery STRING columns only', () => {
    const body = hostileBody('bigquery', {
      kind: 'bigquery#queryResponse',
      schema: { fields: [{ name: 'status', type: 'STRING' }, { name: 'n', type: 'INTEGER' }, { name: 'tags', type: 'STRING', mode: 'REPEATED' }] },
      rows: [{ f: [{ v: 'shipped' }, { v: '3' }, { v: [{ v: 'a' }] }] }],
      jobReference: { jobId: 'job_1' },
    }) as any;
    assert.deepEqual(body.rows[0].f, [{ v: HOSTILE_CELL }, { v: '3' }, { v: [{ v: 'a' }] }]);
    assert.equal(body.schema.fields[0].name, `status${HOSTILE_SUFFIX}`);
    assert.equal(body.jobReference.jobId, 'job_1');
  });

  describe('over HTTP', () => {
    let sandbox: Sandbox;
    before(async function () {
      this.timeout(60_000);
      sandbox = await startSandbox({ services: ['airbyte'], largeTableRows: 10 });
    });
    after(async () => {
      hostileMode.on = false;
      await sandbox?.close();
    });

    it('is off by default and switched by POST /__sandbox/hostile', async () => {
      const state = async () => ((await (await fetch(`${sandbox.urls.airbyte}/__sandbox/hostile`)).json()) as { on: boolean }).on;
      assert.equal(await state(), false);
      const notFound = async () => ((await (await fetch(`${sandbox.urls.airbyte}/v1/nothing-here`)).json()) as { detail?: string }).detail ?? '';
      assert.ok(!(await notFound()).includes(HOSTILE_SUFFIX));
      await fetch(`${sandbox.urls.airbyte}/__sandbox/hostile`, { method: 'POST', body: JSON.stringify({ on: true }) });
      assert.equal(await state(), true);
      const res = await fetch(`${sandbox.urls.airbyte}/v1/nothing-here`);
      const text = await res.text();
      assert.equal(Number(res.headers.get('content-length')), Buffer.byteLength(text), 'content-length follows the rewritten body');
      assert.ok((JSON.parse(text) as { detail: string }).detail.endsWith(HOSTILE_SUFFIX));
      await fetch(`${sandbox.urls.airbyte}/__sandbox/hostile`, { method: 'POST', body: JSON.stringify({ on: false }) });
      assert.equal(await state(), false);
    });
  });
});
