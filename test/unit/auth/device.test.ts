// Device sign-in against the sandbox IdP with its faults: polling honours the interval, slow_down
// and Retry-After, rides out a few transient failures with backoff, and stops when cancelled.
// The waits are recorded as asked and slept 50 times faster, so the test stays quick.
import * as assert from 'node:assert/strict';
import { AuthError } from '../../../src/auth/authError';
import { DEVICE_MAX_TRANSIENT_FAILURES } from '../../../src/auth/oidcClient';
import { sleep } from '../../../src/core/http';
import type { FaultRegistry } from '../../sandbox/faults';
import type { RunningIdp } from '../../sandbox/idp';
import { createHarness, LOCAL, startTestIdp, type Harness } from './fakes';

describe('device sign-in through a flaky IdP', function () {
  this.timeout(30_000);
  let idp: RunningIdp;
  let faults: FaultRegistry;
  let h: Harness;
  let waits: number[];

  before(async () => ({ idp, faults } = await startTestIdp()));
  after(() => idp.close());
  afterEach(() => {
    h?.dispose();
    faults.clear();
  });

  async function deviceHarness(approve = true): Promise<Harness> {
    waits = [];
    h = await createHarness({
      idp,
      faults,
      settings: { flow: 'device' },
      sleep: (ms, signal) => {
        waits.push(ms);
        return sleep(ms / 50, signal);
      },
    });
    if (approve) h.ui.device = (prompt, i) => i.approveDevice(prompt.userCode, 'bob');
    return h;
  }

  const polls = () => h.requests.filter((r) => r.grantType === 'urn:ietf:params:oauth:grant-type:device_code').length;

  it('waits the interval (5 s without one) before every poll when nothing goes wrong', async () => {
    await deviceHarness();
    const session = await h.sessions.signIn(h.ui, LOCAL);
    assert.equal(session.identity.subject, 'bob');
    assert.equal(waits.length, polls());
    assert.ok(waits.every((w) => w === 5000), waits.join(','));
  });

  it('survives 503s and waits as long as their Retry-After says', async () => {
    await deviceHarness();
    faults.arm({ service: 'idp', method: 'POST', path: '^/token$', kind: 'status', status: 503, retryAfter: 12, count: 2 });
    const session = await h.sessions.signIn(h.ui, LOCAL);
    assert.equal(session.identity.subject, 'bob');
    assert.deepEqual(waits.slice(0, 3), [5000, 12_000, 12_000]);
    assert.ok(polls() >= 3);
  });

  it('backs off from the interval after 5xx without Retry-After, and a good answer resets it', async () => {
    await deviceHarness();
    faults.arm({ service: 'idp', method: 'POST', path: '^/token$', kind: 'status', status: 500, count: 3 });
    const session = await h.sessions.signIn(h.ui, LOCAL);
    assert.equal(session.identity.subject, 'bob');
    assert.deepEqual(waits.slice(0, 4), [5000, 5000, 10_000, 20_000]);
    assert.ok(waits.slice(4).every((w) => w === 5000), waits.join(','));
  });

  it('polls 5 s slower after each slow_down, for good', async () => {
    await deviceHarness();
    faults.arm({ service: 'idp', method: 'POST', path: '^/token$', kind: 'status', status: 400, body: { error: 'slow_down' }, count: 2 });
    await h.sessions.signIn(h.ui, LOCAL);
    assert.deepEqual(waits.slice(0, 3), [5000, 10_000, 15_000]);
    assert.ok(waits.slice(3).every((w) => w === 15_000), waits.join(','));
  });

  it('retries the device authorization request itself after a 503', async () => {
    await deviceHarness();
    faults.arm({ service: 'idp', method: 'POST', path: '^/device/auth$', kind: 'status', status: 503, retryAfter: 2, count: 1 });
    const session = await h.sessions.signIn(h.ui, LOCAL);
    assert.equal(session.identity.subject, 'bob');
    assert.equal(waits[0], 2000);
    assert.equal(h.ui.deviceCodes.length, 1);
  });

  it(`gives up after ${DEVICE_MAX_TRANSIENT_FAILURES} transient failures in a row, with a clear error and nothing stored`, async () => {
    await deviceHarness(false);
    faults.arm({ service: 'idp', method: 'POST', path: '^/token$', kind: 'status', status: 503, count: 100 });
    const error = await h.sessions.signIn(h.ui, LOCAL).then(
      () => assert.fail('signed in'),
      (e: unknown) => e,
    );
    assert.ok(AuthError.is(error, 'idpUnavailable'), String(error));
    assert.match(error.userMessage, /HTTP 503/);
    assert.equal(polls(), DEVICE_MAX_TRANSIENT_FAILURES + 1);
    assert.deepEqual(waits, [5000, 5000, 10_000, 20_000, 40_000, 60_000]);
    assert.equal(h.secretStore.values.size, 0);
  });

  it('stops at once when cancelled during a backoff, and polls no more', async () => {
    await deviceHarness(false);
    faults.arm({ service: 'idp', method: 'POST', path: '^/token$', kind: 'status', status: 503, retryAfter: 300, count: 100 });
    const abort = new AbortController();
    const started = Date.now();
    const signingIn = h.sessions.signIn(h.ui, LOCAL, abort.signal);
    // The first poll is at 5 s (100 ms here); the 300 s Retry-After wait (6 s) follows.
    await new Promise((r) => setTimeout(r, 250));
    abort.abort();
    await assert.rejects(signingIn, (e: unknown) => AuthError.is(e, 'cancelled'));
    assert.ok(Date.now() - started < 3000, 'did not wait the backoff out');
    const seen = polls();
    await new Promise((r) => setTimeout(r, 700));
    assert.equal(polls(), seen);
    assert.ok(seen <= 1);
  });
});
