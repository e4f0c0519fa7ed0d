// Child process of the activation benchmark: loads a built dist/extension.js in plain Node with a
// fake `vscode` (a Module._load hook), calls activate() with a fake context, waits for the work
// activation starts to settle, and prints one JSON line: what the bundle required while loading
// and while activating, and which of dist/'s files were evaluated. A separate process, so the
// timers and watchers activation starts cannot touch the benchmark's own measurements.
//   node --require tsx/cjs bench/lib/activationProbe.ts dist/extension.js
import Module from 'node:module';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fakeContext, fakeVscode } from './fakeVscode';

export interface ProbeReport {
  /** Distinct specifiers the bundle's files required while loading, then while activating. */
  load: string[];
  activate: string[];
  /** dist/ files evaluated (repository-relative), after activation. */
  distFiles: string[];
  activateMs: number;
  /** Errors activation left behind (thrown, or rejected promises nobody awaited). */
  errors: string[];
}

const SETTLE_MS = 500;

async function probe(bundlePath: string): Promise<ProbeReport> {
  const bundle = resolve(bundlePath);
  const dist = dirname(bundle);
  const root = dirname(dist);
  const vscode = fakeVscode();
  const errors: string[] = [];
  process.on('unhandledRejection', (e) => errors.push(String(e instanceof Error ? e.message : e)));
  process.on('uncaughtException', (e) => errors.push(e.message));

  let phase: 'load' | 'activate' = 'load';
  const seen = { load: new Set<string>(), activate: new Set<string>() };
  const moduleApi = Module as unknown as { _load(request: string, parent: { filename?: string } | undefined, isMain: boolean): unknown };
  const original = moduleApi._load;
  moduleApi._load = function (request, parent, isMain) {
    if (parent?.filename?.startsWith(dist)) seen[phase].add(request);
    if (request === 'vscode') return vscode;
    return original.call(this, request, parent, isMain);
  };

  const storage = mkdtempSync(join(tmpdir(), 'gatehouse-activation-'));
  try {
    const ext = require(bundle) as { activate(context: unknown): unknown; deactivate?(): unknown };
    phase = 'activate';
    const packageJSON = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const context = fakeContext(root, storage, packageJSON);
    const t0 = performance.now();
    try {
      await ext.activate(context);
    } catch (e) {
      errors.push(`activate threw: ${e instanceof Error ? e.message : String(e)}`);
    }
    const activateMs = performance.now() - t0;
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    for (const d of context.subscriptions.reverse()) {
      try {
        d.dispose();
      } catch (e) {
        errors.push(`dispose threw: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    ext.deactivate?.();
    const distFiles = Object.keys(require.cache)
      .filter((f) => f.startsWith(dist))
      .map((f) => relative(root, f).split('\\').join('/'))
      .sort();
    const activate = [...seen.activate].filter((r) => !seen.load.has(r));
    return { load: [...seen.load].sort(), activate: activate.sort(), distFiles, activateMs, errors };
  } finally {
    moduleApi._load = original;
    rmSync(storage, { recursive: true, force: true });
  }
}

if (require.main === module) {
  probe(process.argv[2] ?? 'dist/extension.js').then(
    (report) => {
      process.stdout.write(`${JSON.stringify(report)}\n`);
      process.exit(0);
    },
    (e) => {
      process.stderr.write(`activation probe failed: ${e instanceof Error ? e.stack : e}\n`);
      process.exit(1);
    },
  );
}
