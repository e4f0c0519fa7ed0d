// The .vsix as a user has it: code-server installs it (`--install-extension`) into a fresh
// extensions dir, the workbench opens without an extension development path (so the extension runs
// in ExtensionMode.Production, without its test seams), and the real Chromium page must show the
// Gatehouse view with its sign-in welcome and the extension under Installed in the Extensions view.
// Ends with one line: `installed: N passed, M failed`.
//
//   node test/integration/runner/installed.mjs [--vsix FILE] [--user-settings FILE.json]
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { withVSCode, InterruptedError, REPO_ROOT } from './workbench.mjs';
import { log } from './provision.mjs';

const { values } = parseArgs({ options: { vsix: { type: 'string' }, 'user-settings': { type: 'string' } } });
const vsix = resolve(values.vsix ?? join(REPO_ROOT, 'gatehouse.vsix'));
// Sign-in settings (issuer, client id) make the view offer Sign in rather than Configure sign-in.
const settings = values['user-settings'] ? JSON.parse(readFileSync(values['user-settings'], 'utf8')) : {};

const checks = [];
const check = (name, ok, detail = '') => {
  checks.push(ok);
  process.stdout.write(`  ${ok ? '✔' : '✗'} installed .vsix: ${name}${ok || !detail ? '' : ` (${detail})`}\n`);
};
const seen = (locator, timeout = 90_000) => locator.waitFor({ timeout }).then(() => true, () => false);

// code-server and page lines, printed only when a check fails.
const lines = [];
const keep = (line) => {
  lines.push(line);
  if (lines.length > 80) lines.shift();
};

let interrupted;
try {
  if (!existsSync(vsix)) throw new Error(`${vsix} is missing: run \`npm run package\` first`);
  await withVSCode({ installVsix: vsix, settings, timeoutMs: 5 * 60_000, onLine: keep }, async ({ page }) => {
    try {
      await page.waitForSelector('.activitybar', { timeout: 120_000 });
      const container = page.locator('.activitybar [aria-label^="Gatehouse"]').first();
      const shown = await seen(container);
      check('the activity bar shows the Gatehouse view', shown);
      if (!shown) return;
      await container.click();
      // The BigQuery view's own welcome (other views have a Sign in button of their own).
      const welcome = page.locator('.welcome-view-content', { hasText: 'BigQuery projects you may use' }).first();
      const signIn = welcome.locator('a, .monaco-button', { hasText: /^Sign in$/ }).first();
      check('signed out, the BigQuery view shows its Sign in welcome', await seen(signIn));
      await page.keyboard.press('Control+Shift+X');
      const search = page.locator('.extensions-viewlet .monaco-editor textarea, .extensions-viewlet textarea').first();
      await search.waitFor({ timeout: 60_000 });
      await search.fill('@installed gatehouse');
      const item = page.locator('.extensions-viewlet .extension-list-item:has-text("Gatehouse")').first();
      check('the Extensions view lists it under Installed', await seen(item, 60_000));
    } catch (err) {
      check('the workbench with the installed extension', false, err.message.split('\n')[0]);
    } finally {
      if (checks.some((ok) => !ok)) {
        const shot = join(tmpdir(), 'gatehouse-installed-failure.png');
        await page.screenshot({ path: shot }).then(() => log(`screenshot of the failure: ${shot}`), () => undefined);
      }
    }
  });
} catch (err) {
  if (InterruptedError.is(err)) interrupted = err;
  check('code-server installs the .vsix and opens the workbench', false, err.message.split('\n')[0]);
}

if (checks.some((ok) => !ok)) for (const l of lines) process.stdout.write(`${l}\n`);
const passed = checks.filter(Boolean).length;
process.stdout.write(`installed: ${passed} passed, ${checks.length - passed} failed\n`);
process.exit(interrupted ? (interrupted.signal === 'SIGINT' ? 130 : 143) : passed === checks.length && passed > 0 ? 0 : 1);
