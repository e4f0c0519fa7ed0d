// LookerOAuthCredentials against the sandbox Looker: the whole browser sign-in (a scripted
// browser through Looker's SSO at the sandbox IdP, back to the real loopback receiver), tokens
// acting as that Looker user, renewal before expiry by an injected clock with refresh-token
// rotation, one renewal under concurrency, a rejected token really dropped, a refused refresh
// ending the Looker sign-in, sign-out, and nothing secret in errors or logs.
import * as assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { AxiosHttpClient, type HttpClient, type HttpRequest, type HttpResponse } from '../../../src/core/http';
import { SecretRegistry } from '../../../src/core/redact';
import { LookerClient } from '../../../src/looker/client';
import { LookerError } from '../../../src/looker/errors';
import { LookerOAuthCredentials, parseLookerOAuthTokens, type LookerOAuthStore, type LookerOAuthTokens } from '../../../src/looker/oauthCredentials';
import { authorizeAtLooker } from '../../sandbox/looker/browser';
import { startLooker } from '../../sandbox/looker';
import type { LookerOAuth } from '../../sandbox/looker/oauth';
import { startSandbox, type Sandbox } from '../../sandbox/sandbox';

class CountingHttp implements HttpClient {
  readonly grants: string[] = [];
  private readonly inner = new AxiosHttpClient({ sleep: async () => undefined });
  async request<T>(req: HttpRequest): Promise<HttpResponse<T>> {
    if (new URL(req.url).pathname === '/api/token') this.grants.push(String((req.body as Record<string, string>).grant_type));
    return this.inner.request<T>(req);
  }
}

class MemoryTokenStore implements LookerOAuthStore {
  raw?: string;
  async read() {
    return parseLookerOAuthTokens(this.raw);
  }
  async write(t: LookerOAuthTokens) {
    this.raw = JSON.stringify(t);
  }
  async clear() {
    this.raw = undefined;
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('Looker OAuth credentials against the sandbox', function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  let looker: { url: string; oauth: LookerOAuth; close(): Promise<void> };
  let port: number;
  const clientId = 'gatehouse-under-test';

  before(async () => {
    sandbox = await startSandbox({ services: [], largeTableRows: 1000 });
    looker = await startLooker(sandbox.ctx);
    port = await freePort();
    // Registered as a Looker admin would, with the exact loopback redirect this test listens on.
    looker.oauth.apps.set(clientId, { client_guid: clientId, redirect_uri: `http://127.0.0.1:${port}/callback`, display_name: 'test', description: '', enabled: true, group_id: null, tokens_invalid_before: '' });
  });
  after(async () => {
    await looker?.close();
    await sandbox?.close();
  });

  function setup(user = 'bob', o: { browser?: (url: string) => Promise<boolean> } = {}) {
    let clock = Date.now();
    const http = new CountingHttp();
    const store = new MemoryTokenStore();
    const secrets = new SecretRegistry();
    const logs: string[] = [];
    const log = (m: string) => void logs.push(m);
    const opened: string[] = [];
    const credentials = new LookerOAuthCredentials({
      http,
      baseUrl: looker.url,
      clientId,
      redirectPort: port,
      store,
      secrets,
      logger: { debug: log, info: log, warn: log, error: log, child: () => { throw new Error('unused'); } } as never,
      now: () => clock,
      timeoutMs: 20_000,
      openBrowser:
        o.browser ??
        (async (url) => {
          opened.push(url);
          // Like a real browser: on its own, ending with a request to the loopback redirect.
          void authorizeAtLooker(url, { issuer: sandbox.urls.issuer, user }).then((to) => fetch(to).then((r) => r.text()));
          return true;
        }),
    });
    const client = new LookerClient({ http, baseUrl: looker.url, credentials });
    return { credentials, client, http, store, secrets, logs, opened, advance: (ms: number) => (clock += ms) };
  }

  it('signs in through the browser, stores the tokens, and acts as that Looker user', async () => {
    const s = setup('bob');
    assert.equal(await s.credentials.signedIn(), false);
    await assert.rejects(s.client.me(), (e) => LookerError.is(e, 'lookerSignInRequired'));
    const changes: string[] = [];
    s.credentials.onDidChange((c) => changes.push(c));
    await s.credentials.signIn();
    assert.deepEqual(changes, ['signedIn']);
    const auth = new URL(s.opened[0]);
    assert.equal(auth.pathname, '/auth');
    assert.deepEqual(
      ['response_type', 'client_id', 'redirect_uri', 'scope', 'code_challenge_method'].map((k) => auth.searchParams.get(k)),
      ['code', clientId, `http://127.0.0.1:${port}/callback`, 'cors_api', 'S256'],
    );
    assert.equal((await s.client.me()).email, 'bob@example.com');
    assert.equal(s.credentials.origin, 'service-oauth');
    const stored = JSON.parse(s.store.raw!) as LookerOAuthTokens;
    assert.ok(stored.refreshToken && stored.accessToken);
    assert.deepEqual(s.http.grants, ['authorization_code']);
    assert.ok(!s.logs.some((l) => l.includes(stored.accessToken) || l.includes(stored.refreshToken)), 'no token in the log');
    assert.equal(s.secrets.scrub(`x ${stored.refreshToken} y`).includes(stored.refreshToken), false, 'tokens are registered for redaction');
  });

  it('renews before expiry with the refresh token (rotated), once for many concurrent callers', async () => {
    const s = setup('alice');
    await s.credentials.signIn();
    const first = JSON.parse(s.store.raw!) as LookerOAuthTokens;
    assert.equal(await s.credentials.token(), first.accessToken);
    s.advance(59 * 60_000); // inside the renewal margin of the hour-long token
    const tokens = await Promise.all(Array.from({ length: 8 }, () => s.credentials.token()));
    assert.equal(new Set(tokens).size, 1);
    assert.deepEqual(s.http.grants, ['authorization_code', 'refresh_token'], 'one refresh for eight callers');
    const second = JSON.parse(s.store.raw!) as LookerOAuthTokens;
    assert.notEqual(second.accessToken, first.accessToken);
    assert.notEqual(second.refreshToken, first.refreshToken, 'Looker rotated the refresh token and the new one is kept');
    assert.equal((await s.client.me()).email, 'alice@example.com');
  });

  it('drops a token Looker rejects and renews instead of sending it again', async () => {
    const s = setup('bob');
    await s.credentials.signIn();
    const before = await s.credentials.token();
    s.credentials.invalidate(before);
    assert.equal(s.secrets.scrub(before), before, 'no longer registered: it is gone');
    const after = await s.credentials.token();
    assert.notEqual(after, before);
    assert.deepEqual(s.http.grants, ['authorization_code', 'refresh_token']);
    assert.equal((JSON.parse(s.store.raw!) as LookerOAuthTokens).accessToken, after);
  });

  it('ends the Looker sign-in when the refresh token is refused, with a clear next step', async () => {
    const s = setup('bob');
    await s.credentials.signIn();
    const stored = JSON.parse(s.store.raw!) as LookerOAuthTokens;
    // The stolen-copy case: someone used the refresh token first, so Looker revokes the family.
    const res = await fetch(`${looker.url}/api/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grant_type: 'refresh_token', client_id: clientId, refresh_token: stored.refreshToken }) });
    assert.equal(res.status, 200);
    s.advance(2 * 3600_000);
    const changes: string[] = [];
    s.credentials.onDidChange((c) => changes.push(c));
    await assert.rejects(s.credentials.token(), (e: unknown) => {
      assert.ok(LookerError.is(e, 'lookerSignInExpired'));
      assert.match(e.userMessage, /Sign in to Looker again/);
      assert.ok(!e.userMessage.includes(stored.refreshToken));
      return true;
    });
    assert.deepEqual(changes, ['expired']);
    assert.equal(s.store.raw, undefined, 'the refused tokens are deleted');
    assert.equal(await s.credentials.signedIn(), false);
    await assert.rejects(s.credentials.token(), (e) => LookerError.is(e, 'lookerSignInRequired'));
  });

  it('signs out: forgets the tokens and Looker no longer accepts the access token', async () => {
    const s = setup('bob');
    await s.credentials.signIn();
    const token = await s.credentials.token();
    await s.credentials.signOut();
    assert.equal(s.store.raw, undefined);
    const res = await fetch(`${looker.url}/api/4.0/user`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 401);
    await assert.rejects(s.client.me(), (e) => LookerError.is(e, 'lookerSignInRequired'));
  });

  it('a sign-out while a renewal is under way wins: the renewed tokens are not stored', async () => {
    const s = setup('alice');
    await s.credentials.signIn();
    s.advance(59 * 60_000);
    const renewal = s.credentials.token();
    await s.credentials.signOut();
    await assert.rejects(renewal, (e) => LookerError.is(e, 'lookerSignInRequired'));
    assert.equal(s.store.raw, undefined);
    assert.equal(await s.credentials.signedIn(), false);
  });

  it('reports a browser that was not opened as cancelled, and a refused sign-in as failed', async () => {
    const closed = setup('bob', { browser: async () => false });
    await assert.rejects(closed.credentials.signIn(), (e) => LookerError.is(e, 'cancelled'));
    const refused = setup('bob', {
      browser: async (url) => {
        // Looker answers the app with an error (the app was disabled meanwhile, say).
        const state = new URL(url).searchParams.get('state')!;
        void fetch(`http://127.0.0.1:${port}/callback?error=access_denied&state=${state}`).then((r) => r.text());
        return true;
      },
    });
    await assert.rejects(refused.credentials.signIn(), (e) => LookerError.is(e, 'lookerSignInFailed') && /access_denied/.test(e.message));
    assert.equal(refused.store.raw, undefined);
  });
});
