// dbt_project.yml reading (the few keys Gatehouse needs), where a project's artifacts are, which
// files are workspace projects; selectors and argv for dbt, with names that must not reach dbt.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { DbtCommandLineError, dbtArgs, selectorFor, type DbtScope, type SelectableNode } from '../../../src/dbt/dbtCommandLine';
import { isWorkspaceProjectFile, locateArtifacts, parseDbtProjectConfig, readTopLevelYaml } from '../../../src/dbt/projectConfig';

describe('dbt_project.yml', () => {
  const table: [string, string, Partial<ReturnType<typeof parseDbtProjectConfig>>][] = [
    ['defaults when keys are absent', 'name: shop\n', { name: 'shop', targetPath: 'target', modelPaths: ['models'], seedPaths: ['seeds'] }],
    ['flow lists, quotes, comments', "name: 'shop' # the project\nmodel-paths: [\"models\", 'more_models'] # two\ntarget-path: \"build/dbt\"\n", { name: 'shop', modelPaths: ['models', 'more_models'], targetPath: 'build/dbt' }],
    ['block lists', 'model-paths:\n  - models\n  - "lib/models"\nseed-paths:\n- data\nname: x\n', { modelPaths: ['models', 'lib/models'], seedPaths: ['data'], name: 'x' }],
    ['Jinja is not evaluated: dbt defaults apply', 'target-path: "{{ env_var(\'DBT_TARGET\') }}"\n', { targetPath: 'target', ignored: ['target-path'] }],
    ['nested config does not leak into top-level keys', 'models:\n  shop:\n    target-path: nope\n    name: nested\nname: top\n', { name: 'top', targetPath: 'target' }],
    ['CRLF and a BOM', '\uFEFFname: win\r\ntarget-path: out\r\n', { name: 'win', targetPath: 'out' }],
    ['a # inside quotes is not a comment', 'name: "a#b"\n', { name: 'a#b' }],
    ['quoted keys', '"name": shop\n\'model-paths\': [m1]\n', { name: 'shop', modelPaths: ['m1'] }],
    ['a flow list over several lines', 'model-paths: [\n  "models",\n  "lib/models"  # shared\n]\nname: x\n', { modelPaths: ['models', 'lib/models'], name: 'x' }],
    ['block lists indented under a key, with comments between', 'seed-paths:\n    # seeds\n    - data\n\n    - "more data"\n', { seedPaths: ['data', 'more data'] }],
    ['anchors and aliases', 'x: &p build\ntarget-path: *p\n', { targetPath: 'build' }],
    ['a folded multi-line name', 'name: >-\n  shop\n', { name: 'shop' }],
    ['unquoted Jinja is a YAML mapping: ignored, defaults apply', "target-path: {{ env_var('T') }}\n", { targetPath: 'target', ignored: ['target-path'] }],
    ['a list of mappings is not a path list', 'model-paths:\n  - a: b\n', { modelPaths: ['models'], ignored: ['model-paths'] }],
    ['broken YAML: defaults and a problem that names the line', 'name: shop\nmodel-paths: [models\n', { modelPaths: ['models'], name: undefined }],
    ['a key written twice is a problem, not a silent pick', 'name: a\nname: b\n', { name: undefined }],
  ];
  for (const [title, text, expected] of table) {
    it(title, () => {
      const config = parseDbtProjectConfig(text);
      for (const [k, v] of Object.entries(expected)) assert.deepEqual(config[k as keyof typeof config], v, k);
    });
  }

  it('says why a broken file was not used', () => {
    assert.match(parseDbtProjectConfig('name: shop\nmodel-paths: [models\n').problem ?? '', /not valid YAML.*line \d+/);
    assert.match(parseDbtProjectConfig('name: a\nname: b\n').problem ?? '', /not valid YAML/);
    assert.match(parseDbtProjectConfig('- a\n- b\n').problem ?? '', /not a YAML mapping/);
    assert.equal(parseDbtProjectConfig('name: fine\n').problem, undefined);
  });

  it('bounds alias expansion (a YAML bomb reads as a problem, quickly)', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 12; i++) bomb.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    bomb.push('name: shop');
    const config = parseDbtProjectConfig(bomb.join('\n'));
    assert.match(config.problem ?? '', /alias/i);
  });

  it('reads the demo project', async () => {
    const { readFileSync } = await import('node:fs');
    const file = path.join(__dirname, '../../sandbox/demo-workspace/jaffle_gatehouse/dbt_project.yml');
    const config = parseDbtProjectConfig(readFileSync(file, 'utf8'));
    assert.equal(config.name, 'jaffle_gatehouse');
    assert.deepEqual(config.snapshotPaths, ['snapshots']);
    assert.equal(readTopLevelYaml(readFileSync(file, 'utf8')).get('clean-targets')?.toString(), 'target,dbt_packages');
  });

  it('locates artifacts from target-path, DBT_TARGET_PATH first', () => {
    const file = path.resolve('/w/shop/dbt_project.yml');
    const config = parseDbtProjectConfig('target-path: build\n');
    assert.equal(locateArtifacts(file, config).manifestPath, path.resolve('/w/shop/build/manifest.json'));
    assert.equal(locateArtifacts(file, config, { DBT_TARGET_PATH: '/tmp/t' }).runResultsPath, path.resolve('/tmp/t/run_results.json'));
    assert.equal(locateArtifacts(file, config).key, path.resolve('/w/shop'));
  });

  it('ignores installed packages', () => {
    const table: [string, boolean][] = [
      ['/w/shop/dbt_project.yml', true],
      ['/w/shop/dbt_packages/dbt_utils/dbt_project.yml', false],
      ['C:\\w\\shop\\dbt_modules\\x\\dbt_project.yml', false],
      ['/w/node_modules/x/dbt_project.yml', false],
      ['/w/monorepo/analytics/dbt_project.yml', true],
    ];
    for (const [file, expected] of table) assert.equal(isWorkspaceProjectFile(file), expected, file);
  });
});

describe('dbt selectors and arguments', () => {
  const model: SelectableNode = { uniqueId: 'model.shop.stg_orders', name: 'stg_orders', resourceType: 'model' };
  const table: [SelectableNode, DbtScope, string][] = [
    [model, 'only', 'stg_orders'],
    [model, 'parents', '+stg_orders'],
    [model, 'children', 'stg_orders+'],
    [model, 'both', '+stg_orders+'],
    [{ uniqueId: 'model.shop.dim.v2', name: 'dim', resourceType: 'model', version: 2 }, 'children', 'dim.v2+'],
    [{ uniqueId: 'source.shop.raw.orders', name: 'orders', resourceType: 'source', sourceName: 'raw' }, 'children', 'source:raw.orders+'],
    [{ uniqueId: 'seed.shop.codes', name: 'codes', resourceType: 'seed' }, 'both', '+codes+'],
    [{ uniqueId: 'exposure.shop.dash', name: 'dash', resourceType: 'exposure' }, 'parents', '+exposure:dash'],
    [{ uniqueId: 'semantic_model.shop.orders', name: 'orders', resourceType: 'semantic_model' }, 'only', 'semantic_model:orders'],
  ];
  for (const [node, scope, expected] of table) {
    it(`${node.uniqueId} ${scope} → ${expected}`, () => assert.equal(selectorFor(node, scope), expected));
  }

  const hostile = ['orders; rm -rf /', '-s', '--vars {a: 1}', 'a b', '"quoted"', '$(whoami)', 'x*', 'a+b', '', 'back`tick`'];
  for (const name of hostile) {
    it(`refuses the node name ${JSON.stringify(name)}`, () => {
      assert.throws(() => selectorFor({ ...model, name }, 'both'), (e) => DbtCommandLineError.is(e, 'unsafeName'));
    });
  }

  it('refuses nodes dbt cannot select', () => {
    assert.throws(() => selectorFor({ uniqueId: 'operation.shop.on-run-end', name: 'x', resourceType: 'operation' }, 'only'), (e) => DbtCommandLineError.is(e, 'unsupportedNode'));
    assert.throws(() => selectorFor({ uniqueId: 'source.shop.x', name: 'x', resourceType: 'source' }, 'only'), (e) => DbtCommandLineError.is(e, 'unsupportedNode'));
  });

  it('builds argv as separate elements, never a shell string', () => {
    assert.deepEqual(dbtArgs({ command: 'build', select: ['+stg_orders+'] }), ['build', '--select', '+stg_orders+']);
    assert.deepEqual(dbtArgs({ command: 'compile' }), ['compile']);
    assert.deepEqual(dbtArgs({ command: 'ls', select: ['orders+'], jsonLog: true }), ['ls', '--select', 'orders+', '--log-format-file', 'json']);
    assert.deepEqual(dbtArgs({ command: 'run', select: ['a', 'tag:nightly'] }), ['run', '--select', 'a', 'tag:nightly']);
    assert.throws(() => dbtArgs({ command: 'run', select: ['--full-refresh'] }), (e) => DbtCommandLineError.is(e, 'unsafeName'));
    assert.throws(() => dbtArgs({ command: 'run', select: ['a\nb'] }), (e) => DbtCommandLineError.is(e, 'unsafeName'));
    assert.throws(() => dbtArgs({ command: 'debug' as 'run' }), (e) => DbtCommandLineError.is(e, 'unknownCommand'));
  });
});
