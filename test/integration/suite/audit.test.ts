// The audit trail inside VS Code against the sandbox: alice signs in and does each audited action
// the suites can drive (BigQuery tree expansion, federation, query, export, Airbyte sync trigger and
// cancel, dbt Cloud trigger and cancel, a look and a question, Activity export, sign-out); each one
// leaves its record in the trail, and the same records reach the sandbox's OTLP receiver through
// gatehouse.audit.otlp.endpoint. Then bob signs in and does not see alice's records, unless the
// machine is declared shared.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { EXTENSION_ID, sandboxUrls, signInAs, type AuthTestingApi, type SandboxUrls } from '../support/signIn';
import { signInToLooker, type LookerSignInSeam } from '../support/lookerSignIn';
import { RecordingUi } from '../../unit/support/recordingUi';
import { until } from '../../unit/support/wait';
import type { AuditRecord } from '../../../src/audit/auditTrail';
import type { ResultsTestingApi } from '../../../src/results/vscode/resultsModule';
import type { ReceivedLogRecord } from '../../sandbox/otlp';

interface Testing {
  auth: AuthTestingApi;
  audit: { recent(limit?: number): Promise<AuditRecord[]> };
  otlp: { settled(): Promise<boolean>; flush(): Promise<void> };
  activity: { tree: { visibleRecords(): Promise<AuditRecord[]> }; exportTrail(target: string): Promise<vscode.Uri | undefined> };
  bigquery: { treeChildren(path: string[]): Promise<{ label: string; kind: string }[]> };
  results: ResultsTestingApi;
  airbyte: { setUi(ui: unknown): void; setFollowerOptions(o: { initialDelayMs?: number; maxDelayMs?: number }): void };
  dbt: { setUi(ui: unknown): void; cloud: { refresh(): Promise<void> } };
  looker: { setUi(ui: unknown): void } & LookerSignInSeam;
  metabase: { setUi(ui: unknown): void };
}

const SHOPIFY = '9e2d7a10-1111-4c3b-8a5e-0f1e2d3c4b03';
const HOURLY_MARTS = 902132;

describe('Audit trail and OTLP export', function () {
  this.timeout(180_000);
  let t: Testing;
  let urls: SandboxUrls;
  let dir: string;
  const ui = new RecordingUi();
  const config = () => vscode.workspace.getConfiguration('gatehouse');
  /** When the export started: the records of this suite are the ones after it. */
  let since = '';

  /** The user's records of this suite, oldest first. */
  async function mine(user: string): Promise<AuditRecord[]> {
    return (await t.audit.recent(2000)).filter((r) => r.time >= since && r.actor.email === `${user}@example.com`);
  }

  async function received(): Promise<ReceivedLogRecord[]> {
    const res = await fetch(`${urls.otlp}/__sandbox/otlp/records`);
    return ((await res.json()) as { records: ReceivedLogRecord[] }).records;
  }

  /** Waits for a record of `action` (and `outcome`) by `user` in the local trail. */
  async function recorded(user: string, action: string, outcome?: string, resource?: string): Promise<AuditRecord> {
    return until(
      `the audit record ${action}${outcome ? `:${outcome}` : ''}${resource ? ` of ${resource}` : ''}`,
      async () => (await mine(user)).find((r) => r.action === action && (!outcome || r.outcome === outcome) && (!resource || r.resource === resource)),
      30_000,
      { lastSeen: () => 'see the trail' },
    );
  }

  before(async () => {
    urls = sandboxUrls();
    assert.ok(urls.otlp, 'GATEHOUSE_SANDBOX_URLS names the sandbox OTLP receiver');
    const exports = (await vscode.extensions.getExtension(EXTENSION_ID)!.activate()) as { testing?: Testing };
    assert.ok(exports.testing?.otlp, 'the extension exports its OTLP test seam in ExtensionMode.Test');
    t = exports.testing;
    await t.auth.settled();
    for (const s of [t.airbyte, t.dbt, t.looker, t.metabase]) s.setUi(ui);
    t.airbyte.setFollowerOptions({ initialDelayMs: 100, maxDelayMs: 300 });
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-audit-it-'));
    await fetch(`${urls.otlp}/__sandbox/otlp/records`, { method: 'DELETE' });
    assert.equal(await vscode.commands.executeCommand('gatehouse.audit.setOtlpHeaders', 'X-Scope-OrgID=gatehouse-tests'), true);
    await config().update('audit.otlp.endpoint', `${urls.otlp}/v1/logs`, vscode.ConfigurationTarget.Global);
    await until('the OTLP export running', () => t.otlp.settled(), 30_000);
    since = new Date().toISOString();
  });

  after(async () => {
    for (const s of [t?.airbyte, t?.dbt, t?.looker, t?.metabase]) s?.setUi(undefined);
    t?.auth.setBrowser(undefined);
    await vscode.commands.executeCommand('gatehouse.auth.signOut');
    await config().update('audit.otlp.endpoint', undefined, vscode.ConfigurationTarget.Global);
    await config().update('audit.sharedMachine', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('gatehouse.audit.setOtlpHeaders', '');
    await t?.otlp.settled();
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs in as alice: one sign-in record', async () => {
    await signInAs(t.auth, urls.issuer, 'alice');
    const r = await recorded('alice', 'sign-in', 'succeeded');
    assert.equal(r.service, 'auth');
    assert.equal(r.credential, 'idp-id-token');
  });

  it('records the BigQuery tree expansion (one record per listing) and the federation exchange', async () => {
    await vscode.commands.executeCommand('gatehouse.bigquery.refresh');
    const datasets = await t.bigquery.treeChildren(['gatehouse-demo']);
    assert.ok(datasets.some((d) => d.label === 'analytics'), JSON.stringify(datasets));
    const tables = await t.bigquery.treeChildren(['gatehouse-demo', 'analytics']);
    assert.ok(tables.some((x) => x.label === 'orders'), JSON.stringify(tables));
    await t.bigquery.treeChildren(['gatehouse-demo', 'analytics', 'orders']);
    const exchange = await recorded('alice', 'federation-exchange', 'succeeded');
    assert.equal(exchange.credential, 'google-federation');
    assert.match(exchange.resource, /workforcePools/);
    await recorded('alice', 'list-datasets', 'succeeded', 'gatehouse-demo');
    await recorded('alice', 'list-tables', 'succeeded', 'gatehouse-demo.analytics');
    const schema = await recorded('alice', 'read-table-metadata', 'succeeded', 'gatehouse-demo.analytics.orders');
    assert.equal(schema.credential, 'google-federation');
    const listings = (await mine('alice')).filter((r) => r.action === 'list-tables' && r.resource === 'gatehouse-demo.analytics');
    assert.equal(listings.length, 1, 'one record for the listing, not one per table');
  });

  it('records a query and the export of its result, with the job id', async () => {
    const uri = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'queries', 'orders_by_day.sql');
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const outcome = await vscode.commands.executeCommand<{ status: string; job?: { jobId: string } }>('gatehouse.bigquery.runStatement', uri, doc.getText().indexOf('count(*)'));
    assert.equal(outcome?.status, 'succeeded');
    const query = await recorded('alice', 'query', 'succeeded');
    assert.deepEqual(query.jobIds, [outcome.job!.jobId]);
    const path = join(dir, 'orders.csv');
    const exported = await t.results.exportActive('csv', path);
    assert.ok(exported && exported.rowsWritten > 0, 'the result was exported');
    const record = await recorded('alice', 'export-csv', 'succeeded');
    assert.equal(record.service, 'bigquery');
    assert.equal(record.resource, 'gatehouse-demo.analytics.orders');
    assert.deepEqual(record.jobIds, [outcome.job!.jobId]);
    assert.match(record.resourceName ?? '', /^orders_by_day\.sql · line \d+$/);
  });

  it('records an Airbyte sync trigger and its cancel, with names and job ids', async () => {
    const started = (await vscode.commands.executeCommand('gatehouse.airbyte.syncNow', SHOPIFY)) as { kind: string; job: { jobId: number } };
    assert.equal(started.kind, 'started', ui.messages.join('\n'));
    const jobId = String(started.job.jobId);
    const cancelled = (await vscode.commands.executeCommand('gatehouse.airbyte.cancelJob', started.job.jobId)) as { kind: string };
    assert.equal(cancelled.kind, 'cancelled');
    const trigger = await recorded('alice', 'trigger-sync', 'started');
    assert.deepEqual(trigger.jobIds, [jobId]);
    assert.match(trigger.resourceName ?? '', /^Shopify → BigQuery raw/);
    const cancel = await recorded('alice', 'cancel-job', 'cancelled');
    assert.deepEqual(cancel.jobIds, [jobId]);
  });

  it('records a dbt Cloud run trigger and its cancel', async () => {
    await t.dbt.cloud.refresh();
    await recorded('alice', 'list-jobs', 'succeeded');
    const run = (await vscode.commands.executeCommand('gatehouse.dbtCloud.triggerRun', HOURLY_MARTS)) as { id: number } | undefined;
    assert.ok(run?.id, ui.messages.join('\n'));
    const cancelled = (await vscode.commands.executeCommand('gatehouse.dbtCloud.cancelRun', HOURLY_MARTS)) as { id: number } | undefined;
    assert.equal(cancelled?.id, run.id);
    const trigger = await recorded('alice', 'trigger-run', 'started');
    assert.deepEqual(trigger.jobIds, [String(run.id)]);
    assert.equal(trigger.resourceName, 'Hourly marts');
    await recorded('alice', 'cancel-run', 'cancelled');
  });

  it('records a look run and a question run', async () => {
    // Looker is reached with alice's own Looker sign-in (its OAuth), audited with the look run.
    await signInToLooker(t.looker, urls.issuer, 'alice');
    const look = (await vscode.commands.executeCommand('gatehouse.looker.runLook', '2')) as { status: string };
    assert.equal(look.status, 'succeeded', ui.messages.join('\n'));
    const lookRecord = await recorded('alice', 'run-look', 'succeeded', 'look/2');
    assert.equal(lookRecord.resourceName, 'Revenue by status');
    const question = (await vscode.commands.executeCommand('gatehouse.metabase.runQuestion', 5)) as { status: string };
    assert.equal(question.status, 'succeeded', ui.messages.join('\n'));
    const questionRecord = await recorded('alice', 'run-question', 'succeeded', 'card/5');
    assert.ok(questionRecord.resourceName, 'the question is named');
  });

  it('records the export of the Activity trail itself', async () => {
    const path = join(dir, 'trail.jsonl');
    await t.activity.exportTrail(path);
    const lines = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as AuditRecord);
    assert.ok(lines.length > 0 && lines.every((r) => r.actor.email === 'alice@example.com'), 'only alice’s records');
    const r = await recorded('alice', 'export-audit-trail', 'succeeded');
    assert.equal(r.service, 'audit');
    assert.equal(r.resource, 'audit-trail/own');
  });

  it('sends the same records to the OTLP receiver, flushed on sign-out, with the headers and no token', async () => {
    await vscode.commands.executeCommand('gatehouse.auth.signOut');
    await recorded('alice', 'sign-out', 'succeeded');
    const local = await mine('alice');
    const key = (action: unknown, resource: unknown, outcome: unknown, jobs: unknown) => `${action}|${resource}|${outcome}|${JSON.stringify(jobs ?? [])}`;
    const wanted = local.map((r) => key(r.action, r.resource, r.outcome, r.jobIds));
    let got: ReceivedLogRecord[] = [];
    await until(
      'every one of alice’s records at the receiver',
      async () => {
        got = (await received()).filter((r) => r.attributes['user.email'] === 'alice@example.com');
        const have = new Set(got.map((r) => key(r.attributes['gatehouse.action'], r.attributes['gatehouse.resource'], r.attributes['gatehouse.outcome'], r.attributes['gatehouse.job.ids'])));
        return wanted.every((w) => have.has(w));
      },
      60_000,
      { lastSeen: () => `${got.length} received for ${wanted.length} local` },
    );
    for (const action of ['sign-in', 'federation-exchange', 'list-tables', 'query', 'export-csv', 'trigger-sync', 'cancel-job', 'trigger-run', 'cancel-run', 'run-look', 'run-question', 'export-audit-trail', 'sign-out']) {
      assert.ok(got.some((r) => r.attributes['gatehouse.action'] === action), `${action} reached the receiver`);
    }
    const sync = got.find((r) => r.attributes['gatehouse.action'] === 'trigger-sync')!;
    assert.match(String(sync.attributes['gatehouse.resource.name']), /^Shopify → BigQuery raw/);
    assert.equal(sync.attributes['gatehouse.credential.origin'], 'identity-proxy');
    assert.equal(sync.eventName, 'gatehouse.audit');
    assert.equal(sync.resource['service.name'], 'gatehouse');
    assert.equal(sync.headers['x-scope-orgid'], 'gatehouse-tests');
    const text = JSON.stringify(got.map((r) => [r.body, r.attributes]));
    assert.doesNotMatch(text, /eyJ[A-Za-z0-9_-]{10,}\.|ya29\./, 'no IdP or Google token in what was exported');
  });

  it('signs in as bob: his Activity does not show alice’s records, unless the machine is shared', async () => {
    await signInAs(t.auth, urls.issuer, 'bob');
    await recorded('bob', 'sign-in', 'succeeded');
    const visible = await t.activity.tree.visibleRecords();
    assert.ok(visible.length > 0, 'bob sees his own records');
    assert.ok(visible.every((r) => r.actor.email === 'bob@example.com'), JSON.stringify(visible.map((r) => r.actor.email)));
    await config().update('audit.sharedMachine', true, vscode.ConfigurationTarget.Global);
    await until('alice’s records on a shared machine', async () => (await t.activity.tree.visibleRecords()).some((r) => r.actor.email === 'alice@example.com'), 15_000);
    await config().update('audit.sharedMachine', undefined, vscode.ConfigurationTarget.Global);
    await until('alice’s records hidden again', async () => (await t.activity.tree.visibleRecords()).every((r) => r.actor.email === 'bob@example.com'), 15_000);
  });
});
