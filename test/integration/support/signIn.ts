// Shared by the integration suites: the sandbox URLs, and signing in as a demo user inside VS Code.
// The test plays the browser through the extension's test-mode seam: it receives the
// authorization URL, signs in at the sandbox IdP over HTTP as the demo user, and requests the
// callback, which reaches the extension's loopback server.
import * as assert from 'node:assert/strict';
import type { ConfigureAsk } from '../../../src/auth/configureFlow';
import * as vscode from 'vscode';
import { Browser, redirectTarget } from '../../sandbox/idp/browser';
import type { SandboxUrls } from '../../sandbox/sandbox';

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
