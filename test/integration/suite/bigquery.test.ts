// BigQuery inside VS Code against the sandbox: the explorer differs as the demo users' grants
// differ, a statement from the demo workspace runs into the results panel, and Cancel stops the
// job at BigQuery (not just the wait).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { driverAvailable, readWebview, screenshot } from '../runner/driverClient';
import { EXTENSION_ID, accountLabels, sandboxUrls, signInAs, type AuthTestingApi } from '../support/signIn';
import { until } from '../../unit/support/wait';
import type { ResultsTestingApi } from '../../../src/results/vscode/resultsModule';
import { jobLabelsFor } from '../../../src/bigquery/client';

interface JobRef {
  projectId: string;
  jobId: string;
  location?: string;
}
interface Outcome {
  status: string;
  job?: JobRef;
  totalRows?: number;
  stats?: { bytesProcessed?: number; jobUrl?: string };
  error?: { reason: string };
}
interface BigQueryTestingApi {
  treeChildren(path: string[]): Promise<{ label: string; kind: string; description?: string }[]>;
  reveal(path: string[]): Promise<void>;
  client(): { getJob(ref: JobRef): Promise<{ state: string; error?: { reason?: string }; labels?: Record<string, string> }>; listJobs(o: { maxResults: number }): Promise<{ items: unknown[] }> } | undefined;
  runningQueries(): number;
  history: { entries(): { sql: string; job?: JobRef }[] };
}
interface AuditRecordLike {
  action: string;
  credential: string;
  actor: { subject: string };
  jobIds?: string[];
  outcome: string;
  resource: string;
}

describe('BigQuery (explorer, queries, cancel)', function () {
  this.timeout(120_000);
  let auth: AuthTestingApi;
  let bigquery: BigQueryTestingApi;
  let audit: { recent(limit?: number): Promise<AuditRecordLike[]> };
  let issuer: string;
  let previousFlow: string | undefined;
  const config = () => vscode.workspace.getConfiguration('gatehouse');
  const queryFile = (name: string) => vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'queries', name);

  before(async () => {
    issuer = sandboxUrls().issuer;
    const exports = (await vscode.extensions.getExtension(EXTENSION_ID)!.activate()) as { testing?: Record<string, unknown> };
    auth = exports.testing?.auth as AuthTestingApi;
    bigquery = exports.testing?.bigquery as BigQueryTestingApi;
    audit = exports.testing?.audit as typeof audit;
    assert.ok(auth && bigquery && audit, 'the extension exports its test seams in ExtensionMode.Test');
    assert.ok(config().get('bigquery.federationAudience'), 'user settings point BigQuery at the sandbox STS');
    previousFlow = config().inspect<string>('auth.flow')?.globalValue;
    await config().update('auth.flow', 'loopback', vscode.ConfigurationTarget.Global);
    await auth.settled();
  });

  after(async () => {
    // Leave no result panels behind: later suites read the webviews of this extension.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    auth?.setBrowser(undefined);
    if ((await accountLabels()).length) await vscode.commands.executeCommand('gatehouse.auth.signOut');
    await config().update('auth.flow', previousFlow, vscode.ConfigurationTarget.Global);
  });

  it('shows alice both projects, every demo dataset and the tables of raw', async () => {
    await signInAs(auth, issuer, 'alice');
    const projects = await bigquery.treeChildren([]);
    assert.deepEqual(projects.map((p) => p.label).sort(), ['gatehouse-demo', 'gatehouse-finance']);
    const datasets = await bigquery.treeChildren(['gatehouse-demo']);
    // dbt_dev: what real dbt builds into the DuckDB file the test runner shares with the sandbox.
    assert.deepEqual(datasets.map((d) => d.label).sort(), ['analytics', 'dbt_dev', 'events', 'marketing', 'raw']);
    const raw = await bigquery.treeChildren(['gatehouse-demo', 'raw']);
    assert.ok(raw.length > 0 && raw.every((n) => n.kind === 'table'), JSON.stringify(raw));
    const columns = await bigquery.treeChildren(['gatehouse-demo', 'analytics', 'customers', 'addresses']);
    assert.deepEqual(columns.map((c) => c.label), ['street', 'city', 'country'], 'nested RECORD fields');
  });

  it('offers Run lenses per statement and Run File on a multi-statement file', async () => {
    // The lens command reads the renderer's text model: the document has to be open.
    const doc = await vscode.workspace.openTextDocument(queryFile('page_views.sql'));
    await vscode.window.showTextDocument(doc);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
    const titles = lenses.map((l) => l.command?.title ?? '');
    assert.equal(titles.filter((t) => t.endsWith(' Run')).length, 2, titles.join(', '));
    assert.ok(titles.some((t) => t.includes('Run File')));
  });

  it('runs the statement under the cursor into the results panel, labelled and audited', async () => {
    const uri = queryFile('orders_by_day.sql');
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const offset = doc.getText().indexOf('count(*)');
    const outcome = await vscode.commands.executeCommand<Outcome>('gatehouse.bigquery.runStatement', uri, offset);
    assert.equal(outcome?.status, 'succeeded', JSON.stringify(outcome?.error));
    assert.ok((outcome.totalRows ?? 0) > 0);
    assert.match(outcome.stats?.jobUrl ?? '', /^https:\/\/console\.cloud\.google\.com\/bigquery\?project=gatehouse-demo&j=bq:US:gatehouse_/);
    const job = await bigquery.client()!.getJob(outcome.job!);
    // The IdP's subject of alice: "alice" at the sandbox IdP, a generated id at Keycloak.
    const [account] = await vscode.authentication.getAccounts('gatehouse-oidc');
    assert.deepEqual(job.labels, jobLabelsFor(account.id));
    const record = (await audit.recent(20)).reverse().find((r) => r.action === 'query');
    assert.ok(record, 'an audit record of the query');
    assert.equal(record.credential, 'google-federation');
    assert.equal(record.outcome, 'succeeded');
    assert.deepEqual(record.jobIds, [outcome.job!.jobId]);
    assert.equal(record.resource, 'gatehouse-demo.analytics.orders');
    const latest = bigquery.history.entries()[0];
    assert.equal(latest?.job?.jobId, outcome.job!.jobId, 'the run is in the local history, re-runnable');
    if (driverAvailable()) {
      // The grid's cells exist before the first page paints into them: poll for the text.
      let cells: (string | null)[] = [];
      const painted = await until('an order_date cell in the results panel', async () => {
        cells = await readWebview('[role=gridcell]', { frameUrlContains: `extensionId=${EXTENSION_ID}`, timeoutMs: 10_000 });
        return cells.some((c) => /^\d{4}-\d\d-\d\d$/.test((c ?? '').trim()));
      }, 30_000).catch(() => false);
      assert.ok(painted, `an order_date cell among ${cells.slice(0, 8).join(' | ')}`);
    }
    if (process.env.GATEHOUSE_BIGQUERY_SCREENSHOT) {
      await bigquery.reveal(['gatehouse-demo', 'analytics', 'customers']);
      await new Promise((r) => setTimeout(r, 1_500));
      await screenshot(process.env.GATEHOUSE_BIGQUERY_SCREENSHOT);
    }
  });

  it('brings a result back after a window reload from its job, read again as the person signed in', async () => {
    const results = (await vscode.extensions.getExtension(EXTENSION_ID)!.activate() as { testing?: { results?: ResultsTestingApi } }).testing?.results;
    assert.ok(results, 'the results test seam');
    const key = results.lastRestoreKey();
    const job = bigquery.history.entries()[0]?.job;
    assert.ok(job && key, 'the last result names how to bring it back');
    assert.equal(key.kind, 'bigquery-job');
    assert.equal(key.data.jobId, job.jobId);
    const jobsBefore = (await bigquery.client()!.listJobs({ maxResults: 500 })).items.length;
    // What VS Code hands the serializer after a reload: the state the webview saved.
    const restored = await results.restoreFromState({ v: 1, view: {}, restore: { kind: key.kind, title: 'orders_by_day.sql', origin: 'BigQuery · gatehouse-demo', data: key.data } });
    await restored.firstPaintMs();
    if (driverAvailable()) {
      const painted = await until('the restored rows', async () => {
        const cells = await readWebview('[role=gridcell]', { frameUrlContains: `extensionId=${EXTENSION_ID}`, timeoutMs: 5_000 }).catch(() => []);
        return cells.some((c) => /^\d{4}-\d\d-\d\d$/.test((c ?? '').trim()));
      }, 30_000).catch(() => false);
      assert.ok(painted, 'the restored panel shows the rows');
    }
    assert.equal((await bigquery.client()!.listJobs({ maxResults: 500 })).items.length, jobsBefore, 'nothing was re-run');
    const record = (await audit.recent(10)).reverse().find((r) => r.action === 'reopen-result');
    assert.ok(record, 'reading the result again is audited');

    // A state that names no way back, or a hostile one, fetches nothing and says what to do.
    const none = await results.restoreFromState({ v: 1, view: {} });
    assert.equal(none.handle.visible, true);
    const hostile = await results.restoreFromState({ restore: { kind: 'bigquery-job', title: '<b>x</b>', origin: 'o', data: { projectId: '../x', jobId: 'j' } } });
    assert.equal(hostile.handle.visible, true);
    assert.equal((await bigquery.client()!.listJobs({ maxResults: 500 })).items.length, jobsBefore);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('cancel stops the running job at BigQuery', async () => {
    const doc = await vscode.workspace.openTextDocument({ language: 'bqsql', content: '/* sandbox:delay=60s */\nselect 42 as slow_answer;\n' });
    await vscode.window.showTextDocument(doc);
    const started = Date.now();
    const run = vscode.commands.executeCommand<Outcome>('gatehouse.bigquery.runStatement', doc.uri, 30);
    await until('the query to run', () => bigquery.runningQueries() === 1);
    // Give the job time to be inserted (dry run, then jobs.insert) before cancelling.
    await new Promise((r) => setTimeout(r, 2_000));
    assert.equal(await vscode.commands.executeCommand('gatehouse.bigquery.cancel'), 1);
    const outcome = await run;
    assert.equal(outcome?.status, 'cancelled');
    assert.ok(outcome.job, 'the job had been started');
    assert.ok(Date.now() - started < 20_000, 'did not wait for the 60 s job');
    const job = await bigquery.client()!.getJob(outcome.job);
    assert.equal(job.state, 'DONE');
    assert.equal(job.error?.reason, 'stopped');
  });

  it('shows bob only the demo project, a no-access answer for raw and paged marketing tables', async () => {
    await signInAs(auth, issuer, 'bob');
    const projects = await bigquery.treeChildren([]);
    assert.deepEqual(projects.map((p) => p.label), ['gatehouse-demo']);
    const raw = await bigquery.treeChildren(['gatehouse-demo', 'raw']);
    assert.equal(raw.length, 1);
    assert.equal(raw[0].kind, 'message');
    assert.match(raw[0].label, /No access/);
    const marketing = await bigquery.treeChildren(['gatehouse-demo', 'marketing']);
    assert.equal(marketing.filter((n) => n.kind === 'table').length, 100);
    assert.equal(marketing.at(-1)?.kind, 'loadMore');
  });
});
