// The shared fakes and waits behave as the tests that use them assume.
import * as assert from 'node:assert/strict';
import { MemorySecret, MemorySecretStore } from './secrets';
import { RecordingUi } from './recordingUi';
import { until } from './wait';

describe('test support', () => {
  it('until resolves with the first truthy value', async () => {
    let n = 0;
    assert.equal(await until('n to reach 3', () => (++n >= 3 ? n : undefined), 1_000, { intervalMs: 1 }), 3);
  });

  it('until fails naming what it waited for and what it saw last', async () => {
    await assert.rejects(until('the sky to fall', () => false, 30, { intervalMs: 5, lastSeen: () => 'blue' }), /timed out after 30 ms waiting for the sky to fall; last saw blue/);
  });

  it('the secret store keeps, deletes and announces keys', async () => {
    const store = new MemorySecretStore();
    const keys: string[] = [];
    const sub = store.onDidChange((e) => keys.push(e.key));
    await store.store('a', '1');
    assert.equal(await store.get('a'), '1');
    await store.delete('a');
    assert.equal(await store.get('a'), undefined);
    sub.dispose();
    await store.store('b', '2');
    assert.deepEqual(keys, ['a', 'a']);
  });

  it('a stored secret forgets its value on delete', async () => {
    const secret = new MemorySecret('k');
    assert.equal(await secret.get(), 'k');
    await secret.delete();
    assert.equal(await secret.get(), undefined);
  });

  it('the recording UI records messages and links and accepts confirmations', async () => {
    const ui = new RecordingUi();
    await ui.info('one');
    await ui.error('two');
    assert.equal(await ui.openExternal('https://example.com/x'), true);
    assert.equal(await ui.confirm(), true);
    assert.equal(await ui.input(), undefined);
    assert.deepEqual(ui.messages, ['info: one', 'error: two']);
    assert.deepEqual(ui.opened, ['https://example.com/x']);
  });
});
