// Benchmark: dbt manifest parse + index time as a ratio to a bare JSON.parse(readFileSync()) of the
// same file, measured in the same run (interleaved, median of several iterations), plus how much
// heap the index keeps compared with the parsed JSON. Goal: ratio <= 1.3 on the default path.
//   npx tsx bench/dbt-manifest.ts [--manifest PATH] [--iterations N] [--synth-mb MB]
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { loadManifest, type DbtProjectIndex } from '../src/dbt/manifest';
import { synthesizeManifest } from './lib/dbt-synth';
import { sharedPath } from '../test/support/shared';

export interface DbtBenchOptions {
  /** Benchmark this manifest instead of the largest corpus file. */
  readonly manifest?: string;
  readonly iterations?: number;
  /** Size of the synthesized manifest; 0 skips it. */
  readonly synthBytes?: number;
  readonly corpusDir?: string;
  readonly log?: (line: string) => void;
}

export interface BenchResult {
  readonly name: string;
  readonly file: string;
  readonly bytes: number;
  readonly nodes: number;
  /** Median ms of JSON.parse(readFileSync(path, 'utf8')). */
  readonly baselineMs: number;
  /** Median ms of loadManifest on this path. */
  readonly ms: number;
  readonly ratio: number;
  readonly goal?: number;
  readonly pass?: boolean;
  /** Heap kept alive by the index vs by the parsed JSON, MB, after GC. */
  readonly indexHeapMB: number;
  readonly jsonHeapMB: number;
  /** RSS growth across one load, MB. */
  readonly rssGrowthMB: number;
}

const GOAL = 1.3;
const MB = 1024 * 1024;

function gcFunction(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function retainedHeap(gc: () => void, make: () => Promise<unknown>): Promise<{ heapMB: number; rssMB: number }> {
  gc();
  const before = process.memoryUsage();
  let kept: unknown = await make();
  gc();
  const after = process.memoryUsage();
  const heapMB = (after.heapUsed - before.heapUsed) / MB;
  if (kept === 'never') kept = undefined; // keeps `kept` alive across the measurement
  return { heapMB, rssMB: (after.rss - before.rss) / MB };
}

async function benchFile(name: string, path: string, iterations: number, streaming: boolean, gc: () => void): Promise<BenchResult> {
  const options = streaming ? { streamThresholdBytes: 0 } : {};
  const baseline: number[] = [];
  const ours: number[] = [];
  let index: DbtProjectIndex | undefined;
  // Interleaved so that machine noise and JIT warm-up hit both sides alike; first round is warm-up.
  for (let i = 0; i <= iterations; i++) {
    gc();
    let t = performance.now();
    JSON.parse(readFileSync(path, 'utf8'));
    const b = performance.now() - t;
    gc();
    t = performance.now();
    index = await loadManifest(path, options);
    const o = performance.now() - t;
    if (i > 0) baseline.push(b), ours.push(o);
  }
  const nodes = index!.size;
  index = undefined;
  const json = await retainedHeap(gc, async () => JSON.parse(readFileSync(path, 'utf8')));
  const idx = await retainedHeap(gc, () => loadManifest(path, options));
  const ratio = median(ours) / median(baseline);
  return {
    name,
    file: basename(path),
    bytes: statSync(path).size,
    nodes,
    baselineMs: median(baseline),
    ms: median(ours),
    ratio,
    goal: streaming ? undefined : GOAL,
    pass: streaming ? undefined : ratio <= GOAL,
    indexHeapMB: idx.heapMB,
    jsonHeapMB: json.heapMB,
    rssGrowthMB: idx.rssMB,
  };
}

function largestCorpusFile(dir: string): string {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => join(dir, f));
  return files.sort((a, b) => statSync(b).size - statSync(a).size)[0];
}

export function formatDbtBench(results: readonly BenchResult[]): string {
  const head = ['case', 'file', 'MB', 'nodes', 'JSON.parse ms', 'load ms', 'ratio', 'goal', 'index heap MB', 'JSON heap MB', 'RSS +MB'];
  const rows = results.map((r) => [
    r.name, r.file.slice(0, 34), (r.bytes / MB).toFixed(1), String(r.nodes), r.baselineMs.toFixed(1), r.ms.toFixed(1), r.ratio.toFixed(2),
    r.goal === undefined ? '-' : `<=${r.goal} ${r.pass ? 'ok' : 'MISS'}`, r.indexHeapMB.toFixed(1), r.jsonHeapMB.toFixed(1), r.rssGrowthMB.toFixed(1),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export async function runDbtManifestBench(opts: DbtBenchOptions = {}): Promise<BenchResult[]> {
  const log = opts.log ?? (() => undefined);
  const gc = gcFunction();
  const iterations = opts.iterations ?? 7;
  const corpus = opts.corpusDir ?? sharedPath('corpus', 'dbt');
  const real = opts.manifest ?? largestCorpusFile(corpus);
  const results: BenchResult[] = [];
  log(`dbt manifest: ${basename(real)}`);
  results.push(await benchFile('default (fast path)', real, iterations, false, gc));
  results.push(await benchFile('streaming (forced)', real, iterations, true, gc));
  const synthBytes = opts.synthBytes ?? 100 * MB;
  if (synthBytes > 0) {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-dbt-bench-'));
    try {
      const source = opts.manifest ?? join(corpus, 'fivetran__dbt_ad_reporting.manifest.json');
      const synth = synthesizeManifest(source, join(dir, 'manifest.json'), synthBytes);
      log(`synthesized ${(synth.bytes / MB).toFixed(0)} MB (${synth.copies} copies)`);
      const n = Math.max(3, Math.ceil(iterations / 2));
      results.push(await benchFile('synth default (fast path)', synth.path, n, false, gc));
      results.push(await benchFile('synth streaming (forced)', synth.path, n, true, gc));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return results;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (require.main === module) {
  const synthMb = arg('--synth-mb');
  runDbtManifestBench({
    manifest: arg('--manifest'),
    iterations: arg('--iterations') ? Number(arg('--iterations')) : undefined,
    synthBytes: synthMb === undefined ? undefined : Number(synthMb) * MB,
    log: (l) => console.log(l),
  }).then(
    (results) => {
      console.log(formatDbtBench(results));
      if (results.some((r) => r.pass === false)) process.exitCode = 1;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 2;
    },
  );
}
