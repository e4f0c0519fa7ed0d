import * as assert from 'node:assert/strict';
import { Emitter } from '../../../src/core/event';
import { RoleModel } from '../../../src/policy/roleModel';
import { identityFromClaims } from '../../../src/auth/session';

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

describe('RoleModel: policy and claims', () => {
  it('matches the roles claim like groups, and applies a new policy without a new session', () => {
    const session = new Emitter<unknown>();
    let accessRequest: string | undefined;
    let mapping: Record<string, string[]> = { 'Gatehouse.Engineer': ['engineer'] };
    const model = new RoleModel({ currentIdentity: () => ({ groups: ['staff'], roles: ['Gatehouse.Engineer'] }), onDidChangeSession: session.event }, () => ({ mapping, accessRequest }));
    assert.equal(model.can('dbt.run'), true);
    mapping = { staff: ['airbyte.sync'] };
    accessRequest = 'https://access.example.com';
    model.recompute();
    assert.equal(model.can('dbt.run'), false);
    assert.equal(model.can('airbyte.sync'), true);
    assert.match(model.refusal('dbt.run'), /granted to no group in this machine's Gatehouse policy; you are in staff, Gatehouse\.Engineer\. Request access at https:\/\/access\.example\.com$/);
  });

  it('tells a signed-out person to sign in rather than naming groups', () => {
    const model = new RoleModel({ currentIdentity: () => undefined, onDidChangeSession: new Emitter<unknown>().event }, () => ({ mapping: {} }));
    assert.match(model.refusal('dbt.run'), /^Sign in to Gatehouse first/);
  });
});

describe('identity claims for the policy', () => {
  const base = { sub: 'u1', iss: 'https://idp.example.com', aud: 'x', exp: 2_000_000_000, iat: 1 } as unknown as Parameters<typeof identityFromClaims>[0];
  it('keeps the roles claim beside the groups claim, short strings only', () => {
    const id = identityFromClaims({ ...base, groups: ['analysts', 7, 'x'.repeat(300)], roles: ['Gatehouse.Engineer'] } as typeof base, 'groups');
    assert.deepEqual(id.groups, ['analysts']);
    assert.deepEqual(id.roles, ['Gatehouse.Engineer']);
  });
  it('does not read the roles claim twice when it is the groups claim', () => {
    const id = identityFromClaims({ ...base, roles: ['a'] } as typeof base, 'roles');
    assert.deepEqual(id.groups, ['a']);
    assert.equal(id.roles, undefined);
  });
});
