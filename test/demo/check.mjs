#!/usr/bin/env node
// The README's `npm run demo`, checked as a person would use it: start it (VS Code in the
// browser), open it in Chromium, open the Gatehouse view, click "Sign in", pick alice on the
// sandbox's sign-in page, and expect her name in the status bar and her BigQuery projects in the
// tree. Then Ctrl-C the demo and expect it to stop. Prints `demo: N passed, M failed`.
// `--idp keycloak`: the same with `npm run demo -- --idp keycloak`, alice signing in on
// Keycloak's login form (GATEHOUSE_KEYCLOAK_URL reuses a running Keycloak, as the test tier does).
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

const checks = [];
const check = (name, ok, detail = '') => {
  checks.push(ok);
  process.stdout.write(`  ${ok ? '✔' : '✗'} ${name}${ok || !detail ? '' : ` (${detail})`}\n`);
};

function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const keycloak = process.argv.includes('--idp') && process.argv[process.argv.indexOf('--idp') + 1] === 'keycloak';
const port = await freePort();
const demo = spawn(process.execPath, ['scripts/demo.mjs', '--browser', '--port', String(port), ...(keycloak ? ['--idp', 'keycloak'] : [])], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
const demoExit = new Promise((resolve) => demo.on('exit', (code, signal) => resolve(code ?? signal)));
const started = await new Promise((resolve) => {
  const timer = setTimeout(() => resolve(false), 300_000);
  createInterface({ input: demo.stdout }).on('line', (line) => {
    process.stdout.write(`${line}\n`);
    if (line.includes('VS Code is ready in the browser')) {
      clearTimeout(timer);
      resolve(true);
    }
  });
  demoExit.then(() => resolve(false));
});
check('npm run demo starts the sandbox and VS Code', started);

let browser;
try {
  if (started) {
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    const context = await browser.newContext({ viewport: { width: 1400, height: 860 } });
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForSelector('.activitybar', { timeout: 120_000 });
    await page.locator('.activitybar [aria-label^="Gatehouse"]').first().click({ timeout: 60_000 });
    const signIn = page.locator('.welcome-view-content :is(a, .monaco-button):has-text("Sign in")').first();
    await signIn.waitFor({ timeout: 60_000 });
    check('signed out, the Gatehouse view offers Sign in', true);
    const popupPromise = context.waitForEvent('page', { timeout: 120_000 });
    await signIn.click();
    // VS Code may first ask whether to open the external site (the IdP); a person says Open.
    // Whichever comes first, that question or the sign-in page, may take a while on a busy machine.
    const confirm = page.locator('.monaco-dialog-box .monaco-button:has-text("Open")').first();
    const first = await Promise.race([
      popupPromise.then(() => 'page', () => 'none'),
      confirm.waitFor({ timeout: 120_000 }).then(() => 'dialog', () => 'none'),
    ]);
    if (first === 'dialog') await confirm.click();
    const popup = await popupPromise;
    if (keycloak) {
      await popup.fill('#username', 'alice', { timeout: 30_000 });
      await popup.fill('#password', 'alice-demo-password');
      await popup.click('#kc-login');
    } else {
      await popup.locator('button:has-text("Alice Engineer")').first().click({ timeout: 30_000 });
    }
    await popup.waitForURL(/\/callback/, { timeout: 30_000 });
    check(`the ${keycloak ? 'Keycloak' : 'sandbox'} sign-in page signs in alice and returns to VS Code`, /signed in/i.test((await popup.textContent('body')) ?? ''));
    await page.bringToFront();
    const status = page.locator('.statusbar :text("alice@example.com")').first();
    check('the status bar shows alice', await status.waitFor({ timeout: 60_000 }).then(() => true, () => false));
    const project = page.locator('.pane-body :text("gatehouse-demo")').first();
    check('the BigQuery view lists her projects', await project.waitFor({ timeout: 60_000 }).then(() => true, () => false));
  }
} catch (err) {
  check('the demo walk-through', false, err.message.split('\n')[0]);
  // What a person would have seen at that moment, for whoever reads the failure.
  const shot = `${process.env.TMPDIR ?? '/tmp'}/gatehouse-demo-check-failure.png`;
  await browser?.contexts()[0]?.pages()[0]?.screenshot({ path: shot }).then(() => process.stdout.write(`  screenshot: ${shot}\n`), () => undefined);
} finally {
  await browser?.close().catch(() => undefined);
  try {
    process.kill(-demo.pid, 'SIGINT');
  } catch {
    // already gone
  }
  const stopped = await Promise.race([demoExit.then(() => true), new Promise((r) => setTimeout(() => r(false), 20_000))]);
  check('Ctrl-C stops the demo', stopped);
  if (!stopped) process.kill(-demo.pid, 'SIGKILL');
}

const passed = checks.filter(Boolean).length;
process.stdout.write(`demo: ${passed} passed, ${checks.length - passed} failed\n`);
process.exit(passed === checks.length ? 0 : 1);
