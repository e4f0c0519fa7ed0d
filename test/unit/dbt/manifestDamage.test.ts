// Damaged copies of a real manifest, made in a temp dir: file-level damage is a typed error,
// node-level damage is a warning naming the node. Each case runs through both parse paths.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CancelledError } from '../../../src/core/errors';
import { loadManifest, type DbtProjectIndex } from '../../../src/dbt/manifest';
import { DbtManifestError, type DbtManifestErrorReason } from '../../../src/dbt/manifestErrors';
import type { DbtLoadOptions } from '../../../src/dbt/manifestTypes';
import { sharedPath } from '../../support/shared';

const SOURCE = sharedPath('corpus', 'dbt', 'luisleon90__sa-standard-demo.manifest.json');
const MODEL = 'model.analytics.customer_tier';
type Raw = Record<string, any>;

const PATHS: [string, DbtLoadOptions][] = [
  ['fast', {}],
  ['streaming', { streamThresholdBytes: 0, chunkBytes: 4099 }],
];

describe('dbt manifest damage', function () {
  this.timeout(20000);
  let dir: string;
  const text = readFileSync(SOURCE, 'utf8');
  const fresh = (): Raw => JSON.parse(text);
  const write = (name: string, content: string | Buffer) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const mutate = (name: string, change: (m: Raw) => void) => {
    const m = fresh();
    change(m);
    return write(name, JSON.stringify(m));
  };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-dbt-damage-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const size = Buffer.byteLength(text);
  const fileErrors: [string, () => string, DbtManifestErrorReason, DbtLoadOptions?][] = [
    ['a missing file', () => join(dir, 'nope.json'), 'notFound'],
    ['a directory', () => (mkdirSync(join(dir, 'adir'), { recursive: true }), join(dir, 'adir')), 'unreadable'],
    ['a 0-byte file', () => write('zero.json', ''), 'empty'],
    ['whitespace only', () => write('ws.json', ' \n\t '), 'empty'],
    ...[1, 2, 100, Math.floor(size / 3), Math.floor(size / 2), size - 2, size - 1].map(
      (at): [string, () => string, DbtManifestErrorReason] => [`truncated at byte ${at}`, () => write(`trunc${at}.json`, text.slice(0, at)), 'truncated'],
    ),
    ['truncated just after a backslash', () => write('trunc-bs.json', text.slice(0, text.indexOf('\\n', size / 2) + 1)), 'truncated'],
    ['a colon replaced in the middle of nodes', () => write('colon.json', text.replace('"resource_type": "model"', '"resource_type"; "model"').replace('"resource_type":"model"', '"resource_type";"model"')), 'invalidJson'],
    ['an unbalanced bracket inside macros', () => write('bracket.json', text.replace('"macros": {', '"macros": {"x": [}, ').replace('"macros":{', '"macros":{"x":[},')), 'invalidJson'],
    ['garbage bytes', () => write('garbage.bin', Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919 + 13) % 256))), 'invalidJson'],
    ['trailing garbage', () => write('trailing.json', `${text}xyz`), 'invalidJson'],
    ['a JSON array', () => write('array.json', '[{"nodes":{}}]'), 'notAManifest'],
    ['a JSON string', () => write('string.json', '"manifest"'), 'notAManifest'],
    ['run_results.json', () => write('run_results.json', JSON.stringify({ metadata: { dbt_schema_version: 'https://schemas.getdbt.com/dbt/run-results/v6.json' }, results: [], elapsed_time: 1, args: {} })), 'notAManifest'],
    ['catalog.json (has nodes and sources)', () => write('catalog.json', JSON.stringify({ metadata: { dbt_schema_version: 'https://schemas.getdbt.com/dbt/catalog/v1.json' }, nodes: {}, sources: {}, errors: null })), 'notAManifest'],
    ['an object without nodes', () => mutate('nonodes.json', (m) => void delete m.nodes), 'notAManifest'],
    ['nodes as an array', () => mutate('nodesarray.json', (m) => void (m.nodes = Object.values(m.nodes))), 'invalidShape'],
    ['nodes as a string', () => mutate('nodesstring.json', (m) => void (m.nodes = 'x')), 'invalidShape'],
    ['schema v99', () => mutate('v99.json', (m) => void (m.metadata.dbt_schema_version = 'https://schemas.getdbt.com/dbt/manifest/v99.json')), 'unsupportedVersion'],
    ['a file above maxBytes', () => SOURCE, 'tooLarge', { maxBytes: 1000 }],
  ];

  it('says how large a refused file is, in IEC units and the display language', async () => {
    await assert.rejects(loadManifest(SOURCE, { maxBytes: 1536, locale: 'de-DE' }), (error: unknown) => {
      assert.ok(DbtManifestError.is(error), String(error));
      assert.match(error.message, /^The dbt manifest is [\d,]+ (KiB|MiB), above the 1,5 KiB limit\.$/);
      return true;
    });
  });

  for (const [label, makePath, reason, extra] of fileErrors) {
    for (const [pathName, options] of PATHS) {
      it(`${label} -> ${reason} (${pathName})`, async () => {
        const path = makePath();
        await assert.rejects(loadManifest(path, { ...options, ...extra }), (error: unknown) => {
          assert.ok(DbtManifestError.is(error), String(error));
          assert.equal(error.reason, reason, error.message);
          assert.equal(error.service, 'dbt');
          return true;
        });
      });
    }
  }

  interface NodeCase {
    label: string;
    change: (m: Raw) => void;
    check: (index: DbtProjectIndex) => void;
    warning?: { reason: string; uniqueId?: string; section?: string };
  }
  const nodeCases: NodeCase[] = [
    {
      label: "a node's fqn is a string",
      change: (m) => void (m.nodes[MODEL].fqn = 'analytics.customer_tier'),
      check: (i) => assert.deepEqual(i.getNode(MODEL)?.fqn, ['analytics', 'customer_tier']),
      warning: { reason: 'invalidField', uniqueId: MODEL },
    },
    {
      label: 'depends_on.nodes contains numbers',
      change: (m) => void m.nodes[MODEL].depends_on.nodes.push(42, null),
      check: (i) => assert.ok(i.parents(MODEL).length > 0),
      warning: { reason: 'invalidField', uniqueId: MODEL },
    },
    {
      label: 'a node that is a number',
      change: (m) => void (m.nodes['model.analytics.broken'] = 7),
      check: (i) => assert.equal(i.getNode('model.analytics.broken'), undefined),
      warning: { reason: 'invalidNode', uniqueId: 'model.analytics.broken' },
    },
    {
      label: 'an unknown resource type',
      change: (m) => void (m.nodes['widget.analytics.w'] = { ...m.nodes[MODEL], unique_id: 'widget.analytics.w', resource_type: 'widget', name: 'w' }),
      check: (i) => {
        const n = i.getNode('widget.analytics.w')!;
        assert.deepEqual([n.resourceType, n.rawResourceType], ['other', 'widget']);
        assert.deepEqual(i.nodesByType('other'), [n]);
      },
    },
    {
      label: 'a function node (dbt 1.11 UDF) and a functions section',
      change: (m) => {
        m.functions = { 'function.analytics.f': { resource_type: 'function', name: 'f', package_name: 'analytics', fqn: ['analytics', 'udfs', 'f'], depends_on: { nodes: [] } } };
        m.nodes[MODEL].depends_on.nodes.push('function.analytics.f');
      },
      check: (i) => {
        assert.equal(i.getNode('function.analytics.f')?.resourceType, 'function');
        assert.ok(i.parents(MODEL).includes('function.analytics.f'));
      },
    },
    {
      label: 'exposures as an array',
      change: (m) => void (m.exposures = []),
      check: (i) => assert.equal(i.nodesByType('exposure').length, 0),
      warning: { reason: 'invalidSection', section: 'exposures' },
    },
    {
      label: 'a dependency on a missing node',
      change: (m) => void m.nodes[MODEL].depends_on.nodes.push('model.analytics.gone'),
      check: (i) => assert.ok(!i.parents(MODEL).includes('model.analytics.gone')),
      warning: { reason: 'danglingDependency', uniqueId: MODEL },
    },
    {
      label: 'metadata last and without a schema version (pre-v1 shape), nulls everywhere',
      change: (m) => {
        const meta = m.metadata;
        delete m.metadata;
        m.metadata = { generated_at: meta.generated_at };
        m.generated_at = meta.generated_at;
        Object.assign(m.nodes[MODEL], { tags: null, columns: null, config: null, description: null, depends_on: null, version: null });
      },
      check: (i) => {
        assert.equal(i.info.schemaVersion, undefined);
        const n = i.getNode(MODEL)!;
        assert.deepEqual([n.tags, n.columns, n.description, n.materialization], [[], [], '', undefined]);
      },
    },
  ];

  for (const c of nodeCases) {
    for (const [pathName, options] of PATHS) {
      it(`${c.label} -> ${c.warning ? `${c.warning.reason} warning` : 'kept'} (${pathName})`, async () => {
        const index = await loadManifest(mutate(`node-${nodeCases.indexOf(c)}.json`, c.change), options);
        c.check(index);
        if (c.warning) assert.ok(index.warnings.some((w) => Object.entries(c.warning!).every(([k, v]) => (w as unknown as Raw)[k] === v)), JSON.stringify(index.warnings));
        else assert.deepEqual(index.warnings, []);
        assert.equal(index.nodesByType('model').length, 32);
      });
    }
  }

  it('a byte-order mark is tolerated', async () => {
    const index = await loadManifest(write('bom.json', `\uFEFF${text}`));
    assert.equal(index.nodesByType('model').length, 32);
    assert.equal((await loadManifest(join(dir, 'bom.json'), PATHS[1][1])).nodesByType('model').length, 32);
  });

  it('a huge string field: kept by the fast path, skipped with a warning past maxEntryBytes when streaming', async () => {
    const huge = 'x'.repeat(6 * 1024 * 1024);
    const path = mutate('huge.json', (m) => void (m.nodes[MODEL].raw_code = huge));
    const fast = await loadManifest(path);
    assert.equal((await fast.readCode(MODEL)).rawCode, huge);
    const streamed = await loadManifest(path, { streamThresholdBytes: 0, maxEntryBytes: 1024 * 1024 });
    assert.equal(streamed.getNode(MODEL), undefined);
    assert.deepEqual(streamed.warnings.map((w) => [w.reason, w.uniqueId]).filter(([r]) => r === 'entryTooLarge'), [['entryTooLarge', MODEL]]);
    assert.equal(streamed.nodesByType('model').length, 31);
    // Sizes read in IEC units and in the display language the loader was given.
    const german = await loadManifest(path, { streamThresholdBytes: 0, maxEntryBytes: 1024 * 1024, locale: 'de-DE' });
    assert.match(german.warnings.find((w) => w.reason === 'entryTooLarge')?.message ?? '', /^Entry is 6 MiB, above the per-entry limit; skipped\.$/);
    const roomy = await loadManifest(path, { streamThresholdBytes: 0 });
    assert.equal((await roomy.readCode(MODEL)).rawCode, huge);
  });

  it('code read after the file changed fails with stale', async () => {
    const path = write('stale.json', text);
    const index = await loadManifest(path);
    writeFileSync(path, `${text}  `);
    await assert.rejects(index.readCode(MODEL), (e: unknown) => DbtManifestError.is(e, 'stale'));
    await assert.rejects(index.readCode('model.analytics.nope'), (e: unknown) => DbtManifestError.is(e, 'nodeNotFound'));
  });

  for (const [pathName, options] of PATHS) {
    it(`an aborted signal cancels the load (${pathName})`, async () => {
      const controller = new AbortController();
      const promise = loadManifest(SOURCE, { ...options, signal: controller.signal, chunkBytes: 1024 });
      controller.abort();
      await assert.rejects(promise, (e: unknown) => CancelledError.is(e));
    });
  }
});
