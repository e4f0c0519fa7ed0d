// The signed-in session: sign-in, restore, refresh (one at a time), sign-out, and following other
// windows through the secret store. Holds no VS Code types; the AuthenticationProvider wraps it.
import type { Disposable } from '../core/disposable';
import { CancelledError } from '../core/errors';
import type { Lock } from '../core/fileLock';
import { Emitter, type Event } from '../core/event';
import type { Logger } from '../core/logger';
import type { SecretRegistry } from '../core/redact';
import { AuthError } from './authError';
import type { AuthorizationOptions } from './authorizationParams';
import type { AuthConfig } from './config';
import { getFlows } from './flows';
import { OidcClient, type TokenResult } from './oidcClient';
import { subjectChanged } from './oidcErrors';
import { newSession, refreshedSession, sessionSecrets, type Session } from './session';
import { SessionStore, type SecretStore } from './sessionStore';
import { Sequencer } from './sequencer';
import { signInWithDevice, signInWithLoopback, type SignInUi } from './signInFlows';

export type SessionChangeReason = 'signedIn' | 'signedOut' | 'refreshed' | 'expired' | 'refused' | 'otherWindow' | 'reconfigured';

export interface SessionChange {
  reason: SessionChangeReason;
  session: Session | undefined;
  /** The session that ended (signedOut, expired, refused, reconfigured away). */
  previous?: Session;
  /** Why a renewal was refused and the session ended (reason `refused`). */
  error?: AuthError;
}

export interface SessionManagerOptions {
  secretStore: SecretStore;
  /** Every token the session holds is registered here so the logger redacts it. */
  secrets: SecretRegistry;
  logger: Logger;
  /**
   * Held by whoever uses the refresh token, across every window sharing the secret store: the
   * IdP rotates refresh tokens and treats a second use of one as theft (it revokes the grant).
   */
  refreshLock: Lock;
  now?: () => number;
  /** Waits of the device flow's polling (tests pass a recording one). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** For tests: bounded HTTP and user-interaction times. */
  httpTimeoutMs?: number;
  interactionTimeoutMs?: number;
  fetch?: typeof fetch;
}

export interface SignInEnvironment {
  /** The extension host is remote or in a browser: the browser cannot reach its loopback. */
  isRemoteOrWeb: boolean;
}

const signedOutMeanwhile = () => new AuthError('notSignedIn', 'You signed out while Gatehouse was renewing the session.', 'Run "Gatehouse: Sign In".');

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
  /**
   * Bumped by every write or delete this window makes, and how many are on their way: a store
   * read that overlapped one is stale (the write's own change event brings a fresh read).
   */
  private localChanges = 0;
  private localPending = 0;
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
    this.oidc = config ? new OidcClient({ config, logger: this.opts.logger.child('oidc'), httpTimeoutMs: this.opts.httpTimeoutMs, fetch: this.opts.fetch, now: this.now, sleep: this.opts.sleep }) : undefined;
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
    // Coalesced per session: a renewal still running for the person before an account switch is
    // not the new person's to wait for.
    return this.sequencer.coalesce(`session:${session.id}`, () =>
      this.withRefreshLock(signal, async () => {
        const latest = this.requireSession();
        if (latest.id !== session.id) throw signedOutMeanwhile();
        // Another caller (or window) may have refreshed while this one waited for its turn.
        if (!this.needsRefresh(latest, skewMs)) return latest;
        const tokens = await this.useRefreshToken(latest, undefined, signal);
        const next = refreshedSession(latest, tokens, this.client.config.groupsClaim);
        await this.replace(latest, next);
        this.changed.fire({ reason: 'refreshed', session: next });
        return next;
      }),
    );
  }

  /** An access token for `resource` (RFC 8707) from the session's refresh token, in the same queue. */
  tokenForResource(resource: string, signal?: AbortSignal): Promise<TokenResult> {
    const current = this.requireSession();
    return this.sequencer.coalesce(`resource:${current.id}:${resource}`, () =>
      this.withRefreshLock(signal, async () => {
        const session = this.requireSession();
        if (session.id !== current.id) throw signedOutMeanwhile();
        const tokens = await this.useRefreshToken(session, resource, signal);
        if (tokens.refreshToken && tokens.refreshToken !== session.refreshToken) {
          await this.replace(session, { ...session, refreshToken: tokens.refreshToken, refreshExpiresAt: tokens.refreshExpiresAt ?? session.refreshExpiresAt });
        }
        return tokens;
      }),
    );
  }

  dispose(): void {
    this.storeListener?.dispose();
    this.changed.dispose();
  }

  private needsRefresh(session: Session, skewMs: number): boolean {
    const soon = this.now() + skewMs;
    return session.accessTokenExpiresAt <= soon || session.idTokenExpiresAt <= soon;
  }

  private async local(change: () => Promise<unknown>): Promise<void> {
    this.localChanges++;
    this.localPending++;
    try {
      await change();
    } finally {
      this.localPending--;
    }
  }

  /** True when a store read begun at `changes` may have missed (or raced) a change of this window's. */
  private overtaken(changes: number): boolean {
    return changes !== this.localChanges || this.localPending > 0;
  }

  private isCurrent(session: Session): boolean {
    return this.session?.id === session.id;
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
      return await this.grant(session, session.refreshToken, resource, signal);
    } catch (err) {
      if (!AuthError.is(err, 'invalidGrant')) throw err;
      // Only a window without the refresh lock (an older Gatehouse) gets here after a rotation.
      const stored = await this.store?.read();
      if (stored && stored.id === session.id && stored.refreshToken && stored.refreshToken !== session.refreshToken) {
        // Another window rotated the refresh token: adopt its session and try once more.
        this.adopt(stored);
        try {
          return await this.grant(stored, stored.refreshToken, resource, signal);
        } catch (again) {
          // The IdP saw the reuse and revoked the grant: the adopted session is over too.
          if (AuthError.is(again, 'invalidGrant')) await this.end(stored, 'expired');
          throw again;
        }
      }
      await this.end(session, 'expired');
      throw err;
    }
  }

  /**
   * One refresh_token grant whose answer must be about the same person: an id token for another
   * subject or issuer is refused, none of it is kept, and the session ends (the refresh token it
   * was sent with is spent, so the session could not go on anyway).
   */
  private async grant(session: Session, refreshToken: string, resource: string | undefined, signal?: AbortSignal): Promise<TokenResult> {
    let tokens: TokenResult;
    try {
      tokens = await this.client.refresh(refreshToken, { resource }, signal);
    } catch (err) {
      // Signed out (or in as someone else) meanwhile: that session's failures are not this one's.
      if (!this.isCurrent(session)) throw signedOutMeanwhile();
      if (AuthError.is(err, 'subjectChanged') || AuthError.is(err, 'idTokenInvalid')) await this.refuse(session, err);
      throw err;
    }
    if (!this.isCurrent(session)) {
      // The sign-out meant to end this grant: the token the late answer brought goes back too.
      if (tokens.refreshToken) await this.client.revoke(tokens.refreshToken, 'refresh_token').catch(() => false);
      throw signedOutMeanwhile();
    }
    const claims = tokens.claims;
    if (claims && (claims.sub !== session.identity.subject || claims.iss !== session.identity.issuer)) {
      const error = subjectChanged();
      // The IdP handed us a grant for someone else: give it back rather than leave it live.
      if (tokens.refreshToken) await this.client.revoke(tokens.refreshToken, 'refresh_token', signal).catch(() => false);
      await this.refuse(session, error);
      throw error;
    }
    this.opts.secrets.add(tokens.refreshToken);
    return tokens;
  }

  private async refuse(session: Session, error: AuthError): Promise<void> {
    this.opts.logger.warn(`refused a session renewal (${error.reason}); signing out`);
    await this.end(session, 'refused', error);
  }

  /**
   * Runs `task` holding the cross-window refresh lock, after adopting whatever another window
   * stored while this one waited for it (a refresh it made, a sign-in or a sign-out).
   */
  private async withRefreshLock<T>(signal: AbortSignal | undefined, task: () => Promise<T>): Promise<T> {
    let release: () => Promise<void>;
    try {
      release = await this.opts.refreshLock.acquire(signal);
    } catch (err) {
      if (CancelledError.is(err)) throw new AuthError('cancelled', 'Cancelled.');
      // An unusable lock (e.g. global storage not writable) must not stop every request: this
      // window's own queue still holds, only the guard against other windows is lost.
      this.opts.logger.warn('could not take the cross-window refresh lock; refreshing without it', err);
      release = async () => undefined;
    }
    try {
      await this.catchUp();
      return await task();
    } finally {
      await release().catch((err: unknown) => this.opts.logger.warn('could not release the refresh lock', err));
    }
  }

  /** Follows the store if it holds something else than this window's session. */
  private async catchUp(): Promise<void> {
    const generation = this.generation;
    const changes = this.localChanges;
    const stored = await this.store?.read();
    if (generation !== this.generation) throw new AuthError('cancelled', 'The sign-in settings changed.', 'Try again.');
    if (this.overtaken(changes)) return; // this window wrote or signed out meanwhile: that is newer
    const current = this.session;
    if ((stored ? JSON.stringify(stored) : null) === (current ? JSON.stringify(current) : null)) return;
    this.follow(stored, current);
  }

  /** Writes a renewed session at once: a rotated refresh token lost here would end the session. */
  private async replace(old: Session, next: Session): Promise<void> {
    if (!this.isCurrent(old)) throw signedOutMeanwhile();
    if (this.store) await this.write(this.store, next);
    // A sign-out that ran while the write was under way wins: the renewed session it would have
    // brought back is removed from the store again, never adopted.
    if (!this.isCurrent(old)) {
      this.lastWritten = null;
      await this.local(async () => this.store?.delete());
      this.forget(next);
      throw signedOutMeanwhile();
    }
    this.setSession(next);
    for (const secret of sessionSecrets(old)) if (!sessionSecrets(next).includes(secret)) this.opts.secrets.delete(secret);
  }

  private async write(store: SessionStore, session: Session): Promise<void> {
    this.lastWritten = JSON.stringify(session);
    await this.local(() => store.write(session));
  }

  private async end(session: Session, reason: 'signedOut' | 'expired' | 'refused', error?: AuthError): Promise<void> {
    if (this.session?.id === session.id) this.setSession(undefined);
    try {
      this.lastWritten = null;
      await this.local(async () => this.store?.delete());
    } finally {
      this.forget(session);
      this.opts.logger.info(reason === 'expired' ? 'session expired or was revoked; removed it' : reason === 'refused' ? 'session ended after a refused renewal' : 'signed out');
      this.changed.fire({ reason, session: undefined, previous: session, error });
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
    const changes = this.localChanges;
    const stored = await this.store?.read();
    // A read this window's own write or sign-out overtook is stale; a later event reads again.
    if (generation !== this.generation || this.overtaken(changes)) return;
    const current = this.session;
    const seen = stored ? JSON.stringify(stored) : null;
    if (seen === this.lastWritten || seen === (current ? JSON.stringify(current) : null)) return; // our own write
    this.follow(stored, current);
  }

  private follow(stored: Session | undefined, current: Session | undefined): void {
    if (stored) this.adopt(stored);
    else {
      this.setSession(undefined);
      if (current) this.forget(current);
    }
    this.changed.fire({ reason: 'otherWindow', session: stored, previous: current });
  }
}
