// Who each service sees, inside VS Code, for alice: Show Identity lists every configured service
// with its credential in words (and what the service reports about her), the Looker view's
// description says the same, and the Activity view shows a look run's credential in words.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { EXTENSION_ID, sandboxUrls, signInAs, type AuthTestingApi } from '../support/signIn';
import { signInToLooker, type LookerSignInSeam } from '../support/lookerSignIn';
import { RecordingUi } from '../../unit/support/recordingUi';
import { until } from '../../unit/support/wait';

interface Node {
  kind: string;
  key: string;
  folder?: { name: string };
  look?: { id: string; title: string };
}
interface ActivityNode {
  kind: 'day' | 'record';
  record?: { service: string; action: string; resource: string; credential: string; credentialText?: string };
}
interface Testing {
  auth: AuthTestingApi;
  looker: { tree: vscode.TreeDataProvider<Node>; view: vscode.TreeView<unknown>; model: { refresh(): void }; setUi(ui: unknown): void } & LookerSignInSeam;
  activity: { tree: vscode.TreeDataProvider<ActivityNode> };
}

describe('who each service sees (Show Identity, view identity line, Activity)', function () {
  this.timeout(90_000);
  let t: Testing;
  let issuer: string;
  const ui = new RecordingUi();

  before(async () => {
    issuer = sandboxUrls().issuer;
    const exports = (await vscode.extensions.getExtension(EXTENSION_ID)!.activate()) as { testing?: Testing };
    assert.ok(exports.testing?.looker.view && exports.testing.activity, 'the extension exports the Looker view and the Activity tree');
    t = exports.testing;
    await t.auth.settled();
    t.looker.setUi(ui);
  });
  after(async () => {
    t?.looker.setUi(undefined);
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('gatehouse.auth.signOut');
  });

  it('Show Identity lists every service with its credential in words, and the Looker view says the same', async () => {
    await signInAs(t.auth, issuer, 'alice');
    // Looker sees her through her own Looker sign-in (its OAuth).
    await signInToLooker(t.looker, issuer, 'alice');
    const lines = (await vscode.commands.executeCommand('gatehouse.auth.showIdentity')) as string[];
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    assert.ok(Array.isArray(lines), 'the command answers with what it shows');
    assert.ok(lines.includes('Account: alice@example.com'), lines.join('\n'));
    for (const service of ['BigQuery', 'dbt Cloud', 'Airbyte', 'Looker', 'Metabase']) {
      const line = lines.find((l) => l.startsWith(`${service}: `));
      assert.ok(line, `a line for ${service}: ${lines.join('\n')}`);
      // Each says whom the service sees, in words: alice herself or, first, a shared identity.
      assert.match(line, new RegExp(`^${service}: (As alice@example\\.com · your |Shared identity: )`), line);
      assert.doesNotMatch(line, /resource-indicator|identity-proxy|service-oauth|personal-token|api-key|Bearer|ey[A-Za-z0-9_-]{20,}/, 'words, never a code or a token');
    }
    assert.ok(lines.includes('BigQuery: As alice@example.com · your Google identity, federated from your sign-in'), lines.join('\n'));
    // Looker reported who it sees (GET /api/4.0/user): her Looker display name.
    const looker = lines.find((l) => l.startsWith('Looker: '))!;
    assert.match(looker, /\(Alice Engineer\)$/, looker);
    await until('the Looker view to show the same identity line', () => t.looker.view.description === looker.slice('Looker: '.length), 10_000, { lastSeen: () => String(t.looker.view.description) });
  });

  it('the Activity view shows the credential of a look run in words', async () => {
    await signInAs(t.auth, issuer, 'alice');
    // Looker sees her through her own Looker sign-in (its OAuth).
    await signInToLooker(t.looker, issuer, 'alice');
    t.looker.model.refresh();
    const [shared] = (await t.looker.tree.getChildren()) as Node[];
    const sales = ((await t.looker.tree.getChildren(shared)) as Node[]).find((n) => n.folder?.name === 'Sales');
    assert.ok(sales);
    const look = ((await t.looker.tree.getChildren(sales)) as Node[]).find((n) => n.look?.title === 'Revenue by status');
    assert.ok(look);
    const outcome = (await vscode.commands.executeCommand('gatehouse.looker.runLook', look)) as { status: string };
    assert.equal(outcome.status, 'succeeded', ui.messages.join('\n'));

    let item: vscode.TreeItem | undefined;
    let record: ActivityNode['record'];
    await until(
      'the look run in the Activity view',
      async () => {
        const [today] = (await t.activity.tree.getChildren()) ?? [];
        const entries = today ? ((await t.activity.tree.getChildren(today)) ?? []) : [];
        const node = entries.find((n) => n.record?.service === 'looker' && n.record.action === 'run-look' && n.record.resource === 'look/2');
        record = node?.record;
        item = node && ((await t.activity.tree.getTreeItem(node)) as vscode.TreeItem);
        return !!item;
      },
      15_000,
    );
    assert.ok(record?.credentialText, 'the audit record carries the credential in words');
    assert.doesNotMatch(record.credentialText, /^[a-z]+(-[a-z]+)+$/, 'words, not the origin code');
    // appendText escapes Markdown punctuation; read it back as the text it shows.
    const tooltip = (item!.tooltip as vscode.MarkdownString).value.replace(/&nbsp;/g, ' ').replace(/\\([\\`*_{}[\]()#+\-.!<>|~])/g, '$1');
    const words = record.credentialText.charAt(0).toUpperCase() + record.credentialText.slice(1);
    assert.ok(tooltip.includes(`With: ${words}`), tooltip);
    assert.ok(!tooltip.includes(record.credential), 'the origin code is not what is shown');
  });
});
