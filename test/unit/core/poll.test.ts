import * as assert from 'node:assert/strict';
import { DEFAULT_POLL_OPTIONS, pollUntilFinal, type PollSpec } from '../../../src/core/poll';

class TestError extends Error {
  constructor(readonly reason: string, readonly retryAfterMs?: number) {
    super(reason);
  }
}

/** A job that answers from a script: a state, or an error to throw. */
function scripted(answers: (string | TestError)[]) {
  let i = 0;
  const waits: number[] = [];
  const updates: string[] = [];
  let clock = 0;
  const spec = (signal?: AbortSignal): PollSpec<string, TestError> => ({
    fetch: async () => {
      const a = answers[Math.min(i++, answers.length - 1)];
      if (a instanceof TestError) throw a;
      return a;
    },
    isFinal: (s) => s.startsWith('done'),
    state: (s) => s.split(':')[0],
    detail: (s) => s.split(':')[1] ?? '',
    toError: (e) => (e instanceof TestError ? e : new TestError('unknown')),
    transient: (e) => e.reason === 'server' || e.reason === 'rateLimited',
    cancelled: (e) => e.reason === 'cancelled',
    stopped: () => new TestError('stopped'),
    timedOut: () => new TestError('timedOut'),
    onUpdate: (s) => updates.push(s),
    signal,
  });
  const options = {
    ...DEFAULT_POLL_OPTIONS,
    initialDelayMs: 100,
    maxDelayMs: 400,
    factor: 2,
    maxErrors: 2,
    timeoutMs: 10_000,
    now: () => clock,
    sleep: async (ms: number) => {
      waits.push(ms);
      clock += ms;
    },
  };
  return { spec, options, waits, updates };
}

describe('pollUntilFinal', () => {
  it('backs off while nothing moves, drops back to the shortest interval when the state changes', async () => {
    const s = scripted(['queued', 'queued', 'queued', 'running:0', 'running:5', 'running:5', 'done']);
    assert.equal(await pollUntilFinal(s.spec(), s.options), 'done');
    assert.deepEqual(s.waits, [100, 200, 400, 100, 200, 400]);
    assert.deepEqual(s.updates, ['queued', 'running:0', 'running:5', 'done'], 'changes of state or detail are reported once each');
  });

  it('rides out transient failures, waiting at least as long as Retry-After says', async () => {
    const s = scripted(['running', new TestError('rateLimited', 3_000), new TestError('server'), 'done']);
    assert.equal(await pollUntilFinal(s.spec(), s.options), 'done');
    assert.deepEqual(s.waits, [100, 3_000, 400]);
  });

  it('gives up after too many failures in a row, and at once on a failure that is not transient', async () => {
    const many = scripted([new TestError('server'), new TestError('server'), new TestError('server')]);
    await assert.rejects(pollUntilFinal(many.spec(), many.options), (e: TestError) => e.reason === 'server');
    const fatal = scripted(['running', new TestError('forbidden')]);
    await assert.rejects(pollUntilFinal(fatal.spec(), fatal.options), (e: TestError) => e.reason === 'forbidden');
  });

  it('stops on its signal and past its time limit', async () => {
    const ac = new AbortController();
    ac.abort();
    const s = scripted(['running']);
    await assert.rejects(pollUntilFinal(s.spec(ac.signal), s.options), (e: TestError) => e.reason === 'stopped');
    const slow = scripted(['running']);
    await assert.rejects(pollUntilFinal(slow.spec(), { ...slow.options, timeoutMs: 1_000 }), (e: TestError) => e.reason === 'timedOut');
  });
});
