// Refreshing against the sandbox IdP (refresh tokens rotate; a second use of one makes the IdP
// revoke the whole grant): the renewal must be about the same person, and two windows sharing
// the secret store refresh once between them.
import * as assert from 'node:assert/strict';
import { AuthError } from '../../../src/auth/authError';
import type { Lock } from '../../../src/core/fileLock';
import { FileLock } from '../../../src/core/fileLock';
import type { SessionChange } from '../../../src/auth/sessionManager';
import type { FaultRegistry } from '../../sandbox/faults';
import { DEFAULT_TTL, type RunningIdp } from '../../sandbox/idp';
import { until } from '../support/wait';
import { browserAs, createHarness, FakeSecretStore, LOCAL, startTestIdp, type Harness, type HarnessOptions } from './fakes';

describe('refreshing a session', function () {
  this.timeout(20_000);
  let idp: RunningIdp;
  let faults: FaultRegistry;
  const open: Harness[] = [];

  before(async () => ({ idp, faults } = await startTestIdp()));
  after(() => idp.close());
  afterEach(() => {
    for (const h of open.splice(0)) h.dispose();
    faults.clear();
    idp.setTtl(DEFAULT_TTL);
  });

  async function harness(opts: HarnessOptions = {}): Promise<Harness> {
    const h = await createHarness({ ...opts, idp, faults });
    open.push(h);
    return h;
  }

  async function signedIn(opts: HarnessOptions = {}): Promise<Harness> {
    const h = await harness(opts);
    h.ui.browser = browserAs('alice');
    await h.sessions.signIn(h.ui, LOCAL);
    return h;
  }

  const refreshes = (...hs: Harness[]) => hs.flatMap((h) => h.requests).filter((r) => r.grantType === 'refresh_token').length;

  describe('the same person, or no session', () => {
    for (const [mode, what] of [
      ['refresh-id-token-other-sub', 'another subject'],
      ['id-token-wrong-iss', 'another issuer'],
    ] as const) {
      it(`refuses a renewed id token for ${what}, keeps nothing of it and signs out`, async () => {
        const clock = { offset: 0 };
        const h = await signedIn({ clock });
        const before = h.sessions.current()!;
        const events: SessionChange[] = [];
        h.sessions.onDidChangeSession((e) => events.push(e));
        idp.misbehave(mode);
        clock.offset = 20 * 60_000;
        const error = await h.broker.getToken({ kind: 'access' }).then(
          () => assert.fail('the renewal was accepted'),
          (e: unknown) => e,
        );
        assert.ok(AuthError.is(error, 'subjectChanged'), `subjectChanged, got ${String(error)}`);
        assert.match(error.userMessage, /different account.*Sign In/);
        assert.ok(!error.userMessage.includes('bob'), 'the other identity is not echoed');
        assert.equal(h.sessions.current(), undefined, 'no session');
        assert.equal(h.secretStore.values.size, 0, 'nothing stored');
        assert.deepEqual(events.map((e) => e.reason), ['refused']);
        assert.ok(AuthError.is(events[0].error, 'subjectChanged'));
        assert.equal(events[0].previous?.id, before.id);
        await assert.rejects(h.broker.getToken({ kind: 'idToken' }), (e: unknown) => AuthError.is(e, 'notSignedIn'));
        assert.equal(h.broker.currentIdentity(), undefined);
      });
    }

    it('refuses another subject on a per-service (resource indicator) renewal too', async () => {
      const h = await signedIn({ settings: { serviceTokens: 'resourceIndicators' } });
      idp.misbehave('refresh-id-token-other-sub');
      await assert.rejects(h.broker.getServiceToken('airbyte'), (e: unknown) => AuthError.is(e, 'subjectChanged'));
      assert.equal(h.sessions.current(), undefined);
      assert.equal(h.secretStore.values.size, 0);
    });

    it('keeps the session when the renewal is about the same person (groups may change)', async () => {
      const clock = { offset: 0 };
      const h = await signedIn({ clock });
      const before = h.sessions.current()!;
      clock.offset = 20 * 60_000;
      await h.broker.getToken({ kind: 'access' });
      const after = h.sessions.current()!;
      assert.equal(after.id, before.id);
      assert.equal(after.identity.subject, 'alice');
      assert.notEqual(after.idToken, before.idToken);
    });
  });

  describe('signing out while a renewal is under way', () => {
    it('does not bring the session back when the refresh answers after the sign-out', async () => {
      const clock = { offset: 0 };
      const h = await signedIn({ clock });
      clock.offset = 20 * 60_000;
      idp.misbehave('slow:300');
      const renewing = h.broker.getToken({ kind: 'access' });
      await new Promise((r) => setTimeout(r, 100));
      await h.sessions.signOut();
      await assert.rejects(renewing, (e: unknown) => AuthError.is(e, 'notSignedIn'));
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(h.sessions.current(), undefined);
      assert.equal(h.secretStore.values.size, 0);
    });

    it('does not bring the session back when the sign-out lands while the renewal is being written', async () => {
      const clock = { offset: 0 };
      const h = await signedIn({ clock });
      clock.offset = 20 * 60_000;
      // A slow secret store: the renewed session's write is still on its way when the sign-out runs.
      h.secretStore.lateEventMs = 200;
      const renewing = h.broker.getToken({ kind: 'access' }).catch((e: unknown) => e);
      await until('the renewal to reach the store', () => h.requests.some((r) => r.grantType === 'refresh_token'), 5_000);
      await new Promise((r) => setTimeout(r, 50));
      await h.sessions.signOut();
      const outcome = await renewing;
      assert.ok(AuthError.is(outcome, 'notSignedIn'), `the renewal reports the sign-out: ${String(outcome)}`);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(h.sessions.current(), undefined);
      assert.equal(h.secretStore.values.size, 0);
    });

    it('does not adopt a store read that started before this window signed out', async () => {
      const h = await signedIn({ settings: { serviceTokens: 'resourceIndicators' } });
      // A slow secret store: the read that follows the rotation's write is still out when the sign-out lands.
      h.secretStore.readDelayMs = 150;
      await h.broker.getServiceToken('airbyte');
      await h.sessions.signOut();
      await new Promise((r) => setTimeout(r, 400));
      assert.equal(h.sessions.current(), undefined);
      assert.equal(h.secretStore.values.size, 0);
    });

    it('does not adopt a store read made while its own sign-out was on its way to the store', async () => {
      const h = await signedIn();
      h.secretStore.lateEventMs = 100;
      await h.sessions.signOut();
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(h.sessions.current(), undefined);
      assert.equal(h.secretStore.values.size, 0);
    });
  });

  describe('two windows over one secret store', () => {
    /**
     * Two windows signed in as alice (the second restored from the store), both due to refresh:
     * the session's tokens live 90 s and the clock is 45 s on (inside the broker's 60 s skew),
     * while what the refresh brings lives 10 minutes, so one refresh is all either needs.
     */
    async function twoWindows(locks?: [Lock, Lock]) {
      const clock = { offset: 0 };
      const secretStore = new FakeSecretStore();
      idp.setTtl({ accessToken: 90, idToken: 90 });
      const a = await signedIn({ clock, secretStore, refreshLock: locks?.[0] });
      const b = await harness({ clock, secretStore, refreshLock: locks?.[1] });
      assert.equal(b.sessions.current()?.id, a.sessions.current()?.id);
      idp.setTtl({ accessToken: 600, idToken: 600 });
      clock.offset = 45_000;
      return { a, b, clock, secretStore };
    }

    it('refresh once between them: one refresh reaches the IdP, both adopt it, the grant lives on', async () => {
      const { a, b, clock, secretStore } = await twoWindows();
      const before = refreshes(a, b);
      // Slow the IdP's answer so that both are surely asking at the same time.
      idp.misbehave('slow:300');
      const [ta, tb] = await Promise.all([a.broker.getToken({ kind: 'access' }), b.broker.getToken({ kind: 'access' })]);
      assert.equal(refreshes(a, b) - before, 1, 'one refresh_token grant');
      assert.equal(ta.token, tb.token, 'the other window adopted the stored result');
      const stored = JSON.parse([...secretStore.values.values()][0]);
      assert.equal(stored.accessToken, ta.token);
      assert.equal(a.sessions.current()?.refreshToken, stored.refreshToken);
      assert.equal(b.sessions.current()?.refreshToken, stored.refreshToken);
      for (const id of [(await a.broker.getToken({ kind: 'idToken' })).token, (await b.broker.getToken({ kind: 'idToken' })).token]) {
        assert.equal((await idp.verifyIdToken(id))?.id, 'alice');
      }
      // Not revoked: the next refresh (by either window) still works.
      idp.setTtl({ accessToken: 1200, idToken: 1200 });
      clock.offset = 600_000;
      const next = await b.broker.getToken({ kind: 'access' });
      assert.notEqual(next.token, ta.token);
      assert.equal(refreshes(a, b) - before, 2);
      assert.equal(a.sessions.current()?.accessToken ?? '', (await a.broker.getToken({ kind: 'access' })).token);
      assert.equal(refreshes(a, b) - before, 2, 'the first window adopted the second refresh too');
      assert.ok(a.sessions.current() && b.sessions.current(), 'both still signed in');
    });

    it('refresh once between them when both ask for per-service tokens', async () => {
      const { a, b } = await twoWindows();
      const before = refreshes(a, b);
      idp.misbehave('slow:300');
      const tokens = await Promise.all([a.broker.getServiceToken('looker'), b.broker.getServiceToken('metabase'), a.broker.getToken({ kind: 'idToken' })]);
      assert.equal(tokens.length, 3);
      // Every use of the refresh token is serialised: each sees the one rotated before it.
      assert.equal(refreshes(a, b) - before, 3);
      assert.ok(a.sessions.current() && b.sessions.current());
      assert.equal(a.sessions.current()?.refreshToken, b.sessions.current()?.refreshToken);
    });

    it('(what the lock prevents) a second use of a rotated refresh token makes the IdP revoke the grant', async () => {
      const { a } = await twoWindows();
      const spent = a.sessions.current()!.refreshToken!;
      const first = await a.sessions.client.refresh(spent);
      assert.ok(first.refreshToken && first.refreshToken !== spent, 'rotated');
      await assert.rejects(a.sessions.client.refresh(spent), (e: unknown) => AuthError.is(e, 'invalidGrant'));
      // Reuse detection: the token the first use brought is dead as well, the person is signed out.
      await assert.rejects(a.sessions.client.refresh(first.refreshToken), (e: unknown) => AuthError.is(e, 'invalidGrant'));
    });

    it('a window waiting for the lock follows a sign-out made meanwhile', async () => {
      const { a, b } = await twoWindows();
      const lock = new FileLock(a.secretStore.lockFile);
      const release = await lock.acquire();
      const waiting = b.broker.getToken({ kind: 'access' });
      await new Promise((r) => setTimeout(r, 100));
      await a.sessions.signOut();
      await release();
      await assert.rejects(waiting, (e: unknown) => AuthError.is(e, 'notSignedIn'));
      assert.equal(b.sessions.current(), undefined);
    });

    it('still refreshes when the lock cannot be taken at all, and says so in the log', async () => {
      const broken: Lock = { acquire: () => Promise.reject(Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' })) };
      const { a } = await twoWindows([broken, broken]);
      const before = a.sessions.current()!;
      const token = await a.broker.getToken({ kind: 'access' });
      assert.notEqual(token.token, before.accessToken);
      assert.ok(a.sink.lines.some((l) => /refreshing without it/.test(l)));
    });

    it('gives up waiting for the lock when cancelled', async () => {
      const { b } = await twoWindows();
      const release = await new FileLock(b.secretStore.lockFile).acquire();
      try {
        const abort = new AbortController();
        setTimeout(() => abort.abort(), 100);
        await assert.rejects(b.sessions.freshSession(60_000, abort.signal), (e: unknown) => AuthError.is(e, 'cancelled'));
        assert.ok(b.sessions.current(), 'still signed in');
      } finally {
        await release();
      }
    });
  });
});
