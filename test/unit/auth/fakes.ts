// Fakes for the sign-in tests: a UI that plays the user and the browser against the sandbox IdP,
// a fetch that records what went over the wire, and a harness (secrets in support/secrets.ts).
import { FileLock, type Lock } from '../../../src/core/fileLock';
import { MemoryLogSink, RedactingLogger } from '../../../src/core/logger';
import { SecretRegistry } from '../../../src/core/redact';
import { parseAuthConfig, type RawAuthSettings } from '../../../src/auth/config';
import { SessionManager } from '../../../src/auth/sessionManager';
import type { DeviceCodePrompt, SignInUi } from '../../../src/auth/signInFlows';
import { TokenBroker } from '../../../src/auth/tokenBroker';
import { AUDIENCES, EXTENSION_CLIENT_ID } from '../../sandbox/constants';
import { Directory } from '../../sandbox/directory';
import { FaultRegistry } from '../../sandbox/faults';
import { startIdp, type RunningIdp } from '../../sandbox/idp';
import { MemorySecretStore } from '../support/secrets';

/** The sign-in tests' name for the shared store (with its lock file, slow reads and late events). */
export { MemorySecretStore as FakeSecretStore };
type FakeSecretStore = MemorySecretStore;

export interface RecordedRequest {
  method: string;
  path: string;
  /** grant_type of token requests. */
  grantType?: string;
  body: string;
}

/** The real fetch, recording method, path and form body of every request. */
export function recordingFetch(requests: RecordedRequest[]): typeof fetch {
  return async (input, init) => {
    const url = new URL(String(input instanceof Request ? input.url : input));
    const body = init?.body === undefined || init.body === null ? '' : String(init.body);
    const grantType = new URLSearchParams(body).get('grant_type') ?? undefined;
    requests.push({ method: init?.method ?? 'GET', path: url.pathname, grantType, body });
    return fetch(input, init);
  };
}

/** What the fake browser does with the authorization URL, given the IdP. */
export type BrowserScript = (authorizationUrl: string, idp: RunningIdp) => Promise<void>;

/** Completes sign-in as `user` and requests the callback, like a browser following the redirect. */
export function browserAs(user: string, edit: (callback: URL) => void = () => undefined): BrowserScript {
  return async (url, idp) => {
    const callback = new URL(await idp.completeAuthorization(url, user));
    edit(callback);
    await deliver(callback.href);
  };
}

/** GETs the callback URL; resolves with the page the loopback server answered (or the error). */
export async function deliver(url: string): Promise<{ status: number; html: string; csp: string | null } | { error: string }> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    return { status: res.status, html: await res.text(), csp: res.headers.get('content-security-policy') };
  } catch (err) {
    return { error: String((err as Error).cause ?? err) };
  }
}

export class FakeUi implements SignInUi {
  readonly opened: string[] = [];
  readonly deviceCodes: DeviceCodePrompt[] = [];
  /** Errors of the fake browser's own work (a test would otherwise not see them). */
  readonly browserErrors: unknown[] = [];
  browser?: BrowserScript;
  device?: (prompt: DeviceCodePrompt, idp: RunningIdp) => Promise<void>;
  openResult = true;

  constructor(private readonly idp: RunningIdp) {}

  async openExternal(url: string): Promise<boolean> {
    this.opened.push(url);
    // The browser works on its own; sign-in waits for the loopback callback, not for this.
    if (this.browser) this.browser(url, this.idp).catch((err) => this.browserErrors.push(err));
    return this.openResult;
  }

  showDeviceCode(prompt: DeviceCodePrompt): void {
    this.deviceCodes.push(prompt);
    if (this.device) this.device(prompt, this.idp).catch((err) => this.browserErrors.push(err));
  }
}

export interface HarnessOptions {
  settings?: Partial<RawAuthSettings>;
  httpTimeoutMs?: number;
  interactionTimeoutMs?: number;
  /** A clock offset the test can move (ms), applied to the core's notion of now. */
  clock?: { offset: number };
  secretStore?: FakeSecretStore;
  /** Default: a file lock next to the secret store, shared by harnesses over the same store. */
  refreshLock?: Lock;
  /** Waits of device polling (default: real ones). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface Harness {
  idp: RunningIdp;
  faults: FaultRegistry;
  secretStore: MemorySecretStore;
  secrets: SecretRegistry;
  sink: MemoryLogSink;
  requests: RecordedRequest[];
  sessions: SessionManager;
  broker: TokenBroker;
  ui: FakeUi;
  dispose(): void;
}

export async function startTestIdp(): Promise<{ idp: RunningIdp; faults: FaultRegistry }> {
  const faults = new FaultRegistry();
  const idp = await startIdp({ directory: new Directory(), faults, log: () => undefined });
  return { idp, faults };
}

export async function createHarness(opts: HarnessOptions & { idp: RunningIdp; faults: FaultRegistry }): Promise<Harness> {
  const secretStore = opts.secretStore ?? new MemorySecretStore();
  const secrets = new SecretRegistry();
  const sink = new MemoryLogSink();
  const logger = new RedactingLogger(sink, secrets);
  const requests: RecordedRequest[] = [];
  const now = () => Date.now() + (opts.clock?.offset ?? 0);
  const sessions = new SessionManager({
    secretStore,
    secrets,
    logger,
    refreshLock: opts.refreshLock ?? new FileLock(secretStore.lockFile),
    sleep: opts.sleep,
    now,
    httpTimeoutMs: opts.httpTimeoutMs ?? 5_000,
    interactionTimeoutMs: opts.interactionTimeoutMs ?? 10_000,
    fetch: recordingFetch(requests),
  });
  const config = parseAuthConfig({
    issuer: opts.idp.issuer,
    clientId: EXTENSION_CLIENT_ID,
    scopes: ['openid', 'profile', 'email', 'groups', 'offline_access'],
    flow: 'loopback',
    audiences: { airbyte: AUDIENCES.airbyte, dbtCloud: AUDIENCES.dbtCloud, looker: AUDIENCES.looker, metabase: AUDIENCES.metabase },
    ...opts.settings,
  });
  await sessions.configure(config);
  const broker = new TokenBroker({ sessions, secrets, logger: logger.child('tokens'), now });
  const ui = new FakeUi(opts.idp);
  return {
    idp: opts.idp,
    faults: opts.faults,
    secretStore,
    secrets,
    sink,
    requests,
    sessions,
    broker,
    ui,
    dispose() {
      broker.dispose();
      sessions.dispose();
    },
  };
}

export const LOCAL = { isRemoteOrWeb: false };
