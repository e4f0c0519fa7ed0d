#!/usr/bin/env node
// `npm run demo`: the sandbox, the extension and a real VS Code on a demo workspace that is
// already configured for the sandbox. VS Code desktop when `code` is on PATH (or --desktop),
// otherwise VS Code in the browser (code-server 4.100.3, provisioned offline and cached), whose
// URL is printed. Ctrl-C stops everything. With --idp keycloak, sign-in is at a real Keycloak
// (the test realm, started from the cache `node scripts/provision-keycloak.mjs` fills) and the
// sandbox's STS trusts it for BigQuery.
//   npm run demo [-- --browser] [-- --port 8080] [-- --idp keycloak] [-- --direct airbyte,dbtCloud,metabase]
// (--direct: those services at their own APIs with per-person credentials, not through the proxies)
import { spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { provisionCodeServer } from '../test/integration/runner/provision.mjs';
import { QUIET_SETTINGS } from '../test/integration/runner/workbench.mjs';
import { ensureDbtVenv } from './dbt-venv.mjs';
import { findJavaHome, provisionedHome } from './provision-keycloak.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const STATE = join(ROOT, '.sandbox');
const { values } = parseArgs({
  options: { browser: { type: 'boolean' }, desktop: { type: 'boolean' }, port: { type: 'string' }, direct: { type: 'string' }, idp: { type: 'string', default: 'sandbox' } },
});
if (!['sandbox', 'keycloak'].includes(values.idp)) {
  process.stderr.write(`[demo] --idp is sandbox or keycloak, not ${values.idp}\n`);
  process.exit(2);
}
// 127.0.0.2, not 127.0.0.1: VS Code running remotely (code-server) sends links to localhost and
// 127.0.0.1 through its port forwarding, which would mangle the IdP's sign-in link.
const HOST = process.env.GATEHOUSE_SANDBOX_HOST ?? '127.0.0.2';

const children = [];
const say = (line) => process.stdout.write(`[demo] ${line}\n`);

function stopAll(code = 0) {
  for (const c of children.reverse()) {
    try {
      process.kill(-c.pid, 'SIGINT');
    } catch {
      // already gone
    }
  }
  setTimeout(() => process.exit(code), 500);
}
process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));

// code-server writes its config and state under XDG folders: keep them in .sandbox/, not $HOME.
const XDG = { XDG_CONFIG_HOME: join(STATE, 'xdg/config'), XDG_DATA_HOME: join(STATE, 'xdg/data'), XDG_CACHE_HOME: join(STATE, 'xdg/cache') };

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...XDG } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed`);
}

/** Starts a tsx program that prints one JSON line with `ready` (the sandbox, Keycloak). */
function startReady(name, args) {
  const child = spawn('npx', ['tsx', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], detached: true, env: { ...process.env, GATEHOUSE_SANDBOX_HOST: HOST } });
  children.push(child);
  return new Promise((resolveReady, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        const msg = JSON.parse(line);
        if (msg.ready) resolveReady(msg);
      } catch {
        process.stdout.write(`[${name}] ${line}\n`);
      }
    });
    child.on('exit', (code) => reject(new Error(`${name} exited (${code})`)));
  });
}

const startSandbox = (dbtFile, keycloakIssuer) =>
  startReady('sandbox', ['test/sandbox/main.ts', '--dbt-file', dbtFile, ...(keycloakIssuer ? ['--trust-keycloak', keycloakIssuer] : []), ...(values.direct ? ['--direct', values.direct] : [])]);

/** Keycloak with the test realm, or why there is none. GATEHOUSE_KEYCLOAK_URL reuses a running one. */
async function startKeycloak() {
  if (!process.env.GATEHOUSE_KEYCLOAK_URL && (!provisionedHome() || !findJavaHome())) {
    throw new Error(
      'Keycloak is not provisioned. Run `node scripts/provision-keycloak.mjs` once (it fetches Keycloak with the Maven client into ~/.cache/gatehouse/keycloak and needs Java 21+), then `npm run demo -- --idp keycloak` again.',
    );
  }
  say('starting Keycloak with the gatehouse realm (20-60 s, minutes on a busy machine)…');
  const kc = await startReady('keycloak', ['test/keycloak/main.ts', '--host', HOST]);
  say(`Keycloak ready: ${kc.issuer}`);
  return kc;
}

async function waitForHttp(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

function onPath(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function freshWorkspace() {
  const dir = join(STATE, 'demo-workspace');
  rmSync(dir, { recursive: true, force: true });
  cpSync(join(ROOT, 'test/sandbox/demo-workspace'), dir, { recursive: true });
  rmSync(join(dir, 'generate-manifest.ts'), { force: true });
  return dir;
}

function userDataDir(name, settings) {
  const dir = join(STATE, name);
  mkdirSync(join(dir, 'User'), { recursive: true });
  writeFileSync(join(dir, 'User', 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, 'workbench.startupEditor': 'none', ...settings }, null, 2));
  // code-server runs the extension host as a remote: machine-scoped settings live in Machine/.
  mkdirSync(join(dir, 'Machine'), { recursive: true });
  writeFileSync(join(dir, 'Machine', 'settings.json'), JSON.stringify(settings, null, 2));
  return dir;
}

async function main() {
  mkdirSync(STATE, { recursive: true });
  say('installing real dbt (dbt-core + dbt-duckdb) into .venv-dbt if needed…');
  const dbtExecutable = ensureDbtVenv();
  // The workspace first: its profiles.yml points dbt at warehouse/gatehouse-demo.duckdb, the file
  // the sandbox's BigQuery serves what dbt builds from.
  const workspace = freshWorkspace();
  mkdirSync(join(workspace, 'warehouse'), { recursive: true });
  const keycloak = values.idp === 'keycloak' ? await startKeycloak() : undefined;
  say('starting the sandbox (identity provider, Google STS, BigQuery, Airbyte, dbt Cloud, Looker, Metabase)…');
  const sandbox = await startSandbox(join(workspace, 'warehouse', 'gatehouse-demo.duckdb'), keycloak?.issuer);
  sandbox.settings = { ...sandbox.settings, 'gatehouse.dbt.executablePath': dbtExecutable };
  say(`sandbox ready: IdP ${sandbox.keycloakIssuer ?? sandbox.issuer}, BigQuery ${sandbox.bigquery}`);
  say('building the extension…');
  run('node', ['esbuild.mjs']);
  const desktop = values.desktop || (!values.browser && onPath('code'));

  if (desktop) {
    const userData = userDataDir('vscode-user', sandbox.settings);
    const code = spawn('code', ['--new-window', '--user-data-dir', userData, `--extensionDevelopmentPath=${ROOT}`, workspace], {
      stdio: 'inherit',
      detached: true,
    });
    children.push(code);
    say('VS Code desktop is opening on the demo workspace.');
  } else {
    const codeServer = await provisionCodeServer();
    run('node', ['scripts/marketplace-readme.mjs']);
    run('npx', ['vsce', 'package', '--no-dependencies', '--readme-path', 'dist/README.md', '--out', join(STATE, 'gatehouse.vsix')]);
    const userData = userDataDir('code-server-user', { ...sandbox.settings, 'security.workspace.trust.enabled': false });
    const extensions = join(STATE, 'code-server-extensions');
    rmSync(extensions, { recursive: true, force: true });
    run(process.execPath, [join(codeServer, 'out/node/entry.js'), '--user-data-dir', userData, '--extensions-dir', extensions, '--install-extension', join(STATE, 'gatehouse.vsix')]);
    const port = values.port ?? '8417';
    const server = spawn(
      process.execPath,
      [join(codeServer, 'out/node/entry.js'), '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--user-data-dir', userData,
        '--extensions-dir', extensions, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
        '--disable-getting-started-override', '--ignore-last-opened', workspace],
      { stdio: ['ignore', 'ignore', 'inherit'], detached: true, env: { ...process.env, ...XDG } },
    );
    children.push(server);
    server.on('exit', (code) => {
      say(`code-server exited (${code})`);
      stopAll(code ?? 1);
    });
    await waitForHttp(`http://127.0.0.1:${port}/healthz`, 120_000);
    say(`VS Code is ready in the browser: open http://127.0.0.1:${port}/`);
  }
  say('In VS Code: open the Gatehouse view in the activity bar and click "Sign in".');
  if (keycloak) {
    say('Sign in on Keycloak\'s page as alice / alice-demo-password (data engineer), bob / bob-demo-password (analyst)');
    say('or olivia / olivia-demo-password (outsider). BigQuery federates your Keycloak sign-in; the other services are not configured.');
  } else {
    say('The sandbox sign-in page lets you pick a demo user: alice (data engineer), bob (analyst) or olivia (outsider).');
  }
  say(`Ctrl-C here stops VS Code and the sandbox${keycloak ? ' and Keycloak' : ''}.`);
}

main().catch((err) => {
  process.stderr.write(`[demo] ${err.message}\n`);
  stopAll(1);
});
