// JobFollower against a scripted job source: incomplete is not final, backoff grows and resets on
// a change, transient errors are survived (with Retry-After), stopping is cancellation.
import * as assert from 'node:assert/strict';
import { AirbyteError } from '../../../src/airbyte/errors';
import { JobFollower } from '../../../src/airbyte/follower';
import type { Job, JobStatus } from '../../../src/airbyte/types';

const job = (status: JobStatus, rows = 0): Job => ({ jobId: 7, status, jobType: 'sync', startTime: '2024-01-01T00:00:00Z', connectionId: 'c', rowsSynced: rows });

function scripted(steps: (Job | AirbyteError)[]) {
  let i = 0;
  return {
    calls: 0,
    async getJob(): Promise<Job> {
      this.calls++;
      const s = steps[Math.min(i++, steps.length - 1)];
      if (s instanceof AirbyteError) throw s;
      return s;
    },
  };
}

describe('airbyte JobFollower', () => {
  it('keeps going through incomplete until a final state and reports each change', async () => {
    const source = scripted([job('pending'), job('running', 10), job('running', 10), job('incomplete', 30), job('running', 40), job('failed', 40)]);
    const waits: number[] = [];
    const seen: string[] = [];
    const follower = new JobFollower(source, { initialDelayMs: 100, factor: 2, maxDelayMs: 300, sleep: async (ms) => void waits.push(ms) });
    const final = await follower.follow(7, { onUpdate: (j) => seen.push(`${j.status}:${j.rowsSynced}`) });
    assert.equal(final.status, 'failed');
    assert.deepEqual(seen, ['pending:0', 'running:10', 'incomplete:30', 'running:40', 'failed:40']);
    // Grows while nothing changes, back to the start after a status change, capped.
    assert.deepEqual(waits, [100, 100, 200, 100, 100]);
  });

  it('survives transient errors, honouring Retry-After, and gives up on others', async () => {
    const limited = new AirbyteError('rateLimited', undefined, 429, undefined, 2_000);
    const source = scripted([job('running'), new AirbyteError('network'), limited, job('succeeded', 5)]);
    const waits: number[] = [];
    const follower = new JobFollower(source, { initialDelayMs: 100, factor: 1, sleep: async (ms) => void waits.push(ms) });
    assert.equal((await follower.follow(7)).status, 'succeeded');
    assert.deepEqual(waits, [100, 100, 2_000]);

    const denied = scripted([job('running'), new AirbyteError('forbidden', undefined, 403)]);
    await assert.rejects(new JobFollower(denied, { sleep: async () => undefined }).follow(7), (e) => AirbyteError.is(e, 'forbidden'));
  });

  it('stops when its signal is aborted, without finishing the job', async () => {
    const source = scripted([job('running')]);
    const controller = new AbortController();
    const follower = new JobFollower(source, { initialDelayMs: 5 });
    const following = follower.follow(7, { signal: controller.signal, onUpdate: () => setTimeout(() => controller.abort(), 20) });
    await assert.rejects(following, (e) => AirbyteError.is(e, 'cancelled'));
    const calls = source.calls;
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(source.calls, calls, 'no request after stopping');
  });
});
