import * as assert from 'node:assert/strict';
import { explainDenied, isAllowed, readGroupsClaim, rolesFromGroups, type Action, type Role } from '../../../src/policy/roles';

const mapping = { 'data-engineers': ['engineer'], analysts: ['analyst'], weird: ['root', 'engineer'] };

describe('roles', () => {
  const cases: [string, string[], Action, boolean][] = [
    ['engineer may trigger a sync', ['data-engineers'], 'airbyte.sync', true],
    ['analyst may not trigger a sync', ['analysts'], 'airbyte.sync', false],
    ['analyst may query', ['analysts'], 'bigquery.query', true],
    ['no groups may still read', [], 'looker.run', true],
    ['no groups may not trigger dbt Cloud', [], 'dbtCloud.trigger', false],
    ['unknown roles in the mapping are ignored', ['weird'], 'dbt.run', true],
    ['both groups: engineer wins for triggers', ['analysts', 'data-engineers'], 'airbyte.cancel', true],
  ];
  for (const [name, groups, action, expected] of cases) {
    it(name, () => assert.equal(isAllowed(action, rolesFromGroups(groups, mapping)), expected));
  }

  it('drops roles it does not know', () => {
    assert.deepEqual([...rolesFromGroups(['weird'], mapping)], ['engineer']);
  });

  it('reads the groups claim defensively', () => {
    assert.deepEqual(readGroupsClaim({ groups: ['a', 'b'] }, 'groups'), ['a', 'b']);
    assert.deepEqual(readGroupsClaim({ roles: 'a b,c' }, 'roles'), ['a', 'b', 'c']);
    assert.deepEqual(readGroupsClaim({ groups: [1, null, 'ok', 'x'.repeat(300)] }, 'groups'), ['ok']);
    assert.deepEqual(readGroupsClaim({}, 'groups'), []);
    assert.deepEqual(readGroupsClaim({ groups: { evil: true } }, 'groups'), []);
  });

  it('explains a denial with who, which credential and what is missing', () => {
    const text = explainDenied({
      who: 'bob@example.com',
      credential: 'resource-indicator',
      service: 'Airbyte',
      action: 'start a sync of',
      resource: 'Postgres (shop) → BigQuery raw',
      missing: 'the workspace editor permission',
      roles: new Set<Role>(['analyst']),
    });
    assert.match(text, /bob@example\.com/);
    assert.match(text, /issued for this service/);
    assert.match(text, /workspace editor permission is missing/);
    assert.match(text, /roles: analyst/);
  });
});
