// The device flow inside VS Code in the remote/web host (code-server): with gatehouse.auth.flow
// "auto" Gatehouse picks the device authorization grant there, shows the code in a notification,
// and the person enters that code on the IdP's verification page in a real browser (the runner's
// Chromium). Against the sandbox IdP in the integration tier and Keycloak in the Keycloak tier.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { browse, driverAvailable, readWorkbench } from '../runner/driverClient';
import { testIdp, type TestIdp } from '../support/idp';
import { accountLabels, EXTENSION_ID, type AuthTestingApi } from '../support/signIn';
import { until } from '../../unit/support/wait';

/** The Keycloak realm's client whose device codes live 5 s (test/keycloak/realm-gatehouse.json). */
const KEYCLOAK_SHORT_DEVICE_CLIENT = 'gatehouse-vscode-short-device';
const CODE_SHOWN = /enter the code (\S+) at (\S+?)\.?$/;

interface ShownCode {
  userCode: string;
  verificationUri: string;
}

describe('device flow in the remote/web host (code-server)', function () {
  this.timeout(180_000);
  let api: AuthTestingApi;
  let idp: TestIdp;
  const opened: string[] = [];
  const config = () => vscode.workspace.getConfiguration('gatehouse');
  const seen = new Set<string>();
  let previousFlow: string | undefined;
  let effectiveFlow: string | undefined;

  before(async () => {
    assert.ok(driverAvailable(), 'the device flow runs on the code-server backend, whose driver reads the workbench');
    idp = testIdp();
    const exports = (await vscode.extensions.getExtension(EXTENSION_ID)!.activate()) as { testing?: { auth?: AuthTestingApi } };
    assert.ok(exports.testing?.auth, 'the auth test seam');
    api = exports.testing.auth;
    assert.ok(vscode.env.remoteName || vscode.env.uiKind === vscode.UIKind.Web, 'code-server runs the extension host remotely');
    // A loopback sign-in would open the browser through this seam: the device flow must not.
    api.setBrowser(async (url) => void opened.push(url));
    previousFlow = config().inspect<string>('auth.flow')?.globalValue;
    effectiveFlow = config().get<string>('auth.flow');
    await config().update('auth.flow', 'auto', vscode.ConfigurationTarget.Global);
    await api.settled();
    assert.equal(config().get('auth.flow'), 'auto');
    if ((await accountLabels()).length) await vscode.commands.executeCommand('gatehouse.auth.signOut');
  });

  after(async () => {
    api?.setBrowser(undefined);
    if ((await accountLabels()).length) await vscode.commands.executeCommand('gatehouse.auth.signOut');
    await config().update('auth.flow', previousFlow, vscode.ConfigurationTarget.Global);
    await api?.settled();
    // The suites after this one sign in through the loopback seam again.
    assert.equal(config().get('auth.flow'), effectiveFlow);
  });

  afterEach(() => vscode.commands.executeCommand('notifications.clearAll'));

  /** The code of the notification Gatehouse shows now, read from the workbench as a person sees it. */
  async function codeShown(): Promise<ShownCode> {
    let texts: (string | null)[] = [];
    return until(
      'the device code notification',
      async () => {
        texts = await readWorkbench('.notification-list-item-message');
        for (const text of texts) {
          const m = CODE_SHOWN.exec((text ?? '').trim());
          if (m && !seen.has(m[1])) {
            seen.add(m[1]);
            return { userCode: m[1], verificationUri: m[2] };
          }
        }
        return undefined;
      },
      60_000,
      { intervalMs: 200, lastSeen: () => texts.join(' | ') },
    );
  }

  async function errorShown(pattern: RegExp): Promise<string> {
    let texts: (string | null)[] = [];
    return until(
      `a notification matching ${pattern}`,
      async () => {
        texts = await readWorkbench('.notification-list-item-message');
        return texts.find((t) => pattern.test(t ?? '')) ?? undefined;
      },
      60_000,
      { intervalMs: 200, lastSeen: () => texts.join(' | ') },
    );
  }

  it('picks the device flow, shows the code, and signs in as alice once she enters it on the verification page', async () => {
    const signingIn = vscode.commands.executeCommand('gatehouse.auth.signIn');
    const shown = await codeShown();
    assert.ok(shown.verificationUri.startsWith(idp.issuer), `the IdP's verification page, not ${shown.verificationUri}`);
    const page = await browse(shown.verificationUri, [...idp.enterCode(shown.userCode), ...idp.answerDevice('alice', 'approve')], 60_000);
    assert.match(page.text, idp.deviceApproved);
    await signingIn;
    assert.deepEqual(await accountLabels(), ['alice@example.com']);
    assert.deepEqual(opened, [], 'no browser was opened by the extension: it is the device flow');
  });

  it('denied on the verification page: no session, and Gatehouse says the IdP denied it', async () => {
    await vscode.commands.executeCommand('gatehouse.auth.signOut');
    await until('no account', async () => (await accountLabels()).length === 0, 10_000);
    const signingIn = vscode.commands.executeCommand('gatehouse.auth.signIn');
    const shown = await codeShown();
    await browse(shown.verificationUri, [...idp.enterCode(shown.userCode), ...idp.answerDevice('bob', 'deny')], 60_000);
    await signingIn;
    assert.match(await errorShown(/Gatehouse sign-in:/), /denied the sign-in/);
    assert.deepEqual(await accountLabels(), []);
  });

  it('expired before anyone entered it: no session, a timeout message, and the IdP refuses the stale code', async () => {
    // A device code that lives 5 s (3 s at the sandbox IdP).
    const restore = await shortDeviceCodes(idp);
    try {
      const signingIn = vscode.commands.executeCommand('gatehouse.auth.signIn');
      const shown = await codeShown();
      await signingIn;
      assert.match(await errorShown(/Gatehouse sign-in:/), /device code (was not approved within \d+ seconds|expired)/);
      assert.deepEqual(await accountLabels(), []);
      const page = await browse(shown.verificationUri, idp.enterCode(shown.userCode), 60_000);
      assert.match(page.text, idp.deviceCodeRefused);
      assert.doesNotMatch(page.text, idp.deviceApproved);
    } finally {
      await restore();
    }
  });

  /** Makes the next device codes short-lived; returns how to undo it. */
  async function shortDeviceCodes(idp: TestIdp): Promise<() => Promise<void>> {
    if (idp.kind === 'keycloak') {
      const clientId = config().inspect<string>('auth.clientId')?.globalValue;
      await config().update('auth.clientId', KEYCLOAK_SHORT_DEVICE_CLIENT, vscode.ConfigurationTarget.Global);
      await api.settled();
      assert.equal(config().get('auth.clientId'), KEYCLOAK_SHORT_DEVICE_CLIENT);
      return async () => {
        await config().update('auth.clientId', clientId, vscode.ConfigurationTarget.Global);
        await api.settled();
      };
    }
    const ttl = async (lifetimes: { deviceCode?: number }) => {
      const res = await fetch(`${idp.issuer}/__sandbox/idp/ttl`, { method: 'POST', body: JSON.stringify(lifetimes) });
      assert.equal(res.status, 200);
      return (await res.json()) as { deviceCode: number };
    };
    const { deviceCode } = await ttl({});
    await ttl({ deviceCode: 3 });
    return async () => void (await ttl({ deviceCode }));
  }
});
