// Provisions code-server (a real VS Code server + workbench) for the integration tests on a
// machine with no VS Code download host: only the npm registry and Debian packages are reachable.
// Steps follow /work/shared/reference/vscode-offline.md. The result is cached under
// <repo>/.vscode-test/code-server-<version>/ and trusted only when its marker file exists; the
// work happens in a sibling temp folder that is renamed into place at the end, so an interrupted
// run never leaves a folder that looks finished.
//
// CLI: node test/integration/runner/provision.mjs [--force]
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, renameSync, copyFileSync, chmodSync, symlinkSync, readdirSync, readFileSync, writeFileSync, createWriteStream } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.100.3';
const MARKER = '.gatehouse-provisioned';
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

// Debian packages the provisioned server and the driver need: what each is for, and how to tell
// it is there without asking dpkg (works in containers that strip dpkg's database too).
export const DEBIAN_PACKAGES = [
  { pkg: 'chromium', why: 'headless browser that runs the workbench', present: () => existsSync('/usr/bin/chromium') },
  { pkg: 'ripgrep', why: 'rg binary for VS Code search (its npm package downloads from GitHub)', present: () => existsSync('/usr/bin/rg') },
  { pkg: 'libkrb5-dev', why: 'headers to build the kerberos native module', present: () => existsSync('/usr/include/gssapi/gssapi.h') || existsSync('/usr/include/krb5.h') },
];

export const log = (msg) => process.stderr.write(`[vscode-test] ${msg}\n`);

export function missingDebianPackages() {
  return DEBIAN_PACKAGES.filter((p) => !p.present());
}

export function codeServerDir(repoRoot = REPO_ROOT, version = CODE_SERVER_VERSION) {
  return join(repoRoot, '.vscode-test', `code-server-${version}`);
}

export function isProvisioned(dir) {
  return existsSync(join(dir, MARKER)) && existsSync(join(dir, 'out/node/entry.js'));
}

/**
 * Returns the folder of a ready code-server (the one holding out/node/entry.js), building it on
 * the first call. Throws with a clear message when a Debian package is missing or a step fails.
 */
export async function provisionCodeServer({ repoRoot = REPO_ROOT, version = CODE_SERVER_VERSION, force = false } = {}) {
  const target = codeServerDir(repoRoot, version);
  if (!force && isProvisioned(target)) return target;

  const missing = missingDebianPackages();
  if (missing.length) {
    throw new Error(
      `missing Debian packages: ${missing.map((p) => p.pkg).join(' ')}\n` +
        missing.map((p) => `  ${p.pkg}: ${p.why}`).join('\n') +
        `\ninstall with: apt-get install -y ${DEBIAN_PACKAGES.map((p) => p.pkg).join(' ')}`,
    );
  }

  const started = Date.now();
  const cacheRoot = dirname(target);
  mkdirSync(cacheRoot, { recursive: true });
  removeAbandonedWork(cacheRoot);
  // Same filesystem as the target so the final rename is atomic.
  const work = join(cacheRoot, `.tmp-code-server-${version}-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const logFile = join(cacheRoot, `provision-${version}.log`);
  const logStream = createWriteStream(logFile);
  log(`provisioning code-server ${version} (under a minute to about 5 minutes, mostly native builds; details in ${logFile})`);

  const running = new Set();
  const run = (cmd, args, cwd, env = {}) => runLogged(cmd, args, { cwd, env: { ...process.env, ...env }, logStream, running });
  // Interrupted: stop the npm in flight (its own process group) and drop the half-done folder.
  const onSignal = (signal) => {
    for (const child of running) killGroup(child.pid);
    rmSync(work, { recursive: true, force: true });
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    log('npm pack');
    await run('npm', ['pack', `code-server@${version}`, '--silent'], work);
    const tgz = readdirSync(work).find((f) => f.endsWith('.tgz'));
    if (!tgz) throw new Error('npm pack produced no tarball');
    await run('tar', ['-xzf', tgz], work);
    rmSync(join(work, tgz));
    const pkg = join(work, 'package');
    const vscode = join(pkg, 'lib/vscode');

    log('install code-server dependencies');
    await run('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], pkg);
    log('rebuild argon2');
    await run('npm', ['rebuild', 'argon2'], pkg);

    log('install VS Code server dependencies');
    await run('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], vscode);
    log('rebuild VS Code native modules (the slow part)');
    // node-pty's rebuild calls npx, which refuses to run when npm's `yes` is false.
    await run(
      'npm',
      ['rebuild', 'kerberos', 'native-watchdog', 'node-pty', '@parcel/watcher', '@vscode/deviceid', '@vscode/spdlog'],
      vscode,
      { npm_config_yes: 'true' },
    );
    // @vscode/ripgrep's postinstall downloads from GitHub; Debian's rg is the same program.
    const rgDir = join(vscode, 'node_modules/@vscode/ripgrep/bin');
    mkdirSync(rgDir, { recursive: true });
    copyFileSync('/usr/bin/rg', join(rgDir, 'rg'));
    chmodSync(join(rgDir, 'rg'), 0o755);
    // The server resolves some modules through node_modules.asar; a relative link survives the rename.
    rmSync(join(vscode, 'node_modules.asar'), { recursive: true, force: true });
    symlinkSync('node_modules', join(vscode, 'node_modules.asar'));

    log('install built-in extension dependencies');
    await run('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], join(vscode, 'extensions'));

    if (!existsSync(join(pkg, 'out/node/entry.js'))) throw new Error('out/node/entry.js missing after install');
    writeFileSync(join(pkg, MARKER), JSON.stringify({ version, node: process.version, at: new Date().toISOString() }) + '\n');

    if (isProvisioned(target)) {
      log('another run provisioned it meanwhile; keeping that one');
      return target;
    }
    rmSync(target, { recursive: true, force: true }); // a stale folder without a marker
    renameSync(pkg, target);
    log(`code-server ${version} ready in ${Math.round((Date.now() - started) / 1000)}s: ${target}`);
    return target;
  } catch (err) {
    throw new Error(`provisioning code-server ${version} failed: ${err.message}\nsee ${logFile}`);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    logStream.end();
    rmSync(work, { recursive: true, force: true });
  }
}

function runLogged(cmd, args, { cwd, env, logStream, running }) {
  logStream.write(`\n$ (cd ${cwd} && ${cmd} ${args.join(' ')})\n`);
  return new Promise((resolveRun, rejectRun) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    running.add(child);
    child.on('exit', () => running.delete(child));
    let tail = '';
    const keep = (chunk) => {
      logStream.write(chunk);
      tail = (tail + chunk.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', rejectRun);
    child.on('close', (code, signal) => {
      if (code === 0) return resolveRun();
      rejectRun(new Error(`\`${cmd} ${args.join(' ')}\` in ${cwd} exited ${code ?? signal}\n${tail.trim().split('\n').slice(-15).join('\n')}`));
    });
  });
}

// Work folders of provisions that were killed outright (no chance to clean up); a live owner keeps its own.
function removeAbandonedWork(cacheRoot) {
  for (const name of readdirSync(cacheRoot)) {
    const m = /^\.tmp-code-server-.+-(\d+)$/.exec(name);
    if (m && !isAlive(Number(m[1]))) rmSync(join(cacheRoot, name), { recursive: true, force: true });
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

function killGroup(pid) {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const dir = await provisionCodeServer({ force: process.argv.includes('--force') });
    log(`code-server at ${dir}`);
    // Also show the VS Code version it carries, a quick sanity check of the cache.
    log(`VS Code ${JSON.parse(readFileSync(join(dir, 'lib/vscode/package.json'), 'utf8')).version}`);
  } catch (err) {
    log(err.message);
    process.exit(1);
  }
}
