// Signing in to Looker inside VS Code (gatehouse.looker.credential = oauth): the test plays the
// browser through the Looker module's test seam, through Looker's SSO at the sandbox IdP as the
// demo user, and requests the redirect, which reaches the extension's loopback receiver.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { authorizeAtLooker } from '../../sandbox/looker/browser';

export interface LookerSignInSeam {
  setBrowser(browser: ((url: string) => Promise<void>) | undefined): void;
}

export async function signInToLooker(looker: LookerSignInSeam, issuer: string, user: string): Promise<void> {
  looker.setBrowser(async (url) => {
    const back = await authorizeAtLooker(url, { issuer, user });
    await fetch(back, { signal: AbortSignal.timeout(20_000) }).then((r) => r.text());
  });
  try {
    assert.equal(await vscode.commands.executeCommand('gatehouse.looker.signIn'), true, `signed in to Looker as ${user}`);
  } finally {
    looker.setBrowser(undefined);
  }
}
