// A real VS Code workbench for tests: code-server (the server and its remote extension host) plus
// headless Chromium (the workbench UI), both throwaway and both cleaned up on every path.
//
//   await withVSCode({ extensionTestsPath, env }, async ({ page, port, hostExit }) => { ... })
//
// `page` is the Playwright page of the workbench; webview panels are nested iframes in
// page.frames(). `hostExit` resolves with the extension host's exit code when a test run ends.
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { format } from 'node:util';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { provisionCodeServer, log } from './provision.mjs';
import { startDriver } from './driver.mjs';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const CHROMIUM = '/usr/bin/chromium';

// User settings of the throwaway profile: no trust prompt, welcome page, tips, update or network
// chatter, so what the tests see is only what the extension does.
export const QUIET_SETTINGS = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'git.autoRepositoryDetection': false,
  'git.openRepositoryInParentFolders': 'never',
  'npm.fetchOnlinePackageInfo': false,
  'json.schemaDownload.enable': false,
  'typescript.disableAutomaticTypeAcquisition': true,
  'chat.commandCenter.enabled': false,
};

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/**
 * @param {object} opts
 * @param {string} [opts.extensionDevelopmentPath] the extension folder (default: the repo root)
 * @param {string} [opts.installVsix] a .vsix that code-server installs into the run's extensions dir
 *   first (`--install-extension`); the workbench then opens without an extension development path,
 *   so the extension runs as a user has it (ExtensionMode.Production)
 * @param {string} [opts.extensionTestsPath] module whose run() the extension host calls; omit to just open the workbench
 * @param {string} [opts.workspace] folder to open (default: a fresh empty temp folder)
 * @param {Record<string,string>} [opts.env] extra environment for code-server and so the extension host
 * @param {Record<string,unknown>} [opts.settings] user settings added to QUIET_SETTINGS
 * @param {string} [opts.locale] display language (e.g. `de`): the workbench and the extension host
 *   run in it, as after "Configure Display Language"; see installLanguagePack
 * @param {number} [opts.timeoutMs] limit for the whole run, provisioning aside; rejects with TimeoutError (default: none)
 * @param {(line: string) => void} [opts.onLine] every console line of the page and code-server (default: stdout)
 * @param {(ctx: {page: import('playwright-core').Page, browser: import('playwright-core').Browser, port: number,
 *   baseUrl: string, workspace: string, driverUrl: string, hostExit: Promise<number>}) => Promise<T>} fn
 * @returns {Promise<T>} rejects with InterruptedError on SIGINT/SIGTERM, after cleanup
 * @template T
 */
export async function withVSCode(opts, fn) {
  const onLine = opts.onLine ?? ((line) => process.stdout.write(line + '\n'));
  const extensionDevelopmentPath = opts.installVsix ? undefined : resolve(opts.extensionDevelopmentPath ?? REPO_ROOT);
  // Provisioning handles its own interruption; it is also the one step the timeout leaves out.
  const codeServer = await provisionCodeServer();

  // Everything started is registered here and disposed in reverse order, exactly once. Whatever
  // a still-running setup step starts after teardown began is disposed at once.
  const disposers = [];
  let closing;
  const own = async (dispose) => (closing ? dispose() : disposers.push(dispose));
  const close = () =>
    (closing ??= (async () => {
      while (disposers.length) {
        try {
          await disposers.pop()();
        } catch (err) {
          log(`cleanup: ${err.message}`);
        }
      }
    })());

  // Ctrl-C, a CI cancel, the overall limit: all end the run the same way, through `finally`.
  let stop;
  const stopped = new Promise((_, rej) => (stop = rej));
  const onSignal = (signal) => stop(new InterruptedError(signal));
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const timer = opts.timeoutMs ? setTimeout(() => stop(new TimeoutError(opts.timeoutMs)), opts.timeoutMs) : undefined;

  const body = async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'gatehouse-vscode-'));
    await own(() => rmSync(tmp, { recursive: true, force: true }));
    const workspace = resolve(opts.workspace ?? join(tmp, 'workspace'));
    mkdirSync(workspace, { recursive: true });
    const userDataDir = join(tmp, 'user-data');
    mkdirSync(join(userDataDir, 'User'), { recursive: true });
    writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...opts.settings }, null, 2));
    // The extension host is remote here, and its machine-scoped settings (issuer, service URLs)
    // belong in the remote's Machine settings. Seeding them there too also keeps them when a test
    // writes a User setting: code-server then replaces the User settings file the runner seeded.
    mkdirSync(join(userDataDir, 'Machine'), { recursive: true });
    writeFileSync(join(userDataDir, 'Machine', 'settings.json'), JSON.stringify(opts.settings ?? {}, null, 2));
    if (opts.locale) installLanguagePack(userDataDir, opts.locale, join(tmp, 'language-pack'));
    const extensionsDir = join(tmp, 'extensions');
    const serverTmp = join(tmp, 'tmp');
    mkdirSync(extensionsDir);
    mkdirSync(serverTmp);
    // code-server (logs, heartbeat), VS Code (device id) and Chromium (crash reports, dconf) write
    // under these; point them into the run's folder so nothing lands in $HOME.
    const xdg = {
      XDG_CONFIG_HOME: join(tmp, 'xdg/config'),
      XDG_DATA_HOME: join(tmp, 'xdg/data'),
      XDG_CACHE_HOME: join(tmp, 'xdg/cache'),
    };

    // The driver endpoint exists before code-server so its URL can be in the extension host's env;
    // it answers once the page is set.
    const driver = await startDriver({ log });
    await own(() => driver.close());

    if (opts.installVsix) installExtension(codeServer, { vsix: opts.installVsix, userDataDir, extensionsDir, env: { ...process.env, TMPDIR: serverTmp, ...xdg } }, onLine);

    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    // code-server writes a default config (with a password) when it finds none; give it ours.
    const configFile = join(tmp, 'config.yaml');
    writeFileSync(configFile, `bind-addr: 127.0.0.1:${port}\nauth: none\n`);

    const server = spawn(
      process.execPath,
      [
        join(codeServer, 'out/node/entry.js'),
        '--config', configFile,
        '--auth', 'none',
        '--bind-addr', `127.0.0.1:${port}`,
        '--user-data-dir', userDataDir,
        '--extensions-dir', extensionsDir,
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-workspace-trust',
        '--disable-getting-started-override',
        '--ignore-last-opened',
        ...(opts.locale ? ['--locale', opts.locale] : []),
      ],
      {
        cwd: workspace,
        // The remote extension host is a child of this server and inherits its environment.
        // TMPDIR: VS Code and the git extension leave IPC sockets there; keep them in our folder.
        // opts.env comes after, so a test run can still choose its own.
        env: { ...process.env, TMPDIR: serverTmp, ...xdg, ...opts.env, GATEHOUSE_DRIVER_URL: driver.url },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true, // own process group, so the extension host and its children go with it
      },
    );
    const serverExit = new Promise((res) => server.once('exit', (code, signal) => res(code ?? signal)));
    await own(() => killGroup(server, serverExit));
    const serverLine = (l) => l.trim() && onLine(`[code-server] ${l}`);
    forwardLines(server.stdout, serverLine);
    forwardLines(server.stderr, serverLine);
    await waitForHttp(`${baseUrl}/healthz`, serverExit, 60_000);
    log(`code-server on ${baseUrl} (pid ${server.pid})`);

    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      env: { ...process.env, ...xdg },
      // Signals are ours to handle (above): teardown closes the browser.
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
    await own(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });

    // The workbench calls window.codeAutomationExit(code) when a test run's extension host exits.
    let reportExit;
    const hostExit = new Promise((res) => (reportExit = res));
    // Console lines are formatted asynchronously; a chain keeps their order and lets the exit
    // report wait until every line before it was printed.
    let lines = Promise.resolve();
    const inOrder = (task) => (lines = lines.then(task).catch(() => {}));
    await page.exposeFunction('codeAutomationExit', (code) => inOrder(() => reportExit(Number(code))));
    page.on('console', (msg) => inOrder(async () => onLine(await formatConsole(msg))));
    page.on('pageerror', (err) => onLine(`[page:pageerror] ${err.message}`));
    page.on('crash', () => reportExit(-1));
    serverExit.then((code) => reportExit(typeof code === 'number' && code !== 0 ? code : -1));
    driver.setPage(page);

    const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
    const payload = extensionDevelopmentPath ? [['extensionDevelopmentPath', remote(extensionDevelopmentPath)]] : [];
    if (opts.extensionTestsPath) payload.push(['extensionTestsPath', remote(resolve(opts.extensionTestsPath))]);
    const url = `${baseUrl}/?folder=${encodeURIComponent(workspace)}${payload.length ? `&payload=${encodeURIComponent(JSON.stringify(payload))}` : ''}`;
    await page.goto(url, { waitUntil: 'domcontentloaded' });

    return fn({ page, browser, port, baseUrl, workspace, driverUrl: driver.url, hostExit });
  };

  try {
    return await Promise.race([body(), stopped]);
  } finally {
    clearTimeout(timer);
    await close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

// VS Code runs in a display language only when a language pack for it is installed: the server
// finds it in languagepacks.json of its user data (what installing a language pack extension
// writes) and otherwise falls back to English, whatever --locale says. The pack here translates
// none of VS Code's own text (its core messages file is empty), so the workbench keeps its English
// while the extension host runs in `locale` and loads the extension's l10n/bundle.l10n.<locale>.json
// and package.nls.<locale>.json.
export function installLanguagePack(userDataDir, locale, packDir) {
  if (!/^[a-z]{2,3}(-[a-z0-9]{2,8})*$/i.test(locale) || /^en\b/i.test(locale)) throw new Error(`--locale ${locale}: a non-English language tag such as de or pt-br`);
  mkdirSync(packDir, { recursive: true });
  const core = join(packDir, 'main.i18n.json');
  writeFileSync(core, JSON.stringify({ contents: {} }));
  // The shape VS Code writes for an installed pack (the Configure Display Language list reads `extensions`).
  const packs = { [locale.toLowerCase()]: { hash: 'gatehouse-test', label: locale, extensions: [{ extensionIdentifier: { id: 'gatehouse.test-language-pack' }, version: '0.0.0' }], translations: { vscode: core } } };
  writeFileSync(join(userDataDir, 'languagepacks.json'), JSON.stringify(packs, null, 2));
}

// `code-server --install-extension`, as a person installs a downloaded .vsix.
function installExtension(codeServer, { vsix, userDataDir, extensionsDir, env }, onLine) {
  const r = spawnSync(
    process.execPath,
    [join(codeServer, 'out/node/entry.js'), '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--install-extension', resolve(vsix)],
    { env, encoding: 'utf8', timeout: 120_000 },
  );
  for (const l of `${r.stdout ?? ''}${r.stderr ?? ''}`.split('\n')) if (l.trim()) onLine(`[code-server install] ${l}`);
  if (r.status !== 0) throw new Error(`code-server --install-extension ${vsix} exited ${r.status ?? r.signal ?? r.error?.message}`);
}

export class TimeoutError extends Error {
  constructor(ms) {
    super(`timed out after ${Math.round(ms / 1000)}s`);
    this.reason = 'timeout';
  }
  static is(err) {
    return err instanceof TimeoutError;
  }
}

export class InterruptedError extends Error {
  constructor(signal) {
    super(`interrupted by ${signal}`);
    this.reason = 'interrupted';
    this.signal = signal;
  }
  static is(err) {
    return err instanceof InterruptedError;
  }
}

// Workbench log lines come as console.log('%c INFO', 'color: #33f', message, ...args), and the
// extension host's console output is such a message whose own args hold mocha's '%s' formats:
// drop the styling, then format the rest as Node would.
async function formatConsole(msg) {
  const type = msg.type() === 'log' ? '' : `:${msg.type()}`;
  let values;
  try {
    values = await Promise.all(msg.args().map((a) => a.jsonValue()));
  } catch {
    return `[page${type}] ${msg.text()}`; // an argument that does not serialize, or a closed frame
  }
  if (!values.length) return `[page${type}] ${msg.text()}`;
  let level = '';
  if (typeof values[0] === 'string' && /^%c\s*[A-Z]+$/.test(values[0]) && values.length >= 2) {
    level = ` ${values[0].slice(2).trim()}`;
    values = values.slice(2);
  }
  return `[page${type}${level}] ${format(...values)}`;
}

function forwardLines(stream, onLine) {
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    buf += chunk;
    const lines = buf.split('\n');
    buf = lines.pop();
    for (const l of lines) onLine(l);
  });
  stream.on('end', () => buf && onLine(buf));
}

function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

async function waitForHttp(url, exited, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let gone = false;
  exited.then(() => (gone = true));
  while (Date.now() < deadline) {
    if (gone) throw new Error('code-server exited before it answered HTTP (see [code-server] lines above)');
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`code-server did not answer ${url} within ${timeoutMs / 1000}s`);
}

// Signal the whole group even when the server already exited: the extension host may outlive it.
async function killGroup(child, exited) {
  const kill = (sig) => {
    try {
      process.kill(-child.pid, sig);
      return true;
    } catch {
      return false; // the group is gone
    }
  };
  if (!kill('SIGTERM')) return;
  await Promise.race([exited, sleep(5000)]);
  for (let i = 0; i < 20 && kill(0); i++) await sleep(100);
  kill('SIGKILL');
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}
