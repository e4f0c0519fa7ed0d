// The menus package.json contributes, evaluated as VS Code evaluates them, for alice (engineer),
// bob (analyst) and olivia (contractor) on every item of every view: gated actions show only with
// the capability and only on their own item types; every clause parses (VS Code drops a clause it
// cannot parse and then shows the item on every row of every view).
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Emitter } from '../../../src/core/event';
import { RoleModel } from '../../../src/policy/roleModel';
import { policyContextKeys } from '../../../src/policy/contextKeys';
import { parseMapping } from '../../../src/policy/roles';
import { DEMO_USERS } from '../../sandbox/directory';
import { parseWhen, type MenuEntry } from '../../support/whenClause';
import { GATED, VIEW_ITEMS, itemCommands, rowsOffering } from '../../support/menuCases';

const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8'));
const menus = pkg.contributes.menus as Record<string, MenuEntry[]>;
const props = pkg.contributes.configuration.properties ?? pkg.contributes.configuration[0].properties;
const defaultMapping = parseMapping(props['gatehouse.roles.mapping'].default).mapping;

function keysOf(user: 'alice' | 'bob' | 'olivia' | 'signed out') {
  const person = DEMO_USERS.find((u) => u.id === user);
  const model = new RoleModel({ currentIdentity: () => person && { groups: person.groups }, onDidChangeSession: new Emitter<unknown>().event }, () => ({ mapping: defaultMapping }));
  return Object.fromEntries(policyContextKeys(model));
}

describe('package.json menus by view, item type and role', () => {
  it('every when clause parses the way VS Code parses it', () => {
    const bad: string[] = [];
    for (const [menu, entries] of Object.entries(menus)) {
      for (const e of entries) {
        try {
          if (e.when) parseWhen(e.when);
        } catch (err) {
          bad.push(`${menu} ${e.command}: ${(err as Error).message}`);
        }
      }
    }
    assert.deepEqual(bad, []);
  });

  it('the parser rejects the quoted-key form VS Code cannot parse', () => {
    assert.throws(() => parseWhen("view == gatehouse.dbt && 'engineer' in gatehouse.roles"), /expected a context key/);
  });

  it('scopes every item action to a view', () => {
    // `view =~ /^gatehouse\./`: on Gatehouse's own views only (Explain Access is offered on all of them).
    const unscoped = menus['view/item/context'].filter((e) => !/\bview == gatehouse\.\w+|^view =~ \/\^gatehouse\\\.\//.test(e.when ?? '')).map((e) => e.command);
    assert.deepEqual(unscoped, []);
  });

  it('gates every gated command by its capability key wherever it is contributed', () => {
    const missing: string[] = [];
    for (const [menu, entries] of Object.entries(menus)) {
      for (const e of entries) {
        const cap = GATED[e.command];
        if (cap && e.when !== 'false' && !new RegExp(`\\bgatehouse\\.can\\.${cap.replace('.', '\\.')}\\b`).test(e.when ?? '')) missing.push(`${menu} ${e.command}`);
      }
    }
    assert.deepEqual(missing, []);
  });

  it('bob (analyst) is offered no trigger, run, sync, reset or cancel on any row of any view', () => {
    const bob = itemCommands(menus, keysOf('bob'));
    for (const cmd of ['gatehouse.dbtCloud.triggerRun', 'gatehouse.dbtCloud.cancelRun', 'gatehouse.dbt.run', 'gatehouse.dbt.build', 'gatehouse.dbt.test', 'gatehouse.dbt.compile', 'gatehouse.airbyte.syncNow', 'gatehouse.airbyte.reset', 'gatehouse.airbyte.cancelJob']) {
      assert.deepEqual(rowsOffering(bob, cmd), [], cmd);
    }
    // What he may do is still there.
    assert.deepEqual(rowsOffering(bob, 'gatehouse.looker.runLook'), ['gatehouse.looker lookerLook']);
    assert.ok(rowsOffering(bob, 'gatehouse.bigquery.previewTable').includes('gatehouse.bigquery bigquery.table.table'));
  });

  it('alice (engineer) is offered a dbt Cloud trigger only on dbt Cloud jobs, and cancel only on running ones', () => {
    const alice = itemCommands(menus, keysOf('alice'));
    assert.deepEqual(rowsOffering(alice, 'gatehouse.dbtCloud.triggerRun'), ['gatehouse.dbt dbtCloudJob', 'gatehouse.dbt dbtCloudJob:hasRun', 'gatehouse.dbt dbtCloudJob:running:hasRun']);
    assert.deepEqual(rowsOffering(alice, 'gatehouse.dbtCloud.cancelRun'), ['gatehouse.dbt dbtCloudJob:running:hasRun']);
    assert.deepEqual(rowsOffering(alice, 'gatehouse.airbyte.syncNow'), ['gatehouse.airbyte airbyteConnection.active']);
    assert.deepEqual(rowsOffering(alice, 'gatehouse.dbt.run'), ['gatehouse.dbt dbtNode:model', 'gatehouse.dbt dbtNode:model:compiled', 'gatehouse.dbt dbtNode:seed', 'gatehouse.dbt dbtNode:snapshot']);
  });

  it('olivia (contractor, no role) reads and runs reports but triggers nothing; signed out, nothing is offered', () => {
    const olivia = itemCommands(menus, keysOf('olivia'));
    const gatedWrites = Object.keys(GATED).filter((c) => /dbt\.|dbtCloud\.|airbyte\./.test(c));
    assert.deepEqual(gatedWrites.flatMap((c) => rowsOffering(olivia, c)), []);
    assert.deepEqual(rowsOffering(olivia, 'gatehouse.metabase.runQuestion'), ['gatehouse.metabase metabaseCard.question', 'gatehouse.metabase metabaseCard.model', 'gatehouse.metabase metabaseDashcard']);
    const out = itemCommands(menus, keysOf('signed out'));
    assert.deepEqual(Object.keys(GATED).flatMap((c) => rowsOffering(out, c)), []);
  });

  it('no view offers another view’s commands', () => {
    const alice = itemCommands(menus, keysOf('alice'));
    const prefix: Record<string, RegExp> = {
      'gatehouse.bigquery': /^gatehouse\.bigquery\.(?!history)/,
      'gatehouse.bigqueryHistory': /^gatehouse\.bigquery\.history\./,
      'gatehouse.dbt': /^gatehouse\.dbt(Cloud)?\./,
      'gatehouse.airbyte': /^gatehouse\.airbyte\./,
      'gatehouse.looker': /^gatehouse\.looker\./,
      'gatehouse.metabase': /^gatehouse\.metabase\./,
      'gatehouse.activity': /^gatehouse\.(activity|audit|policy)\./,
    };
    const everywhere = new Set(['gatehouse.policy.explainAccess']);
    const strays = [...alice].flatMap(([row, cmds]) => cmds.filter((c) => !everywhere.has(c) && !prefix[row.split(' ')[0]].test(c)).map((c) => `${row}: ${c}`));
    assert.ok([...alice.values()].every((cmds) => cmds.includes('gatehouse.policy.explainAccess')), 'Explain Access on every row');
    assert.deepEqual(strays, []);
    assert.ok(Object.keys(VIEW_ITEMS).every((v) => prefix[v]));
  });
});
