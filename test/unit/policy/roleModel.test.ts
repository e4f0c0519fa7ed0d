import * as assert from 'node:assert/strict';
import { Emitter } from '../../../src/core/event';
import { RoleModel } from '../../../src/policy/roleModel';

describe('RoleModel', () => {
  it('follows sign-in, sign-out and mapping changes', () => {
    const session = new Emitter<unknown>();
    let identity: { groups: string[] } | undefined;
    let mapping: Record<string, string[]> = { 'data-engineers': ['engineer'] };
    const model = new RoleModel({ currentIdentity: () => identity, onDidChangeSession: session.event }, () => ({ mapping }));
    const seen: string[][] = [];
    model.onDidChange((r) => seen.push([...r]));

    assert.equal(model.can('bigquery.query'), false, 'nothing is offered when signed out');
    identity = { groups: ['data-engineers'] };
    session.fire({});
    assert.equal(model.can('airbyte.sync'), true);

    mapping = { 'data-engineers': ['analyst'] };
    model.recompute();
    assert.equal(model.can('airbyte.sync'), false);
    assert.equal(model.can('bigquery.query'), true);

    identity = undefined;
    session.fire({});
    assert.equal(model.can('bigquery.query'), false);
    assert.deepEqual(seen, [['engineer'], ['analyst'], []]);
  });
});
