// Sign-in, refresh, roles, device flow, sign-out and BigQuery federation against a real Keycloak
// (the Keycloak tier of `npm test`). Keycloak starts once for the file; if it cannot be
// provisioned or started, every test here fails with the reason (never skipped).
import * as assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { AuthError } from '../../src/auth/authError';
import { parseAuthConfig, type RawAuthSettings } from '../../src/auth/config';
import { SessionManager } from '../../src/auth/sessionManager';
import type { DeviceCodePrompt, SignInUi } from '../../src/auth/signInFlows';
import { TokenBroker } from '../../src/auth/tokenBroker';
import { createGoogleCredentials } from '../../src/bigquery/credentials';
import { MemoryLogSink, RedactingLogger } from '../../src/core/logger';
import { SecretRegistry } from '../../src/core/redact';
import { FileLock } from '../../src/core/fileLock';
import { rolesFromGroups } from '../../src/policy/roles';
import { GOOGLE_WORKFORCE_AUDIENCE, GOOGLE_WORKFORCE_USER_PROJECT } from '../sandbox/constants';
import { GoogleTokenStore, type RunningService, type SandboxContext } from '../sandbox/context';
import { Directory, type DemoUser } from '../sandbox/directory';
import { FaultRegistry } from '../sandbox/faults';
import { startGoogleTokenService, workforcePrincipal } from '../sandbox/google-sts';
import { Browser } from '../sandbox/idp/browser';
import { startIdp } from '../sandbox/idp';
import { deliver, FakeSecretStore, recordingFetch, type RecordedRequest } from '../unit/auth/fakes';
import { approveKeycloakDevice, driveKeycloak, KEYCLOAK_CLIENT_ID, keycloakVerifier, startKeycloak, type KeycloakPageVisit, type RunningKeycloak } from './keycloak';

const directory = new Directory();
const user = (id: string): DemoUser => directory.find(id)!;
const LOCAL = { isRemoteOrWeb: false };

/** Plays the person at the browser: one cookie jar per UI, so Keycloak's own session persists across sign-ins. */
class KeycloakUi implements SignInUi {
  readonly opened: string[] = [];
  readonly visits: KeycloakPageVisit[] = [];
  readonly errors: unknown[] = [];
  readonly deviceCodes: DeviceCodePrompt[] = [];
  browser = new Browser();
  as?: DemoUser;

  constructor(private readonly kc: RunningKeycloak) {}

  async openExternal(url: string): Promise<boolean> {
    this.opened.push(url);
    const as = this.as;
    if (as) {
      void driveKeycloak(this.browser, this.kc, url, as)
        .then(async (visit) => {
          this.visits.push(visit);
          if (visit.left) await deliver(visit.left);
        })
        .catch((err) => this.errors.push(err));
    }
    return true;
  }

  showDeviceCode(prompt: DeviceCodePrompt): void {
    this.deviceCodes.push(prompt);
    if (!prompt.verificationUriComplete) this.errors.push(new Error('Keycloak gave no verification_uri_complete'));
    else if (this.as) approveKeycloakDevice(this.kc, prompt.verificationUriComplete, this.as).catch((err) => this.errors.push(err));
  }
}

interface Harness {
  sessions: SessionManager;
  broker: TokenBroker;
  secretStore: FakeSecretStore;
  requests: RecordedRequest[];
  sink: MemoryLogSink;
  ui: KeycloakUi;
  dispose(): void;
}

describe('sign-in against a real Keycloak', function () {
  this.timeout(60_000);
  let kc: RunningKeycloak | undefined;
  let startError: unknown;
  const harnesses: Harness[] = [];

  before(async function () {
    this.timeout(900_000);
    try {
      kc = await startKeycloak();
      process.stdout.write(`      (Keycloak ready in ${(kc.startupMs / 1000).toFixed(1)} s at ${kc.url})\n`);
    } catch (err) {
      startError = err;
    }
  });
  after(() => kc?.close());
  afterEach(() => {
    for (const h of harnesses.splice(0)) h.dispose();
  });

  /** Keycloak, or this test fails with why there is none. */
  function keycloak(): RunningKeycloak {
    if (!kc) throw new Error(`Keycloak is not running: ${startError instanceof Error ? startError.message : String(startError)}`);
    return kc;
  }

  async function harness(settings: Partial<RawAuthSettings> = {}, clock = { offset: 0 }): Promise<Harness> {
    const k = keycloak();
    const secretStore = new FakeSecretStore();
    const secrets = new SecretRegistry();
    const sink = new MemoryLogSink();
    const logger = new RedactingLogger(sink, secrets);
    const requests: RecordedRequest[] = [];
    const now = () => Date.now() + clock.offset;
    const sessions = new SessionManager({ secretStore, secrets, logger, now, refreshLock: new FileLock(secretStore.lockFile), httpTimeoutMs: 10_000, interactionTimeoutMs: 30_000, fetch: recordingFetch(requests) });
    await sessions.configure(parseAuthConfig({ issuer: k.issuer, clientId: KEYCLOAK_CLIENT_ID, flow: 'loopback', serviceTokens: 'sessionToken', ...settings }));
    const broker = new TokenBroker({ sessions, secrets, logger: logger.child('tokens'), now });
    const h: Harness = {
      sessions,
      broker,
      secretStore,
      requests,
      sink,
      ui: new KeycloakUi(k),
      dispose() {
        broker.dispose();
        sessions.dispose();
      },
    };
    harnesses.push(h);
    return h;
  }

  async function signedIn(as: string, settings: Partial<RawAuthSettings> = {}, clock = { offset: 0 }): Promise<Harness> {
    const h = await harness(settings, clock);
    h.ui.as = user(as);
    await h.sessions.signIn(h.ui, LOCAL);
    assert.deepEqual(h.ui.errors, []);
    return h;
  }

  it('signs in with code + PKCE through the loopback and Keycloak\'s login form', async () => {
    const h = await signedIn('alice');
    const session = h.sessions.current()!;
    assert.equal(session.identity.label, 'alice@example.com');
    assert.equal(session.identity.name, 'Alice Engineer');
    assert.equal(session.identity.issuer, keycloak().issuer);
    assert.deepEqual([...session.identity.groups].sort(), ['analysts', 'data-engineers']);
    assert.equal(h.ui.visits[0].loginShown, true);
    const url = new URL(h.ui.opened[0]);
    assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
    assert.match(url.searchParams.get('redirect_uri')!, /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    // The id token verifies against the realm's keys and names the Gatehouse client.
    assert.equal((await keycloakVerifier(keycloak(), directory).verifyIdToken(session.idToken))?.id, 'alice');
    assert.ok(h.requests.some((r) => r.grantType === 'authorization_code' && /code_verifier=/.test(r.body)), 'the code was redeemed with the PKCE verifier');
    const logs = h.sink.lines.join('\n');
    for (const secret of [session.accessToken, session.idToken, session.refreshToken!]) assert.ok(!logs.includes(secret), 'no token in the log');
  });

  it('is refused by Keycloak without PKCE: the realm enforces S256 for this client', async () => {
    const k = keycloak();
    const auth = new URL(`${k.issuer}/protocol/openid-connect/auth`);
    for (const [key, value] of Object.entries({ client_id: KEYCLOAK_CLIENT_ID, response_type: 'code', redirect_uri: 'http://127.0.0.1:49152/callback', scope: 'openid', state: 's1' })) auth.searchParams.set(key, value);
    const visit = await driveKeycloak(new Browser(), k, auth.href, user('bob'));
    assert.ok(visit.left, 'Keycloak redirected back with an error');
    assert.equal(visit.loginShown, false, 'before any login form');
    const back = new URL(visit.left);
    assert.equal(back.searchParams.get('error'), 'invalid_request');
    assert.match(back.searchParams.get('error_description') ?? '', /code_challenge/);
  });

  it('maps the groups claim to Gatehouse roles, and realm roles when gatehouse.auth.groupsClaim is "roles"', async () => {
    const byGroup = await signedIn('bob');
    assert.deepEqual(byGroup.sessions.current()!.identity.groups, ['analysts']);
    assert.deepEqual([...rolesFromGroups(byGroup.sessions.current()!.identity.groups, { analysts: ['analyst'], 'data-engineers': ['engineer'] })], ['analyst']);
    const byRole = await signedIn('alice', { groupsClaim: 'roles' });
    const roles = byRole.sessions.current()!.identity.groups;
    assert.ok(roles.includes('engineer'), `realm roles: ${roles.join(', ')}`);
    assert.ok(!roles.includes('data-engineers'), 'groups are not realm roles');
    assert.deepEqual([...rolesFromGroups(roles, { engineer: ['engineer'] })], ['engineer']);
  });

  it('refreshes before expiry, stores the rotated refresh token, and Keycloak refuses the old one', async () => {
    const clock = { offset: 0 };
    const h = await signedIn('alice', {}, clock);
    const old = h.sessions.current()!;
    assert.ok(old.refreshToken);
    clock.offset = old.accessTokenExpiresAt - Date.now() - 30_000; // inside the refresh skew
    const token = await h.broker.getToken({ kind: 'access' });
    assert.notEqual(token.token, old.accessToken);
    assert.equal(decodeJwt(token.token).preferred_username, 'alice');
    const stored = JSON.parse([...h.secretStore.values.values()][0]);
    assert.ok(stored.refreshToken && stored.refreshToken !== old.refreshToken, 'rotated refresh token stored');
    assert.equal(h.requests.filter((r) => r.grantType === 'refresh_token').length, 1);
    // The realm revokes refresh tokens on use (revokeRefreshToken, no reuse).
    await assert.rejects(h.sessions.client.refresh(old.refreshToken!), (e: unknown) => AuthError.is(e, 'invalidGrant'));
  });

  it('signs in with the device flow on Keycloak\'s verification page', async () => {
    const h = await harness({ flow: 'device' });
    h.ui.as = user('bob');
    const session = await h.sessions.signIn(h.ui, LOCAL);
    assert.deepEqual(h.ui.errors, []);
    assert.equal(session.identity.label, 'bob@example.com');
    assert.equal(h.ui.deviceCodes.length, 1);
    assert.ok(h.ui.deviceCodes[0].verificationUri.startsWith(keycloak().issuer));
    assert.equal(h.ui.opened.length, 0);
    assert.ok(h.requests.some((r) => r.grantType === 'urn:ietf:params:oauth:grant-type:device_code'));
  });

  it('revokes at Keycloak on sign-out: the refresh token no longer works', async () => {
    const h = await signedIn('olivia');
    const session = h.sessions.current()!;
    const result = await h.sessions.signOut();
    assert.equal(result.revoked, true);
    assert.equal(h.secretStore.values.size, 0);
    await assert.rejects(h.sessions.client.refresh(session.refreshToken!), (e: unknown) => AuthError.is(e, 'invalidGrant'));
  });

  // Without offline_access: with it (the default scopes) Keycloak asked for the login again on the
  // next sign-in in our runs; an online session shows the browser session that lingers.
  const ONLINE = { scopes: ['openid', 'profile', 'email'] };

  it('switches account past Keycloak\'s own browser session with prompt=login', async () => {
    const h = await signedIn('alice', ONLINE);
    // Keycloak remembers the browser: signing in again asks nobody and it is alice again, even
    // though the person at the browser now means to be bob.
    h.ui.as = user('bob');
    const again = await h.sessions.signIn(h.ui, LOCAL);
    assert.equal(again.identity.label, 'alice@example.com');
    assert.equal(h.ui.visits[1].loginShown, false);
    const switched = await h.sessions.signIn(h.ui, LOCAL, undefined, { prompt: h.sessions.config!.switchAccountPrompt });
    assert.deepEqual(h.ui.errors, []);
    assert.equal(new URL(h.ui.opened[2]).searchParams.get('prompt'), 'login');
    // Keycloak asks again (for alice's password first; bob uses "Restart login").
    assert.equal(h.ui.visits[2].loginShown, true);
    assert.equal(switched.identity.label, 'bob@example.com');
  });

  it('ignores prompt=select_account, which is why "login" is the default switch prompt', async () => {
    const h = await signedIn('alice', { ...ONLINE, switchAccountPrompt: 'select_account' });
    h.ui.as = user('bob');
    const session = await h.sessions.signIn(h.ui, LOCAL, undefined, { prompt: h.sessions.config!.switchAccountPrompt });
    assert.deepEqual(h.ui.errors, []);
    assert.equal(new URL(h.ui.opened[1]).searchParams.get('prompt'), 'select_account');
    assert.equal(h.ui.visits[1].loginShown, false);
    assert.equal(session.identity.label, 'alice@example.com');
  });

  describe('BigQuery federation with Keycloak as the provider', () => {
    let sts: RunningService | undefined;
    let ctx: SandboxContext;

    before(async () => {
      if (!kc) return;
      ctx = {
        directory,
        idp: keycloakVerifier(kc, directory),
        identityProxy: { verifyAssertion: async () => undefined },
        googleTokens: new GoogleTokenStore(),
        faults: new FaultRegistry(),
        warehouse: { query: () => Promise.reject(new Error('no warehouse in this test')) },
        log: () => undefined,
      };
      sts = await startGoogleTokenService(ctx, {});
    });
    after(() => sts?.close());
    /** The STS's token URL; fails with why Keycloak is missing when it is. */
    const tokenUrl = () => (keycloak(), `${sts!.url}/v1/token`);

    it('exchanges the signed-in Keycloak id token at the STS for a workforce token of that person', async () => {
      const h = await signedIn('alice');
      const { authClient, origin } = createGoogleCredentials(
        { audience: GOOGLE_WORKFORCE_AUDIENCE, stsUrl: tokenUrl(), workforcePoolUserProject: GOOGLE_WORKFORCE_USER_PROJECT },
        { getIdToken: async (signal) => (await h.broker.getToken({ kind: 'idToken' }, signal)).token },
      );
      assert.equal(origin, 'google-federation');
      const result = await authClient.getAccessToken();
      const token = typeof result === 'string' ? result : result?.token;
      const record = ctx.googleTokens.lookup(token ?? undefined);
      assert.equal(record?.user.id, 'alice');
      assert.equal(record?.principal, workforcePrincipal('alice'));
    });

    it('is refused when the STS trusts Keycloak and the id token comes from another IdP', async () => {
      const faults = new FaultRegistry();
      const other = await startIdp({ directory, faults, log: () => undefined });
      try {
        const foreign = (await other.login('alice')).id_token;
        const { authClient } = createGoogleCredentials(
          { audience: GOOGLE_WORKFORCE_AUDIENCE, stsUrl: tokenUrl(), workforcePoolUserProject: GOOGLE_WORKFORCE_USER_PROJECT },
          { getIdToken: async () => foreign },
        );
        await assert.rejects(authClient.getAccessToken(), /issuer/i);
      } finally {
        await other.close();
      }
    });
  });
});
