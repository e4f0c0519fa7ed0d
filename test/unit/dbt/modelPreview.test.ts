// dbt Preview against the sandbox BigQuery: the compiled SQL comes from a manifest in the
// workspace, so a model whose compiled_code closes the preview's wrapper and appends DML or DDL
// must be refused before anything runs. Asserted through the sandbox's own job list and the
// table's rows, not through what the runner says about itself.
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { AuditRecord } from '../../../src/audit/auditTrail';
import type { BigQueryClient } from '../../../src/bigquery/client';
import type { CostSettings } from '../../../src/bigquery/queryRunner';
import {
  DbtPreviewError, bigQueryPreviewRunner, previewModel, previewSql, sqlSha256, type ModelPreviewRequest,
} from '../../../src/dbt/modelPreview';
import { RecordingPresenter } from '../support/recordingPresenter';
import { useBigQueryFixture } from '../bigquery/fixture';

const ORDERS = '`gatehouse-demo.analytics.orders`';
const NO_LIMITS: CostSettings = { maximumBytesBilled: 0, confirmAboveBytes: 0 };

describe('dbt preview runs only a single SELECT', function () {
  this.timeout(120_000);
  const fixture = useBigQueryFixture();
  let client: BigQueryClient;

  before(async () => {
    // alice may write to analytics.orders: if the guard failed, the DELETE would really run.
    client = (await fixture().client('alice')).client;
  });

  const orderCount = async () => Number((await fixture().sandbox.ctx.warehouse.query(`SELECT COUNT(*) FROM ${ORDERS}`)).rows[0][0]);
  /** The ids of every job alice has in the sandbox (dry runs create none). */
  const jobIds = async () => new Set((await client.listJobs({ maxResults: 1000 })).items.map((j) => j.ref.jobId));

  function preview(compiledCode: string, options: Partial<ModelPreviewRequest['options']> = {}, clientCalls = { n: 0 }) {
    const presenter = new RecordingPresenter();
    const panel = presenter.open({ title: 'Preview: orders', origin: 'dbt · BigQuery' });
    const records: Omit<AuditRecord, 'time'>[] = [];
    const runner = bigQueryPreviewRunner(() => {
      clientCalls.n++;
      return client;
    });
    const done = previewModel(
      runner,
      {
        compiledCode,
        resource: 'gatehouse-demo.analytics.orders',
        actor: { subject: 'alice' },
        credential: 'google-federation',
        options: { trusted: true, cost: NO_LIMITS, confirmCost: async () => true, ...options },
      },
      panel,
      { record: async (r) => void records.push(r) },
    );
    return { done, panel, records };
  }

  const hostile: [string, string][] = [
    ['closes the wrapper and appends a DELETE', `select order_id from ${ORDERS}) as t; DELETE FROM ${ORDERS} WHERE true; select * from (select 1 as x`],
    ['appends a DELETE and comments out the rest', `select 1 as x) as t; DELETE FROM ${ORDERS} WHERE true; --`],
    ['appends a DROP TABLE', `select 1 as x) as t; DROP TABLE ${ORDERS}; select * from (select 1 as x`],
    ['is a DELETE on its own', `DELETE FROM ${ORDERS} WHERE true`],
    ['creates a table from a select', `select 1 as x) as t; CREATE OR REPLACE TABLE \`gatehouse-demo.analytics.stolen\` AS SELECT * FROM ${ORDERS}; select * from (select 1 as x`],
  ];
  for (const [title, code] of hostile) {
    it(`refuses compiled SQL that ${title}, and nothing runs`, async () => {
      const rowsBefore = await orderCount();
      const jobsBefore = await jobIds();
      const { done, panel, records } = preview(code);
      const outcome = await done;
      assert.notEqual(outcome.outcome, 'succeeded');
      assert.equal(outcome.jobId, undefined);
      assert.ok(panel.error, 'the panel says why');
      assert.equal(panel.source, undefined);
      // Nothing reached BigQuery as a job, and the table is whole.
      assert.deepEqual([...(await jobIds())].filter((id) => !jobsBefore.has(id)), []);
      assert.equal(await orderCount(), rowsBefore);
      // Audited with the hash of the exact SQL that was checked, and no job.
      assert.equal(records.length, 1);
      assert.equal(records[0].sqlSha256, createHash('sha256').update(previewSql(code)).digest('hex'));
      assert.equal(records[0].jobIds, undefined);
    });
  }

  it('names what BigQuery made of a script, as a typed reason', async () => {
    const runner = bigQueryPreviewRunner(() => client);
    await assert.rejects(
      runner.run(previewSql(hostile[0][1]), { trusted: true, cost: NO_LIMITS, confirmCost: async () => true }),
      (e: unknown) => DbtPreviewError.is(e, 'notASelect') && /SCRIPT/.test(e.message),
    );
  });

  it('runs a real SELECT, and audits the exact SQL and the job BigQuery ran', async () => {
    const code = `select order_id, status from ${ORDERS}`;
    const { done, panel, records } = preview(code);
    const outcome = await done;
    assert.equal(outcome.outcome, 'succeeded', panel.error?.message);
    assert.ok((await panel.rows()).length > 0);
    assert.equal(records[0].outcome, 'succeeded');
    assert.deepEqual(records[0].jobIds, [outcome.jobId]);
    // The audited hash is that of the text the sandbox received for that job.
    const job = (await client.listJobs({ maxResults: 1000 })).items.find((j) => j.ref.jobId === outcome.jobId);
    assert.ok(job?.query, 'the job is in the sandbox job list');
    assert.equal(records[0].sqlSha256, sqlSha256(job.query));
    assert.equal(job.statistics.statementType, 'SELECT');
  });

  it('does not touch BigQuery in an untrusted workspace', async () => {
    const calls = { n: 0 };
    const { done, records, panel } = preview(`select order_id from ${ORDERS}`, { trusted: false }, calls);
    const outcome = await done;
    assert.equal(outcome.outcome, 'denied');
    assert.equal(outcome.reason, 'untrustedWorkspace');
    assert.equal(calls.n, 0, 'not even a dry run');
    assert.match(panel.error?.nextStep ?? '', /Trust/);
    assert.equal(records[0].reason, 'untrustedWorkspace');
  });

  it('applies the cost guard: blocks above maximumBytesBilled, asks above confirmAboveBytes', async () => {
    const code = `select * from ${ORDERS}`;
    const jobsBefore = await jobIds();
    const blocked = await preview(code, { cost: { maximumBytesBilled: 1, confirmAboveBytes: 0 } }).done;
    assert.equal(blocked.reason, 'overByteLimit');
    const asked: number[] = [];
    const declined = await preview(code, { cost: { maximumBytesBilled: 0, confirmAboveBytes: 1 }, confirmCost: async (b) => (asked.push(b), false) }).done;
    assert.equal(declined.reason, 'declined');
    assert.equal(declined.outcome, 'cancelled');
    assert.equal(asked.length, 1);
    assert.ok(asked[0] > 1);
    assert.deepEqual([...(await jobIds())].filter((id) => !jobsBefore.has(id)), [], 'neither started a job');
    const accepted = await preview(code, { cost: { maximumBytesBilled: 0, confirmAboveBytes: 1 }, confirmCost: async () => true }).done;
    assert.equal(accepted.outcome, 'succeeded');
  });

  it("sandbox dry runs report statementType like BigQuery's (SELECT, DML, DDL, SCRIPT)", async () => {
    const rows: [string, string][] = [
      [`select order_id from ${ORDERS}`, 'SELECT'],
      [`with x as (select 1 as a) select a from x`, 'SELECT'],
      [`delete from ${ORDERS} where order_id < 0`, 'DELETE'],
      [`create table \`gatehouse-demo.analytics.t2\` as select 1 as a`, 'CREATE_TABLE_AS_SELECT'],
      ['select 1 as a; select 2 as b', 'SCRIPT'],
    ];
    for (const [sql, type] of rows) assert.equal((await client.dryRun(sql)).statementType, type, sql);
  });
});
