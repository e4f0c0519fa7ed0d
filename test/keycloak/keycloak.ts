// A real Keycloak for tests: started in dev mode (in-memory H2) on 127.0.0.1 with free ports and
// the committed realm imported, health-waited on the realm's discovery document, stopped after.
// Each run works in its own copy of the cached distribution (the big jar folder is linked, not
// copied), because start-dev writes its build output and data into the home folder and several
// runs may share the cache. Also the headless browser steps the tests need: the login form, the
// device verification page, and a token verifier for the fake Google STS.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { IdpTokenVerifier } from '../sandbox/context';
import type { DemoUser, Directory } from '../sandbox/directory';
import { Browser, redirectTarget } from '../sandbox/idp/browser';

export const KEYCLOAK_REALM = 'gatehouse';
export const KEYCLOAK_CLIENT_ID = 'gatehouse-vscode';
/** The realm's users sign in with the demo directory's passwords (test/keycloak/realm-gatehouse.json). */
export const REALM_FILE = resolve(__dirname, 'realm-gatehouse.json');
const PROVISION_SCRIPT = resolve(__dirname, '../../scripts/provision-keycloak.mjs');
// 20-60 s on an idle machine; seven minutes were seen on two cores shared with other test runs.
const START_TIMEOUT_MS = 840_000;
/** Startup over peak speed for a short test run: the C1 compiler only (kc.sh already picks the GC). */
const JAVA_OPTS_APPEND = '-XX:TieredStopAtLevel=1';

export class KeycloakError extends Error {
  constructor(
    readonly reason: 'provision' | 'start' | 'browser',
    message: string,
  ) {
    super(message);
  }
}

export interface RunningKeycloak {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  /** The realm's issuer, http://127.0.0.1:PORT/realms/gatehouse */
  readonly issuer: string;
  readonly startupMs: number;
  close(): Promise<void>;
}

interface Provisioned {
  home: string;
  javaHome: string;
  version: string;
}

/** Runs the provisioning script (a no-op when cached); a clear error when it cannot. */
export function provision(): Provisioned {
  const r = spawnSync(process.execPath, [PROVISION_SCRIPT], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000 });
  const last = r.stdout?.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !last.startsWith('{')) {
    const why = (r.stderr ?? '').trim().split('\n').slice(-5).join('\n') || r.error?.message || `exit ${r.status}`;
    throw new KeycloakError('provision', `Keycloak could not be provisioned (node scripts/provision-keycloak.mjs):\n${why}`);
  }
  return JSON.parse(last) as Provisioned;
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = net.createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => ok(port));
    });
  });
}

/** A private home: everything copied but lib/lib (about 160 MB of jars), which is linked. */
function privateHome(cached: string): string {
  const home = mkdtempSync(join(tmpdir(), 'gatehouse-keycloak-'));
  cpSync(cached, home, { recursive: true, filter: (src) => relative(cached, src) !== join('lib', 'lib') && !relative(cached, src).startsWith('data') });
  symlinkSync(join(cached, 'lib', 'lib'), join(home, 'lib', 'lib'));
  mkdirSync(join(home, 'data', 'import'), { recursive: true });
  cpSync(REALM_FILE, join(home, 'data', 'import', 'realm-gatehouse.json'));
  return home;
}

/**
 * @param opts.host a 127.x.y.z address to listen on (default 127.0.0.1; the demo uses 127.0.0.2,
 * because VS Code in the browser sends 127.0.0.1 links through its port forwarding)
 */
export async function startKeycloak(opts: { log?: (line: string) => void; host?: string } = {}): Promise<RunningKeycloak> {
  const started = Date.now();
  // For working on the tests: reuse a Keycloak started with this module elsewhere (left running).
  const reuse = process.env.GATEHOUSE_KEYCLOAK_URL;
  if (reuse) return { url: reuse, issuer: `${reuse}/realms/${KEYCLOAK_REALM}`, startupMs: 0, close: async () => undefined };
  const { home: cached, javaHome } = provision();
  const home = privateHome(cached);
  const [port, managementPort] = [await freePort(), await freePort()];
  const host = opts.host ?? '127.0.0.1';
  if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) throw new KeycloakError('start', `Keycloak listens on a loopback address, not ${host}`);
  const url = `http://${host}:${port}`;
  const issuer = `${url}/realms/${KEYCLOAK_REALM}`;
  const output: string[] = [];
  const child: ChildProcess = spawn(
    join(home, 'bin', 'kc.sh'),
    ['start-dev', `--http-host=${host}`, `--http-port=${port}`, `--http-management-port=${managementPort}`, '--db=dev-mem', '--import-realm', '--log-level=warn,org.keycloak.services:info'],
    { env: { ...process.env, JAVA_HOME: javaHome, JAVA_OPTS_APPEND, KC_HEALTH_ENABLED: 'false' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      output.push(line);
      if (output.length > 200) output.shift();
      opts.log?.(`[keycloak] ${line}`);
    }
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exited: number | null | undefined;
  const exit = new Promise<void>((ok) => child.once('exit', (code) => ((exited = code), ok())));
  // A test process that ends without close() (an interrupt, a crash) takes Keycloak with it.
  const killOnExit = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  process.once('exit', killOnExit);

  const stop = async () => {
    if (exited === undefined) {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        // already gone
      }
      const killed = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 15_000);
      await exit;
      clearTimeout(killed);
    }
    process.off('exit', killOnExit);
    rmSync(home, { recursive: true, force: true });
  };

  try {
    while (true) {
      if (exited !== undefined) throw new KeycloakError('start', `Keycloak exited (${exited}) before it was ready:\n${output.slice(-15).join('\n')}`);
      if (Date.now() - started > START_TIMEOUT_MS) throw new KeycloakError('start', `Keycloak was not ready within ${START_TIMEOUT_MS / 1000} s:\n${output.slice(-15).join('\n')}`);
      const ready = await fetch(`${issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.ok, () => false);
      if (ready) break;
      await new Promise((r) => setTimeout(r, 500));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, issuer, startupMs: Date.now() - started, close: stop };
}

function decodeEntities(s: string): string {
  return s.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
}

/** The action and fields of the page's first form (or the one whose id matches). */
function form(html: string, id?: RegExp): { action: string; fields: Record<string, string> } | undefined {
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    if (id && !id.test(m[1])) continue;
    const action = /action="([^"]*)"/.exec(m[1])?.[1];
    if (!action) continue;
    const fields: Record<string, string> = {};
    for (const input of m[2].matchAll(/<input\b[^>]*>/g)) {
      const name = /name="([^"]*)"/.exec(input[0])?.[1];
      // Submit buttons are sent only when pressed (the caller adds the one it presses).
      if (name && !/type="submit"/.test(input[0])) fields[name] = decodeEntities(/value="([^"]*)"/.exec(input[0])?.[1] ?? '');
    }
    return { action: decodeEntities(action), fields };
  }
  return undefined;
}

export interface KeycloakPageVisit {
  /** The login form was shown (false when the browser's Keycloak session signed in silently). */
  loginShown: boolean;
  /** Where the last redirect leaving Keycloak pointed (not requested), or the final page's HTML. */
  left?: string;
  html?: string;
}

/**
 * Plays a browser with a cookie jar against Keycloak from `start`: follows redirects inside
 * Keycloak, fills the login form as `user` (password from the directory) when shown, and stops at
 * the first redirect leaving Keycloak or at a page without a login form.
 */
export async function driveKeycloak(browser: Browser, kc: RunningKeycloak, start: string, user: DemoUser): Promise<KeycloakPageVisit> {
  let url = start;
  let res = await browser.get(url);
  let loginShown = false;
  let consented = false;
  let restarted = false;
  for (let hop = 0; hop < 20; hop++) {
    const next = redirectTarget(res, url);
    if (next) {
      await res.body?.cancel();
      if (new URL(next).origin !== kc.url) return { loginShown, left: next };
      url = next;
      res = await browser.get(url);
      continue;
    }
    const html = await res.text();
    const login = form(html, /id="kc-form-login"/);
    // Re-authentication (prompt=login over a live Keycloak session) fixes the username to the
    // signed-in person; someone else clicks "Restart login", as a person would.
    const restart = /aria-label="Restart login" onclick="location\.href='([^']+)'"/.exec(html)?.[1];
    if (login && restart && !('username' in login.fields) && !restarted) {
      restarted = true;
      loginShown = true;
      url = new URL(decodeEntities(restart), url).href;
      res = await browser.get(url);
      continue;
    }
    if (login && (!loginShown || restarted)) {
      loginShown = true;
      restarted = false;
      url = new URL(login.action, url).href;
      res = await browser.postForm(url, { ...login.fields, username: user.id, password: user.password });
      continue;
    }
    // The device grant always asks for consent, even for a client that needs none otherwise.
    const consent = /name="accept"/.test(html) ? form(html, /action="[^"]*login-actions\/consent/) : undefined;
    if (consent && !consented) {
      consented = true;
      url = new URL(consent.action, url).href;
      res = await browser.postForm(url, { ...consent.fields, accept: 'Yes' });
      continue;
    }
    if (res.status >= 400 || login) throw new KeycloakError('browser', `Keycloak answered ${res.status} at ${new URL(url).pathname}: ${textOf(html).slice(-300)}`);
    return { loginShown, html };
  }
  throw new KeycloakError('browser', 'too many redirects at Keycloak');
}

/**
 * Opens the device verification link with the code in it (verification_uri_complete, what a
 * person clicks or scans) and signs in as `user`. Keycloak's code-entry form posts to the same path
 * as its device authorization endpoint, which wants a client, so the link is the way in headless.
 */
export async function approveKeycloakDevice(kc: RunningKeycloak, verificationUriComplete: string, user: DemoUser): Promise<void> {
  const visit = await driveKeycloak(new Browser(), kc, verificationUriComplete, user);
  if (!visit.loginShown || !/Device Login Successful/i.test(textOf(visit.html ?? ''))) {
    throw new KeycloakError('browser', `device approval did not reach Keycloak's success page: ${textOf(visit.html ?? visit.left ?? '').slice(0, 300)}`);
  }
}

function textOf(html: string): string {
  return html.replace(/<(script|style)[\s\S]*?<\/\1>/g, '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();
}

/**
 * Verifies Keycloak's tokens for the fake STS: signature by the realm's JWKS, issuer, audience.
 * Keycloak's `sub` is a generated id, so the directory user is found by preferred_username.
 */
export function keycloakVerifier(kc: Pick<RunningKeycloak, 'issuer'>, directory: Directory): IdpTokenVerifier {
  const jwks = createRemoteJWKSet(new URL(`${kc.issuer}/protocol/openid-connect/certs`));
  const verify = async (token: string, audience: string): Promise<DemoUser | undefined> => {
    try {
      const { payload } = await jwtVerify(token, jwks, { issuer: kc.issuer, audience, algorithms: ['RS256'] });
      const name = payload.preferred_username;
      return typeof name === 'string' ? directory.find(name) : undefined;
    } catch {
      return undefined;
    }
  };
  return { issuer: kc.issuer, verifyAccessToken: verify, verifyIdToken: (token) => verify(token, KEYCLOAK_CLIENT_ID) };
}

/**
 * The VS Code user settings for Gatehouse signing in at Keycloak, with BigQuery through the
 * sandbox's STS (started trusting Keycloak: test/sandbox/main.ts --trust-keycloak). Only sign-in
 * and BigQuery: the other sandbox services take their own credentials or the sandbox IdP's tokens.
 * The groups mapper of the realm emits `groups` (names, no path), so the default role mapping of
 * Gatehouse applies as it does with the sandbox IdP.
 */
export function keycloakUserSettings(issuer: string, sandbox: Record<string, unknown>): Record<string, unknown> {
  const bigquery = Object.entries(sandbox).filter(([key]) => key.startsWith('gatehouse.bigquery.'));
  return {
    'gatehouse.auth.issuer': issuer,
    'gatehouse.auth.clientId': KEYCLOAK_CLIENT_ID,
    // Online sessions: sign-out ends them at Keycloak (an offline_access grant outlives the browser session by design).
    'gatehouse.auth.scopes': ['openid', 'profile', 'email'],
    'gatehouse.auth.groupsClaim': 'groups',
    'gatehouse.auth.flow': 'loopback',
    ...Object.fromEntries(bigquery),
  };
}
