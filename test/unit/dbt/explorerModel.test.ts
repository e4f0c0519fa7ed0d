// The dbt tree without VS Code: sections and their counts, folder and tag grouping, the filter,
// reveal paths, run outcomes with a failed test's failing rows (from real dbt's run_results.json),
// a manifest problem above the last good tree, several projects, and the dbt Cloud node.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { Emitter } from '../../../src/core/event';
import type { DbtCloudJob } from '../../../src/dbt/cloud/dbtCloudClient';
import type { DbtCloudJobsState } from '../../../src/dbt/cloud/dbtCloudJobsModel';
import { DbtExplorerModel, type DbtCloudAvailability, type DbtTreeElement } from '../../../src/dbt/explorerModel';
import { loadManifest, type DbtGroupKey, type DbtProjectIndex } from '../../../src/dbt/manifest';
import { DbtManifestError } from '../../../src/dbt/manifestErrors';
import type { DbtProjectState } from '../../../src/dbt/projectsModel';
import { parseRunResults, type DbtRunResults } from '../../../src/dbt/runResults';

const FIXTURES = path.join(__dirname, 'fixtures', 'real-dbt');

class FakeProjects {
  readonly changed = new Emitter<void>();
  readonly onDidChange = this.changed.event;
  states: DbtProjectState[] = [];
  projects() {
    return this.states;
  }
  get(key: string) {
    return this.states.find((s) => s.key === key);
  }
}

class FakeCloud {
  readonly changed = new Emitter<void>();
  readonly onDidChange = this.changed.event;
  state: DbtCloudJobsState = { kind: 'idle' } as DbtCloudJobsState;
  job(): DbtCloudJob | undefined {
    return undefined;
  }
  latestRun() {
    return undefined;
  }
}

function state(key: string, index: DbtProjectIndex | undefined, extra: Partial<DbtProjectState> = {}): DbtProjectState {
  return { key, name: path.basename(key), projectFile: `${key}/dbt_project.yml`, config: {} as never, location: {} as never, index, loading: false, ...extra };
}

describe('DbtExplorerModel', () => {
  let index: DbtProjectIndex;
  let results: DbtRunResults;
  let projects: FakeProjects;
  let cloud: FakeCloud;
  let grouping: DbtGroupKey;
  let availability: DbtCloudAvailability;
  let model: DbtExplorerModel;
  const KEY = '/w/jaffle_gatehouse';

  const labelOf = (el: DbtTreeElement): string => {
    switch (el.kind) {
      case 'section':
        return el.section;
      case 'group':
        return `[${el.label}]`;
      case 'node':
        return model.nodeView(el)?.label ?? '?';
      case 'message':
        return `! ${el.text}`;
      default:
        return el.kind;
    }
  };
  const at = (...names: string[]): DbtTreeElement[] => {
    let children = model.children();
    for (const n of names) {
      const next = children.find((c) => labelOf(c) === n);
      assert.ok(next, `${n} among ${children.map(labelOf).join(', ')}`);
      children = model.children(next);
    }
    return children;
  };

  before(async () => {
    index = await loadManifest(path.join(FIXTURES, 'build-failing.manifest.json'));
    results = await parseRunResults(path.join(FIXTURES, 'build-failing.run_results.json'));
  });
  beforeEach(() => {
    projects = new FakeProjects();
    projects.states = [state(KEY, index, { runResults: results })];
    cloud = new FakeCloud();
    grouping = 'folder';
    availability = 'hidden';
    model = new DbtExplorerModel({ projects, cloud, cloudAvailability: () => availability, grouping: () => grouping });
  });
  afterEach(() => model.dispose());

  it('lists the sections that have nodes, with counts, models first', () => {
    assert.deepEqual(model.children().map(labelOf), ['models', 'sources', 'seeds', 'snapshots', 'exposures', 'tests']);
    assert.equal(model.sectionCount(KEY, 'models'), 7);
    assert.equal(model.sectionCount(KEY, 'tests'), 22);
  });

  it('nests models by folder: subfolders, then the models in a folder, by name', () => {
    assert.deepEqual(at('models').map(labelOf), ['[marts]', '[staging]']);
    assert.deepEqual(at('models', '[marts]').map(labelOf), ['broken_orders', 'customers', 'daily_revenue', 'orders']);
    assert.deepEqual(at('sources').map(labelOf), ['[raw]']);
    assert.deepEqual(at('sources', '[raw]').map(labelOf), ['customers_raw', 'orders_raw', 'payments_raw']);
  });

  it('groups by tag or materialization when asked', () => {
    grouping = 'tag';
    assert.deepEqual(at('models').map(labelOf), ['[marts]', '[staging]']);
    assert.deepEqual(at('models', '[staging]').map(labelOf), ['stg_customers', 'stg_orders', 'stg_payments']);
    grouping = 'materialization';
    assert.deepEqual(at('models').map(labelOf), ['[table]', '[view]']);
  });

  it('filters by name, says so, and fires a change', () => {
    let fired = 0;
    model.onDidChange(() => fired++);
    model.setFilter('  ORDERS ');
    assert.equal(fired, 1);
    assert.equal(model.filter, 'orders');
    assert.deepEqual(model.children().map(labelOf), ['! Filter: "orders"', 'models', 'sources', 'tests']);
    assert.deepEqual(at('models', '[marts]').map(labelOf), ['broken_orders', 'orders']);
    projects.changed.fire();
    assert.equal(fired, 2, 'a project change is passed on');
  });

  it('shows the last run: an error, a failed test with its failing rows, a success', () => {
    const view = (id: string) => {
      const el = model.elementOf(KEY, id);
      assert.ok(el && el.kind === 'node', id);
      return model.nodeView(el)!;
    };
    const broken = view('model.jaffle_gatehouse.broken_orders');
    assert.deepEqual(broken.icon, { id: 'error', color: 'testing.iconFailed' });
    assert.equal(broken.description, 'table · error');
    const test = view('test.jaffle_gatehouse.assert_no_cancelled_orders');
    assert.equal(test.failingRows, '1547 failing rows');
    assert.equal(test.description, 'fail · 1547 failing rows');
    assert.deepEqual(view('model.jaffle_gatehouse.orders').icon, { id: 'pass', color: 'testing.iconPassed' });
    assert.equal(model.runStatus(KEY, 'model.jaffle_gatehouse.customers'), 'skipped');
    projects.states = [state(KEY, index)];
    assert.deepEqual(view('model.jaffle_gatehouse.orders').icon, { id: 'table' }, 'without run results: the materialization');
  });

  it('reveals a node through the groups that hold it, with ids the tree finds again', () => {
    const el = model.elementOf(KEY, 'model.jaffle_gatehouse.stg_orders')!;
    const chain: string[] = [];
    for (let e: DbtTreeElement | undefined = el; e; e = e.parent) chain.unshift(labelOf(e));
    assert.deepEqual(chain, ['models', '[staging]', 'stg_orders']);
    const listed = at('models', '[staging]').find((c) => labelOf(c) === 'stg_orders')!;
    assert.equal(listed.id, el.id);
    assert.equal(model.elementOf(KEY, 'model.jaffle_gatehouse.nope'), undefined);
  });

  it('keeps the last good tree under a manifest problem, and says when there is none', () => {
    const error = new DbtManifestError('truncated', 'The manifest ends early.', 'Run dbt again.');
    projects.states = [state(KEY, index, { error })];
    const [first] = model.children();
    assert.equal(first.kind, 'message');
    assert.match(labelOf(first), /Manifest problem: The manifest ends early/);
    assert.ok(first.kind === 'message' && /last good manifest/.test(first.detail ?? ''));
    projects.states = [state(KEY, undefined, { loading: true })];
    assert.deepEqual(model.children().map(labelOf), ['! Loading the manifest…']);
  });

  it('puts several projects under their own nodes, and the dbt Cloud node last', () => {
    projects.states = [state(KEY, index), state('/w/other', index)];
    availability = 'signIn';
    const roots = model.children();
    assert.deepEqual(roots.map((r) => r.kind), ['project', 'project', 'cloud']);
    assert.deepEqual(model.children(roots[0]).map(labelOf), ['models', 'sources', 'seeds', 'snapshots', 'exposures', 'tests']);
    assert.deepEqual(model.children(roots[2]).map(labelOf), ['! Sign in to see dbt Cloud jobs']);
    const el = model.elementOf('/w/other', 'model.jaffle_gatehouse.orders')!;
    let top: DbtTreeElement = el;
    while (top.parent) top = top.parent;
    assert.equal(top.kind, 'project', 'with several projects, reveal goes through the project node');
    assert.equal(top.id, 'p:/w/other');
  });

  it("asks for the token gatehouse.dbtCloud.credential names: personal, service (a shared identity), or the proxy's audience", () => {
    projects.states = [state(KEY, index)];
    const table: [typeof availability, string, string | undefined][] = [
      ['token', '! Set a dbt Cloud token…', 'gatehouse.dbtCloud.setToken'],
      ['serviceToken', '! Set a dbt Cloud service token (a shared identity, not you)…', 'gatehouse.dbtCloud.setToken'],
      ['audience', '! Set gatehouse.dbtCloud.audience for the identity-aware proxy', undefined],
    ];
    for (const [a, text, command] of table) {
      availability = a;
      const cloud = model.children().find((r) => r.kind === 'cloud')!;
      const [message] = model.children(cloud);
      assert.equal(labelOf(message), text);
      assert.equal(message.kind === 'message' ? message.command?.command : 'not a message', command);
    }
  });
});
