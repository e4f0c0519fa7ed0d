// Shared by the integration suites: the sandbox URLs, and signing in as a demo user inside VS Code.
// The test plays the browser through the extension's test-mode seam: it receives the
// authorization URL, signs in at the sandbox IdP over HTTP as the demo user, and requests the
// callback, which reaches the extension's loopback server. Against Keycloak (the Keycloak tier)
// the runner's real Chromium fills Keycloak's login form and follows the redirect to the loopback.
import * as assert from 'node:assert/strict';
import type { ConfigureAsk } from '../../../src/auth/configureFlow';
import * as vscode from 'vscode';
import { Browser, redirectTarget } from '../../sandbox/idp/browser';
import type { SandboxUrls } from '../../sandbox/sandbox';
import { browse } from '../runner/driverClient';
import { testIdp } from './idp';

export type { SandboxUrls };

export const EXTENSION_ID = 'gatehouse.gatehouse';
export const PROVIDER_ID = 'gatehouse-oidc';

export interface AuthTestingApi {
  setBrowser(browser: ((url: string) => Promise<void>) | undefined): void;
  settled(): Promise<void>;
  setConfigureAsk?(ask: ConfigureAsk | undefined): void;
}


export function sandboxUrls(): SandboxUrls {
  const urls = JSON.parse(process.env.GATEHOUSE_SANDBOX_URLS ?? '{}') as Partial<SandboxUrls>;
  assert.ok(urls.issuer, 'GATEHOUSE_SANDBOX_URLS names the sandbox (the runner sets it)');
  return urls as SandboxUrls;
}

/** Follows the IdP's redirects, picks `user` on the login page, then requests the loopback callback. */
export function browserAs(issuer: string, user: string): (url: string) => Promise<void> {
  const idp = testIdp();
  if (idp.kind === 'keycloak') {
    return async (start) => {
      // A fresh browser context: no Keycloak session of an earlier person signs this one in.
      const page = await browse(start, [...idp.loginSteps(user), { waitFor: 'text=You are signed in to Gatehouse' }], 60_000).catch((err: Error) => {
        console.error(`signing in at Keycloak as ${user} failed: ${err.message}`);
        throw err;
      });
      assert.ok(new URL(page.url).hostname === '127.0.0.1', `ended at the loopback, not ${page.url}`);
    };
  }
  return async (start) => {
    const browser = new Browser();
    let url = start;
    let res = await browser.get(url);
    for (let hop = 0; hop < 20; hop++) {
      const next = redirectTarget(res, url);
      if (next && new URL(next).origin !== new URL(issuer).origin) {
        await fetch(next, { signal: AbortSignal.timeout(10_000) }).then((r) => r.text());
        return;
      }
      if (next) {
        await res.body?.cancel();
        url = next;
        res = await browser.get(url);
        continue;
      }
      await res.text();
      const uid = /^\/interaction\/([^/]+)\/?$/.exec(new URL(url).pathname)?.[1];
      if (!uid) throw new Error(`unexpected IdP page ${new URL(url).pathname} (${res.status})`);
      url = `${issuer}/interaction/${uid}/login`;
      res = await browser.postForm(url, { user });
    }
    throw new Error('too many redirects');
  };
}

export async function accountLabels(): Promise<string[]> {
  return (await vscode.authentication.getAccounts(PROVIDER_ID)).map((a) => a.label);
}

/** Signs out whoever is signed in, then signs in as `user` through the real loopback flow. */
export async function signInAs(auth: AuthTestingApi, issuer: string, user: string): Promise<void> {
  if ((await accountLabels()).length) await vscode.commands.executeCommand('gatehouse.auth.signOut');
  auth.setBrowser(browserAs(issuer, user));
  await vscode.commands.executeCommand('gatehouse.auth.signIn');
  assert.deepEqual(await accountLabels(), [`${user}@example.com`]);
}
