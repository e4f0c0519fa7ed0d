// Builds three things:
//  - dist/extension.js: the extension host bundle (node, cjs, `vscode` external)
//  - dist/media/*.js|css: webview bundles (browser, no node built-ins)
//  - out/test/**: integration suites that run inside VS Code (skipped with --production)
// Flags: --production (minify, no sourcemaps, no tests), --watch, --metafile PATH (esbuild's
// metafile of the host bundles, merged, for `npm run bench`'s activation figures).
import * as esbuild from 'esbuild';
import { readdirSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { webviewPages } from './scripts/webviewPages.mjs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

// The Google SDKs go into dist/vendor/google.js, loaded on first BigQuery use (googleSdk.ts):
// in the extension bundle their two requires become requires of that file.
const googleVendorExternal = {
  name: 'google-vendor-external',
  setup(build) {
    build.onResolve({ filter: /^(@google-cloud\/bigquery|google-auth-library)$/ }, (args) =>
      args.kind === 'require-call' ? { path: './vendor/google.js', external: true } : undefined,
    );
    // axios likewise, from its own bundle, with the first HTTP client (core/http.ts).
    build.onResolve({ filter: /^axios$/ }, (args) => (args.kind === 'require-call' ? { path: './vendor/axios.js', external: true } : undefined));
    // The OpenTelemetry logs SDK and exporter from theirs, only when an OTLP endpoint is set (audit/otlpSdk.ts).
    build.onResolve({ filter: /^@opentelemetry\/(sdk-logs|exporter-logs-otlp-http|resources|core)$/ }, (args) =>
      args.kind === 'require-call' ? { path: './vendor/otlp.js', external: true } : undefined,
    );
  },
};

const extension = {
  entryPoints: ['src/extension.ts'],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  outfile: 'dist/extension.js',
  external: ['vscode'],
  // openid-client v6 is ESM-only; bundling it into cjs is what lets the extension host load it.
  mainFields: ['module', 'main'],
  minify: production,
  sourcemap: production ? false : 'linked',
  sourcesContent: false,
  legalComments: production ? 'none' : 'inline',
  logLevel: 'warning',
  metafile: true,
  plugins: [googleVendorExternal],
};

const googleVendor = {
  ...extension,
  entryPoints: ['src/bigquery/googleVendor.ts'],
  outfile: 'dist/vendor/google.js',
  plugins: [],
};

const axiosVendor = {
  ...extension,
  entryPoints: ['src/core/axiosVendor.ts'],
  outfile: 'dist/vendor/axios.js',
  plugins: [],
};

const otlpVendor = {
  ...extension,
  entryPoints: ['src/audit/otlpVendor.ts'],
  outfile: 'dist/vendor/otlp.js',
  plugins: [],
};

// The dbt manifest parser runs in a worker thread so a large manifest never blocks the host.
const dbtWorker = {
  ...extension,
  entryPoints: ['src/dbt/manifestWorkerMain.ts'],
  outfile: 'dist/dbtManifestWorker.js',
  external: [],
  plugins: [],
};

// One bundle per page (scripts/webviewPages.mjs), and each stylesheet.
const webviewEntries = existsSync('media') ? [...webviewPages('media'), ...readdirSync('media').filter((f) => f.endsWith('.css'))].map((f) => join('media', f)) : [];
const webview = {
  entryPoints: webviewEntries,
  bundle: true,
  platform: 'browser',
  target: 'es2022',
  format: 'iife',
  outdir: 'dist/media',
  minify: production,
  sourcemap: production ? false : 'inline',
  logLevel: 'warning',
  loader: { '.svg': 'text' },
};

function findTests(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? findTests(join(dir, e.name)) : /\.ts$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}
const tests = {
  entryPoints: findTests('test/integration/suite'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  outdir: 'out/test/suite',
  outbase: 'test/integration/suite',
  external: ['vscode', 'mocha'],
  mainFields: ['module', 'main'],
  sourcemap: 'inline',
  logLevel: 'warning',
};

const builds = production ? [extension, googleVendor, axiosVendor, otlpVendor, dbtWorker, webview] : [extension, googleVendor, axiosVendor, otlpVendor, dbtWorker, webview, tests];
if (!watch) rmSync('dist', { recursive: true, force: true });
if (!production && !watch) rmSync('out', { recursive: true, force: true });

if (watch) {
  const contexts = await Promise.all(builds.filter((b) => b.entryPoints.length).map((b) => esbuild.context(b)));
  await Promise.all(contexts.map((c) => c.watch()));
  process.stdout.write('esbuild: watching\n');
} else {
  const results = await Promise.all(builds.filter((b) => b.entryPoints.length).map((b) => esbuild.build(b)));
  if (process.argv.includes('--analyze')) {
    process.stdout.write(await esbuild.analyzeMetafile(results[0].metafile));
  }
  const metaPath = process.argv[process.argv.indexOf('--metafile') + 1];
  if (process.argv.includes('--metafile') && metaPath) {
    const metas = results.map((r) => r.metafile).filter(Boolean);
    writeFileSync(metaPath, JSON.stringify({ inputs: Object.assign({}, ...metas.map((m) => m.inputs)), outputs: Object.assign({}, ...metas.map((m) => m.outputs)) }));
  }
}
