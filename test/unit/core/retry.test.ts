// The shared retry loop: backoff with jitter inside its bounds, Retry-After as a minimum up to a
// cap, attempts capped, the caller's verdict obeyed, and a cancel ending the wait at once.
import * as assert from 'node:assert/strict';
import { CancelledError } from '../../../src/core/errors';
import { DEFAULT_RETRY_POLICY, backoffMs, retryDelayMs, withRetry, type RetryVerdict } from '../../../src/core/retry';

const policy = { ...DEFAULT_RETRY_POLICY, maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1_000, maxRetryAfterMs: 5_000 };

describe('retry', () => {
  it('backs off exponentially with jitter between half and all of the step, capped', () => {
    const rows: [attempt: number, random: number, expected: number][] = [
      [1, 0, 50], [1, 0.999, 100], [2, 0, 100], [3, 0.5, 300], [5, 0, 500], [10, 0.999, 1_000],
    ];
    for (const [attempt, random, expected] of rows) assert.equal(backoffMs(attempt, policy, () => random), expected, `attempt ${attempt}, random ${random}`);
  });

  it('decides the wait from the verdict, the Retry-After and the attempts left', () => {
    const rows: [verdict: RetryVerdict, attempt: number, expected: number | undefined][] = [
      [{ retry: false }, 1, undefined],
      [{ retry: true }, 1, 50],
      [{ retry: true }, 4, undefined], // the last attempt
      [{ retry: true, retryAfterMs: 2_000 }, 1, 2_000],
      [{ retry: true, retryAfterMs: 5_000 }, 2, 5_000],
      [{ retry: true, retryAfterMs: 5_001 }, 1, undefined], // longer than we wait inside one call
    ];
    for (const [verdict, attempt, expected] of rows) assert.equal(retryDelayMs(verdict, attempt, policy, () => 0), expected, JSON.stringify({ verdict, attempt }));
  });

  it('stops at the first failure the caller does not want retried', async () => {
    let calls = 0;
    await assert.rejects(
      withRetry(async () => {
        calls++;
        throw new Error(calls === 1 ? 'transient' : 'final');
      }, { policy, shouldRetry: (e) => ({ retry: (e as Error).message === 'transient' }), sleep: async () => undefined }),
      /final/,
    );
    assert.equal(calls, 2);
  });

  it('gives up after maxAttempts and returns as soon as an attempt succeeds', async () => {
    const waits: number[] = [];
    let calls = 0;
    await assert.rejects(withRetry(async () => { calls++; throw new Error('down'); }, { policy, shouldRetry: () => ({ retry: true }), sleep: async (ms) => void waits.push(ms), random: () => 0 }));
    assert.equal(calls, 4);
    assert.deepEqual(waits, [50, 100, 200]);
    calls = 0;
    const value = await withRetry(async (n) => { calls++; if (n < 2) throw new Error('once'); return n; }, { policy, shouldRetry: () => ({ retry: true }), sleep: async () => undefined });
    assert.equal(value, 2);
    assert.equal(calls, 2);
  });

  it('ends the wait when cancelled, without another attempt', async () => {
    const ac = new AbortController();
    let calls = 0;
    const started = Date.now();
    setTimeout(() => ac.abort(), 30);
    await assert.rejects(
      withRetry(async () => { calls++; throw new Error('busy'); }, { policy, signal: ac.signal, shouldRetry: () => ({ retry: true, retryAfterMs: 5_000 }) }),
      (e: unknown) => e instanceof CancelledError,
    );
    assert.equal(calls, 1);
    assert.ok(Date.now() - started < 2_000);
  });
});
