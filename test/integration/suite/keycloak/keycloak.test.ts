// Gatehouse in VS Code against a real Keycloak (the Keycloak tier only: index.ts loads this folder
// when the runner names a Keycloak issuer). Sign-in goes through Keycloak's login form in the
// runner's Chromium; roles come from the realm's groups mapper; a renewal happens at Keycloak
// (the client's access tokens live 75 s, inside Gatehouse's 60 s renewal margin after 15 s) and
// the STS, which trusts Keycloak, takes the renewed id token; sign-out revokes at Keycloak.
// The IdP-agnostic suites (sign-in, BigQuery, roles, device flow) run in this tier too.
import * as assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import * as vscode from 'vscode';
import { testIdp } from '../../support/idp';
import { accountLabels, EXTENSION_ID, signInAs, type AuthTestingApi } from '../../support/signIn';
import { until } from '../../../unit/support/wait';

interface Testing {
  auth: AuthTestingApi & { currentSession(): { accessToken: string } | undefined };
  policyContext: { keys: Map<string, unknown> };
  bigquery: { treeChildren(path: string[]): Promise<{ label: string; kind: string }[]> };
}

/** Gatehouse's renewal margin (DEFAULT_SKEW_MS of src/auth/tokenBroker.ts). */
const RENEWAL_MARGIN_MS = 60_000;

describe('Gatehouse in VS Code against Keycloak', function () {
  this.timeout(180_000);
  let t: Testing;
  const issuer = () => testIdp().issuer;
  // The stored session through the test seam: VS Code's getSession would ask the person first.
  const session = async () => {
    const s = t.auth.currentSession();
    assert.ok(s, 'a Gatehouse session');
    return s;
  };
  const userinfo = async (accessToken: string) =>
    (await fetch(`${issuer()}/protocol/openid-connect/userinfo`, { headers: { authorization: `Bearer ${accessToken}` }, signal: AbortSignal.timeout(10_000) })).status;

  before(async () => {
    const idp = testIdp();
    assert.equal(idp.kind, 'keycloak', 'the runner names the Keycloak issuer');
    t = ((await vscode.extensions.getExtension(EXTENSION_ID)!.activate()) as { testing: Testing }).testing;
    assert.equal(vscode.workspace.getConfiguration('gatehouse').get('auth.issuer'), idp.issuer);
    await vscode.workspace.getConfiguration('gatehouse').update('auth.flow', 'loopback', vscode.ConfigurationTarget.Global);
    await t.auth.settled();
  });

  after(async () => {
    t?.auth.setBrowser(undefined);
    if ((await accountLabels()).length) await vscode.commands.executeCommand('gatehouse.auth.signOut');
  });

  it('signs in as alice at Keycloak: a Keycloak access token of hers, her groups as roles in the context keys', async () => {
    await signInAs(t.auth, issuer(), 'alice');
    const claims = decodeJwt((await session()).accessToken);
    assert.equal(claims.iss, issuer());
    assert.equal(claims.preferred_username, 'alice');
    await until('alice’s context keys', () => t.policyContext.keys.get('gatehouse.can.dbtCloud.trigger') === true, 15_000);
    assert.equal(t.policyContext.keys.get('gatehouse.can.airbyte.sync'), true);
    await signInAs(t.auth, issuer(), 'bob');
    assert.equal(decodeJwt((await session()).accessToken).preferred_username, 'bob');
    await until('bob’s context keys', () => t.policyContext.keys.get('gatehouse.can.dbtCloud.trigger') === false, 15_000);
    assert.equal(t.policyContext.keys.get('gatehouse.can.airbyte.sync'), false);
    assert.equal(t.policyContext.keys.get('gatehouse.can.looker.run'), true);
  });

  it('renews at Keycloak when the token nears expiry, and BigQuery federates the renewed id token', async () => {
    // Nothing may use the session before the wait: keep the BigQuery view from loading its tree.
    await vscode.commands.executeCommand('workbench.action.closeSidebar');
    await signInAs(t.auth, issuer(), 'alice');
    const first = await session();
    const before = decodeJwt(first.accessToken);
    const renewAfter = (before.exp! * 1000) - RENEWAL_MARGIN_MS;
    assert.ok(renewAfter - Date.now() < 20_000, `the realm's 75 s tokens (this one expires at ${new Date(before.exp! * 1000).toISOString()})`);
    await until('the token to be inside the renewal margin', () => Date.now() > renewAfter + 1_000, 30_000, { intervalMs: 250 });
    const projects = await t.bigquery.treeChildren([]);
    assert.deepEqual(projects.map((p) => p.label).sort(), ['gatehouse-demo', 'gatehouse-finance']);
    const renewed = decodeJwt((await session()).accessToken);
    assert.notEqual((await session()).accessToken, first.accessToken, 'a new access token');
    assert.equal(renewed.preferred_username, 'alice');
    assert.equal(renewed.sid, before.sid, 'the same Keycloak session: renewed, not signed in again');
    assert.ok(renewed.exp! > before.exp!);
  });

  it('signs out and revokes at Keycloak: the access token of the ended session is refused there', async () => {
    if (!(await accountLabels()).length) await signInAs(t.auth, issuer(), 'alice');
    const { accessToken } = await session();
    assert.equal(await userinfo(accessToken), 200, 'Keycloak knows the live session');
    await vscode.commands.executeCommand('gatehouse.auth.signOut');
    await until('VS Code to drop the account', async () => (await accountLabels()).length === 0, 10_000);
    assert.equal(await userinfo(accessToken), 401, 'Keycloak ended the session');
  });
});
