#!/usr/bin/env node
// `npm test`: type-check, build, run the unit tier (plain Node), the integration tier (inside a
// real VS Code, against the sandbox; its locale/ suites once more in another display language),
// the Keycloak tier (a real Keycloak started once for the tier: plain Node tests, VS Code suites,
// the `--idp keycloak` demo check) and the demo check (`npm run demo` used through a browser as a
// person would), then print one summary line `N passed, M failed`.
// Flags: --unit, --integration, --keycloak, --demo (default: all four), --grep PATTERN (unit,
// integration and Keycloak).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDbtVenv } from '../scripts/dbt-venv.mjs';

const args = process.argv.slice(2);
const only = (flag) => args.includes(flag);
const any = only('--unit') || only('--integration') || only('--keycloak') || only('--demo');
const runUnit = only('--unit') || !any;
const runIntegration = only('--integration') || !any;
const runKeycloak = only('--keycloak') || !any;
const runDemo = only('--demo') || !any;
const grepAt = args.indexOf('--grep');
const grep = grepAt >= 0 ? args[grepAt + 1] : undefined;

const totals = { passed: 0, failed: 0 };
const problems = [];

function run(cmd, argv, { env, onLine } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const forward = (stream, out) =>
      createInterface({ input: stream }).on('line', (line) => {
        out.write(`${line}\n`);
        onLine?.(line);
      });
    forward(child.stdout, process.stdout);
    forward(child.stderr, process.stderr);
    child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function step(name, cmd, argv) {
  process.stdout.write(`\n== ${name}\n`);
  const code = await run(cmd, argv);
  if (code !== 0) problems.push(`${name} failed (exit ${code})`);
  return code === 0;
}

/** A mocha tier in plain Node: its `N passing` / `M failing` folded into the totals. */
async function mochaTier(name, title, glob, env) {
  process.stdout.write(`\n== ${title}\n`);
  let passed = 0;
  let failed = 0;
  const argv = ['mocha', glob];
  if (grep) argv.push('--grep', grep);
  const code = await run('npx', argv, {
    env,
    onLine: (line) => {
      const p = /^\s+(\d+) passing/.exec(line);
      const f = /^\s+(\d+) failing/.exec(line);
      if (p) passed = Number(p[1]);
      if (f) failed = Number(f[1]);
    },
  });
  if (code !== 0 && failed === 0) {
    failed = 1;
    problems.push(`${name} tier exited ${code} without a failure count`);
  }
  if (passed === 0 && failed === 0 && !grep) problems.push(`${name} tier ran no test`);
  process.stdout.write(`${name}: ${passed} passed, ${failed} failed\n`);
  totals.passed += passed;
  totals.failed += failed;
}

const unitTier = () => mochaTier('unit', 'unit tests (plain Node)', 'test/unit/**/*.test.ts');

/** A process that prints one JSON line with `ready` when it is up (the sandbox, Keycloak); stopped with SIGINT. */
async function startReady(name, argv, timeoutMs) {
  const child = spawn('npx', ['tsx', ...argv], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  const stop = () => { try { process.kill(-child.pid, 'SIGINT'); } catch { /* already gone */ } };
  const urls = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within ${timeoutMs / 1000} s`)), timeoutMs);
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        const msg = JSON.parse(line);
        if (msg.ready) {
          clearTimeout(timer);
          resolve(msg);
        }
      } catch {
        process.stdout.write(`[${name}] ${line}\n`);
      }
    });
    child.on('exit', (code) => reject(new Error(`${name} exited early (${code})`)));
  }).catch((err) => {
    stop();
    throw err;
  });
  return { urls, stop };
}

const startSandbox = (dbtFile, keycloakIssuer) =>
  startReady('sandbox', ['test/sandbox/main.ts', '--dbt-file', dbtFile, ...(keycloakIssuer ? ['--trust-keycloak', keycloakIssuer] : [])], 120_000);

// What the Keycloak tier runs inside VS Code: its own suite, the device flow, and the suites that
// do not depend on the sandbox IdP (sign-in, BigQuery, the roles' menu keys), not the services
// that take the sandbox IdP's tokens (Airbyte, dbt Cloud, Looker, Metabase).
const KEYCLOAK_SUITES =
  '^(Gatehouse in VS Code against Keycloak|device flow in the remote/web host|sign-in \\(Gatehouse OIDC provider\\)|BigQuery \\(explorer, queries, cancel\\)|roles in VS Code: menus, refusals, per-person activity (alice|bob|olivia):)';

// Its own tier: Keycloak takes 20-60 s (minutes on busy cores) to start, once for the whole tier:
// the plain Node tests, the VS Code suites and the Keycloak demo check share it. On 127.0.0.2, as
// in the demo: VS Code in the browser would send a 127.0.0.1 sign-in link through its port forwarding.
async function keycloakTier() {
  process.stdout.write('\n== Keycloak: starting it once for the tier\n');
  let keycloak;
  try {
    keycloak = await startReady('keycloak', ['test/keycloak/main.ts', '--host', '127.0.0.2'], 900_000);
    process.stdout.write(`Keycloak ready in ${(keycloak.urls.startupMs / 1000).toFixed(1)} s at ${keycloak.urls.url}\n`);
  } catch (err) {
    // Both halves of the tier fail, saying why (never skipped).
    problems.push(`Keycloak tier: ${err.message} (node scripts/provision-keycloak.mjs provisions it)`);
    process.stdout.write(`keycloak: 0 passed, 2 failed\n`);
    totals.failed += 2;
    return;
  }
  try {
    await mochaTier('keycloak', 'Keycloak tests (plain Node, against a real Keycloak)', 'test/keycloak/**/*.test.ts', { GATEHOUSE_KEYCLOAK_URL: keycloak.urls.url });
    if (built) await vscodeTier('keycloak-vscode', 'Keycloak tests (inside VS Code, against Keycloak and the sandbox BigQuery trusting it)', { keycloakIssuer: keycloak.urls.issuer, grep: grep ?? KEYCLOAK_SUITES });
    if (built && !grep) await demoTier('npm run demo -- --idp keycloak, used through a browser', ['--idp', 'keycloak'], { GATEHOUSE_KEYCLOAK_URL: keycloak.urls.url });
  } finally {
    keycloak.stop();
  }
}

// The suites of locale/ run once more in another display language, German here: the extension
// pseudo-translated into it (runner/pseudoLocale.mjs), VS Code started in it.
const LOCALE = 'de';
const LOCALE_SUITE = 'display language';

async function integrationTier() {
  await vscodeTier('integration', 'integration tests (inside VS Code, against the sandbox)', { grep });
  if (!grep || new RegExp(grep).test(LOCALE_SUITE)) await vscodeTier('locale', `integration tests in another display language (${LOCALE}, pseudo-translated)`, { grep: grep ?? `^${LOCALE_SUITE}`, locale: LOCALE });
}

async function vscodeTier(name, title, { keycloakIssuer, grep, locale }) {
  process.stdout.write(`\n== ${title}\n`);
  let passed = 0;
  let failed = 0;
  let sandbox;
  const tmp = mkdtempSync(join(tmpdir(), 'gatehouse-it-'));
  try {
    // Real dbt for the dbt suite (cached in .venv-dbt/ after the first install).
    const dbtExecutable = ensureDbtVenv();
    // A copy of the demo workspace: tests may write into it (dbt run results, query files). Its
    // profiles.yml points dbt at warehouse/gatehouse-demo.duckdb, which the sandbox serves too.
    const workspace = join(tmp, 'demo-workspace');
    cpSync('test/sandbox/demo-workspace', workspace, { recursive: true });
    mkdirSync(join(workspace, 'warehouse'));
    sandbox = await startSandbox(join(workspace, 'warehouse', 'gatehouse-demo.duckdb'), keycloakIssuer);
    const settingsFile = join(tmp, 'settings.json');
    writeFileSync(settingsFile, JSON.stringify(sandbox.urls.settings, null, 2));
    // Against Keycloak the suites sign in at Keycloak: `issuer` is its realm (support/idp.ts).
    const urls = { ...sandbox.urls, settings: undefined, ready: undefined, dbtExecutable, ...(keycloakIssuer ? { issuer: keycloakIssuer, keycloakIssuer } : {}) };
    // The suites run against the production build: the vsix's extension/ folder (run.mjs unzips it).
    const code = await run('node', ['test/integration/runner/run.mjs', '--vsix', 'gatehouse.vsix', '--workspace', workspace, '--user-settings', settingsFile, ...(locale ? ['--locale', locale] : [])], {
      env: { GATEHOUSE_SANDBOX_URLS: JSON.stringify(urls), ...(grep ? { GATEHOUSE_TEST_GREP: grep } : {}) },
      onLine: (line) => {
        const m = /^integration: (\d+) passed, (\d+) failed$/.exec(line.trim());
        if (m) {
          passed = Number(m[1]);
          failed = Number(m[2]);
        }
      },
    });
    if (code !== 0 && failed === 0) {
      failed = 1;
      problems.push(`${name} tier exited ${code} without a failure count`);
    }
    // And once as a user has it: code-server installs the vsix, the workbench runs it in Production mode.
    if (name === 'integration' && (!grep || new RegExp(grep).test('installed .vsix'))) {
      const installed = await run('node', ['test/integration/runner/installed.mjs', '--vsix', 'gatehouse.vsix', '--user-settings', settingsFile], {
        onLine: (line) => {
          const m = /^installed: (\d+) passed, (\d+) failed$/.exec(line.trim());
          if (m) {
            passed += Number(m[1]);
            failed += Number(m[2]);
          }
        },
      });
      if (installed !== 0 && failed === 0) {
        failed = 1;
        problems.push(`installed .vsix check exited ${installed} without a failure count`);
      }
    }
  } catch (err) {
    failed = Math.max(failed, 1);
    problems.push(`${name} tier: ${err.message}`);
  } finally {
    sandbox?.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
  if (passed === 0 && failed === 0) problems.push(`${name} tier ran no test`);
  process.stdout.write(`${name}: ${passed} passed, ${failed} failed\n`);
  totals.passed += passed;
  totals.failed += failed;
}

async function demoTier(title = 'npm run demo, used through a browser', args = [], env = {}) {
  process.stdout.write(`\n== demo check (${title})\n`);
  let passed = 0;
  let failed = 0;
  const code = await run('node', ['test/demo/check.mjs', ...args], {
    env,
    onLine: (line) => {
      const m = /^demo: (\d+) passed, (\d+) failed$/.exec(line.trim());
      if (m) {
        passed = Number(m[1]);
        failed = Number(m[2]);
      }
    },
  });
  if (code !== 0 && failed === 0) failed = 1;
  totals.passed += passed;
  totals.failed += failed;
}

const typed = (await step('type-check (extension host)', 'npx', ['tsc', '--noEmit', '-p', '.'])) & (await step('type-check (webviews)', 'npx', ['tsc', '--noEmit', '-p', 'media']));
// The vsix first (`npm run package`: the production build, packaged), once per run: the unit tier
// lists its entries and the integration tier runs it. Then the dev build (dist/, out/test).
const packaged = runUnit || runIntegration || runKeycloak ? await step('package (production build, gatehouse.vsix)', 'npm', ['run', '--silent', 'package']) : true;
const built = (await step('build', 'node', ['esbuild.mjs'])) && packaged;
if (runUnit) await unitTier();
if (runIntegration && built) await integrationTier();
if (runKeycloak) await keycloakTier();
if (runDemo && built) await demoTier();
if (!typed && totals.failed === 0) totals.failed = 1;

process.stdout.write('\n');
for (const p of problems) process.stdout.write(`problem: ${p}\n`);
process.stdout.write(`${totals.passed} passed, ${totals.failed} failed\n`);
process.exit(totals.failed === 0 && problems.length === 0 ? 0 : 1);
