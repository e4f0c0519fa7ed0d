import * as assert from 'node:assert/strict';
import { AuthError } from '../../../src/auth/authError';
import type { SessionChange } from '../../../src/auth/sessionManager';
import { AUDIENCES } from '../../sandbox/constants';
import type { FaultRegistry } from '../../sandbox/faults';
import type { RunningIdp } from '../../sandbox/idp';
import { browserAs, createHarness, deliver, LOCAL, startTestIdp, type Harness, type HarnessOptions } from './fakes';
import { MemorySecretStore } from '../support/secrets';

describe('sign-in against the sandbox IdP', function () {
  this.timeout(20_000);
  let idp: RunningIdp;
  let faults: FaultRegistry;
  let h: Harness;

  before(async () => ({ idp, faults } = await startTestIdp()));
  after(() => idp.close());
  afterEach(() => {
    h?.dispose();
    faults.clear();
  });

  async function signedIn(opts: HarnessOptions = {}): Promise<Harness> {
    h = await createHarness({ ...opts, idp, faults });
    h.ui.browser = browserAs('alice');
    await h.sessions.signIn(h.ui, LOCAL);
    return h;
  }

  it('signs in with the loopback flow and stores the session in the secret store only', async () => {
    h = await createHarness({ idp, faults });
    h.ui.browser = browserAs('alice');
    const session = await h.sessions.signIn(h.ui, LOCAL);
    assert.equal(session.identity.label, 'alice@example.com');
    assert.deepEqual(session.identity.groups, ['data-engineers', 'analysts']);
    assert.equal(session.identity.issuer, idp.issuer);
    assert.ok(await idp.verifyIdToken(session.idToken), 'the stored id token is the IdP\'s');
    const [stored] = [...h.secretStore.values.values()];
    assert.equal(JSON.parse(stored).id, session.id);
    const url = new URL(h.ui.opened[0]);
    assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
    assert.match(url.searchParams.get('redirect_uri')!, /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    assert.ok(url.searchParams.get('nonce') && url.searchParams.get('state'));
    // The loopback server is gone once sign-in ends.
    const after = await deliver(url.searchParams.get('redirect_uri')!);
    assert.ok('error' in after, 'loopback server closed');
  });

  it('uses a fresh verifier, state and nonce for every attempt', async () => {
    await signedIn();
    await h.sessions.signIn(h.ui, LOCAL);
    const [a, b] = h.ui.opened.map((u) => new URL(u).searchParams);
    for (const p of ['state', 'nonce', 'code_challenge']) assert.notEqual(a.get(p), b.get(p), p);
  });

  it('restores the stored session at start without asking the IdP', async () => {
    await signedIn();
    const first = h.sessions.current()!;
    const again = await createHarness({ idp, faults, secretStore: h.secretStore });
    try {
      assert.equal(again.sessions.current()?.id, first.id);
      assert.equal(again.broker.currentIdentity()?.label, 'alice@example.com');
      const token = await again.broker.getToken({ kind: 'access' });
      assert.equal(token.token, first.accessToken);
      assert.equal(again.requests.length, 0);
    } finally {
      again.dispose();
    }
  });

  it('caches tokens: a second getToken makes no request', async () => {
    await signedIn();
    const before = h.requests.length;
    const a = await h.broker.getToken({ kind: 'idToken' });
    const b = await h.broker.getToken({ kind: 'idToken' });
    assert.equal(a.origin, 'idp-id-token');
    assert.equal(a.token, b.token);
    assert.equal(h.requests.length, before);
  });

  it('refreshes before expiry and writes the rotated refresh token at once', async () => {
    const clock = { offset: 0 };
    await signedIn({ clock });
    const old = h.sessions.current()!;
    clock.offset = old.accessTokenExpiresAt - Date.now() - 30_000; // inside the 60 s skew
    const token = await h.broker.getToken({ kind: 'access' });
    assert.notEqual(token.token, old.accessToken);
    const stored = JSON.parse([...h.secretStore.values.values()][0]);
    assert.ok(stored.refreshToken && stored.refreshToken !== old.refreshToken, 'rotated refresh token stored');
    assert.equal(stored.accessToken, token.token);
  });

  it('lets ten concurrent callers share one refresh request', async () => {
    const clock = { offset: 0 };
    await signedIn({ clock });
    clock.offset = 20 * 60_000;
    const before = h.requests.length;
    const tokens = await Promise.all(Array.from({ length: 10 }, () => h.broker.getToken({ kind: 'idToken' })));
    assert.equal(new Set(tokens.map((t) => t.token)).size, 1);
    const refreshes = h.requests.slice(before).filter((r) => r.grantType === 'refresh_token');
    assert.equal(refreshes.length, 1);
  });

  for (const [mode, origin] of [
    ['resourceIndicators', 'resource-indicator'],
    ['tokenExchange', 'token-exchange'],
  ] as const) {
    it(`gets per-service tokens by ${mode} with the right audience, cached`, async () => {
      await signedIn({ settings: { serviceTokens: mode } });
      const airbyte = await h.broker.getServiceToken('airbyte');
      const looker = await h.broker.getToken({ kind: 'access', audience: AUDIENCES.looker });
      assert.equal(airbyte.origin, origin);
      assert.equal((await idp.verifyAccessToken(airbyte.token, AUDIENCES.airbyte))?.id, 'alice');
      assert.equal(await idp.verifyAccessToken(airbyte.token, AUDIENCES.looker), undefined, 'not valid for another audience');
      assert.equal((await idp.verifyAccessToken(looker.token, AUDIENCES.looker))?.id, 'alice');
      const before = h.requests.length;
      assert.equal((await h.broker.getServiceToken('airbyte')).token, airbyte.token);
      assert.equal(h.requests.length, before);
      // The session still refreshes with whatever refresh token the store now holds.
      const stored = JSON.parse([...h.secretStore.values.values()][0]);
      assert.equal(stored.refreshToken, h.sessions.current()!.refreshToken);
    });
  }

  it('obtains a new per-service token after a service rejected the cached one', async () => {
    await signedIn({ settings: { serviceTokens: 'resourceIndicators' } });
    const first = await h.broker.getServiceToken('airbyte');
    h.broker.invalidate('some-other-token');
    assert.equal((await h.broker.getServiceToken('airbyte')).token, first.token, 'an unknown token changes nothing');
    const before = h.requests.length;
    h.broker.invalidate(first.token);
    const second = await h.broker.getServiceToken('airbyte');
    assert.notEqual(second.token, first.token);
    assert.equal(h.requests.length, before + 1, 'exactly one new token request');
    assert.equal((await idp.verifyAccessToken(second.token, AUDIENCES.airbyte))?.id, 'alice');
  });

  // An account switch while a per-service token of the old person is still being obtained: the
  // new person's request must not join it (it ends with the old session: an error, or worse, the
  // old person's token). Seen in VS Code as the first dbt Cloud listing after a switch failing.
  for (const mode of ['resourceIndicators', 'tokenExchange'] as const) it(`does not hand the new person a per-service token still being obtained for the one before (${mode})`, async () => {
    await signedIn({ settings: { serviceTokens: mode }, httpTimeoutMs: 3_000 });
    faults.arm({ service: 'idp', path: '/token', kind: 'hang' });
    const alices = h.broker.getServiceToken('airbyte').then(
      (t) => ({ token: t.token }),
      (err: unknown) => ({ err }),
    );
    for (let i = 0; i < 100 && faults.hanging === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(faults.hanging, 1, "alice's token request is held at the IdP");
    h.ui.browser = browserAs('bob');
    await h.sessions.signIn(h.ui, LOCAL, undefined, { prompt: 'login' });
    assert.equal(h.broker.currentIdentity()?.label, 'bob@example.com');
    const bobs = await h.broker.getServiceToken('airbyte');
    assert.equal((await idp.verifyAccessToken(bobs.token, AUDIENCES.airbyte))?.id, 'bob', "bob's own token");
    faults.clear();
    await alices;
    assert.equal((await h.broker.getServiceToken('airbyte')).token, bobs.token, "what alice's request ended with is not cached for bob");
  });

  it('gives the session access token when serviceTokens is sessionToken', async () => {
    await signedIn({ settings: { serviceTokens: 'sessionToken' } });
    const t = await h.broker.getServiceToken('metabase');
    assert.equal(t.origin, 'idp-access-token');
    assert.equal(t.token, h.sessions.current()!.accessToken);
  });

  it('says which setting to fill when a service has no audience', async () => {
    await signedIn({ settings: { audiences: {} } });
    assert.throws(() => h.broker.getServiceToken('looker'), (e: unknown) => AuthError.is(e, 'audienceNotConfigured') && /gatehouse\.looker\.audience/.test(e.userMessage));
  });

  it('revokes at the IdP on sign-out and forgets every token', async () => {
    await signedIn();
    const session = h.sessions.current()!;
    const result = await h.sessions.signOut();
    assert.equal(result.revoked, true);
    assert.equal(h.sessions.current(), undefined);
    assert.equal(h.secretStore.values.size, 0);
    assert.equal(h.secrets.scrub(session.refreshToken!), session.refreshToken, 'no longer registered');
    await assert.rejects(h.sessions.client.refresh(session.refreshToken!), (e: unknown) => AuthError.is(e, 'invalidGrant'));
    await assert.rejects(h.broker.getToken({ kind: 'access' }), (e: unknown) => AuthError.is(e, 'notSignedIn'));
  });

  it('removes local state on sign-out even when the IdP is down', async () => {
    await signedIn();
    faults.arm({ service: 'idp', path: 'revocation', kind: 'status', status: 503, count: 5 });
    const result = await h.sessions.signOut();
    assert.equal(result.revoked, false);
    assert.equal(h.sessions.current(), undefined);
    assert.equal(h.secretStore.values.size, 0);
  });

  it('signs in with the device flow', async function () {
    this.timeout(30_000);
    h = await createHarness({ idp, faults, settings: { flow: 'device' } });
    h.ui.device = (prompt, i) => i.approveDevice(prompt.userCode, 'bob');
    const session = await h.sessions.signIn(h.ui, LOCAL);
    assert.equal(session.identity.label, 'bob@example.com');
    assert.equal(h.ui.deviceCodes.length, 1);
    assert.ok(h.ui.deviceCodes[0].verificationUri.startsWith(idp.issuer));
    assert.equal(h.ui.opened.length, 0);
  });

  it('ends the session on invalid_grant, fires the change once and asks nothing else', async () => {
    const clock = { offset: 0 };
    await signedIn({ clock });
    const events: SessionChange[] = [];
    h.sessions.onDidChangeSession((e) => events.push(e));
    await idp.revokeAll('alice');
    clock.offset = 20 * 60_000;
    const results = await Promise.allSettled(Array.from({ length: 3 }, () => h.broker.getToken({ kind: 'access' })));
    for (const r of results) assert.ok(r.status === 'rejected' && AuthError.is(r.reason, 'invalidGrant'));
    assert.deepEqual(events.map((e) => e.reason), ['expired']);
    assert.equal(h.sessions.current(), undefined);
    assert.equal(h.secretStore.values.size, 0);
    await assert.rejects(h.broker.getToken({ kind: 'access' }), (e: unknown) => AuthError.is(e, 'notSignedIn'));
  });

  it('follows another window that signs out or signs in through the secret store', async () => {
    await signedIn();
    const other = await createHarness({ idp, faults, secretStore: h.secretStore });
    try {
      const events: SessionChange[] = [];
      other.sessions.onDidChangeSession((e) => events.push(e));
      await h.sessions.signOut();
      await new Promise((r) => setTimeout(r, 10));
      assert.equal(other.sessions.current(), undefined);
      h.ui.browser = browserAs('bob');
      await h.sessions.signIn(h.ui, LOCAL);
      await new Promise((r) => setTimeout(r, 10));
      assert.equal(other.broker.currentIdentity()?.label, 'bob@example.com');
      assert.deepEqual(events.map((e) => e.reason), ['otherWindow', 'otherWindow']);
    } finally {
      other.dispose();
    }
  });

  it('keeps sessions of another issuer apart', async () => {
    await signedIn();
    const store = new MemorySecretStore();
    for (const [k, v] of h.secretStore.values) store.values.set(k, v);
    const other = await createHarness({ idp, faults, secretStore: store, settings: { issuer: 'http://localhost:1/' } });
    try {
      assert.equal(other.sessions.current(), undefined);
    } finally {
      other.dispose();
    }
  });
});
