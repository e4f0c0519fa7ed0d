import * as assert from 'node:assert/strict';
import { DisposableStore } from '../../../src/core/disposable';

describe('DisposableStore', () => {
  it('disposes in reverse order, survives a throwing item, and can be reused after clear()', () => {
    const order: string[] = [];
    const store = new DisposableStore();
    store.add({ dispose: () => order.push('a') });
    store.add({ dispose: () => { throw new Error('bad'); } });
    store.add({ dispose: () => order.push('c') });
    store.clear();
    assert.deepEqual(order, ['c', 'a']);
    store.add({ dispose: () => order.push('d') });
    store.dispose();
    assert.deepEqual(order, ['c', 'a', 'd']);
  });

  it('disposes at once what arrives after it was disposed', () => {
    const store = new DisposableStore();
    store.dispose();
    let disposed = false;
    store.add({ dispose: () => { disposed = true; } });
    assert.equal(disposed, true);
  });
});
