// Runs the integration suites (out/test/suite, built by `node esbuild.mjs`) inside a real VS Code
// extension host and ends with one line: `integration: N passed, M failed`. Exit 0 only when
// M == 0 and N > 0.
//
//   node test/integration/runner/run.mjs [--workspace DIR] [--user-settings FILE.json] [--grep PATTERN] [--env KEY=VALUE]...
//
// Backends: VS Code desktop through @vscode/test-electron when GATEHOUSE_VSCODE_EXECUTABLE names
// its binary; otherwise code-server + headless Chromium (see workbench.mjs, README.md).
import { existsSync, mkdtempSync, mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { withVSCode, TimeoutError, InterruptedError, REPO_ROOT, QUIET_SETTINGS } from './workbench.mjs';
import { log } from './provision.mjs';

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
  const workspace = values.workspace && resolve(values.workspace);
  if (workspace && !existsSync(workspace)) throw new Error(`--workspace ${workspace} does not exist`);

  const testsIndex = join(REPO_ROOT, 'out/test/suite/index.js');
  if (!existsSync(testsIndex)) throw new Error(`${testsIndex} is missing: run \`node esbuild.mjs\` first`);
  if (!existsSync(join(REPO_ROOT, 'dist/extension.js'))) throw new Error('dist/extension.js is missing: run `node esbuild.mjs` first');
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

  const executable = process.env.GATEHOUSE_VSCODE_EXECUTABLE;
  const hostCode = executable
    ? await runDesktop({ executable, testsIndex, workspace, env, settings, noteLine, timeoutMs })
    : await runCodeServer({ testsIndex, workspace, env, settings, onLine, timeoutMs, resultSeen: () => result });

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

async function runCodeServer({ testsIndex, workspace, env, settings, onLine, timeoutMs, resultSeen }) {
  try {
    return await withVSCode(
      { extensionTestsPath: testsIndex.replace(/\.js$/, ''), workspace, env, settings, onLine, timeoutMs },
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

// Not verifiable on machines without VS Code desktop; kept to what @vscode/test-electron documents.
async function runDesktop({ executable, testsIndex, workspace, env, settings, noteLine, timeoutMs }) {
  const { runTests } = await import('@vscode/test-electron');
  const tmp = mkdtempSync(join(tmpdir(), 'gatehouse-vscode-'));
  const userDataDir = join(tmp, 'user-data');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...settings }, null, 2));
  const folder = workspace ?? join(tmp, 'workspace');
  mkdirSync(folder, { recursive: true });
  // test-electron copies VS Code's output to process.stdout; read the result line on its way.
  const write = process.stdout.write.bind(process.stdout);
  let pending = '';
  process.stdout.write = (chunk, ...rest) => {
    const lines = (pending + chunk.toString()).split('\n');
    pending = lines.pop();
    lines.forEach(noteLine);
    return write(chunk, ...rest);
  };
  // test-electron stops VS Code on SIGINT (gracefully, then by force on a second one) and exits
  // the process itself unless someone else listens; we listen so the summary still prints.
  const keepAlive = () => {};
  process.on('SIGINT', keepAlive);
  let timer;
  try {
    log(`VS Code desktop: ${executable}`);
    const run = runTests({
      vscodeExecutablePath: executable,
      extensionDevelopmentPath: REPO_ROOT,
      extensionTestsPath: testsIndex,
      // test-electron adds --disable-workspace-trust, --skip-welcome and friends itself.
      launchArgs: [folder, '--user-data-dir', userDataDir, '--extensions-dir', join(tmp, 'extensions')],
      extensionTestsEnv: env,
    }).then(
      () => 0,
      (err) => err.code ?? 1,
    );
    const timedOut = new Promise((r) => (timer = setTimeout(r, timeoutMs))).then(async () => {
      log(`timed out after ${Math.round(timeoutMs / 1000)}s`);
      process.emit('SIGINT');
      await Promise.race([run, sleep(10_000)]);
      process.emit('SIGINT');
      await run;
      return undefined;
    });
    return await Promise.race([run, timedOut]);
  } finally {
    clearTimeout(timer);
    process.off('SIGINT', keepAlive);
    process.stdout.write = write;
    rmSync(tmp, { recursive: true, force: true });
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
