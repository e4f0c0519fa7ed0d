// Explain Access from every 403, inside VS Code, as bob (analysts): each service's refusal comes
// as a notification with an "Explain Access" button, and the button opens the explanation of that
// resource: the identity chain, what the service answered (as text), and for BigQuery what
// testIamPermissions reports. dbt Cloud only refuses bob when Gatehouse lets him ask, so that test
// grants his group the capability in gatehouse.roles.mapping: Gatehouse decides what it offers,
// the service decides what it allows.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID, sandboxUrls, signInAs, type AuthTestingApi } from '../support/signIn';
import { until } from '../../unit/support/wait';
import { signInToLooker, type LookerSignInSeam } from '../support/lookerSignIn';

const EXPLAIN = 'Explain Access';
const FINANCE_LEDGER = '9e2d7a10-1111-4c3b-8a5e-0f1e2d3c4b05';
const NIGHTLY = 902131;
const MONTHLY_REVENUE = 5;

interface Testing {
  auth: AuthTestingApi;
  bigquery: { setUi(ui: unknown): void };
  airbyte: { setUi(ui: unknown): void };
  dbt: { setUi(ui: unknown): void; cloud: { refresh(): Promise<void> } };
  looker: { setUi(ui: unknown): void } & LookerSignInSeam;
  metabase: { setUi(ui: unknown): void };
}

/** Records every notification with its buttons, and presses "Explain Access" when it is offered. */
class PressingUi {
  readonly notices: { level: string; message: string; actions: string[] }[] = [];
  private note(level: string, message: string, actions: string[]): string | undefined {
    this.notices.push({ level, message, actions });
    return actions.includes(EXPLAIN) ? EXPLAIN : undefined;
  }
  info = async (m: string, ...a: string[]) => void this.note('info', m, a);
  warn = async (m: string, ...a: string[]) => void this.note('warn', m, a);
  error = async (m: string, ...a: string[]) => this.note('error', m, a);
  confirm = async () => true;
  input = async () => undefined;
  pick = async () => undefined;
  openExternal = async () => true;
}

describe('Explain Access from a 403 of each service', function () {
  this.timeout(120_000);
  let t: Testing;
  let ui: PressingUi;
  const opened: vscode.TextDocument[] = [];
  let sub: vscode.Disposable | undefined;
  const gatehouse = () => vscode.workspace.getConfiguration('gatehouse');

  before(async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    t = ((await ext.activate()) as { testing: Testing }).testing;
    await gatehouse().update('auth.flow', 'loopback', vscode.ConfigurationTarget.Global);
    await t.auth.settled();
    sub = vscode.workspace.onDidOpenTextDocument((d) => d.uri.scheme === 'gatehouse-access' && opened.push(d));
    await signInAs(t.auth, sandboxUrls().issuer, 'bob');
  });

  beforeEach(() => {
    ui = new PressingUi();
    for (const s of [t.bigquery, t.airbyte, t.dbt, t.looker, t.metabase]) s.setUi(ui);
  });

  after(async () => {
    sub?.dispose();
    for (const s of [t?.bigquery, t?.airbyte, t?.dbt, t?.looker, t?.metabase]) s?.setUi(undefined);
    await gatehouse().update('roles.mapping', undefined, vscode.ConfigurationTarget.Global);
    if ((await vscode.authentication.getAccounts('gatehouse-oidc')).length) await vscode.commands.executeCommand('gatehouse.auth.signOut');
  });

  /** The refusal notification (with its button) and the explanation document it opened. */
  async function refusalAndExplanation(service: RegExp): Promise<{ message: string; text: string }> {
    const before = opened.length;
    const notice = await until('the refusal notification', () => ui.notices.find((n) => n.level === 'error' && service.test(n.message)), 30_000);
    assert.ok(notice.actions.includes(EXPLAIN), `the notification offers ${EXPLAIN}: ${JSON.stringify(notice)}`);
    const doc = await until('the explanation document', () => (opened.length > before ? opened.at(-1) : undefined), 30_000);
    const text = doc.getText();
    assert.match(text, /bob@example\.com \(subject [^)]+\) at /);
    assert.match(text, /Groups: analysts/);
    return { message: notice.message, text };
  }

  it('BigQuery: a query of the finance table names the table, and testIamPermissions shows what is missing where', async () => {
    const uri = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'queries', 'finance.sql');
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const outcome = await vscode.commands.executeCommand<{ error?: { reason: string } }>('gatehouse.bigquery.runStatement', uri, doc.getText().indexOf('select'));
    assert.equal(outcome?.error?.reason, 'accessDenied');
    const { message, text } = await refusalAndExplanation(/^BigQuery refused the query/);
    assert.match(message, /on table gatehouse-finance:finance\.revenue/);
    assert.match(text, /Refused: BigQuery — run a query on table gatehouse-finance:finance\.revenue/);
    assert.match(text, /BigQuery answered \(its words, as text\): Access Denied: Table gatehouse-finance:finance\.revenue/);
    assert.match(text, /table gatehouse-finance:finance\.revenue, as BigQuery tables\.testIamPermissions answered:\n {5}\[missing\] bigquery\.tables\.get\n {5}\[missing\] bigquery\.tables\.getData/);
    assert.match(text, /project gatehouse-demo \(the billing project, where queries run\), as Cloud Resource Manager projects\.testIamPermissions answered:\n {5}\[granted\] resourcemanager\.projects\.get\n {5}\[granted\] bigquery\.jobs\.create/);
    assert.match(text, /BigQuery sees the federated principal principal:\/\/iam\.googleapis\.com\/locations\/global\/workforcePools\/gatehouse-sandbox\/subject\//);
  });

  it('BigQuery: Explain Access on a table node lists its permissions granted and missing', async () => {
    const node = { kind: 'table', key: 'p:gatehouse-demo/d:analytics/t:orders', table: { projectId: 'gatehouse-demo', datasetId: 'analytics', tableId: 'orders' } };
    const text = (await vscode.commands.executeCommand('gatehouse.policy.explainAccess', node)) as string;
    assert.match(text, /Resource: BigQuery table gatehouse-demo:analytics\.orders/);
    assert.match(text, /\[granted\] bigquery\.tables\.getData\n {5}\[granted\] bigquery\.tables\.export\n {5}\[missing\] bigquery\.tables\.updateData/);
    assert.match(text, /project gatehouse-demo \(also the billing project\)/);
  });

  it('Airbyte: a connection of a workspace bob may not read', async () => {
    await vscode.commands.executeCommand('gatehouse.airbyte.syncNow', FINANCE_LEDGER);
    const { message, text } = await refusalAndExplanation(/^Airbyte refused/);
    assert.match(message, new RegExp(`read connection ${FINANCE_LEDGER}`));
    assert.match(text, new RegExp(`Refused: Airbyte — read connection ${FINANCE_LEDGER}`));
    assert.match(text, /Airbyte answered \(its words, as text\): (.* — )?User bob@example\.com does not have the permission to read workspace [0-9a-f-]+\./);
    assert.match(text, /Airbyte at http:\/\/[^ ]+ sees an access token your identity provider issues for that audience/);
  });

  it('dbt Cloud: Gatehouse lets analysts trigger, dbt Cloud does not (bob is an analyst there)', async () => {
    await gatehouse().update('roles.mapping', { 'data-engineers': ['engineer'], analysts: ['analyst', 'dbtCloud.trigger'] }, vscode.ConfigurationTarget.Global);
    try {
      await t.dbt.cloud.refresh();
      await vscode.commands.executeCommand('gatehouse.dbtCloud.triggerRun', NIGHTLY);
      const { message, text } = await refusalAndExplanation(/^dbt Cloud refused/);
      assert.match(message, /bob@example\.com may not trigger a run of/);
      assert.match(text, /Refused: dbt Cloud — trigger a run of job "Nightly build"/);
      assert.match(text, /dbt Cloud answered \(its words, as text\): You do not have permission to perform this action\./);
      assert.match(text, /\[yes\] Trigger dbt Cloud jobs — granted to analysts, data-engineers/);
    } finally {
      await gatehouse().update('roles.mapping', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('Looker: a look of the Finance folder (Looker answers 404 where it refuses, and Gatehouse says so)', async () => {
    await signInToLooker(t.looker, sandboxUrls().issuer, 'bob');
    await vscode.commands.executeCommand('gatehouse.looker.runLook', '4');
    const { message, text } = await refusalAndExplanation(/^Could not open look 4/);
    assert.match(message, /Looker answered "Not found", which it says both when the look does not exist and when your Looker account may not see it or run it\./);
    assert.match(text, /Refused: Looker — open look 4/);
    assert.match(text, /Looker answered \(its words, as text\): Not found/);
  });

  it('Metabase: a question in the Finance collection', async () => {
    await vscode.commands.executeCommand('gatehouse.metabase.runQuestion', MONTHLY_REVENUE);
    const { text } = await refusalAndExplanation(/^Metabase refused/);
    assert.match(text, new RegExp(`Refused: Metabase — run question "Question ${MONTHLY_REVENUE}" \\(card ${MONTHLY_REVENUE}\\)`));
    assert.match(text, /Metabase answered \(its words, as text\): You don't have permissions to do that\./);
  });
});
