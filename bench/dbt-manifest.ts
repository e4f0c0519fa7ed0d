// Benchmark: dbt manifest parse + index time as a ratio to a bare JSON.parse(readFileSync()) of the
// same file, measured in the same run (interleaved, median of several iterations), plus how much
// heap the index keeps compared with the parsed JSON. Goal: ratio <= 1.3 on the default path.
// A file beyond V8's string limit (about 512 MB: the baseline cannot even read it into a string)
// is reported as our MB/s and peak RSS instead of a ratio.
//   npx tsx bench/dbt-manifest.ts [--manifest PATH] [--iterations N] [--synth-mb MB] [--huge-mb MB]
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { constants as bufferConstants } from 'node:buffer';
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
  /** Size of a synthesized manifest beyond V8's string limit (default: the limit + 40 MB); 0 skips it. */
  readonly hugeBytes?: number;
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
  /** Only for a file the baseline cannot read (beyond V8's string limit): our throughput and peak RSS. */
  readonly beyondStringLimit?: { readonly mbPerSecond: number; readonly peakRssMB: number; readonly baselineError: string };
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

/** V8's longest string, in UTF-16 units: a file longer than this cannot be read with readFileSync(…, 'utf8'). */
export const V8_STRING_LIMIT = bufferConstants.MAX_STRING_LENGTH;

/** One load of a file the baseline cannot read: MB/s and the peak RSS, sampled while it runs. */
async function benchBeyondLimit(name: string, path: string, gc: () => void): Promise<BenchResult> {
  let baselineError = '';
  try {
    JSON.parse(readFileSync(path, 'utf8'));
    baselineError = 'none (the file fits in a string after all)';
  } catch (err) {
    baselineError = (err as { code?: string }).code ?? String(err).slice(0, 60);
  }
  gc();
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25);
  const t = performance.now();
  let index: DbtProjectIndex | undefined = await loadManifest(path);
  const ms = performance.now() - t;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  const nodes = index.size;
  index = undefined;
  const bytes = statSync(path).size;
  return {
    name,
    file: basename(path),
    bytes,
    nodes,
    baselineMs: Number.NaN,
    ms,
    ratio: Number.NaN,
    indexHeapMB: Number.NaN,
    jsonHeapMB: Number.NaN,
    rssGrowthMB: (peak - rssBefore) / MB,
    beyondStringLimit: { mbPerSecond: bytes / MB / (ms / 1000), peakRssMB: peak / MB, baselineError },
  };
}

function largestCorpusFile(dir: string): string {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => join(dir, f));
  return files.sort((a, b) => statSync(b).size - statSync(a).size)[0];
}

export function formatDbtBench(results: readonly BenchResult[]): string {
  const head = ['case', 'file', 'MB', 'nodes', 'JSON.parse ms', 'load ms', 'ratio', 'goal', 'index heap MB', 'JSON heap MB', 'RSS +MB'];
  const rows = results.map((r) =>
    r.beyondStringLimit
      ? [
          r.name, r.file.slice(0, 34), (r.bytes / MB).toFixed(1), String(r.nodes), `cannot (${r.beyondStringLimit.baselineError})`, r.ms.toFixed(1),
          `${r.beyondStringLimit.mbPerSecond.toFixed(1)} MB/s`, '-', '-', '-', `${r.rssGrowthMB.toFixed(1)} (peak ${r.beyondStringLimit.peakRssMB.toFixed(0)})`,
        ]
      : [
          r.name, r.file.slice(0, 34), (r.bytes / MB).toFixed(1), String(r.nodes), r.baselineMs.toFixed(1), r.ms.toFixed(1), r.ratio.toFixed(2),
          r.goal === undefined ? '-' : `<=${r.goal} ${r.pass ? 'ok' : 'MISS'}`, r.indexHeapMB.toFixed(1), r.jsonHeapMB.toFixed(1), r.rssGrowthMB.toFixed(1),
        ],
  );
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
  const hugeBytes = opts.hugeBytes ?? V8_STRING_LIMIT + 40 * MB;
  if (hugeBytes > 0) {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-dbt-bench-huge-'));
    try {
      const synth = synthesizeManifest(join(corpus, 'fivetran__dbt_ad_reporting.manifest.json'), join(dir, 'manifest.json'), hugeBytes);
      log(`synthesized ${(synth.bytes / MB).toFixed(0)} MB beyond V8's string limit of ${(V8_STRING_LIMIT / MB).toFixed(0)} M characters`);
      results.push(await benchBeyondLimit('beyond V8 string limit', synth.path, gc));
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
  const hugeMb = arg('--huge-mb');
  runDbtManifestBench({
    manifest: arg('--manifest'),
    iterations: arg('--iterations') ? Number(arg('--iterations')) : undefined,
    synthBytes: synthMb === undefined ? undefined : Number(synthMb) * MB,
    hugeBytes: hugeMb === undefined ? undefined : Number(hugeMb) * MB,
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
