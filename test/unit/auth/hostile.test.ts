// Hostile and faulty sign-ins: each must fail with a reason and a message the user can act on,
// store nothing, and leave no loopback server behind.
import * as assert from 'node:assert/strict';
import { AuthError, type AuthErrorReason } from '../../../src/auth/authError';
import type { MisbehaveMode, RunningIdp } from '../../sandbox/idp';
import type { FaultRegistry } from '../../sandbox/faults';
import { browserAs, createHarness, deliver, LOCAL, startTestIdp, type Harness, type HarnessOptions } from './fakes';

describe('hostile and faulty sign-ins', function () {
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

  async function failedSignIn(reason: AuthErrorReason, message: RegExp, opts: HarnessOptions = {}, setup?: (h: Harness) => void): Promise<AuthError> {
    h = await createHarness({ ...opts, idp, faults });
    h.ui.browser = browserAs('alice');
    setup?.(h);
    let error: unknown;
    await h.sessions.signIn(h.ui, LOCAL).catch((e) => (error = e));
    assert.ok(AuthError.is(error), `an AuthError, got ${error}`);
    assert.equal(error.reason, reason, error.userMessage);
    assert.match(error.userMessage, message);
    assert.equal(h.sessions.current(), undefined, 'no session');
    assert.equal(h.secretStore.values.size, 0, 'nothing stored');
    for (const url of h.ui.opened) {
      const redirect = new URL(url).searchParams.get('redirect_uri')!;
      assert.ok('error' in (await deliver(redirect)), 'loopback server closed');
    }
    return error;
  }

  it('rejects a callback whose state does not match', async () => {
    await failedSignIn('stateMismatch', /did not belong to this sign-in attempt/, {}, (h) => {
      h.ui.browser = browserAs('alice', (cb) => cb.searchParams.set('state', 'forged'));
    });
  });

  it('rejects a callback without a code', async () => {
    await failedSignIn('missingCode', /without a sign-in code/, {}, (h) => {
      h.ui.browser = browserAs('alice', (cb) => cb.searchParams.delete('code'));
    });
  });

  it('reports error=access_denied as a denied sign-in', async () => {
    await failedSignIn('accessDenied', /denied the sign-in/, {}, (h) => {
      h.ui.browser = browserAs('deny');
    });
  });

  it('answers a replayed callback with "already used" and lets it change nothing', async () => {
    h = await createHarness({ idp, faults });
    let callback = '';
    const replays: Awaited<ReturnType<typeof deliver>>[] = [];
    h.ui.browser = async (url, i) => {
      callback = await i.completeAuthorization(url, 'alice');
      const first = deliver(callback);
      await new Promise((r) => setTimeout(r, 200)); // the code exchange is slowed below
      replays.push(await deliver(callback));
      await first;
    };
    idp.misbehave('slow:600');
    // Discovery is the first slowed request; a second slow arms the token request.
    idp.misbehave('slow:600');
    const session = await h.sessions.signIn(h.ui, LOCAL);
    await new Promise((r) => setTimeout(r, 50));
    const replay = replays[0];
    assert.ok(replay && !('error' in replay), 'the replay got an answer');
    assert.equal(replay.status, 400);
    assert.match(replay.html, /already used/);
    assert.equal(h.sessions.current()?.id, session.id);
    // After completion the server is gone; the same callback in a new attempt is a state mismatch.
    assert.ok('error' in (await deliver(callback)));
    h.ui.browser = async (url) => {
      const stale = new URL(callback);
      stale.host = new URL(new URL(url).searchParams.get('redirect_uri')!).host;
      await deliver(stale.href);
    };
    await assert.rejects(h.sessions.signIn(h.ui, LOCAL), (e: unknown) => AuthError.is(e, 'stateMismatch'));
    assert.equal(h.sessions.current()?.id, session.id, 'the earlier session is untouched');
  });

  it('names both issuers when discovery reports another one', async () => {
    idp.misbehave('discovery-wrong-issuer');
    const err = await failedSignIn('issuerMismatch', /reports issuer https:\/\/evil\.example.*gatehouse\.auth\.issuer/);
    assert.ok(err.message.includes(idp.issuer));
  });

  const idTokenCases: [MisbehaveMode, RegExp][] = [
    ['id-token-wrong-iss', /different issuer/],
    ['id-token-wrong-aud', /different client/],
    ['id-token-expired', /expired/],
    ['id-token-bad-signature', /signature/],
    ['id-token-alg-none', /unsigned|algorithm/],
    ['id-token-no-nonce', /nonce/],
    ['id-token-wrong-nonce', /nonce/],
  ];
  for (const [mode, detail] of idTokenCases) {
    it(`rejects an id token: ${mode}`, async () => {
      idp.misbehave(mode);
      await failedSignIn('idTokenInvalid', detail);
    });
  }

  it('reports an IdP that answers 503 as unavailable', async () => {
    faults.arm({ service: 'idp', path: '.*', kind: 'status', status: 503, count: 50 });
    await failedSignIn('idpUnavailable', /HTTP 503/);
  });

  it('reports a reset connection as unavailable', async () => {
    faults.arm({ service: 'idp', path: '/token', kind: 'reset' });
    await failedSignIn('idpUnavailable', /Could not reach/);
  });

  it('gives up on a slow IdP after the timeout', async () => {
    idp.misbehave('slow:3000');
    const started = Date.now();
    await failedSignIn('timeout', /did not answer within/, { httpTimeoutMs: 300 });
    assert.ok(Date.now() - started < 2500);
  });

  it('gives up on a token endpoint that hangs', async () => {
    faults.arm({ service: 'idp', path: '/token', kind: 'hang' });
    await failedSignIn('timeout', /did not answer/, { httpTimeoutMs: 400 });
  });

  it('times out when the browser never comes back, and closes the loopback server', async () => {
    await failedSignIn('timeout', /No answer from the browser/, { interactionTimeoutMs: 300 }, (h) => {
      h.ui.browser = undefined;
    });
  });

  it('cancels cleanly', async () => {
    const abort = new AbortController();
    h = await createHarness({ idp, faults });
    h.ui.browser = async () => abort.abort();
    await assert.rejects(h.sessions.signIn(h.ui, LOCAL, abort.signal), (e: unknown) => AuthError.is(e, 'cancelled'));
    assert.equal(h.secretStore.values.size, 0);
    assert.ok('error' in (await deliver(new URL(h.ui.opened[0]).searchParams.get('redirect_uri')!)));
  });

  it('reports an unreachable IdP', async () => {
    await failedSignIn('idpUnavailable', /Could not reach/, { settings: { issuer: 'http://127.0.0.1:9/' } });
  });
});
