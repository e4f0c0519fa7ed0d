import * as assert from 'node:assert/strict';
import { askLine, explainDenied, grantsFromGroups, groupsGranting, isAllowed, parseMapping, readGroupsClaim, refusalText, rolesFromGroups, type Action, type Role } from '../../../src/policy/roles';

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
    assert.match(text, /Airbyte saw your sign-in's token issued for Airbyte by your identity provider\./);
    assert.match(text, /workspace editor permission is missing/);
    assert.match(text, /roles: analyst/);
  });
});

describe('policy: capabilities, granting groups and refusals', () => {
  const policy = { 'data-engineers': ['engineer'], analysts: ['analyst'], 'release-managers': ['dbtCloud.trigger'] };

  const grants: [string, string[], Action, boolean][] = [
    ['a group may grant one capability without a role', ['release-managers'], 'dbtCloud.trigger', true],
    ['that capability grants nothing else', ['release-managers'], 'dbtCloud.cancel', false],
    ['roles still grant theirs', ['data-engineers'], 'dbtCloud.cancel', true],
  ];
  for (const [name, groups, action, expected] of grants) {
    it(name, () => {
      const g = grantsFromGroups(groups, policy);
      assert.equal(isAllowed(action, g.roles, g.capabilities), expected);
    });
  }

  it('names the groups that grant a capability, through a role or directly', () => {
    assert.deepEqual(groupsGranting('dbtCloud.trigger', policy), ['data-engineers', 'release-managers']);
    assert.deepEqual(groupsGranting('airbyte.sync', policy), ['data-engineers']);
    assert.deepEqual(groupsGranting('looker.run', policy), []);
  });

  it('a refusal names the capability, the granting groups, the person’s groups and whom to ask, without codes', () => {
    const text = refusalText({ action: 'dbtCloud.trigger', groups: groupsGranting('dbtCloud.trigger', policy), yourGroups: ['analysts'], contact: 'data-platform@example.com' });
    assert.equal(
      text,
      'You may not trigger dbt Cloud jobs in Gatehouse. The Gatehouse capability "Trigger dbt Cloud jobs" is granted to members of data-engineers, release-managers (role engineer); you are in analysts. Ask data-platform@example.com for access.',
    );
    assert.doesNotMatch(text, /dbtCloud\.trigger/);
  });

  const asks: [string | undefined, RegExp][] = [
    ['https://access.example.com/request', /^Request access at https:\/\/access\.example\.com\/request$/],
    ['  ', /administrator/],
    [undefined, /gatehouse\.policy\.accessRequest/],
  ];
  for (const [contact, expected] of asks) it(`asks ${JSON.stringify(contact)}`, () => assert.match(askLine(contact), expected));

  it('checks the mapping setting: wrong shapes and unknown entries are reported, the rest applies', () => {
    assert.deepEqual(parseMapping(['engineer']).mapping, {});
    assert.match(parseMapping(['engineer']).problems[0], /must be an object/);
    const { mapping, problems } = parseMapping({ a: 'engineer', b: ['engineer', 'root', 'airbyte.sync'] });
    assert.deepEqual(mapping, { b: ['engineer', 'airbyte.sync'] });
    assert.equal(problems.length, 2);
    assert.match(problems[1], /"root"/);
    assert.deepEqual(parseMapping(undefined), { mapping: {}, problems: [] });
  });

  it('does not read inherited properties of the mapping as groups', () => {
    assert.equal(grantsFromGroups(['constructor', '__proto__', 'toString'], {}).roles.size, 0);
  });

  it('explains a service refusal without saying "query on query" and with whom to ask', () => {
    const text = explainDenied({
      who: 'bob@example.com',
      credential: 'google-federation',
      service: 'BigQuery',
      action: 'run this query',
      resource: '',
      roles: new Set(),
      access: { action: 'bigquery.query', groups: [], yourGroups: ['analysts'], contact: 'data-platform@example.com' },
    });
    assert.match(text, /^BigQuery refused: bob@example\.com may not run this query\. BigQuery saw your Google identity, federated from your sign-in/);
    assert.doesNotMatch(text, /query on query|owner of query/);
    assert.match(text, /Ask data-platform@example\.com for access\.$/);
  });
});
