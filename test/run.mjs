#!/usr/bin/env node
// `npm test`: type-check, build, run the unit tier (plain Node), the integration tier (inside a
// real VS Code, against the sandbox), the Keycloak tier (sign-in against a real Keycloak, started
// once for the tier) and the demo check (`npm run demo` used through a browser as a person would),
// then print one summary line `N passed, M failed`.
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
async function mochaTier(name, title, glob) {
  process.stdout.write(`\n== ${title}\n`);
  let passed = 0;
  let failed = 0;
  const argv = ['mocha', glob];
  if (grep) argv.push('--grep', grep);
  const code = await run('npx', argv, {
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
// Its own tier: Keycloak takes 20-60 s (minutes on busy cores) to start, once for the whole tier.
const keycloakTier = () => mochaTier('keycloak', 'Keycloak tests (plain Node, against a real Keycloak)', 'test/keycloak/**/*.test.ts');

async function startSandbox(dbtFile) {
  const child = spawn('npx', ['tsx', 'test/sandbox/main.ts', '--dbt-file', dbtFile], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  const urls = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('sandbox did not start within 120 s')), 120_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        const msg = JSON.parse(line);
        if (msg.ready) {
          clearTimeout(timer);
          resolve(msg);
        }
      } catch {
        process.stdout.write(`[sandbox] ${line}\n`);
      }
    });
    child.on('exit', (code) => reject(new Error(`sandbox exited early (${code})`)));
  });
  return { urls, stop: () => { try { process.kill(-child.pid, 'SIGINT'); } catch { /* already gone */ } } };
}

async function integrationTier() {
  process.stdout.write('\n== integration tests (inside VS Code, against the sandbox)\n');
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
    sandbox = await startSandbox(join(workspace, 'warehouse', 'gatehouse-demo.duckdb'));
    const settingsFile = join(tmp, 'settings.json');
    writeFileSync(settingsFile, JSON.stringify(sandbox.urls.settings, null, 2));
    // The suites run against the production build: the vsix's extension/ folder (run.mjs unzips it).
    const code = await run('node', ['test/integration/runner/run.mjs', '--vsix', 'gatehouse.vsix', '--workspace', workspace, '--user-settings', settingsFile], {
      env: { GATEHOUSE_SANDBOX_URLS: JSON.stringify({ ...sandbox.urls, settings: undefined, dbtExecutable }), ...(grep ? { GATEHOUSE_TEST_GREP: grep } : {}) },
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
      problems.push(`integration tier exited ${code} without a failure count`);
    }
    // And once as a user has it: code-server installs the vsix, the workbench runs it in Production mode.
    if (!grep || new RegExp(grep).test('installed .vsix')) {
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
    problems.push(`integration tier: ${err.message}`);
  } finally {
    sandbox?.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
  if (passed === 0 && failed === 0) problems.push('integration tier ran no test');
  process.stdout.write(`integration: ${passed} passed, ${failed} failed\n`);
  totals.passed += passed;
  totals.failed += failed;
}

async function demoTier() {
  process.stdout.write('\n== demo check (npm run demo, used through a browser)\n');
  let passed = 0;
  let failed = 0;
  const code = await run('node', ['test/demo/check.mjs'], {
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
const packaged = runUnit || runIntegration ? await step('package (production build, gatehouse.vsix)', 'npm', ['run', '--silent', 'package']) : true;
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
