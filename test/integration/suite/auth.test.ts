// Sign-in inside VS Code against the sandbox IdP (another process). The test plays the browser
// through the extension's test-mode seam: it receives the authorization URL, signs in at the IdP
// over HTTP as a demo user, and requests the callback, which reaches the extension's loopback server.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { accountLabels, browserAs, EXTENSION_ID, type AuthTestingApi } from '../support/signIn';

describe('sign-in (Gatehouse OIDC provider)', function () {
  this.timeout(60_000);
  let api: AuthTestingApi;
  let issuer: string;
  const config = () => vscode.workspace.getConfiguration('gatehouse');
  let previousFlow: string | undefined;

  before(async () => {
    const urls = JSON.parse(process.env.GATEHOUSE_SANDBOX_URLS ?? '{}') as { issuer?: string };
    assert.ok(urls.issuer, 'GATEHOUSE_SANDBOX_URLS names the sandbox issuer');
    issuer = urls.issuer;
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    const exports = (await ext.activate()) as { testing?: { auth?: AuthTestingApi } } | undefined;
    assert.ok(exports?.testing?.auth, 'the extension exports its auth test seam in ExtensionMode.Test');
    api = exports.testing.auth;
    assert.equal(config().get('auth.issuer'), issuer, 'user settings point at the sandbox');
    // code-server is a web UI, where Gatehouse would pick the device flow; this test drives loopback.
    previousFlow = config().inspect<string>('auth.flow')?.globalValue;
    await config().update('auth.flow', 'loopback', vscode.ConfigurationTarget.Global);
    await api.settled();
    if ((await accountLabels()).length) await vscode.commands.executeCommand('gatehouse.auth.signOut');
  });

  after(async () => {
    api?.setBrowser(undefined);
    await vscode.commands.executeCommand('gatehouse.auth.signOut');
    await config().update('auth.flow', previousFlow, vscode.ConfigurationTarget.Global);
  });

  it('signs in as alice through the loopback flow', async () => {
    api.setBrowser(browserAs(issuer, 'alice'));
    await vscode.commands.executeCommand('gatehouse.auth.signIn');
    assert.deepEqual(await accountLabels(), ['alice@example.com']);
  });

  it('signs out and has no account left', async () => {
    await vscode.commands.executeCommand('gatehouse.auth.signOut');
    assert.deepEqual(await accountLabels(), []);
  });

  it('signs in as bob afterwards', async () => {
    api.setBrowser(browserAs(issuer, 'bob'));
    await vscode.commands.executeCommand('gatehouse.auth.signIn');
    assert.deepEqual(await accountLabels(), ['bob@example.com']);
  });

  it('switches to alice with Switch Account, which asks the IdP for a login (prompt=login)', async () => {
    const opened: string[] = [];
    const alice = browserAs(issuer, 'alice');
    api.setBrowser(async (url) => {
      opened.push(url);
      await alice(url);
    });
    await vscode.commands.executeCommand('gatehouse.auth.switchAccount');
    assert.deepEqual(await accountLabels(), ['alice@example.com']);
    assert.equal(new URL(opened[0]).searchParams.get('prompt'), 'login');
  });
});
