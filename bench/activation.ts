// Activation stays light: builds the shipped (production) bundles with esbuild's metafile, then
// loads dist/extension.js in a plain Node child with a fake `vscode` and calls activate()
// (bench/lib/activationProbe.ts). Reports the activation bundle's size, the share of the host
// bundles' bytes and inputs it carries (the rest is loaded lazily: the Google SDKs on first
// BigQuery use, the dbt manifest worker on first parse), which dist files activate() evaluated,
// and the modules the bundle required. Ratios against all host bundles, measured in one run.
// Note: rebuilds dist/ in production mode (run `node esbuild.mjs` again for a development build).
// Standalone: `npx tsx bench/activation.ts`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../test/support/shared';
import type { ProbeReport } from './lib/activationProbe';
import type { BenchOptions, BenchResult } from './lib/types';

const ACTIVATION_BUNDLE = 'dist/extension.js';

interface Metafile {
  outputs: Record<string, { bytes: number; inputs: Record<string, { bytesInOutput: number }> }>;
}

function run(args: string[], what: string): string {
  const r = spawnSync(process.execPath, args, { cwd: repoRoot, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status}): ${r.stderr.trim().slice(-2_000)}`);
  return r.stdout;
}

/** The host bundles (no source maps, no webview code) and what went into each. */
function hostBundles(meta: Metafile): Array<{ file: string; bytes: number; inputs: string[] }> {
  return Object.entries(meta.outputs)
    .filter(([file]) => file.endsWith('.js') && !file.startsWith('dist/media/'))
    .map(([file, o]) => ({ file, bytes: o.bytes, inputs: Object.keys(o.inputs).filter((i) => o.inputs[i].bytesInOutput > 0) }));
}

export async function runActivationBench(o: BenchOptions = {}): Promise<BenchResult[]> {
  const log = o.log ?? (() => undefined);
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-activation-'));
  try {
    const metaPath = join(dir, 'meta.json');
    log('activation: production build with metafile (rewrites dist/)');
    run(['esbuild.mjs', '--production', '--metafile', metaPath], 'the production build');
    const bundles = hostBundles(JSON.parse(readFileSync(metaPath, 'utf8')) as Metafile);
    const activation = bundles.find((b) => b.file === ACTIVATION_BUNDLE);
    if (!activation) throw new Error(`the build wrote no ${ACTIVATION_BUNDLE}`);
    const allBytes = bundles.reduce((n, b) => n + b.bytes, 0);
    const allInputs = new Set(bundles.flatMap((b) => b.inputs));
    const ours = (inputs: Iterable<string>) => [...inputs].filter((i) => i.startsWith('src/')).length;

    log('activation: activate() in plain Node with a fake vscode');
    const out = run(['--require', 'tsx/cjs', 'bench/lib/activationProbe.ts', ACTIVATION_BUNDLE], 'the activation probe');
    const report = JSON.parse(out.trim().split('\n').pop() ?? '{}') as ProbeReport;
    for (const e of report.errors) log(`activation: error under the fake vscode: ${e}`);
    const evaluated = bundles.filter((b) => report.distFiles.includes(b.file));
    const evaluatedBytes = evaluated.reduce((n, b) => n + b.bytes, 0);
    const lazy = bundles.filter((b) => !report.distFiles.includes(b.file)).map((b) => b.file);
    log(`activation: evaluated ${report.distFiles.join(', ')}; not loaded: ${lazy.join(', ') || 'nothing'}`);
    log(`activation: required ${[...report.load, ...report.activate].join(', ')}`);
    const required = new Set([...report.load, ...report.activate]);

    return [
      { name: `activation bundle ${ACTIVATION_BUNDLE}`, value: activation.bytes, unit: 'bytes' },
      { name: 'activation bundle / all host bundles (bytes)', value: activation.bytes / allBytes, unit: 'ratio' },
      { name: 'inputs in the activation bundle / all host inputs', value: activation.inputs.length / allInputs.size, unit: 'ratio' },
      { name: 'src/ modules in the activation bundle / all src/ bundled', value: ours(activation.inputs) / ours(allInputs), unit: 'ratio' },
      { name: 'bytes evaluated by activate() / all host bundles', value: evaluatedBytes / allBytes, unit: 'ratio', goal: 'the Google SDKs, axios, the OpenTelemetry exporter and the dbt worker stay unloaded' },
      { name: 'host bundles evaluated by activate()', value: evaluated.length, unit: `of ${bundles.length} files` },
      { name: 'modules the bundle required (Node built-ins, vscode)', value: required.size, unit: 'modules' },
      { name: 'of those first required inside activate()', value: report.activate.length, unit: 'modules', goal: '0' },
      { name: 'errors left by activate() under the fake vscode', value: report.errors.length, unit: 'errors', goal: '0' },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  runActivationBench({ log: (l) => process.stderr.write(`${l}\n`) }).then(
    (results) => {
      for (const r of results) process.stdout.write(`${r.name}: ${r.value} ${r.unit}\n`);
    },
    (e) => {
      process.stderr.write(`${e instanceof Error ? e.stack : e}\n`);
      process.exit(1);
    },
  );
}
