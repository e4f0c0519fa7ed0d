// DbtProjectsModel on real files: discovery input, target-path respected, debounced reloads, a
// damaged manifest reported while the last good index stays, run_results.json read back.
import * as assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadManifest } from '../../../src/dbt/manifest';
import { DbtManifestError } from '../../../src/dbt/manifestErrors';
import type { DbtLoadOptions } from '../../../src/dbt/manifestTypes';
import { DbtProjectsModel } from '../../../src/dbt/projectsModel';

const DEMO = path.join(__dirname, '../../sandbox/demo-workspace/jaffle_gatehouse');

describe('DbtProjectsModel', function () {
  this.timeout(20_000);
  let dir: string;
  let shop: string;
  let loads: string[];
  let model: DbtProjectsModel;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-dbt-projects-'));
    shop = path.join(dir, 'shop');
    cpSync(DEMO, shop, { recursive: true });
    loads = [];
    model = new DbtProjectsModel({
      loadManifest: (p: string, o: DbtLoadOptions) => {
        loads.push(p);
        return loadManifest(p, o);
      },
      readText: (p) => readFile(p, 'utf8'),
      debounceMs: 60,
    });
  });
  afterEach(() => {
    model.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads the projects it is given, skips installed packages, forgets removed ones', async () => {
    const pkg = path.join(shop, 'dbt_packages', 'dbt_utils');
    cpSync(path.join(DEMO, 'dbt_project.yml'), path.join(pkg, 'dbt_project.yml'), { recursive: true });
    await model.setProjectFiles([path.join(shop, 'dbt_project.yml'), path.join(pkg, 'dbt_project.yml')]);
    const [p] = model.projects();
    assert.equal(model.projects().length, 1);
    assert.equal(p.name, 'jaffle_gatehouse');
    assert.equal(p.index?.nodesByType('model').length, 6);
    assert.equal(p.runResults?.results.size && p.runResults.results.size > 0, true, 'the demo run_results.json is read');
    assert.equal(model.projectOf(path.join(shop, 'models', 'marts', 'orders.sql'))?.key, shop);
    assert.equal(model.projectOf(path.join(dir, 'elsewhere.sql')), undefined);
    await model.setProjectFiles([]);
    assert.deepEqual(model.projects(), []);
  });

  it('follows target-path from dbt_project.yml, and a change to it', async () => {
    const yml = path.join(shop, 'dbt_project.yml');
    writeFileSync(yml, readFileSync(yml, 'utf8').replace('target-path: "target"', 'target-path: "build_out"'));
    cpSync(path.join(shop, 'target'), path.join(shop, 'build_out'), { recursive: true });
    rmSync(path.join(shop, 'target'), { recursive: true });
    await model.setProjectFiles([yml]);
    assert.equal(model.projects()[0].location.manifestPath, path.join(shop, 'build_out', 'manifest.json'));
    assert.ok(model.projects()[0].index);

    writeFileSync(yml, readFileSync(yml, 'utf8').replace('"build_out"', '"gone"'));
    model.fileChanged(yml);
    await model.whenIdle();
    const p = model.projects()[0];
    assert.equal(p.location.manifestPath, path.join(shop, 'gone', 'manifest.json'));
    assert.ok(DbtManifestError.is(p.error, 'notFound'));
    assert.ok(p.index, 'the last good index is kept');
  });

  it('debounces bursts of changes into one reload', async () => {
    await model.setProjectFiles([path.join(shop, 'dbt_project.yml')]);
    loads.length = 0;
    let fired = 0;
    model.onDidChange(() => fired++);
    const manifest = path.join(shop, 'target', 'manifest.json');
    for (let i = 0; i < 8; i++) {
      model.fileChanged(manifest);
      await new Promise((r) => setTimeout(r, 10));
    }
    await model.whenIdle();
    assert.equal(loads.length, 1);
    assert.ok(fired >= 1);
    model.fileChanged(path.join(shop, 'models', 'x.sql'));
    await model.whenIdle();
    assert.equal(loads.length, 1, 'other files do not reload the manifest');
  });

  it('reports a truncated manifest and keeps the last good index until dbt writes a whole one', async () => {
    await model.setProjectFiles([path.join(shop, 'dbt_project.yml')]);
    const good = model.projects()[0].index!;
    const manifest = path.join(shop, 'target', 'manifest.json');
    const text = readFileSync(manifest, 'utf8');
    writeFileSync(manifest, text.slice(0, Math.floor(text.length / 2)));
    model.fileChanged(manifest);
    await model.whenIdle();
    let p = model.projects()[0];
    assert.ok(DbtManifestError.is(p.error, 'truncated'), String(p.error));
    assert.match((p.error as DbtManifestError).userMessage, /dbt parse/);
    assert.equal(p.index, good);

    writeFileSync(manifest, text);
    model.fileChanged(manifest);
    await model.whenIdle();
    p = model.projects()[0];
    assert.equal(p.error, undefined);
    assert.notEqual(p.index, good);
  });

  it('looks again at a half-written manifest even when no further change event comes', async () => {
    await model.setProjectFiles([path.join(shop, 'dbt_project.yml')]);
    const manifest = path.join(shop, 'target', 'manifest.json');
    const text = readFileSync(manifest, 'utf8');
    writeFileSync(manifest, text.slice(0, 1000));
    model.fileChanged(manifest);
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(DbtManifestError.is(model.projects()[0].error, 'truncated'));
    writeFileSync(manifest, text); // the watcher missed this write
    loads.length = 0;
    await model.whenIdle();
    assert.equal(model.projects()[0].error, undefined);
    assert.equal(loads.length, 1, 'one recheck');
  });

  it('reads run_results.json again when it changes, and keeps the previous results through a half-written file', async () => {
    await model.setProjectFiles([path.join(shop, 'dbt_project.yml')]);
    const rr = path.join(shop, 'target', 'run_results.json');
    const write = (status: string) =>
      writeFileSync(rr, JSON.stringify({ metadata: { dbt_schema_version: 'https://schemas.getdbt.com/dbt/run-results/v6.json' }, results: [{ unique_id: 'model.jaffle_gatehouse.orders', status, timing: [] }], args: { which: 'run' } }));
    write('error');
    model.fileChanged(rr);
    await model.whenIdle();
    assert.equal(model.projects()[0].runResults?.results.get('model.jaffle_gatehouse.orders')?.status, 'error');
    assert.equal(model.projects()[0].runResults?.results.size, 1);
    writeFileSync(rr, '{"results": [');
    model.fileChanged(rr);
    await model.whenIdle();
    assert.equal(model.projects()[0].runResults?.results.get('model.jaffle_gatehouse.orders')?.status, 'error');
    write('success');
    model.fileChanged(rr);
    await model.whenIdle();
    assert.equal(model.projects()[0].runResults?.results.get('model.jaffle_gatehouse.orders')?.status, 'success');
    rmSync(rr);
    model.fileChanged(rr);
    await model.whenIdle();
    assert.equal(model.projects()[0].runResults, undefined);
  });
});
