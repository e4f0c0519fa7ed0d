import * as assert from 'node:assert/strict';
import { DbtCloudJobsModel } from '../../../src/dbt/cloud/dbtCloudJobsModel';
import type { DbtCloudClient } from '../../../src/dbt/cloud/dbtCloudClient';

// A client whose listJobs answers only when the test says so, to order overlapping refreshes.
function gatedClient() {
  const calls: { resolve: (jobs: unknown[]) => void; signal?: AbortSignal }[] = [];
  const client = {
    listJobs: (opts: { signal?: AbortSignal }) =>
      new Promise<unknown[]>((resolve, reject) => {
        calls.push({ resolve, signal: opts.signal });
        opts.signal?.addEventListener('abort', () => reject(opts.signal!.reason));
      }),
  } as unknown as DbtCloudClient;
  return { client, calls };
}

describe('DbtCloudJobsModel.refresh', () => {
  it('a refresh superseded by a newer one resolves only when the newer one has loaded the jobs', async () => {
    const { client, calls } = gatedClient();
    const model = new DbtCloudJobsModel(() => client, () => undefined);
    let firstDone = false;
    const first = model.refresh().then(() => (firstDone = true));
    await new Promise((r) => setImmediate(r));
    const second = model.refresh();
    await new Promise((r) => setImmediate(r));
    assert.equal(calls.length, 2);
    assert.ok(calls[0].signal?.aborted, 'the older listing was cancelled');
    await new Promise((r) => setImmediate(r));
    assert.equal(firstDone, false, 'the first refresh is still waiting for the newer listing');
    assert.equal(model.state.kind, 'loading');
    calls[1].resolve([{ id: 1, name: 'nightly' }]);
    await Promise.all([first, second]);
    assert.equal(model.state.kind, 'loaded');
  });

  it('a reset while a refresh runs ends that refresh without waiting for anything', async () => {
    const { client } = gatedClient();
    const model = new DbtCloudJobsModel(() => client, () => undefined);
    const pending = model.refresh();
    await new Promise((r) => setImmediate(r));
    model.reset();
    await pending;
    assert.equal(model.state.kind, 'idle');
  });
});
