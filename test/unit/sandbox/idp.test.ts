import * as assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import {
  CONFIDENTIAL_CLIENT_ID,
  CONFIDENTIAL_CLIENT_SECRET,
  DEVICE_CODE_GRANT,
  IdpLoginError,
  TOKEN_EXCHANGE_GRANT,
  TOKEN_TYPE,
  startIdp,
  type MisbehaveMode,
  type RunningIdp,
} from '../../sandbox/idp';
import { Browser, redirectTarget } from '../../sandbox/idp/browser';
import { WRONG_AUDIENCE, WRONG_ISSUER, WRONG_NONCE } from '../../sandbox/idp/misbehave';
import { DEMO_USERS, Directory } from '../../sandbox/directory';
import { FaultRegistry } from '../../sandbox/faults';
import { AUDIENCES, EXTENSION_CLIENT_ID } from '../../sandbox/constants';

type Json = Record<string, any>;

async function post(url: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<{ status: number; body: Json }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Json) : {} };
}

/** An authorization URL as the extension would build it. */
function authUrl(issuer: string, extra: Record<string, string> = {}): { url: string; verifier: string; state: string } {
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(8).toString('hex');
  const q = new URLSearchParams({
    client_id: EXTENSION_CLIENT_ID,
    response_type: 'code',
    redirect_uri: 'http://127.0.0.1:40123/callback',
    scope: 'openid profile email groups',
    state,
    nonce: 'n-1',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...extra,
  });
  return { url: `${issuer}/auth?${q}`, verifier, state };
}

describe('sandbox IdP', () => {
  let idp: RunningIdp;
  let faults: FaultRegistry;
  const logs: string[] = [];
  const token = (form: Record<string, string>, headers?: Record<string, string>) => post(`${idp.issuer}/token`, form, headers);
  const refresh = (refreshToken: string, extra: Record<string, string> = {}) =>
    token({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: EXTENSION_CLIENT_ID, ...extra });
  const exchange = (form: Record<string, string>, headers?: Record<string, string>) =>
    token({ grant_type: TOKEN_EXCHANGE_GRANT, client_id: EXTENSION_CLIENT_ID, ...form }, headers);

  before(async () => {
    faults = new FaultRegistry();
    idp = await startIdp({ directory: new Directory(), faults, log: (l) => logs.push(l) });
  });
  after(() => idp.close());

  it('serves discovery and a public JWKS with the advertised grants', async () => {
    const d = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as Json;
    assert.equal(d.issuer, idp.issuer);
    assert.equal(idp.url, idp.issuer);
    for (const g of ['authorization_code', 'refresh_token', DEVICE_CODE_GRANT, TOKEN_EXCHANGE_GRANT]) {
      assert.ok(d.grant_types_supported.includes(g), g);
    }
    assert.deepEqual(d.code_challenge_methods_supported, ['S256']);
    assert.ok(d.scopes_supported.includes('groups'));
    assert.ok(d.claims_supported.includes('groups'));
    for (const k of ['authorization_endpoint', 'token_endpoint', 'device_authorization_endpoint', 'revocation_endpoint', 'userinfo_endpoint']) {
      assert.ok(String(d[k]).startsWith(idp.issuer), k);
    }
    const jwks = (await (await fetch(d.jwks_uri)).json()) as Json;
    assert.equal(jwks.keys.length, 1);
    assert.equal(jwks.keys[0].alg, 'RS256');
    assert.equal(jwks.keys[0].d, undefined, 'no private key material');
    assert.deepEqual(jwks, idp.jwks);
  });

  it('login() runs code + PKCE end to end and echoes the nonce', async () => {
    const t = await idp.login('alice', { nonce: 'nonce-42' });
    assert.equal(t.token_type, 'Bearer');
    assert.ok(t.refresh_token);
    assert.equal(t.expires_in, 600);
    const claims = decodeJwt(t.id_token);
    assert.equal(claims.nonce, 'nonce-42');
    assert.equal(decodeProtectedHeader(t.id_token).alg, 'RS256');
    assert.equal((await idp.verifyIdToken(t.id_token))?.id, 'alice');
  });

  it('requires S256 PKCE', async () => {
    for (const extra of [{ code_challenge: '', code_challenge_method: '' }, { code_challenge_method: 'plain' }]) {
      const { url } = authUrl(idp.issuer);
      const u = new URL(url);
      for (const [k, v] of Object.entries(extra)) (v ? u.searchParams.set(k, v) : u.searchParams.delete(k));
      const cb = new URL(await idp.completeAuthorization(u.href, 'alice'));
      assert.equal(cb.searchParams.get('error'), 'invalid_request', JSON.stringify(extra));
    }
  });

  it('rejects a code redemption with the wrong verifier', async () => {
    const { url } = authUrl(idp.issuer);
    const cb = new URL(await idp.completeAuthorization(url, 'bob'));
    const r = await token({
      grant_type: 'authorization_code',
      code: cb.searchParams.get('code')!,
      redirect_uri: 'http://127.0.0.1:40123/callback',
      client_id: EXTENSION_CLIENT_ID,
      code_verifier: randomBytes(32).toString('base64url'),
    });
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'invalid_grant');
  });

  it('completeAuthorization returns the loopback callback with code, state and iss on any port', async () => {
    const { url, state } = authUrl(idp.issuer, { redirect_uri: 'http://127.0.0.1:61999/callback' });
    const cb = new URL(await idp.completeAuthorization(url, 'bob'));
    assert.equal(cb.origin + cb.pathname, 'http://127.0.0.1:61999/callback');
    assert.equal(cb.searchParams.get('state'), state);
    assert.equal(cb.searchParams.get('iss'), idp.issuer);
    assert.ok(cb.searchParams.get('code'));
  });

  it('Cancel ends the flow with access_denied at the client', async () => {
    const { url, state } = authUrl(idp.issuer);
    const cb = new URL(await idp.completeAuthorization(url, 'deny'));
    assert.equal(cb.searchParams.get('error'), 'access_denied');
    assert.equal(cb.searchParams.get('state'), state);
    assert.equal(cb.searchParams.get('code'), null);
    await assert.rejects(idp.login('deny'), (e) => IdpLoginError.is(e) && e.error === 'access_denied');
  });

  it('the interaction page lists the demo users with groups, escapes them and sets a strict CSP', async () => {
    const hostile = { ...DEMO_USERS[1], id: 'mallory', name: '<script>alert(1)</script>', groups: ['"><img src=x>'] };
    const other = await startIdp({ directory: new Directory([...DEMO_USERS, hostile]), faults: new FaultRegistry(), log: () => undefined });
    try {
      const browser = new Browser();
      const start = authUrl(other.issuer).url;
      const first = await browser.get(start);
      const pageUrl = redirectTarget(first, start)!;
      assert.match(new URL(pageUrl).pathname, /^\/interaction\/[\w-]+$/);
      const res = await browser.get(pageUrl);
      const html = await res.text();
      const csp = res.headers.get('content-security-policy') ?? '';
      assert.match(csp, /default-src 'none'/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      for (const u of DEMO_USERS) {
        assert.ok(html.includes(`value="${u.id}"`), u.id);
        assert.ok(html.includes(u.groups.join(', ')), u.id);
      }
      assert.ok(html.includes('&#60;script&#62;alert(1)&#60;/script&#62;'));
      assert.ok(!html.includes('<script>alert(1)'));
      assert.ok(!html.includes('"><img'));
      assert.match(html, /\/abort"/);
    } finally {
      await other.close();
    }
  });

  it('rejects an unknown user posted to the interaction', async () => {
    await assert.rejects(idp.login('nobody'), (e) => IdpLoginError.is(e));
  });

  describe('groups claim per user', () => {
    for (const u of DEMO_USERS) {
      it(`${u.id}: id token and userinfo carry ${u.groups.join(', ')}`, async () => {
        const t = await idp.login(u.id, { scope: 'openid groups email' });
        const claims = decodeJwt(t.id_token);
        assert.equal(claims.sub, u.id);
        assert.deepEqual(claims.groups, u.groups);
        assert.equal(claims.email, u.email);
        const me = (await (await fetch(`${idp.issuer}/me`, { headers: { authorization: `Bearer ${t.access_token}` } })).json()) as Json;
        assert.deepEqual(me.groups, u.groups);
        assert.equal(me.sub, u.id);
      });
    }
    it('profile alone also brings groups; openid alone does not', async () => {
      assert.deepEqual(decodeJwt((await idp.login('bob', { scope: 'openid profile' })).id_token).groups, ['analysts']);
      assert.equal(decodeJwt((await idp.login('bob', { scope: 'openid' })).id_token).groups, undefined);
    });
  });

  it('refresh rotates: the old refresh token then fails with invalid_grant', async () => {
    const t = await idp.login('bob');
    const r1 = await refresh(t.refresh_token!);
    assert.equal(r1.status, 200);
    assert.ok(r1.body.id_token && r1.body.access_token);
    assert.notEqual(r1.body.refresh_token, t.refresh_token);
    const replay = await refresh(t.refresh_token!);
    assert.equal(replay.status, 400);
    assert.equal(replay.body.error, 'invalid_grant');
  });

  it('revokeAll invalidates only that user’s refresh tokens', async () => {
    const bob = await idp.login('bob');
    const alice = await idp.login('alice');
    await idp.revokeAll('bob');
    assert.equal((await refresh(bob.refresh_token!)).body.error, 'invalid_grant');
    assert.equal((await refresh(alice.refresh_token!)).status, 200);
  });

  it('revocation endpoint revokes an access token alone, and a refresh token with its grant', async () => {
    const t = await idp.login('alice');
    const revoke = (value: string) => post(`${idp.issuer}/token/revocation`, { token: value, client_id: EXTENSION_CLIENT_ID });
    const me = async (at: string) => (await fetch(`${idp.issuer}/me`, { headers: { authorization: `Bearer ${at}` } })).status;
    assert.equal(await me(t.access_token), 200);
    assert.equal((await revoke(t.access_token)).status, 200);
    assert.equal(await me(t.access_token), 401);
    const r = await refresh(t.refresh_token!);
    assert.equal(r.status, 200);
    assert.equal((await revoke(r.body.refresh_token)).status, 200);
    assert.equal((await refresh(r.body.refresh_token)).body.error, 'invalid_grant');
    assert.equal(await me(r.body.access_token), 401, 'revoking the refresh token revokes the grant');
  });

  describe('device flow', () => {
    const start = async () => {
      const r = await post(`${idp.issuer}/device/auth`, { client_id: EXTENSION_CLIENT_ID, scope: 'openid profile offline_access' });
      assert.equal(r.status, 200);
      return r.body;
    };
    const poll = (deviceCode: string) => token({ grant_type: DEVICE_CODE_GRANT, device_code: deviceCode, client_id: EXTENSION_CLIENT_ID });

    it('is pending until the user approves in the browser pages, then issues tokens', async () => {
      const d = await start();
      assert.ok(String(d.verification_uri).startsWith(idp.issuer));
      assert.ok(String(d.verification_uri_complete).includes(encodeURIComponent(d.user_code)) || String(d.verification_uri_complete).includes(d.user_code));
      const pending = await poll(d.device_code);
      assert.equal(pending.body.error, 'authorization_pending');
      await idp.approveDevice(d.user_code, 'olivia');
      const done = await poll(d.device_code);
      assert.equal(done.status, 200, JSON.stringify(done.body.error));
      assert.equal(decodeJwt(done.body.id_token).sub, 'olivia');
      assert.deepEqual(decodeJwt(done.body.id_token).groups, ['contractors']);
      assert.ok(done.body.refresh_token);
    });

    it('a denied device login gives access_denied; a wrong code is refused', async () => {
      const d = await start();
      await idp.approveDevice(d.user_code, 'deny').catch(() => undefined);
      assert.equal((await poll(d.device_code)).body.error, 'access_denied');
      await assert.rejects(idp.approveDevice('BCDF-GHJK', 'alice'), (e) => IdpLoginError.is(e));
    });
  });

  describe('per-service access tokens', () => {
    it('resource indicator on authorization + token request gives a JWT for that audience', async () => {
      const t = await idp.login('alice', { resource: AUDIENCES.airbyte });
      const claims = decodeJwt(t.access_token);
      assert.equal(claims.aud, AUDIENCES.airbyte);
      assert.equal(decodeProtectedHeader(t.access_token).typ, 'at+jwt');
      assert.deepEqual(claims.groups, ['data-engineers', 'analysts']);
      assert.equal(claims.email, 'alice@example.com');
      assert.equal(claims.client_id, EXTENSION_CLIENT_ID);
      assert.ok(String(claims.scope).includes('groups'));
      assert.equal((await idp.verifyAccessToken(t.access_token, AUDIENCES.airbyte))?.id, 'alice');
      assert.equal(await idp.verifyAccessToken(t.access_token, AUDIENCES.looker), undefined);
    });

    it('refresh with resource= switches between granted audiences; an ungranted one is invalid_target', async () => {
      const t = await idp.login('bob', { resource: [AUDIENCES.dbtCloud, AUDIENCES.metabase] });
      assert.equal(decodeJwt(t.access_token).aud, AUDIENCES.dbtCloud);
      const r = await refresh(t.refresh_token!, { resource: AUDIENCES.metabase });
      assert.equal(r.status, 200);
      assert.equal(decodeJwt(r.body.access_token).aud, AUDIENCES.metabase);
      const bad = await refresh(r.body.refresh_token, { resource: AUDIENCES.looker });
      assert.equal(bad.body.error, 'invalid_target');
    });

    it('an unknown resource indicator is refused at the authorization endpoint', async () => {
      const { url } = authUrl(idp.issuer, { resource: 'https://unknown.example' });
      assert.equal(new URL(await idp.completeAuthorization(url, 'alice')).searchParams.get('error'), 'invalid_target');
    });

    it('token exchange turns an opaque access token, an id token or a JWT into a token for the audience', async () => {
      const t = await idp.login('bob', { resource: AUDIENCES.airbyte });
      const plain = await idp.login('bob');
      const subjects: [string, string][] = [
        [plain.access_token, TOKEN_TYPE.accessToken],
        [t.id_token, TOKEN_TYPE.idToken],
        [t.access_token, TOKEN_TYPE.accessToken],
      ];
      for (const [subject, type] of subjects) {
        const r = await exchange({ subject_token: subject, subject_token_type: type, audience: AUDIENCES.looker });
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.equal(r.body.issued_token_type, TOKEN_TYPE.accessToken);
        assert.equal(r.body.token_type, 'Bearer');
        assert.equal(r.body.expires_in, 600);
        assert.equal(decodeJwt(r.body.access_token).aud, AUDIENCES.looker);
        assert.equal((await idp.verifyAccessToken(r.body.access_token, AUDIENCES.looker))?.id, 'bob');
        assert.equal(await idp.verifyAccessToken(r.body.access_token, AUDIENCES.airbyte), undefined);
      }
      const viaResource = await exchange({ subject_token: t.id_token, subject_token_type: TOKEN_TYPE.idToken, resource: AUDIENCES.metabase });
      assert.equal(decodeJwt(viaResource.body.access_token).aud, AUDIENCES.metabase);
    });

    it('token exchange errors follow RFC 8693 / 6749', async () => {
      const t = await idp.login('alice');
      const cases: [Record<string, string>, number, string][] = [
        [{ subject_token: t.id_token, subject_token_type: TOKEN_TYPE.idToken, audience: 'https://nope.example' }, 400, 'invalid_target'],
        [{ subject_token: t.id_token, subject_token_type: TOKEN_TYPE.idToken }, 400, 'invalid_request'],
        [{ subject_token_type: TOKEN_TYPE.idToken, audience: AUDIENCES.looker }, 400, 'invalid_request'],
        [{ subject_token: t.id_token, subject_token_type: 'urn:x:saml', audience: AUDIENCES.looker }, 400, 'invalid_request'],
        [{ subject_token: 'garbage', subject_token_type: TOKEN_TYPE.accessToken, audience: AUDIENCES.looker }, 400, 'invalid_grant'],
        [{ subject_token: 'a.b.c', subject_token_type: TOKEN_TYPE.idToken, audience: AUDIENCES.looker }, 400, 'invalid_grant'],
        // An id token is not an access token (and vice versa).
        [{ subject_token: t.id_token, subject_token_type: TOKEN_TYPE.accessToken, audience: AUDIENCES.looker }, 400, 'invalid_grant'],
      ];
      for (const [form, status, error] of cases) {
        const r = await exchange(form);
        assert.equal(r.status, status, JSON.stringify(form));
        assert.equal(r.body.error, error, JSON.stringify(form));
      }
    });

    it('the confidential client authenticates with its secret', async () => {
      const t = await idp.login('alice');
      const form = { grant_type: TOKEN_EXCHANGE_GRANT, subject_token: t.id_token, subject_token_type: TOKEN_TYPE.idToken, audience: AUDIENCES.dbtCloud };
      const basic = (secret: string) => ({ authorization: `Basic ${Buffer.from(`${CONFIDENTIAL_CLIENT_ID}:${secret}`).toString('base64')}` });
      const ok = await token(form, basic(CONFIDENTIAL_CLIENT_SECRET));
      assert.equal(ok.status, 200);
      assert.equal(decodeJwt(ok.body.access_token).client_id, CONFIDENTIAL_CLIENT_ID);
      const bad = await token(form, basic('wrong'));
      assert.equal(bad.status, 401);
      assert.equal(bad.body.error, 'invalid_client');
    });

    it('tokenFor gives a verifiable JWT for a sandbox audience only', async () => {
      const at = await idp.tokenFor('olivia', AUDIENCES.metabase);
      assert.equal((await idp.verifyAccessToken(at, AUDIENCES.metabase))?.id, 'olivia');
      await assert.rejects(idp.tokenFor('olivia', 'https://elsewhere.example'));
    });
  });

  describe('verification', () => {
    it('verifyAccessToken rejects expired tokens, id tokens and tokens of another IdP', async () => {
      idp.setTtl({ accessToken: 1 });
      let short: string;
      try {
        short = await idp.tokenFor('alice', AUDIENCES.looker);
      } finally {
        idp.setTtl({ accessToken: 600 });
      }
      assert.equal(decodeJwt(short).exp! - decodeJwt(short).iat!, 1);
      const t = await idp.login('alice', { resource: AUDIENCES.looker });
      const other = await startIdp({ directory: new Directory(), faults: new FaultRegistry(), log: () => undefined });
      let foreign: string;
      try {
        foreign = await other.tokenFor('alice', AUDIENCES.looker);
      } finally {
        await other.close();
      }
      assert.equal(await idp.verifyAccessToken(foreign, AUDIENCES.looker), undefined);
      assert.equal(await idp.verifyAccessToken(t.id_token, EXTENSION_CLIENT_ID), undefined, 'id token is not an access token');
      assert.equal(await idp.verifyAccessToken('not-a-jwt', AUDIENCES.looker), undefined);
      await new Promise((r) => setTimeout(r, 2100));
      assert.equal(await idp.verifyAccessToken(short, AUDIENCES.looker), undefined);
      assert.equal((await idp.verifyAccessToken(t.access_token, AUDIENCES.looker))?.id, 'alice');
    });

    it('verifyIdToken rejects an access token and an id token of another IdP', async () => {
      const t = await idp.login('bob', { resource: AUDIENCES.airbyte });
      assert.equal(await idp.verifyIdToken(t.access_token), undefined);
      idp.misbehave('id-token-wrong-iss');
      assert.equal(await idp.verifyIdToken((await idp.login('bob')).id_token), undefined);
    });
  });

  describe('misbehave', () => {
    const now = () => Math.floor(Date.now() / 1000);
    const table: [MisbehaveMode, (idToken: string) => void, boolean][] = [
      ['id-token-wrong-iss', (t) => assert.equal(decodeJwt(t).iss, WRONG_ISSUER), false],
      ['id-token-wrong-aud', (t) => assert.equal(decodeJwt(t).aud, WRONG_AUDIENCE), false],
      ['id-token-expired', (t) => assert.ok(decodeJwt(t).exp! < now()), false],
      ['id-token-bad-signature', (t) => assert.equal(decodeJwt(t).sub, 'alice'), false],
      ['id-token-alg-none', (t) => (assert.equal(decodeProtectedHeader(t).alg, 'none'), assert.ok(t.endsWith('.'))), false],
      ['id-token-no-nonce', (t) => assert.equal(decodeJwt(t).nonce, undefined), true],
      ['id-token-wrong-nonce', (t) => assert.equal(decodeJwt(t).nonce, WRONG_NONCE), true],
    ];
    for (const [mode, check, stillVerifies] of table) {
      it(`${mode} produces the defect once`, async () => {
        idp.misbehave(mode);
        const bad = await idp.login('alice', { nonce: 'expected-nonce' });
        check(bad.id_token);
        assert.equal(Boolean(await idp.verifyIdToken(bad.id_token)), stillVerifies);
        const good = await idp.login('alice', { nonce: 'expected-nonce' });
        assert.equal(decodeJwt(good.id_token).nonce, 'expected-nonce');
        assert.ok(await idp.verifyIdToken(good.id_token));
      });
    }

    it('id token modes also hit refresh responses and honour count', async () => {
      const t = await idp.login('bob');
      idp.misbehave('id-token-wrong-aud', 2);
      const r1 = await refresh(t.refresh_token!);
      const r2 = await refresh(r1.body.refresh_token);
      const r3 = await refresh(r2.body.refresh_token);
      assert.deepEqual(
        [r1, r2, r3].map((r) => decodeJwt(r.body.id_token).aud),
        [WRONG_AUDIENCE, WRONG_AUDIENCE, EXTENSION_CLIENT_ID],
      );
    });

    it('discovery-wrong-issuer changes the next discovery document only', async () => {
      idp.misbehave('discovery-wrong-issuer');
      const get = async () => ((await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as Json).issuer;
      assert.equal(await get(), WRONG_ISSUER);
      assert.equal(await get(), idp.issuer);
    });

    it('slow:<ms> delays the next token response', async () => {
      const t = await idp.login('bob');
      idp.misbehave('slow:400');
      const started = Date.now();
      assert.equal((await refresh(t.refresh_token!)).status, 200);
      assert.ok(Date.now() - started >= 390);
    });

    it('rejects unknown modes', () => {
      assert.throws(() => idp.misbehave('id-token-weird' as MisbehaveMode));
    });
  });

  it('the fault registry applies to the IdP, also when armed over HTTP', async () => {
    faults.arm({ service: 'idp', path: '^/token$', kind: 'status', status: 503, retryAfter: 2 });
    const r = await token({ grant_type: 'refresh_token', refresh_token: 'x', client_id: EXTENSION_CLIENT_ID });
    assert.equal(r.status, 503);
    const armed = await fetch(`${idp.issuer}/__sandbox/faults`, {
      method: 'POST',
      body: JSON.stringify({ path: '^/\\.well-known/openid-configuration$', kind: 'status', status: 500 }),
    });
    assert.equal(armed.status, 200);
    assert.equal((await fetch(`${idp.issuer}/.well-known/openid-configuration`)).status, 500);
    assert.equal((await fetch(`${idp.issuer}/.well-known/openid-configuration`)).status, 200);
  });

  it('logs requests without tokens, codes or query strings', async () => {
    const t = await idp.login('alice', { resource: AUDIENCES.looker });
    const r = await refresh(t.refresh_token!, { resource: AUDIENCES.looker });
    const text = logs.join('\n');
    assert.ok(logs.some((l) => l.includes('POST /token 200')));
    for (const secret of [t.access_token, t.id_token, t.refresh_token!, r.body.refresh_token, r.body.access_token]) {
      assert.ok(!text.includes(secret));
    }
    assert.ok(!text.includes('?'), 'no query strings in the log');
  });

  it('close() takes the IdP down', async () => {
    const other = await startIdp({ directory: new Directory(), faults: new FaultRegistry(), log: () => undefined });
    await other.close();
    await assert.rejects(fetch(`${other.issuer}/.well-known/openid-configuration`));
  });
});
