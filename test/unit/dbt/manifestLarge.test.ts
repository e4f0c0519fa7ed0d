// A synthesized ~40 MB manifest through the streaming path, and loading in a worker thread.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { synthesizeManifest, type SynthResult } from '../../../bench/lib/dbt-synth';
import { CancelledError } from '../../../src/core/errors';
import { setTranslator, useBundle } from '../../../src/core/l10n';
import { loadManifest, type DbtProjectIndex } from '../../../src/dbt/manifest';
import { DbtManifestError } from '../../../src/dbt/manifestErrors';
import { loadManifestInWorker, type WorkerRequest } from '../../../src/dbt/manifestWorker';
import { sharedPath } from '../../support/shared';

const SOURCE = sharedPath('corpus', 'dbt', 'fivetran__dbt_ad_reporting.manifest.json');
const WORKER_ENTRY = resolve(__dirname, '../../../src/dbt/manifestWorkerMain.ts');
// The extension starts the bundled dist/dbtManifestWorker.js; tests start the .ts entry through tsx.
const tsWorker = (workerData: WorkerRequest) => new Worker(`require('tsx/cjs'); require(${JSON.stringify(WORKER_ENTRY)});`, { eval: true, workerData });

describe('large dbt manifests', function () {
  this.timeout(40000);
  let dir: string;
  let synth: SynthResult;
  let streamed: DbtProjectIndex;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-dbt-large-'));
    synth = synthesizeManifest(SOURCE, join(dir, 'manifest.json'), 40 * 1024 * 1024);
    streamed = await loadManifest(synth.path, { streamThresholdBytes: 1024 * 1024 });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('streams a synthesized 40 MB manifest into the index an independent count expects', () => {
    assert.ok(synth.bytes > 30 * 1024 * 1024, `${synth.bytes}`);
    const counts: Record<string, number> = {};
    for (const n of streamed.nodes()) if (!n.disabled) counts[n.rawResourceType] = (counts[n.rawResourceType] ?? 0) + 1;
    assert.deepEqual(counts, synth.counts);
    assert.equal(counts.model, 223 * synth.copies);
    assert.deepEqual(streamed.warnings, []);
  });

  it('rebuilds lineage of every copy from depends_on (parent_map is empty) and equals the fast path', async () => {
    const raw = JSON.parse(readFileSync(synth.path, 'utf8'));
    for (const section of ['nodes', 'sources', 'metrics']) {
      for (const [id, node] of Object.entries<{ depends_on?: { nodes?: string[] } }>(raw[section])) {
        assert.deepEqual(new Set(streamed.parents(id)), new Set(node.depends_on?.nodes ?? []), id);
      }
    }
    const fast = await loadManifest(synth.path);
    assert.deepEqual(fast.nodes(), streamed.nodes());
    const id = fast.nodesByType('model')[fast.nodesByType('model').length - 1].uniqueId;
    assert.deepEqual(await streamed.readCode(id), await fast.readCode(id));
  });

  it('loads in a worker thread into the same index', async () => {
    const index = await loadManifestInWorker(tsWorker, synth.path, { streamThresholdBytes: 1024 * 1024 });
    assert.deepEqual(index.nodes(), streamed.nodes());
    assert.deepEqual(index.info, streamed.info);
    const model = index.nodesByType('model')[5];
    assert.deepEqual(index.children(model.uniqueId), streamed.children(model.uniqueId));
    assert.ok((await index.readCode(model.uniqueId)).rawCode);
  });

  it('passes typed errors back from the worker, and cancels by terminating it', async () => {
    await assert.rejects(loadManifestInWorker(tsWorker, join(dir, 'missing.json')), (e: unknown) => DbtManifestError.is(e, 'notFound'));
    const controller = new AbortController();
    const pending = loadManifestInWorker(tsWorker, synth.path, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(pending, (e: unknown) => CancelledError.is(e));
  });

  it('words the worker’s messages with the extension’s translations', async () => {
    const missing = join(dir, 'missing.json');
    useBundle({ 'No dbt manifest at {0}.': 'Kein dbt-Manifest unter {0}.' });
    try {
      await assert.rejects(loadManifestInWorker(tsWorker, missing), (e: unknown) => DbtManifestError.is(e, 'notFound') && e.message === `Kein dbt-Manifest unter ${missing}.`);
    } finally {
      setTranslator(undefined);
    }
  });
});
