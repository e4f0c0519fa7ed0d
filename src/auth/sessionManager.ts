// The signed-in session: sign-in, restore, refresh (one at a time), sign-out, and following other
// windows through the secret store. Holds no VS Code types; the AuthenticationProvider wraps it.
import type { Disposable } from '../core/disposable';
import { Emitter, type Event } from '../core/event';
import type { Logger } from '../core/logger';
import type { SecretRegistry } from '../core/redact';
import { AuthError } from './authError';
import type { AuthorizationOptions } from './authorizationParams';
import type { AuthConfig } from './config';
import { getFlows } from './flows';
import { OidcClient, type TokenResult } from './oidcClient';
import { newSession, refreshedSession, sessionSecrets, type Session } from './session';
import { SessionStore, type SecretStore } from './sessionStore';
import { Sequencer } from './sequencer';
import { signInWithDevice, signInWithLoopback, type SignInUi } from './signInFlows';

export type SessionChangeReason = 'signedIn' | 'signedOut' | 'refreshed' | 'expired' | 'otherWindow' | 'reconfigured';

export interface SessionChange {
  reason: SessionChangeReason;
  session: Session | undefined;
  /** The session that ended (signedOut, expired, reconfigured away). */
  previous?: Session;
}

export interface SessionManagerOptions {
  secretStore: SecretStore;
  /** Every token the session holds is registered here so the logger redacts it. */
  secrets: SecretRegistry;
  logger: Logger;
  now?: () => number;
  /** For tests: bounded HTTP and user-interaction times. */
  httpTimeoutMs?: number;
  interactionTimeoutMs?: number;
  fetch?: typeof fetch;
}

export interface SignInEnvironment {
  /** The extension host is remote or in a browser: the browser cannot reach its loopback. */
  isRemoteOrWeb: boolean;
}

const NOT_CONFIGURED = new AuthError('notConfigured', 'Sign-in is not configured yet.', 'Run "Gatehouse: Configure Sign-In" and set the issuer URL and client id.');

export class SessionManager implements Disposable {
  private readonly changed = new Emitter<SessionChange>();
  readonly onDidChangeSession: Event<SessionChange> = this.changed.event;
  private readonly sequencer = new Sequencer();
  private readonly now: () => number;
  private oidc?: OidcClient;
  private store?: SessionStore;
  private storeListener?: Disposable;
  private session?: Session;
  /** What this window last wrote to the store, to tell its own change events from other windows'. */
  private lastWritten?: string | null;
  /** Bumped on every change of configuration, so late answers for an old one are dropped. */
  private generation = 0;

  constructor(private readonly opts: SessionManagerOptions) {
    this.now = opts.now ?? Date.now;
  }

  get config(): AuthConfig | undefined {
    return this.oidc?.config;
  }

  get client(): OidcClient {
    if (!this.oidc) throw NOT_CONFIGURED;
    return this.oidc;
  }

  current(): Session | undefined {
    return this.session;
  }

  /**
   * Applies (new) settings and restores the stored session for that issuer and client. Called at
   * start and on every configuration change; `undefined` means sign-in is not configured.
   */
  async configure(config: AuthConfig | undefined): Promise<Session | undefined> {
    const before = this.oidc?.config;
    const sameIdp = !!before && !!config && before.issuer === config.issuer && before.clientId === config.clientId && before.clientSecret === config.clientSecret;
    this.generation++;
    this.oidc = config ? new OidcClient({ config, logger: this.opts.logger.child('oidc'), httpTimeoutMs: this.opts.httpTimeoutMs, fetch: this.opts.fetch, now: this.now }) : undefined;
    if (sameIdp) return this.session;
    this.storeListener?.dispose();
    this.store = config ? new SessionStore(this.opts.secretStore, config.issuer, config.clientId, this.opts.logger) : undefined;
    this.storeListener = this.store?.onDidChange(() => void this.followStore());
    const previous = this.session;
    this.setSession(this.store ? await this.store.read() : undefined);
    if (previous || this.session) this.changed.fire({ reason: 'reconfigured', session: this.session, previous });
    return this.session;
  }

  /** Runs the sign-in flows the environment allows; stores and returns the new session. */
  async signIn(ui: SignInUi, env: SignInEnvironment, signal?: AbortSignal, authorization?: AuthorizationOptions): Promise<Session> {
    const oidc = this.client;
    const store = this.store!;
    const generation = this.generation;
    const flows = getFlows({
      flowSetting: oidc.config.flow,
      isRemoteOrWeb: env.isRemoteOrWeb,
      supportsDevice: await oidc.supportsDevice(signal),
    });
    if (flows.length === 0) {
      throw new AuthError('deviceFlowUnsupported', 'The identity provider does not offer device sign-in, which Gatehouse needs here (remote or browser window, or gatehouse.auth.flow is "device").', 'Ask your identity team to enable the device authorization grant for the Gatehouse client, or set gatehouse.auth.flow to "loopback" when VS Code runs locally.');
    }
    const options = { signal, timeoutMs: this.opts.interactionTimeoutMs, authorization };
    let tokens: TokenResult | undefined;
    for (const flow of flows) {
      try {
        tokens = flow === 'loopback' ? await signInWithLoopback(oidc, ui, options) : await signInWithDevice(oidc, ui, options);
        break;
      } catch (err) {
        // Only a refused loopback redirect is worth another flow; anything else is the answer.
        if (!AuthError.is(err, 'redirectRefused') || flow === flows[flows.length - 1]) throw err;
        this.opts.logger.info(`loopback redirect refused; trying ${flows[flows.indexOf(flow) + 1]}`);
      }
    }
    if (generation !== this.generation) throw new AuthError('cancelled', 'The sign-in settings changed while signing in.', 'Sign in again.');
    const previous = this.session;
    const session = newSession(tokens!, oidc.config, this.now());
    await this.write(store, session);
    this.setSession(session);
    if (previous) this.forget(previous);
    this.opts.logger.info(`signed in as ${session.identity.label} at ${session.issuer}`);
    this.changed.fire({ reason: 'signedIn', session, previous });
    return session;
  }

  /** Revokes at the IdP when it can (bounded); removes local state whatever the IdP says. */
  async signOut(): Promise<{ revoked: boolean }> {
    const session = this.session;
    if (!session) return { revoked: false };
    let revoked = false;
    try {
      const token = session.refreshToken ?? session.accessToken;
      revoked = await this.client.revoke(token, session.refreshToken ? 'refresh_token' : 'access_token');
    } catch (err) {
      this.opts.logger.warn(`could not revoke the session at the identity provider; removing it locally anyway (${AuthError.is(err) ? err.reason : 'error'})`);
    }
    await this.end(session, 'signedOut');
    return { revoked };
  }

  /**
   * A fresh session access/id token: refreshes when either expires within `skewMs`. Concurrent
   * callers share one refresh.
   */
  async freshSession(skewMs: number, signal?: AbortSignal): Promise<Session> {
    const session = this.requireSession();
    if (!this.needsRefresh(session, skewMs)) return session;
    return this.sequencer.coalesce('session', async () => {
      const latest = this.requireSession();
      // Another caller (or window) may have refreshed while this one waited in the queue.
      if (!this.needsRefresh(latest, skewMs)) return latest;
      const tokens = await this.useRefreshToken(latest, undefined, signal);
      const next = refreshedSession(latest, tokens, this.client.config.groupsClaim);
      await this.replace(latest, next);
      this.changed.fire({ reason: 'refreshed', session: next });
      return next;
    });
  }

  /** An access token for `resource` (RFC 8707) from the session's refresh token, in the same queue. */
  tokenForResource(resource: string, signal?: AbortSignal): Promise<TokenResult> {
    return this.sequencer.coalesce(`resource:${resource}`, async () => {
      const session = this.requireSession();
      const tokens = await this.useRefreshToken(session, resource, signal);
      if (tokens.refreshToken && tokens.refreshToken !== session.refreshToken) {
        await this.replace(session, { ...session, refreshToken: tokens.refreshToken, refreshExpiresAt: tokens.refreshExpiresAt ?? session.refreshExpiresAt });
      }
      return tokens;
    });
  }

  dispose(): void {
    this.storeListener?.dispose();
    this.changed.dispose();
  }

  private needsRefresh(session: Session, skewMs: number): boolean {
    const soon = this.now() + skewMs;
    return session.accessTokenExpiresAt <= soon || session.idTokenExpiresAt <= soon;
  }

  private requireSession(): Session {
    if (!this.session) throw new AuthError('notSignedIn', 'You are not signed in to Gatehouse.', 'Run "Gatehouse: Sign In".');
    return this.session;
  }

  /** One refresh_token grant. invalid_grant ends the session unless another window already rotated it. */
  private async useRefreshToken(session: Session, resource: string | undefined, signal?: AbortSignal): Promise<TokenResult> {
    if (!session.refreshToken) {
      throw new AuthError('noRefreshToken', 'Your Gatehouse session has expired and cannot be renewed (the identity provider issued no refresh token).', 'Sign in again; ask your identity team to allow the offline_access scope to stay signed in longer.');
    }
    try {
      const tokens = await this.client.refresh(session.refreshToken, { resource }, signal);
      this.opts.secrets.add(tokens.refreshToken);
      return tokens;
    } catch (err) {
      if (!AuthError.is(err, 'invalidGrant')) throw err;
      const stored = await this.store?.read();
      if (stored && stored.id === session.id && stored.refreshToken && stored.refreshToken !== session.refreshToken) {
        // Another window rotated the refresh token: adopt its session and try once more.
        this.adopt(stored);
        return this.client.refresh(stored.refreshToken, { resource }, signal);
      }
      await this.end(session, 'expired');
      throw err;
    }
  }

  /** Writes a renewed session at once: a rotated refresh token lost here would end the session. */
  private async replace(old: Session, next: Session): Promise<void> {
    if (this.store) await this.write(this.store, next);
    this.setSession(next);
    for (const secret of sessionSecrets(old)) if (!sessionSecrets(next).includes(secret)) this.opts.secrets.delete(secret);
  }

  private async write(store: SessionStore, session: Session): Promise<void> {
    this.lastWritten = JSON.stringify(session);
    await store.write(session);
  }

  private async end(session: Session, reason: 'signedOut' | 'expired'): Promise<void> {
    if (this.session?.id === session.id) this.setSession(undefined);
    try {
      this.lastWritten = null;
      await this.store?.delete();
    } finally {
      this.forget(session);
      this.opts.logger.info(reason === 'expired' ? 'session expired or was revoked; removed it' : 'signed out');
      this.changed.fire({ reason, session: undefined, previous: session });
    }
  }

  private setSession(session: Session | undefined): void {
    this.session = session;
    if (session) for (const secret of sessionSecrets(session)) this.opts.secrets.add(secret);
  }

  private adopt(stored: Session): void {
    const previous = this.session;
    this.setSession(stored);
    if (previous && previous.id !== stored.id) this.forget(previous);
  }

  private forget(session: Session): void {
    for (const secret of sessionSecrets(session)) this.opts.secrets.delete(secret);
  }

  /** Another window signed in, refreshed or signed out: follow what the store now holds. */
  private async followStore(): Promise<void> {
    const generation = this.generation;
    const stored = await this.store?.read();
    if (generation !== this.generation) return;
    const current = this.session;
    const seen = stored ? JSON.stringify(stored) : null;
    if (seen === this.lastWritten || seen === (current ? JSON.stringify(current) : null)) return; // our own write
    if (stored) this.adopt(stored);
    else {
      this.setSession(undefined);
      if (current) this.forget(current);
    }
    this.changed.fire({ reason: 'otherWindow', session: stored, previous: current });
  }
}
