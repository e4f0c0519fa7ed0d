// Sign-in inside VS Code against the sandbox IdP (another process). The test plays the browser
// through the extension's test-mode seam: it receives the authorization URL, signs in at the IdP
// over HTTP as a demo user, and requests the callback, which reaches the extension's loopback server.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ConfigureAsk, IdpPreset } from '../../../src/auth/configureFlow';
import { accountLabels, browserAs, EXTENSION_ID, type AuthTestingApi } from '../support/signIn';
import { until } from '../../unit/support/wait';

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
    // VS Code learns of the removal through onDidChangeSessions and asks the provider again: its
    // account list follows a moment later, not within the command.
    await until('VS Code to drop the account', async () => (await accountLabels()).length === 0, 10_000).catch(() => undefined);
    assert.deepEqual(await accountLabels(), []);
  });

  it('configures sign-in with the guided flow, written where this window reads its machine settings', async () => {
    const setAsk = api.setConfigureAsk;
    assert.ok(setAsk, 'the auth test seam can script Configure Sign-In');
    const before = config().get<string>('auth.groupsClaim');
    const clientId = config().get<string>('auth.clientId') ?? '';
    const titles: string[] = [];
    const scripted = (groupsClaim: string): ConfigureAsk => {
      const answers = [issuer, clientId, groupsClaim];
      return {
        pickProvider: async (presets: readonly IdpPreset[]) => presets.find((p) => p.id === 'other'),
        input: async (o) => {
          titles.push(o.title);
          return answers.shift();
        },
        confirm: async () => true,
        // The real discovery request, from the extension host to the sandbox IdP.
        discover: async (i) => (await import('../../../src/auth/configureFlow')).discoverIssuer(i),
      };
    };
    try {
      setAsk(scripted('gatehouse_groups_it'));
      const written = await vscode.commands.executeCommand<{ issuer: string } | undefined>('gatehouse.auth.configure');
      assert.equal(written?.issuer, issuer);
      assert.deepEqual(titles, ['Another OpenID Connect provider: issuer', 'Another OpenID Connect provider: client id', 'Another OpenID Connect provider: groups claim']);
      assert.equal(config().get('auth.groupsClaim'), 'gatehouse_groups_it', 'the setting VS Code reads now is the one written');
      await api.settled();
    } finally {
      setAsk(scripted(before ?? 'groups'));
      await vscode.commands.executeCommand('gatehouse.auth.configure');
      setAsk(undefined);
      await api.settled();
    }
    assert.equal(config().get('auth.groupsClaim'), before ?? 'groups');
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
