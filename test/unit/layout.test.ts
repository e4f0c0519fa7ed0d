// The house rules of src/ and media/, checked from the code's own imports:
// - VS Code glue lives in a `vscode/` folder (src/extension.ts, the composition root, excepted);
//   plain code never imports it, so plain Node tests cover everything outside those folders.
// - floors: core at the bottom, then audit, then auth/policy/results, then the features; nothing
//   imports a floor above its own, and a feature's plain code imports no other feature's except
//   where listed (dbt previews on BigQuery).
// - no import cycles, in src/ or bench/.
// - webview code (media/) imports only the message protocols, the cell types shared with the
//   host, the one formatter (src/core/format.ts) and the message formatting of src/core/l10n.ts,
//   and nothing those import reaches Node or VS Code.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { repoRoot } from '../support/shared';
import { listTs } from '../support/sourceFiles';

interface SourceFile {
  path: string; // repository-relative, with '/'
  imports: string[]; // resolved repository-relative files
  external: string[]; // bare specifiers
}


const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[^.\w])(?:require|import)\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g;

function parse(abs: string): SourceFile {
  const text = readFileSync(abs, 'utf8');
  const imports: string[] = [];
  const external: string[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (!spec) continue;
    if (!spec.startsWith('.')) {
      external.push(spec);
      continue;
    }
    const base = resolve(dirname(abs), spec);
    const hit = [`${base}.ts`, join(base, 'index.ts'), base].find((c) => existsSync(c) && statSync(c).isFile());
    if (hit) imports.push(rel(hit));
  }
  return { path: rel(abs), imports, external };
}

const rel = (abs: string) => relative(repoRoot, abs).split(sep).join('/');

function graph(dirs: string[]): Map<string, SourceFile> {
  const files = new Map<string, SourceFile>();
  for (const d of dirs) for (const f of listTs(join(repoRoot, d))) files.set(rel(f), parse(f));
  return files;
}

const importsVscode = (f: SourceFile) => f.external.includes('vscode');
const inVscodeFolder = (p: string) => p.split('/').includes('vscode');

// Floors by first folder under src/. Plain code: core, audit, then auth/policy/results, then the
// features. VS Code glue is a storey of its own above all plain code: the shared glue (src/vscode)
// stands on auth's and audit's glue, and every feature module (results included) on the shared glue.
const FEATURES = ['bigquery', 'airbyte', 'looker', 'metabase', 'dbt'];
const FLOORS: Record<string, number> = {
  core: 0,
  audit: 1,
  auth: 2,
  policy: 2,
  results: 2,
  vscode: 2.5,
  ...Object.fromEntries(FEATURES.map((f) => [f, 3])),
};
const GLUE_FLOORS: Record<string, number> = {
  audit: 1,
  auth: 1,
  vscode: 2,
  results: 3,
  ...Object.fromEntries(FEATURES.map((f) => [f, 3])),
};
// Feature-to-feature imports that are part of the design.
const FEATURE_LINKS = new Set(['dbt->bigquery']);

function folderOf(p: string): string {
  const parts = p.split('/');
  return parts.length > 2 ? parts[1] : '';
}

function findCycles(files: Map<string, SourceFile>): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (p: string) => {
    state.set(p, 'open');
    stack.push(p);
    for (const next of files.get(p)?.imports ?? []) {
      if (!files.has(next)) continue;
      const s = state.get(next);
      if (s === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!s) visit(next);
    }
    stack.pop();
    state.set(p, 'done');
  };
  for (const p of files.keys()) if (!state.has(p)) visit(p);
  return cycles;
}

export function layoutProblems(src: Map<string, SourceFile>, media: Map<string, SourceFile>): string[] {
  const problems: string[] = [];
  for (const f of src.values()) {
    if (f.path === 'src/extension.ts') continue;
    if (importsVscode(f) && !inVscodeFolder(f.path)) problems.push(`${f.path} imports vscode outside a vscode/ folder`);
    const from = folderOf(f.path);
    for (const target of f.imports) {
      if (!target.startsWith('src/')) continue;
      if (target === 'src/extension.ts') {
        problems.push(`${f.path} imports the composition root`);
        continue;
      }
      if (!inVscodeFolder(f.path) && inVscodeFolder(target)) problems.push(`${f.path} (plain) imports VS Code glue ${target}`);
      const to = folderOf(target);
      if (from === to) continue;
      const glue = inVscodeFolder(f.path) && inVscodeFolder(target);
      const fromFloor = (glue ? GLUE_FLOORS : FLOORS)[from];
      const toFloor = (glue ? GLUE_FLOORS : FLOORS)[to];
      if (fromFloor === undefined) problems.push(`${f.path} is in a folder with no floor: add src/${from} to FLOORS or move it`);
      else if (toFloor === undefined) problems.push(`${target} is in a folder with no floor`);
      else if (toFloor > fromFloor) problems.push(`${f.path} imports upward into ${target}`);
      else if (FEATURES.includes(from) && FEATURES.includes(to) && !FEATURE_LINKS.has(`${from}->${to}`)) {
        problems.push(`${f.path} imports another feature: ${target}`);
      }
    }
  }
  for (const c of findCycles(src)) problems.push(`import cycle: ${c.join(' -> ')}`);

  // Webviews: only the shared protocol and cell types, and what they import must be browser-safe.
  // src/core/format.ts is the one formatter, shared so the panel reads numbers as the host does;
  // src/core/l10n.ts fills in a translated message's {0} placeholders the same way on both sides.
  const shared = (p: string) => /^src\/.+Protocol\.ts$/.test(p) || p === 'src/results/types.ts' || p === 'src/core/format.ts' || p === 'src/core/l10n.ts';
  const closure = new Set<string>();
  const addClosure = (p: string) => {
    if (closure.has(p)) return;
    closure.add(p);
    for (const next of src.get(p)?.imports ?? []) addClosure(next);
  };
  for (const f of media.values()) {
    for (const target of f.imports) {
      if (target.startsWith('media/')) continue;
      if (!shared(target)) problems.push(`${f.path} (webview) imports host code ${target}`);
      else addClosure(target);
    }
    for (const ext of f.external) problems.push(`${f.path} (webview) imports the package ${ext}`);
  }
  for (const p of closure) {
    const f = src.get(p);
    if (!f) continue;
    const unsafe = f.external.filter((e) => e === 'vscode' || e.startsWith('node:') || /^[a-z@]/.test(e));
    if (unsafe.length) problems.push(`${p} is shared with webviews but imports ${unsafe.join(', ')}`);
  }
  return problems;
}

describe('layout: the house rules hold in src/, media/ and bench/', () => {
  const src = graph(['src']);
  const media = graph(['media']);

  it('reads the tree it checks', () => {
    assert.ok(src.size > 100, `read ${src.size} files in src/`);
    assert.ok(media.size > 5, `read ${media.size} files in media/`);
    assert.ok(src.get('src/extension.ts')?.imports.length, 'the composition root has imports');
  });

  it('keeps vscode imports in vscode/ folders, floors in order, features apart, no cycles, webviews on the protocol', () => {
    assert.deepEqual(layoutProblems(src, media), []);
  });

  it('has no import cycles among the benchmarks', () => {
    assert.deepEqual(findCycles(graph(['bench'])), []);
  });

  // The checker itself must catch what it is for.
  const file = (path: string, imports: string[] = [], external: string[] = []): [string, SourceFile] => [path, { path, imports, external }];
  const cases: Array<[string, Array<[string, SourceFile]>, Array<[string, SourceFile]>, RegExp]> = [
    ['vscode outside vscode/', [file('src/airbyte/client.ts', [], ['vscode'])], [], /imports vscode outside/],
    ['plain imports glue', [file('src/airbyte/client.ts', ['src/airbyte/vscode/tree.ts']), file('src/airbyte/vscode/tree.ts')], [], /plain\) imports VS Code glue/],
    ['upward import', [file('src/core/http.ts', ['src/audit/auditTrail.ts']), file('src/audit/auditTrail.ts')], [], /imports upward/],
    ['feature to feature', [file('src/looker/client.ts', ['src/metabase/client.ts']), file('src/metabase/client.ts')], [], /another feature/],
    ['cycle', [file('src/core/a.ts', ['src/core/b.ts']), file('src/core/b.ts', ['src/core/a.ts'])], [], /import cycle/],
    ['webview imports host', [file('src/results/rowWindow.ts')], [file('media/x.ts', ['src/results/rowWindow.ts'])], /webview\) imports host code/],
    ['protocol reaches node', [file('src/results/resultsProtocol.ts', [], ['node:fs'])], [file('media/x.ts', ['src/results/resultsProtocol.ts'])], /shared with webviews but imports node:fs/],
    ['formatter reaches node', [file('src/core/format.ts', ['src/core/logger.ts']), file('src/core/logger.ts', [], ['node:os'])], [file('media/x.ts', ['src/core/format.ts'])], /src\/core\/logger\.ts is shared with webviews but imports node:os/],
    ['webview imports other core code', [file('src/core/http.ts')], [file('media/x.ts', ['src/core/http.ts'])], /webview\) imports host code src\/core\/http\.ts/],
  ];
  for (const [name, s, m, expected] of cases) {
    it(`flags ${name}`, () => {
      const problems = layoutProblems(new Map(s), new Map(m));
      assert.ok(problems.some((p) => expected.test(p)), problems.join('\n') || 'no problem found');
    });
  }
});
