// The sandbox Looker's OAuth 2.0 (authorization code + PKCE) over HTTP, the browser played by a
// script: /auth through Looker's SSO at the sandbox IdP, code redemption at /api/token, the
// tokens acting as that Looker user, and the strict parts (PKCE, single-use codes, registered
// redirect URIs, refresh rotation with reuse detection, admin-only registration).
import * as assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { startSandbox, type Sandbox } from '../../sandbox/sandbox';
import { Browser, redirectTarget } from '../../sandbox/idp/browser';
import { authorizeAtLooker } from '../../sandbox/looker/browser';
import { LOOKER_OAUTH_CLIENT_GUID, LOOKER_OAUTH_REDIRECT_URI } from '../../sandbox/looker/oauth';
import { lookerApi3Credentials } from '../../sandbox/looker';

type Json = any;

describe('sandbox Looker OAuth (authorization code + PKCE)', function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  let looker: string;

  before(async () => {
    sandbox = await startSandbox({ services: ['looker'], largeTableRows: 1000 });
    looker = sandbox.urls.looker;
  });
  after(async () => {
    await sandbox?.close();
  });

  const pkce = () => {
    const verifier = randomBytes(32).toString('base64url');
    return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
  };

  function authUrl(o: { challenge: string; state?: string; clientId?: string; redirectUri?: string; method?: string }): string {
    const u = new URL('/auth', looker);
    u.search = new URLSearchParams({
      response_type: 'code',
      client_id: o.clientId ?? LOOKER_OAUTH_CLIENT_GUID,
      redirect_uri: o.redirectUri ?? LOOKER_OAUTH_REDIRECT_URI,
      scope: 'cors_api',
      state: o.state ?? 'st-1',
      code_challenge: o.challenge,
      code_challenge_method: o.method ?? 'S256',
    }).toString();
    return u.href;
  }

  async function codeFor(user: string, challenge: string, o: { browser?: Browser; clientId?: string; redirectUri?: string } = {}): Promise<string> {
    const back = new URL(await authorizeAtLooker(authUrl({ challenge, clientId: o.clientId, redirectUri: o.redirectUri }), { issuer: sandbox.urls.issuer, user, browser: o.browser }));
    assert.equal(`${back.origin}${back.pathname}`, new URL(o.redirectUri ?? LOOKER_OAUTH_REDIRECT_URI).href);
    assert.equal(back.searchParams.get('state'), 'st-1');
    const code = back.searchParams.get('code');
    assert.ok(code, `a code, not ${back.search}`);
    return code;
  }

  async function token(body: Record<string, string>, as: 'json' | 'form' = 'json'): Promise<{ status: number; body: Json }> {
    const res = await fetch(`${looker}/api/token`, {
      method: 'POST',
      headers: { 'content-type': as === 'json' ? 'application/json' : 'application/x-www-form-urlencoded' },
      body: as === 'json' ? JSON.stringify(body) : new URLSearchParams(body).toString(),
    });
    return { status: res.status, body: await res.json() };
  }

  const redeem = (code: string, verifier: string, o: { clientId?: string; redirectUri?: string } = {}) =>
    token({ grant_type: 'authorization_code', client_id: o.clientId ?? LOOKER_OAUTH_CLIENT_GUID, redirect_uri: o.redirectUri ?? LOOKER_OAUTH_REDIRECT_URI, code, code_verifier: verifier });
  const refresh = (refreshToken: string) => token({ grant_type: 'refresh_token', client_id: LOOKER_OAUTH_CLIENT_GUID, refresh_token: refreshToken }, 'form');

  async function me(accessToken: string): Promise<{ status: number; email?: string }> {
    const res = await fetch(`${looker}/api/4.0/user`, { headers: { authorization: `Bearer ${accessToken}` } });
    const body = (await res.json()) as Json;
    return { status: res.status, email: body.email };
  }

  it('signs in through Looker SSO at the IdP and issues tokens that act as that Looker user', async () => {
    const { verifier, challenge } = pkce();
    const browser = new Browser();
    const code = await codeFor('bob', challenge, { browser });
    const res = await redeem(code, verifier);
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.body).sort(), ['access_token', 'expires_in', 'refresh_token', 'token_type']);
    assert.equal(res.body.expires_in, 3600);
    assert.deepEqual(await me(res.body.access_token), { status: 200, email: 'bob@example.com' });

    // Looker's session cookie now signs the browser in: /auth answers at once, without the IdP.
    const again = pkce();
    const first = await browser.get(authUrl({ challenge: again.challenge }));
    const target = redirectTarget(first, looker);
    assert.ok(target?.startsWith(`${LOOKER_OAUTH_REDIRECT_URI}?`), `straight back to the app, not ${target}`);
  });

  it('refuses a code verifier that does not match the challenge, and the code is spent', async () => {
    const { verifier, challenge } = pkce();
    const code = await codeFor('alice', challenge);
    const wrong = await redeem(code, pkce().verifier);
    assert.equal(wrong.status, 400);
    assert.deepEqual(Object.keys(wrong.body).sort(), ['documentation_url', 'message']);
    assert.equal((await redeem(code, verifier)).status, 400, 'the right verifier is too late');
  });

  it('refuses a code used twice and revokes the tokens it was redeemed for', async () => {
    const { verifier, challenge } = pkce();
    const code = await codeFor('alice', challenge);
    const first = await redeem(code, verifier);
    assert.equal(first.status, 200);
    assert.equal((await me(first.body.access_token)).status, 200);
    assert.equal((await redeem(code, verifier)).status, 400);
    assert.equal((await me(first.body.access_token)).status, 401, 'the access token of the replayed code is revoked');
    assert.equal((await refresh(first.body.refresh_token)).status, 400, 'and its refresh token');
  });

  it('binds a code to its client and redirect URI', async () => {
    const { verifier, challenge } = pkce();
    const code = await codeFor('alice', challenge);
    assert.equal((await redeem(code, verifier, { redirectUri: 'http://127.0.0.1:1/callback' })).status, 400);
    assert.equal((await redeem(code, verifier, { clientId: 'someone-else' })).status, 401);
    assert.equal((await redeem(code, verifier)).status, 200, 'a mismatch does not spend the code for its rightful client');
  });

  it('rotates refresh tokens, and a rotated one presented again revokes the whole family', async () => {
    const { verifier, challenge } = pkce();
    const issued = (await redeem(await codeFor('alice', challenge), verifier)).body;
    const second = await refresh(issued.refresh_token);
    assert.equal(second.status, 200);
    assert.notEqual(second.body.refresh_token, issued.refresh_token);
    assert.notEqual(second.body.access_token, issued.access_token);
    assert.deepEqual(await me(second.body.access_token), { status: 200, email: 'alice@example.com' });
    assert.equal((await refresh(issued.refresh_token)).status, 400, 'the old refresh token is spent');
    assert.equal((await refresh(second.body.refresh_token)).status, 400, 'reuse revoked the new one too');
    assert.equal((await me(second.body.access_token)).status, 401);
  });

  it('never redirects to an unregistered redirect URI, and answers other errors at the app', async () => {
    const { challenge } = pkce();
    const unregistered = await fetch(authUrl({ challenge, redirectUri: 'http://127.0.0.1:9/callback' }), { redirect: 'manual' });
    assert.equal(unregistered.status, 400);
    assert.equal(unregistered.headers.get('location'), null);
    const unknownClient = await fetch(authUrl({ challenge, clientId: 'nobody' }), { redirect: 'manual' });
    assert.equal(unknownClient.status, 400);
    const plain = await fetch(authUrl({ challenge, method: 'plain' }), { redirect: 'manual' });
    const to = new URL(plain.headers.get('location') ?? 'about:blank');
    assert.equal(`${to.origin}${to.pathname}`, LOOKER_OAUTH_REDIRECT_URI);
    assert.equal(to.searchParams.get('error'), 'invalid_request');
    assert.equal(to.searchParams.get('state'), 'st-1');
  });

  it('lets an admin register an OAuth client app, whose exact redirect URI then works', async () => {
    const login = async (user: string) => {
      const { client_id, client_secret } = lookerApi3Credentials(user);
      const res = await fetch(`${looker}/api/4.0/login`, { method: 'POST', body: new URLSearchParams({ client_id, client_secret }) });
      return ((await res.json()) as Json).access_token as string;
    };
    const app = { redirect_uri: 'http://127.0.0.1:40123/callback', display_name: 'Test app', description: '', enabled: true };
    const register = async (user: string) =>
      fetch(`${looker}/api/4.0/oauth_client_apps/test-app`, { method: 'POST', headers: { authorization: `token ${await login(user)}`, 'content-type': 'application/json' }, body: JSON.stringify(app) });
    assert.equal((await register('bob')).status, 403);
    const created = await register('alice');
    assert.equal(created.status, 200);
    assert.equal(((await created.json()) as Json).client_guid, 'test-app');
    assert.equal((await register('alice')).status, 409);
    const { verifier, challenge } = pkce();
    const code = await codeFor('bob', challenge, { clientId: 'test-app', redirectUri: app.redirect_uri });
    assert.equal((await redeem(code, verifier, { clientId: 'test-app', redirectUri: app.redirect_uri })).status, 200);
  });
});
