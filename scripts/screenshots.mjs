#!/usr/bin/env node
// Retakes the README screenshots and the walkthrough pictures from the demo: the sandbox, the
// demo workspace, code-server with gatehouse.vsix installed (the production build, as a user has
// it), signed in as alice through the real UI (the sandbox's sign-in page), driven by Chromium.
//   node scripts/screenshots.mjs     (after `npm run package`)
// Writes media/walkthrough/*.png (shipped: the walkthrough shows them) and
// media/screenshots/results-panel.png (README only).
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { withVSCode } from '../test/integration/runner/workbench.mjs';
import { ensureDbtVenv } from './dbt-venv.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const VSIX = join(ROOT, 'gatehouse.vsix');
const WALKTHROUGH = join(ROOT, 'media/walkthrough');
const SCREENSHOTS = join(ROOT, 'media/screenshots');
const say = (line) => process.stdout.write(`[screenshots] ${line}\n`);

if (!existsSync(VSIX)) throw new Error(`${VSIX} is missing: run \`npm run package\` first`);

function startSandbox(dbtFile) {
  // 127.0.0.2 as in the demo: code-server forwards links to 127.0.0.1, which would mangle the IdP's.
  const child = spawn('npx', ['tsx', 'test/sandbox/main.ts', '--dbt-file', dbtFile], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
    env: { ...process.env, GATEHOUSE_SANDBOX_HOST: '127.0.0.2' },
  });
  const ready = new Promise((res, rej) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        const msg = JSON.parse(line);
        if (msg.ready) res(msg);
      } catch {
        // a log line
      }
    });
    child.on('exit', (code) => rej(new Error(`the sandbox exited (${code})`)));
  });
  return { ready, stop: () => { try { process.kill(-child.pid, 'SIGINT'); } catch { /* gone */ } } };
}

const tmp = mkdtempSync(join(tmpdir(), 'gatehouse-screenshots-'));
const workspace = join(tmp, 'demo-workspace');
cpSync(join(ROOT, 'test/sandbox/demo-workspace'), workspace, { recursive: true });
rmSync(join(workspace, 'generate-manifest.ts'), { force: true });
mkdirSync(join(workspace, 'warehouse'));
const dbtExecutable = ensureDbtVenv();
const sandbox = startSandbox(join(workspace, 'warehouse', 'gatehouse-demo.duckdb'));
try {
  const urls = await sandbox.ready;
  const settings = { ...urls.settings, 'gatehouse.dbt.executablePath': dbtExecutable, 'workbench.colorTheme': 'Default Dark Modern' };
  await withVSCode({ installVsix: VSIX, workspace, settings, timeoutMs: 10 * 60_000, onLine: () => {} }, async ({ page }) => {
    try {
      await take(page);
    } catch (err) {
      const failure = join(tmpdir(), 'gatehouse-screenshots-failure.png');
      await page.screenshot({ path: failure }).catch(() => undefined);
      throw new Error(`${err.message.split('\n')[0]} (the page then: ${failure})`);
    }
  });
} finally {
  sandbox.stop();
  rmSync(tmp, { recursive: true, force: true });
}

async function take(page) {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.waitForSelector('.activitybar', { timeout: 120_000 });
  // The side bar alone (it ends at x=348 in this layout), as tall as its content needs.
  const sidebar = (height) => ({ x: 0, y: 0, width: 348, height });
  const shot = async (file, clip, { clearNotifications = true } = {}) => {
    if (clearNotifications) await command(page, 'Notifications: Clear All Notifications');
    await page.mouse.move(200, 16); // an empty spot of the title bar: no hover highlight or tooltip
    await page.waitForTimeout(800); // let animations and progress bars settle
    await page.screenshot({ path: file, clip });
    say(`${file} (${Math.round(statSync(file).size / 1024)} KiB)`);
  };

  // The Gatehouse view, signed out: its Sign in welcome.
  await page.locator('.activitybar [aria-label^="Gatehouse"]').first().click({ timeout: 60_000 });
  const welcome = page.locator('.welcome-view-content', { hasText: 'BigQuery projects you may use' }).first();
  const signIn = welcome.locator('a, .monaco-button', { hasText: /^Sign in$/ }).first();
  await signIn.waitFor({ timeout: 90_000 });
  await shot(join(WALKTHROUGH, 'sign-in.png'), sidebar(680));

  // Configure Sign-In: its first question, the identity provider.
  await command(page, 'Gatehouse: Configure Sign-In');
  await page.locator('.quick-input-widget .monaco-list-row').first().waitFor({ timeout: 30_000 });
  await shot(join(WALKTHROUGH, 'configure.png'), { x: 240, y: 0, width: 800, height: 420 }, { clearNotifications: false });
  await page.keyboard.press('Escape');

  // Sign in as alice on the sandbox's sign-in page.
  const popup = page.context().waitForEvent('page', { timeout: 120_000 });
  await signIn.click();
  const confirm = page.locator('.monaco-dialog-box .monaco-button', { hasText: /^Open$/ }).first();
  const first = await Promise.race([popup.then(() => 'page', () => 'none'), confirm.waitFor({ timeout: 120_000 }).then(() => 'dialog', () => 'none')]);
  if (first === 'dialog') await confirm.click();
  const idp = await popup;
  await idp.locator('button:has-text("Alice Engineer")').first().click({ timeout: 30_000 });
  await idp.waitForURL(/\/callback/, { timeout: 30_000 });
  await idp.close();
  await page.bringToFront();
  await page.locator('.statusbar :text("alice@example.com")').first().waitFor({ timeout: 90_000 });
  say('signed in as alice');

  // BigQuery: her projects, a dataset open, a query's rows in the results panel.
  const tree = (label) => page.locator('.pane-body .monaco-list-row', { hasText: label }).first();
  await tree('gatehouse-demo').click({ timeout: 90_000 });
  await tree('analytics').click({ timeout: 60_000 });
  await tree('orders').waitFor({ timeout: 60_000 });
  await openFile(page, 'orders_by_day.sql');
  await page.keyboard.press('Control+Home');
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Control+Enter');
  await frameText(page, 'revenue', 120_000);
  await shot(join(WALKTHROUGH, 'bigquery.png'));

  // A million rows in the results panel.
  await openFile(page, 'page_views.sql');
  await page.keyboard.press('Control+Home');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Control+Enter');
  await frameText(page, 'duration_ms', 180_000);
  await frameText(page, /1[,.\u00a0\u202f]?000[,.\u00a0\u202f]?000/, 180_000);
  await shot(join(SCREENSHOTS, 'results-panel.png'));

  // dbt lineage of stg_orders.
  await openFile(page, 'stg_orders.sql');
  await command(page, 'Gatehouse: Show dbt Lineage');
  await frameText(page, 'Lineage of stg_orders', 60_000);
  // The graph alone beside the side bar, fitted to the panel.
  await command(page, 'View: Join All Editor Groups');
  await page.waitForTimeout(1000);
  const lineage = await webviewFrame(page, 'Lineage of stg_orders');
  await lineage.locator('button', { hasText: /^Fit$/ }).first().click({ timeout: 10_000 });
  await shot(join(WALKTHROUGH, 'dbt-lineage.png'));

  // Airbyte connections, then the Activity view with what alice did, each alone in the side bar.
  await command(page, 'View: Close All Editors');
  const header = (name) => page.locator('.pane-header', { hasText: new RegExp(`^${name}`) }).first();
  const setExpanded = async (name, expanded) => {
    const h = header(name);
    if (((await h.getAttribute('aria-expanded')) === 'true') !== expanded) await h.click();
  };
  for (const name of ['BigQuery', 'dbt', 'Looker', 'Metabase', 'Activity']) await setExpanded(name, false);
  await setExpanded('Airbyte', true);
  await tree('Postgres').waitFor({ timeout: 60_000 });
  await shot(join(WALKTHROUGH, 'airbyte.png'), sidebar(400));
  await setExpanded('Airbyte', false);
  await setExpanded('Activity', true);
  await tree('orders').waitFor({ timeout: 60_000 }).catch(() => tree('alice').waitFor({ timeout: 30_000 }));
  await shot(join(WALKTHROUGH, 'activity.png'), sidebar(400));
}

async function command(page, label) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input').first();
  await input.waitFor({ timeout: 30_000 });
  await input.fill(`>${label}`);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: label }).first().waitFor({ timeout: 30_000 });
  await page.keyboard.press('Enter');
}

async function openFile(page, name) {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input').first();
  await input.waitFor({ timeout: 30_000 });
  await input.fill(name);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 60_000 });
  await page.keyboard.press('Enter');
  await page.locator('.tab.active', { hasText: name }).first().waitFor({ timeout: 30_000 });
  await page.locator('.editor-instance .monaco-editor textarea').first().focus();
}

async function webviewFrame(page, text) {
  for (const frame of page.frames().filter((f) => f.url().includes('/webview/'))) {
    const body = await frame.locator('body').innerText({ timeout: 1000 }).catch(() => '');
    if (body.includes(text)) return frame;
  }
  throw new Error(`no webview shows ${text}`);
}

// Webviews render in nested frames: wait until one of them shows the text.
async function frameText(page, text, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames().filter((f) => f.url().includes('/webview/'))) {
      const body = await frame.locator('body').innerText({ timeout: 1000 }).catch(() => '');
      if (typeof text === 'string' ? body.includes(text) : text.test(body)) return;
    }
    if (Date.now() > deadline) throw new Error(`no webview showed ${text} within ${timeoutMs / 1000} s`);
    await page.waitForTimeout(500);
  }
}
