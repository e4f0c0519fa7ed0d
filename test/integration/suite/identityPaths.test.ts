// Issue #13 inside VS Code: each service by its per-person path at its own API (the sandbox
// services refuse IdP tokens there): Airbyte with the person's application client id and secret,
// dbt Cloud with a personal token (and a shared service token), Metabase with a session from email
// and password; each lists its tree and does one action, audited with its credential origin. With `credential: application` and
// no secret stored, the Airbyte welcome view asks for one. And the proxy mode (the suites' default
// settings): Metabase through its identity-aware proxy, audited as `identity-proxy`.
// Machine-scoped settings cannot be written under code-server (the write replaces the user settings
// file), so the modules' test seams override credential and baseUrl.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID, sandboxUrls, signInAs, type AuthTestingApi } from '../support/signIn';
import { RecordingUi } from '../../unit/support/recordingUi';
import { until } from '../../unit/support/wait';
import { evaluateWhen } from '../../support/whenClause';

const SHOPIFY = '9e2d7a10-1111-4c3b-8a5e-0f1e2d3c4b03';
const CI_JOB = 902133;

interface Settings {
  baseUrl?: string;
  credential?: string;
}
interface Node {
  kind: string;
  key?: string;
  id?: string;
  workspace?: { name: string };
  connection?: { connectionId: string };
  collection?: { id: number | string; name: string };
}
interface Audit {
  service: string;
  action: string;
  outcome: string;
  credential: string;
  jobIds?: string[];
  actor: { email?: string };
}
interface Testing {
  auth: AuthTestingApi;
  audit: { recent(limit?: number): Promise<Audit[]> };
  airbyte: {
    tree: vscode.TreeDataProvider<Node>;
    setUi(ui: unknown): void;
    setConnectionSettings(s: Settings): Promise<void>;
    contextKeys: ReadonlyMap<string, unknown>;
  };
  metabase: {
    tree: vscode.TreeDataProvider<Node>;
    setUi(ui: unknown): void;
    setConnectionSettings(s: Settings): Promise<void>;
    contextKeys: ReadonlyMap<string, unknown>;
  };
  dbt: {
    cloud: { refresh(): Promise<void>; state: { kind: string; jobs?: { id: number; name: string }[] } };
    commands: { followOf(runId: number): Promise<{ kind: string; run?: { status: string } }> | undefined };
    setUi(ui: unknown): void;
    setCloudSettings(s: Settings): Promise<void>;
    contextKeys: ReadonlyMap<string, unknown>;
  };
}

/** RecordingUi whose input boxes are answered by their title. */
function answeringUi(answers: Record<string, string>) {
  const asked: string[] = [];
  const input = async (o: { title?: string }) => {
    asked.push(o.title ?? '');
    return answers[o.title ?? ''];
  };
  return Object.assign(new RecordingUi(), { asked, input });
}

describe('Identity paths: Airbyte, dbt Cloud, Metabase by per-person credentials and through the proxy', function () {
  this.timeout(90_000);
  let t: Testing;
  const urls = sandboxUrls() as ReturnType<typeof sandboxUrls> & Record<string, string>;
  const ui = answeringUi({
    'Airbyte application client id': 'gatehouse-demo-alice',
    'Airbyte application client secret': 'alice-airbyte-secret',
    'dbt Cloud personal access token': 'dbtu_alice_gatehouse_demo_3f9a1c',
    'dbt Cloud service token': 'dbtc_sandbox_analyst_readonly_5d21e8',
    'Metabase email': 'alice@example.com',
    'Metabase password': 'alice-demo-password',
  });
  const lastAudit = async (service: string, action: string) => (await t.audit.recent(100)).filter((r) => r.service === service && r.action === action).pop();

  /** The welcome views package.json shows on `view` for these context keys. */
  function welcome(view: string, keys: ReadonlyMap<string, unknown>): string[] {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const entries = (ext.packageJSON as { contributes: { viewsWelcome: { view: string; contents: string; when?: string }[] } }).contributes.viewsWelcome;
    const context = { ...Object.fromEntries(keys), 'gatehouse.signedIn': true };
    return entries.filter((e) => e.view === view && evaluateWhen(e.when, context)).map((e) => e.contents);
  }

  before(async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    t = ((await ext.activate()) as { testing: Testing }).testing;
    await t.auth.settled();
    for (const m of [t.airbyte, t.metabase, t.dbt]) m.setUi(ui);
    await signInAs(t.auth, urls.issuer, 'alice');
  });

  after(async () => {
    await t?.airbyte.setConnectionSettings({});
    await t?.metabase.setConnectionSettings({});
    await t?.dbt.setCloudSettings({});
    for (const m of [t?.airbyte, t?.metabase, t?.dbt]) m?.setUi(undefined);
    await vscode.commands.executeCommand('gatehouse.auth.signOut');
  });

  it('Airbyte with credential application and no secret: the tree is empty and the welcome view asks for the application', async () => {
    await t.airbyte.setConnectionSettings({ baseUrl: `${urls.airbyte}/api/public/v1`, credential: 'application' });
    assert.equal(t.airbyte.contextKeys.get('gatehouse.airbyte.credential'), 'application');
    assert.equal(t.airbyte.contextKeys.get('gatehouse.airbyte.needsCredentials'), true);
    assert.deepEqual(await t.airbyte.tree.getChildren(), []);
    const shown = welcome('gatehouse.airbyte', t.airbyte.contextKeys);
    assert.equal(shown.length, 1, shown.join('\n---\n'));
    assert.match(shown[0], /\(command:gatehouse\.airbyte\.setApplicationCredentials\)/);
  });

  it("Airbyte with alice's application: lists her workspaces at Airbyte's own API and starts a sync, audited as application-credentials", async () => {
    await vscode.commands.executeCommand('gatehouse.airbyte.setApplicationCredentials');
    await until('the application credentials are stored', () => t.airbyte.contextKeys.get('gatehouse.airbyte.needsCredentials') === false || undefined);
    assert.deepEqual(welcome('gatehouse.airbyte', t.airbyte.contextKeys), [], 'no welcome view once the credentials are there');
    const names = await until('the workspaces', async () => {
      const roots = ((await t.airbyte.tree.getChildren()) ?? []).filter((n) => n.kind === 'workspace');
      return roots.length ? roots.map((n) => n.workspace!.name).sort() : undefined;
    });
    assert.deepEqual(names, ['Finance Pipelines', 'Shop Analytics']);
    const outcome = (await vscode.commands.executeCommand('gatehouse.airbyte.syncNow', SHOPIFY)) as { kind: string; job: { jobId: number } };
    assert.equal(outcome.kind, 'started', ui.messages.join('\n'));
    const audit = await lastAudit('airbyte', 'trigger-sync');
    assert.deepEqual([audit?.credential, audit?.actor.email, audit?.jobIds], ['application-credentials', 'alice@example.com', [String(outcome.job.jobId)]]);
    await vscode.commands.executeCommand('gatehouse.airbyte.cancelJob', outcome.job.jobId);
  });

  it("dbt Cloud with alice's personal token: lists the jobs at dbt Cloud's own API and triggers a run, audited as personal-token", async () => {
    await t.dbt.setCloudSettings({ baseUrl: urls.dbtCloud, credential: 'personalToken' });
    assert.equal(t.dbt.contextKeys.get('gatehouse.dbtCloud.credential'), 'personalToken');
    await vscode.commands.executeCommand('gatehouse.dbtCloud.setToken');
    assert.ok(ui.asked.includes('dbt Cloud personal access token'), 'the personal token is asked for');
    await until('the token is stored', () => t.dbt.contextKeys.get('gatehouse.dbtCloud.hasToken') === true || undefined);
    const jobs = await until('the dbt Cloud jobs', async () => {
      await t.dbt.cloud.refresh();
      return t.dbt.cloud.state.kind === 'loaded' ? t.dbt.cloud.state.jobs : undefined;
    });
    assert.deepEqual(jobs!.map((j) => j.name).sort(), ['CI check', 'Hourly marts', 'Nightly build']);
    const run = (await vscode.commands.executeCommand('gatehouse.dbtCloud.triggerRun', CI_JOB)) as { id: number } | undefined;
    assert.ok(run?.id, ui.messages.join('\n'));
    const audit = (await t.audit.recent(100)).filter((r) => r.service === 'dbtCloud' && r.jobIds?.includes(String(run.id)))[0];
    assert.deepEqual([audit?.action, audit?.credential, audit?.actor.email], ['trigger-run', 'personal-token', 'alice@example.com']);
    await vscode.commands.executeCommand('gatehouse.dbtCloud.cancelRun', CI_JOB).then(undefined, () => undefined);
    // The follow of this run writes its own trigger-run record when the run ends: wait for it, so
    // the next test's last trigger-run record is its own.
    await t.dbt.commands.followOf(run.id);
  });

  it("dbt Cloud with a read-only service token: the jobs are listed, but dbt Cloud refuses alice's trigger, audited as service-token", async () => {
    await t.dbt.setCloudSettings({ baseUrl: urls.dbtCloud, credential: 'serviceToken' });
    assert.equal(t.dbt.contextKeys.get('gatehouse.dbtCloud.hasToken'), false, 'the personal token is not used as a service token');
    await vscode.commands.executeCommand('gatehouse.dbtCloud.setToken');
    assert.equal(ui.asked[ui.asked.length - 1], 'dbt Cloud service token');
    await until('the service token is stored', () => t.dbt.contextKeys.get('gatehouse.dbtCloud.hasToken') === true || undefined);
    const jobs = await until('the dbt Cloud jobs', async () => {
      await t.dbt.cloud.refresh();
      return t.dbt.cloud.state.kind === 'loaded' ? t.dbt.cloud.state.jobs : undefined;
    });
    assert.equal(jobs!.length, 3);
    // alice's roles offer the trigger; the Analyst service token's permission set does not allow it.
    const run = await vscode.commands.executeCommand('gatehouse.dbtCloud.triggerRun', CI_JOB);
    assert.equal(run, undefined);
    const audit = await lastAudit('dbtCloud', 'trigger-run');
    assert.deepEqual([audit?.outcome, audit?.credential, audit?.actor.email], ['denied', 'service-token', 'alice@example.com']);
  });

  /** alice's Metabase collections in the tree, and question 1 run and audited with `credential`. */
  async function aliceSeesMetabase(credential: string): Promise<void> {
    const names = await until('the collections', async () => {
      const roots = (await t.metabase.tree.getChildren()) ?? [];
      return roots.length ? roots.map((n) => n.collection?.name) : undefined;
    });
    assert.deepEqual(names, ['Finance', 'Sales', "Alice Engineer's Personal Collection"]);
    const outcome = (await vscode.commands.executeCommand('gatehouse.metabase.runQuestion', 1)) as { status: string };
    assert.equal(outcome.status, 'succeeded', ui.messages.join('\n'));
    const audit = await lastAudit('metabase', 'run-question');
    assert.deepEqual([audit?.credential, audit?.actor.email], [credential, 'alice@example.com']);
  }

  it('Metabase with a session from her email and password: lists her collections and runs a question, audited as password-session', async () => {
    await t.metabase.setConnectionSettings({ baseUrl: urls.metabase, credential: 'session' });
    const asking = welcome('gatehouse.metabase', t.metabase.contextKeys);
    assert.equal(asking.length, 1);
    assert.match(asking[0], /\(command:gatehouse\.metabase\.signIn\)/);
    assert.equal(await vscode.commands.executeCommand('gatehouse.metabase.signIn'), true, ui.messages.join('\n'));
    await aliceSeesMetabase('password-session');
  });

  it('Metabase through its identity-aware proxy (the default settings): the same tree by the sign-in alone, audited as identity-proxy', async () => {
    await t.metabase.setConnectionSettings({});
    assert.equal(t.metabase.contextKeys.get('gatehouse.metabase.credential'), 'proxy');
    assert.deepEqual(welcome('gatehouse.metabase', t.metabase.contextKeys), []);
    await aliceSeesMetabase('identity-proxy');
  });
});
