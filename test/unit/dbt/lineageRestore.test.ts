// The lineage panel's kept state (what a window reload hands back to the serializer): ids and
// depths only, checked on both ends, since VS Code returns whatever the page saved.
import * as assert from 'node:assert/strict';
import { parseHostToLineage, parseLineageRestoreState } from '../../../src/dbt/lineageProtocol';

describe('lineage panel state across a window reload', () => {
  const good = { v: 1, projectKey: '/work/demo/jaffle_gatehouse', uniqueId: 'model.jaffle_gatehouse.stg_orders', upstream: 2, downstream: 3 };

  it('keeps a well-formed state as it is', () => {
    assert.deepEqual(parseLineageRestoreState(good), good);
    assert.deepEqual(parseHostToLineage({ type: 'remember', state: good }), { type: 'remember', state: good });
  });

  const bad: Array<[string, unknown]> = [
    ['nothing', undefined],
    ['another version', { ...good, v: 2 }],
    ['an empty project', { ...good, projectKey: '' }],
    ['markup as the node id', { ...good, uniqueId: '<img src=x onerror=alert(1)>' }],
    ['an id without a resource type', { ...good, uniqueId: 'stg_orders' }],
    ['a depth past the limit', { ...good, upstream: 99 }],
    ['a fractional depth', { ...good, downstream: 1.5 }],
    ['a huge project key', { ...good, projectKey: 'x'.repeat(5_000) }],
    ['an array', [good]],
  ];
  for (const [name, state] of bad) {
    it(`refuses ${name}`, () => {
      assert.equal(parseLineageRestoreState(state), undefined);
      assert.equal(parseHostToLineage({ type: 'remember', state }), undefined);
    });
  }

  it('drops extra keys a tampered page added', () => {
    assert.deepEqual(parseLineageRestoreState({ ...good, path: '/etc/passwd' }), good);
  });
});
