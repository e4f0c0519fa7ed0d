// Runs the integration suites (out/test/suite, built by `node esbuild.mjs`) inside a real VS Code
// extension host against the shipped extension, and ends with one line:
// `integration: N passed, M failed`. Exit 0 only when M == 0 and N > 0.
//
//   node test/integration/runner/run.mjs [--vsix FILE] [--workspace DIR] [--user-settings FILE.json] [--grep PATTERN] [--env KEY=VALUE]... [--locale TAG]
//
// The extension is the production build from the .vsix (default gatehouse.vsix, made by `npm run
// package`): its extension/ folder, exactly the files VS Code installs, unzipped into the run's temp
// folder and loaded as the extension development path, which is what gives the suites
// ExtensionMode.Test and so the test seams. The suites themselves stay outside it (out/test).
// VS Code is code-server + headless Chromium (see workbench.mjs, README.md).
//
// --locale TAG (e.g. de) runs VS Code in that display language, with the extension pseudo-translated
// into it (pseudoLocale.mjs); the suites read the language from GATEHOUSE_LOCALE.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { withVSCode, TimeoutError, InterruptedError, REPO_ROOT } from './workbench.mjs';
import { log } from './provision.mjs';
import { extractExtension } from '../../../scripts/vsix.mjs';
import { writePseudoLocale } from './pseudoLocale.mjs';

const RESULT = /GATEHOUSE_RESULT (\{[^}]*\})/;
const DEFAULT_TIMEOUT_MS = 15 * 60_000;
// After the result line, how long to wait for the extension host to report its exit code.
const EXIT_GRACE_MS = 15_000;

async function main() {
  const { values } = parseArgs({
    options: {
      workspace: { type: 'string' },
      grep: { type: 'string' },
      env: { type: 'string', multiple: true, default: [] },
      'user-settings': { type: 'string' },
      vsix: { type: 'string' },
      locale: { type: 'string' },
    },
  });
  // Settings the extension reads (machine-scoped ones cannot come from the workspace).
  const settings = values['user-settings'] ? JSON.parse(readFileSync(values['user-settings'], 'utf8')) : {};
  const env = {};
  for (const kv of values.env) {
    const i = kv.indexOf('=');
    if (i < 1) throw new Error(`--env expects KEY=VALUE, got ${kv}`);
    env[kv.slice(0, i)] = kv.slice(i + 1);
  }
  if (values.grep) env.GATEHOUSE_TEST_GREP = values.grep;
  const locale = values.locale;
  if (locale) env.GATEHOUSE_LOCALE = locale;
  const workspace = values.workspace && resolve(values.workspace);
  if (workspace && !existsSync(workspace)) throw new Error(`--workspace ${workspace} does not exist`);

  const testsIndex = join(REPO_ROOT, 'out/test/suite/index.js');
  if (!existsSync(testsIndex)) throw new Error(`${testsIndex} is missing: run \`node esbuild.mjs\` first`);
  const vsix = resolve(values.vsix ?? join(REPO_ROOT, 'gatehouse.vsix'));
  if (!existsSync(vsix)) throw new Error(`${vsix} is missing: run \`npm run package\` first`);
  const timeoutMs = Number(process.env.GATEHOUSE_TEST_TIMEOUT_MS) || DEFAULT_TIMEOUT_MS;

  let result;
  const noteLine = (line) => {
    const m = RESULT.exec(line);
    if (m && !result) result = parseResult(m[1]);
  };
  const onLine = (line) => {
    process.stdout.write(line + '\n');
    noteLine(line);
  };

  const shipped = mkdtempSync(join(tmpdir(), 'gatehouse-vsix-'));
  let hostCode;
  try {
    const extensionDevelopmentPath = extractExtension(vsix, join(shipped, 'extension'));
    log(`extension: the production build from ${vsix}`);
    if (locale) log(`display language ${locale}: pseudo-translated into ${Object.values(writePseudoLocale(extensionDevelopmentPath, locale)).join(', ')}`);
    hostCode = await runCodeServer({ extensionDevelopmentPath, testsIndex, workspace, env, settings, locale, onLine, timeoutMs, resultSeen: () => result });
  } finally {
    rmSync(shipped, { recursive: true, force: true });
  }

  if (!result) {
    log(`no GATEHOUSE_RESULT line: ${hostCode === undefined ? 'the run did not finish' : `extension host exited with ${hostCode}`}`);
    return summary(0, 1);
  }
  log(`ran inside VS Code ${result.vscode}`);
  if (hostCode === 0) return summary(result.passed, result.failed);
  log(`extension host exit code: ${hostCode ?? 'not reported'}`);
  // All passed yet the host failed (a crash or error after the suites): count that as a failure.
  const hostFailed = typeof hostCode === 'number' && result.failed === 0 && result.passed > 0;
  return summary(result.passed, hostFailed ? 1 : result.failed);
}

async function runCodeServer({ extensionDevelopmentPath, testsIndex, workspace, env, settings, locale, onLine, timeoutMs, resultSeen }) {
  try {
    return await withVSCode(
      { extensionDevelopmentPath, extensionTestsPath: testsIndex.replace(/\.js$/, ''), workspace, env, settings, locale, onLine, timeoutMs },
      async ({ hostExit }) => {
        // The run ends when the extension host exits; the result line usually comes just before.
        // Should the exit report be lost, the result line alone ends the run after a grace period.
        for (;;) {
          const code = await Promise.race([hostExit, sleep(1000).then(() => undefined)]);
          if (code !== undefined) return code;
          if (resultSeen()) return Promise.race([hostExit, sleep(EXIT_GRACE_MS).then(() => undefined)]);
        }
      },
    );
  } catch (err) {
    if (InterruptedError.is(err)) throw err;
    log(TimeoutError.is(err) ? `${err.message} (GATEHOUSE_TEST_TIMEOUT_MS=${timeoutMs})` : err.stack);
    return undefined;
  }
}

function parseResult(json) {
  try {
    const r = JSON.parse(json);
    if (Number.isInteger(r.passed) && Number.isInteger(r.failed)) return r;
  } catch {
    // fall through
  }
  log(`unreadable result line: ${json}`);
  return undefined;
}

function summary(passed, failed) {
  process.stdout.write(`integration: ${passed} passed, ${failed} failed\n`);
  return failed === 0 && passed > 0 ? 0 : 1;
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

main().then(
  (code) => process.exit(code),
  (err) => {
    log(err.message);
    summary(0, 1);
    process.exit(InterruptedError.is(err) ? (err.signal === 'SIGINT' ? 130 : 143) : 1);
  },
);
