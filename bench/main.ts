// `npm run bench`: every benchmark, each measured against its own baseline in the same run and
// printed as ratios (these machines are shared and noisy; absolute times mean little).
//   npm run bench                       all
//   npm run bench -- --only dbt         dbt manifest parse/index only
//   npm run bench -- --only results     results fetch/export/panel only
//   npm run bench -- --manifest PATH    the dbt benchmark on any manifest.json
//   npm run bench -- --rows 200000      results benchmarks on a smaller result
//   npm run bench -- --only webview     results panel memory inside a real VS Code (1M rows)
//   npm run bench -- --only activation  activation bundle size and what activate() loads (rebuilds dist/)
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { runActivationBench } from './activation';
import { formatDbtBench, runDbtManifestBench } from './dbt-manifest';
import type { BenchResult } from './lib/types';
import { runResultsBench } from './results-bench';
import { runResultsPanelBench } from './results-panel';

/** One aligned line per result: ratios to 3 places, other units to `digits`. */
function formatResults(results: BenchResult[], digits: number): string {
  const width = Math.max(...results.map((r) => r.name.length));
  return results.map((r) => `${r.name.padEnd(width)}  ${r.value.toFixed(r.unit === 'ratio' ? 3 : digits).padStart(10)} ${r.unit}${r.goal ? `  (goal ${r.goal})` : ''}\n`).join('');
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

/** Runs the *.bench suites inside VS Code (test/run.mjs with GATEHOUSE_BENCH=1) and keeps their BENCH lines. */
function runVsCodeBench(log: (line: string) => void): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['test/run.mjs', '--integration'], { env: { ...process.env, GATEHOUSE_BENCH: '1' }, stdio: ['ignore', 'pipe', 'inherit'] });
    const lines: string[] = [];
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /BENCH (.*)$/.exec(line);
      if (m) lines.push(m[1]);
      else if (/passed, \d+ failed$|problem:/.test(line)) log(line);
    });
    child.on('close', (code) => (code === 0 ? resolve(lines) : reject(new Error(`the VS Code benchmark run failed (exit ${code})`))));
  });
}

async function main(): Promise<void> {
  const only = arg('only');
  const log = (line: string) => process.stderr.write(`${line}\n`);
  if (!only || only === 'dbt') {
    const manifest = arg('manifest');
    const results = await runDbtManifestBench({ manifest, synthBytes: manifest ? 0 : undefined, hugeBytes: manifest ? 0 : undefined, log });
    process.stdout.write(`\n## dbt manifest: parse + index vs bare JSON.parse (goal ratio <= 1.3)\n${formatDbtBench(results)}\n`);
  }
  if (!only || only === 'results') {
    const rows = arg('rows') ? Number(arg('rows')) : undefined;
    const results = [...(await runResultsBench({ rows, log })), ...(await runResultsPanelBench({ rows, log }))];
    process.stdout.write(`\n## results panel core\n${formatResults(results, 1)}`);
  }
  if (!only || only === 'activation') {
    const results = await runActivationBench({ log });
    process.stdout.write(`\n## activation: the bundle read at startup and what activate() loads\n${formatResults(results, 0)}`);
  }
  if (!only || only === 'webview') {
    const lines = await runVsCodeBench(log);
    process.stdout.write(`\n## results panel inside VS Code (1,000,000 rows x 8 columns)\n${lines.join('\n')}\n`);
  }
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : err}\n`);
  process.exit(1);
});
