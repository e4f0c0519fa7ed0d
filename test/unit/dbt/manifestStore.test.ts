// ManifestStore keeps the last good index; parseRunResults maps statuses and survives damage.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadManifest, type DbtProjectIndex } from '../../../src/dbt/manifest';
import { DbtManifestError } from '../../../src/dbt/manifestErrors';
import { ManifestStore } from '../../../src/dbt/manifestStore';
import type { DbtLoadOptions } from '../../../src/dbt/manifestTypes';
import { parseRunResults, type DbtRunStatus } from '../../../src/dbt/runResults';
import { sharedPath } from '../../support/shared';

const SMALL = sharedPath('corpus', 'dbt', 'A7med-3laa227__dbt_bigquery_project.manifest.json');

describe('ManifestStore', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'gatehouse-dbt-store-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the last good index when a reload fails, and reports that failure', async () => {
    const path = join(dir, 'manifest.json');
    copyFileSync(SMALL, path);
    const store = new ManifestStore();
    const changes: string[] = [];
    store.onDidChange((key) => changes.push(key));
    const first = await store.reload('p', path);
    assert.equal(first.status, 'loaded');
    const good = store.get('p');
    assert.equal(good?.nodesByType('model').length, 2);

    writeFileSync(path, '{"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v12.json"}, "nodes": {');
    const second = await store.reload('p', path);
    assert.equal(second.status, 'failed');
    assert.ok(second.status === 'failed' && DbtManifestError.is(second.error, 'truncated') && second.index === good);
    assert.equal(store.get('p'), good);
    assert.ok(DbtManifestError.is(store.lastError('p'), 'truncated'));

    copyFileSync(SMALL, path);
    assert.equal((await store.reload('p', path)).status, 'loaded');
    assert.notEqual(store.get('p'), good);
    assert.equal(store.lastError('p'), undefined);
    assert.deepEqual(changes, ['p', 'p', 'p']);
    assert.equal(store.get('other'), undefined);
  });

  it('a newer reload supersedes an older one, whose late result is dropped', async () => {
    const releases: (() => void)[] = [];
    const signals: AbortSignal[] = [];
    const real = await loadManifest(SMALL);
    const loader = (_path: string, options: DbtLoadOptions) => {
      signals.push(options.signal!);
      // Ignores its signal on purpose: the store must still drop the stale answer.
      return new Promise<DbtProjectIndex>((resolve) => releases.push(() => resolve(real)));
    };
    const store = new ManifestStore(loader);
    const older = store.reload('p', 'a');
    const newer = store.reload('p', 'b');
    assert.equal(signals[0].aborted, true);
    assert.equal(signals[1].aborted, false);
    releases[1]();
    releases[0]();
    assert.deepEqual([(await older).status, (await newer).status], ['superseded', 'loaded']);
    assert.equal(store.get('p'), real);
  });

  it('delete aborts a reload in flight and forgets the project', async () => {
    let seen: AbortSignal | undefined;
    const store = new ManifestStore((_p, o) => new Promise((_r, reject) => (seen = o.signal!).addEventListener('abort', () => reject(new Error('aborted')))));
    const pending = store.reload('p', 'x');
    store.delete('p');
    assert.equal(seen?.aborted, true);
    assert.equal((await pending).status, 'superseded');
    assert.equal(store.get('p'), undefined);
  });
});

describe('parseRunResults', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'gatehouse-dbt-rr-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, content: string) => {
    writeFileSync(join(dir, name), content);
    return join(dir, name);
  };

  const statuses: [string, DbtRunStatus][] = [
    ['success', 'success'], ['error', 'error'], ['fail', 'fail'], ['warn', 'warn'], ['skipped', 'skipped'],
    ['pass', 'pass'], ['runtime error', 'runtimeError'], ['PASS', 'pass'], ['partial success', 'other'],
  ];

  it('maps every status and keeps timing, message and failures', async () => {
    const results = statuses.map(([status], i) => ({
      unique_id: `model.p.m${i}`, status, execution_time: i + 0.5, message: `msg ${i}`, failures: i === 2 ? 3 : null, thread_id: 'Thread-1',
      timing: [{ name: 'execute', started_at: '2026-01-01T00:00:00Z', completed_at: '2026-01-01T00:00:01Z' }], adapter_response: {},
    }));
    const path = write('run_results.json', JSON.stringify({
      metadata: { dbt_schema_version: 'https://schemas.getdbt.com/dbt/run-results/v6.json', dbt_version: '1.9.4', invocation_id: 'inv' },
      results: [...results, 17, { status: 'success' }], elapsed_time: 12.5, args: { which: 'build' },
    }));
    const rr = await parseRunResults(path);
    assert.deepEqual(statuses.map((_, i) => rr.results.get(`model.p.m${i}`)?.status), statuses.map(([, s]) => s));
    const m2 = rr.results.get('model.p.m2')!;
    assert.deepEqual([m2.executionTime, m2.message, m2.failures, m2.timing[0].name, m2.rawStatus], [2.5, 'msg 2', 3, 'execute', 'fail']);
    assert.deepEqual([rr.schemaVersion, rr.dbtVersion, rr.command, rr.elapsedTime, rr.invocationId], [6, '1.9.4', 'build', 12.5, 'inv']);
    assert.equal(rr.warnings.length, 2);
  });

  const damaged: [string, string, string][] = [
    ['0 bytes', '', 'empty'],
    ['truncated', '{"metadata": {}, "results": [{"unique_id": "a"', 'truncated'],
    ['invalid', '{"results": [}', 'invalidJson'],
    ['a manifest', JSON.stringify({ metadata: { dbt_schema_version: 'https://schemas.getdbt.com/dbt/manifest/v12.json' }, results: [] }), 'notRunResults'],
    ['an array', '[]', 'notRunResults'],
    ['results not a list', '{"results": {}}', 'notRunResults'],
  ];
  for (const [label, content, reason] of damaged) {
    it(`${label} -> ${reason}`, async () => {
      await assert.rejects(parseRunResults(write(`rr-${reason}.json`, content)), (e: unknown) => DbtManifestError.is(e) && e.reason === reason);
    });
  }
  it('a missing file -> notFound', async () => {
    await assert.rejects(parseRunResults(join(dir, 'none.json')), (e: unknown) => DbtManifestError.is(e, 'notFound'));
  });
});
