// The query flow without VS Code, against the sandbox: cost guard before any job, rows handed to
// the results panel as a paged source with statistics, the panel's Cancel stopping the job, free
// previews, denial explained, and one audit record per run.
import * as assert from 'node:assert/strict';
import { Emitter } from '../../../src/core/event';
import { BigQueryQueryRunner, approximateCost, jobFromRestoreKey, type CostSettings, type QueryRunnerDeps } from '../../../src/bigquery/queryRunner';
import { Formatter } from '../../../src/core/format';
import { until } from '../support/wait';
import type { ResultRestoreKey, ResultStats, ResultsPanelHandle, ResultsPanelRequest, ResultsPresenter } from '../../../src/results/resultsPresenter';
import type { ResultSource } from '../../../src/results/types';
import type { AuditRecord } from '../../../src/audit/auditTrail';
import { useBigQueryFixture, type BigQueryFixture } from './fixture';

class FakePanel implements ResultsPanelHandle {
  readonly cancel = new Emitter<void>();
  readonly disposed = new Emitter<void>();
  readonly onDidRequestCancel = this.cancel.event;
  readonly onDidDispose = this.disposed.event;
  readonly visible = true;
  running: string[] = [];
  source: ResultSource | undefined;
  stats: ResultStats | undefined;
  error: { message: string; nextStep?: string } | undefined;
  cancelled: string | undefined;
  constructor(readonly request: ResultsPanelRequest) {}
  setRunning(message: string): void {
    this.running.push(message);
  }
  restore: ResultRestoreKey | undefined;
  setResult(source: ResultSource, stats?: ResultStats, restore?: ResultRestoreKey): void {
    this.source = source;
    this.stats = stats;
    this.restore = restore;
  }
  updateStats(stats: ResultStats): void {
    this.stats = { ...this.stats, ...stats };
  }
  setError(message: string, nextStep?: string): void {
    this.error = { message, nextStep };
  }
  setCancelled(message: string): void {
    this.cancelled = message;
  }
}

class FakePresenter implements ResultsPresenter {
  readonly panels: FakePanel[] = [];
  open(request: ResultsPanelRequest): FakePanel {
    const p = new FakePanel(request);
    this.panels.push(p);
    return p;
  }
}

describe('BigQuery query runner against the sandbox', function () {
  this.timeout(30_000);
  const fixture = useBigQueryFixture();
  let f: BigQueryFixture;
  before(() => (f = fixture()));

  async function runner(user: string, o: { cost?: CostSettings; confirm?: boolean; pageSize?: number; format?: Formatter } = {}) {
    const { client } = await f.client(user);
    const presenter = new FakePresenter();
    const records: Omit<AuditRecord, 'time'>[] = [];
    const asked: number[] = [];
    const deps: QueryRunnerDeps = {
      client,
      presenter,
      audit: { record: async (r) => (records.push(r), { time: '', ...r }) },
      actor: () => ({ subject: user, email: `${user}@example.com` }),
      costSettings: () => o.cost ?? { maximumBytesBilled: 0, confirmAboveBytes: 0 },
      confirmCost: async (bytes) => (asked.push(bytes), o.confirm ?? true),
      explainDenied: (err, resource) => `denied ${resource}: ${err.reason}`,
      pageSize: o.pageSize ?? 100,
      format: o.format,
    };
    return { run: new BigQueryQueryRunner(deps), presenter, records, asked };
  }

  it('runs a query: rows in pages, statistics with the console link, an audit record with the job id', async () => {
    const { run, presenter, records } = await runner('bob', { pageSize: 50 });
    const outcome = await run.runQuery({ sql: 'select event_id, country from `gatehouse-demo.events.page_views` where event_id <= 120 order by event_id', title: 't' });
    assert.equal(outcome.status, 'succeeded');
    const panel = presenter.panels[0];
    assert.equal(panel.request.origin, 'BigQuery · gatehouse-demo');
    assert.ok(panel.running.some((m) => m.startsWith('Running job gatehouse_')));
    assert.equal(panel.source?.totalRows, 120);
    assert.deepEqual(panel.source?.columns.map((c) => c.name), ['event_id', 'country']);
    const last = await panel.source!.fetchPage(2);
    assert.deepEqual([last.rows[0][0], last.rows.length, last.last], ['101', 20, true]);
    assert.equal(panel.stats?.jobId, outcome.job?.jobId);
    assert.equal(panel.stats?.jobUrl, `https://console.cloud.google.com/bigquery?project=gatehouse-demo&j=bq:US:${outcome.job?.jobId}&page=queryresults`);
    assert.ok((panel.stats?.bytesProcessed ?? 0) > 0);
    assert.equal(typeof panel.stats?.cacheHit, 'boolean');
    assert.deepEqual(records, [
      { actor: { subject: 'bob', email: 'bob@example.com' }, credential: 'google-federation', service: 'bigquery', action: 'query', resource: 'gatehouse-demo.events.page_views', jobIds: [outcome.job!.jobId], outcome: 'succeeded' },
    ]);
  });

  const guards: [string, CostSettings, boolean, string, number][] = [
    ['blocks above maximumBytesBilled without asking', { maximumBytesBilled: 1024, confirmAboveBytes: 0 }, true, 'blocked', 0],
    ['asks above the threshold and runs when confirmed', { maximumBytesBilled: 0, confirmAboveBytes: 1024 }, true, 'succeeded', 1],
    ['asks above the threshold and runs nothing when declined', { maximumBytesBilled: 0, confirmAboveBytes: 1024 }, false, 'declined', 1],
    ['runs without asking below the threshold', { maximumBytesBilled: 0, confirmAboveBytes: 1024 ** 4 }, false, 'succeeded', 0],
  ];
  for (const [name, cost, confirm, status, asks] of guards) {
    it(`cost guard ${name}`, async () => {
      const { run, asked, presenter } = await runner('bob', { cost, confirm });
      const sql = `select url from \`gatehouse-demo.events.page_views\` where event_id > ${Math.floor(Math.random() * 1e9)}`;
      const jobsBefore = (await (await f.client('bob')).client.listJobs({ maxResults: 500 })).items.length;
      const outcome = await run.runQuery({ sql, title: name });
      assert.equal(outcome.status, status);
      assert.equal(asked.length, asks);
      assert.ok((outcome.estimatedBytes ?? 0) > 1024);
      const jobsAfter = (await (await f.client('bob')).client.listJobs({ maxResults: 500 })).items.length;
      assert.equal(jobsAfter - jobsBefore, status === 'succeeded' ? 1 : 0, 'a job only when it ran');
      // Blocked is a failure to show; declined is the person's own choice, shown as not run.
      if (status === 'blocked') assert.ok(presenter.panels[0].error?.message.startsWith('Not run'));
      if (status === 'declined') {
        assert.equal(presenter.panels[0].error, undefined);
        assert.ok(presenter.panels[0].cancelled?.startsWith('Not run'));
      }
    });
  }

  it('says sizes in the formatter it was given (IEC units, the display language)', async () => {
    const { run, presenter } = await runner('bob', { cost: { maximumBytesBilled: 1536, confirmAboveBytes: 0 }, format: new Formatter({ locale: 'de-DE' }) });
    const outcome = await run.runQuery({ sql: `select url from \`gatehouse-demo.events.page_views\` where event_id > ${Math.floor(Math.random() * 1e9)}`, title: 'de' });
    assert.equal(outcome.status, 'blocked');
    assert.match(presenter.panels[0].error?.message ?? '', /^Not run: this query would process [\d.,]+ (B|KiB|MiB|GiB), more than the 1,5 KiB allowed/);
  });

  const costs: Array<[number, string, string]> = [
    [0, '< $0.01', '< 0,01\u00a0$'],
    [1024 ** 4, '≈ $6.25', '≈ 6,25\u00a0$'],
    [160 * 1024 ** 4, '≈ $1,000.00', '≈ 1.000,00\u00a0$'],
  ];
  for (const [bytes, inEnglish, inGerman] of costs) {
    it(`estimates ${bytes} bytes on demand as "${inEnglish}" / "${inGerman}"`, () => {
      assert.equal(approximateCost(bytes, new Formatter({ locale: 'en-US' })), inEnglish);
      assert.equal(approximateCost(bytes, new Formatter({ locale: 'de-DE' })), inGerman);
    });
  }

  it('the panel’s Cancel stops the job at BigQuery', async () => {
    const { run, presenter, records } = await runner('alice');
    const running = run.runQuery({ sql: '/* sandbox:delay=30s */ select 1 as slow', title: 'slow' });
    const t0 = Date.now();
    await until('the panel to say the job runs', () => presenter.panels[0]?.running.some((m) => m.startsWith('Running job')), 10_000, { intervalMs: 20 });
    presenter.panels[0].cancel.fire();
    const outcome = await running;
    assert.equal(outcome.status, 'cancelled');
    assert.equal(presenter.panels[0].error, undefined, 'a cancel is not a failure');
    assert.match(presenter.panels[0].cancelled ?? '', /^Cancelled/);
    assert.ok(Date.now() - t0 < 5_000);
    const { client } = await f.client('alice');
    assert.equal((await client.getJob(outcome.job!)).error?.reason, 'stopped');
    assert.equal(records[0].outcome, 'cancelled');
  });

  it('explains a denial and records it as denied', async () => {
    const { run, presenter, records } = await runner('bob');
    const outcome = await run.runQuery({ sql: 'select * from `gatehouse-finance.finance.revenue`', title: 'finance' });
    assert.equal(outcome.status, 'failed');
    assert.equal(outcome.error?.reason, 'accessDenied');
    assert.match(presenter.panels[0].error?.message ?? '', /^denied .*: accessDenied$/);
    assert.equal(records[0].outcome, 'denied');
  });

  it('reopens a finished job from its restore key (a panel after a window reload): the same rows, read again, nothing re-run', async () => {
    const { run, presenter, records } = await runner('bob', { pageSize: 50 });
    const first = await run.runQuery({ sql: 'select event_id, country from `gatehouse-demo.events.page_views` where event_id <= 120 order by event_id', title: 't' });
    assert.equal(first.status, 'succeeded');
    const key = presenter.panels[0].restore;
    assert.deepEqual(key, { kind: 'bigquery-job', data: { projectId: first.job!.projectId, jobId: first.job!.jobId, location: first.job!.location } });
    const rowsOf = async (p: FakePanel) => {
      const out: unknown[] = [];
      for (let i = 0; ; i++) {
        const page = await p.source!.fetchPage(i);
        out.push(...page.rows);
        if (page.last) return out;
      }
    };
    const jobsBefore = (await (await f.client('bob')).client.listJobs({ maxResults: 500 })).items.length;
    const restored = new FakePanel({ title: 't', origin: 'BigQuery' });
    const again = await run.reopenJob(key!.data, restored);
    assert.equal(again.status, 'succeeded', again.error?.message);
    assert.ok(restored.running.some((m) => m.startsWith(`Fetching the result of job ${first.job!.jobId}`)));
    assert.deepEqual(await rowsOf(restored), await rowsOf(presenter.panels[0]));
    assert.equal(restored.stats?.jobId, first.job!.jobId);
    const jobsAfter = (await (await f.client('bob')).client.listJobs({ maxResults: 500 })).items.length;
    assert.equal(jobsAfter, jobsBefore, 'no job was started');
    assert.equal(records.at(-1)?.action, 'reopen-result');
    assert.deepEqual(records.at(-1)?.jobIds, [first.job!.jobId]);
  });

  it('refuses a restore key that is not shaped like a BigQuery job, without asking BigQuery', async () => {
    const { run } = await runner('bob');
    const bad: Array<Record<string, string>> = [
      {},
      { projectId: 'gatehouse-demo' },
      { projectId: '../../etc', jobId: 'j1' },
      { projectId: 'gatehouse-demo', jobId: 'j1/../../x' },
      { projectId: 'gatehouse-demo', jobId: 'j1', location: 'US?x=1' },
      { projectId: 'gatehouse-demo', jobId: '<img src=x>' },
    ];
    for (const key of bad) {
      assert.equal(jobFromRestoreKey(key), undefined, JSON.stringify(key));
      const panel = new FakePanel({ title: 't', origin: 'o' });
      const outcome = await run.reopenJob(key, panel);
      assert.equal(outcome.status, 'failed');
      assert.equal(panel.running.length, 0, 'nothing was fetched');
      assert.match(panel.error?.message ?? '', /cannot be fetched again/);
    }
    assert.deepEqual(jobFromRestoreKey({ projectId: 'example.com:data-lake', jobId: 'gatehouse_1-a', location: 'europe-west1' }), { projectId: 'example.com:data-lake', jobId: 'gatehouse_1-a', location: 'europe-west1' });
  });

  it('reports a syntax error with its location', async () => {
    const { run } = await runner('bob');
    const outcome = await run.runQuery({ sql: 'select order_id\nfrom `gatehouse-demo.analytics.orders`\nwhere order_id = = 1', title: 'bad' });
    assert.equal(outcome.error?.reason, 'invalidQuery');
    assert.equal(outcome.error?.location?.line, 3);
  });

  it('shows a statement without rows (DML) as a summary with the rows affected', async () => {
    const { run, presenter } = await runner('alice');
    const outcome = await run.runQuery({ sql: 'delete from `gatehouse-demo.analytics.orders` where order_id < 0', title: 'dml' });
    assert.equal(outcome.status, 'succeeded', outcome.error?.message);
    const source = presenter.panels[0].source!;
    assert.deepEqual(source.columns.map((c) => c.name), ['statement', 'rows_affected']);
    assert.deepEqual((await source.fetchPage(0)).rows, [['DELETE', '0']]);
    assert.equal(presenter.panels[0].stats?.extra?.['Rows affected'], '0');
  });

  it('previews a table with tabledata.list: no job, nothing billed; a view is refused', async () => {
    const { run, presenter, records } = await runner('bob', { pageSize: 1000 });
    const jobsBefore = (await (await f.client('bob')).client.listJobs({ maxResults: 500 })).items.length;
    const outcome = await run.previewTable({ projectId: 'gatehouse-demo', datasetId: 'events', tableId: 'page_views' });
    assert.equal(outcome.status, 'succeeded');
    const panel = presenter.panels[0];
    assert.equal(panel.source?.totalRows, 20_000);
    assert.equal((await panel.source!.fetchPage(19)).rows.length, 1000);
    assert.equal(panel.stats?.bytesBilled, 0);
    assert.equal((await (await f.client('bob')).client.listJobs({ maxResults: 500 })).items.length, jobsBefore);
    assert.equal(records[0].action, 'preview');
    const views = (await (await f.client('bob')).client.listTables({ projectId: 'gatehouse-demo', datasetId: 'analytics' })).items.filter((t) => t.type === 'VIEW');
    const refused = await run.previewTable(views[0]);
    assert.equal(refused.status, 'failed');
    assert.match(presenter.panels[1].error?.message ?? '', /is a view/);
  });
});
