// The one API service clients use for credentials: "give me a token for X". Tokens are cached
// until shortly before they expire; refreshes go through the session manager's queue.
import type { Disposable } from '../core/disposable';
import type { Event } from '../core/event';
import type { Logger } from '../core/logger';
import { abandonable } from '../core/renewableCredential';
import type { SecretRegistry } from '../core/redact';
import { AuthError } from './authError';
import type { ServiceId } from './config';
import type { TokenResult } from './oidcClient';
import type { Identity } from './session';
import type { SessionChange, SessionManager } from './sessionManager';
import { t } from '../core/l10n';

export type TokenTarget = { kind: 'idToken' } | { kind: 'access'; audience?: string };

export type TokenOrigin = 'idp-id-token' | 'idp-access-token' | 'resource-indicator' | 'token-exchange';

export interface IssuedToken {
  token: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  origin: TokenOrigin;
}

export interface TokenBrokerOptions {
  sessions: SessionManager;
  secrets: SecretRegistry;
  logger: Logger;
  now?: () => number;
  /** A token this close to expiry counts as expired (default 60 s). */
  skewMs?: number;
}

export const DEFAULT_SKEW_MS = 60_000;

export class TokenBroker implements Disposable {
  readonly onDidChangeSession: Event<SessionChange>;
  private readonly cache = new Map<string, IssuedToken>();
  private readonly inflight = new Map<string, Promise<IssuedToken>>();
  private readonly subscription: Disposable;
  private readonly now: () => number;
  private readonly skewMs: number;

  constructor(private readonly opts: TokenBrokerOptions) {
    this.now = opts.now ?? Date.now;
    this.skewMs = opts.skewMs ?? DEFAULT_SKEW_MS;
    this.onDidChangeSession = opts.sessions.onDidChangeSession;
    // Per-audience tokens belong to the session that obtained them.
    this.subscription = opts.sessions.onDidChangeSession((e) => {
      if (e.reason !== 'refreshed') this.clearCache();
    });
  }

  async getToken(target: TokenTarget, signal?: AbortSignal): Promise<IssuedToken> {
    const config = this.opts.sessions.config;
    if (!config) throw new AuthError('notConfigured', 'Sign-in is not configured yet.', 'Run "Gatehouse: Configure Sign-In".');
    if (target.kind === 'idToken') {
      const session = await this.opts.sessions.freshSession(this.skewMs, signal);
      return { token: session.idToken, expiresAt: session.idTokenExpiresAt, origin: 'idp-id-token' };
    }
    if (!target.audience || config.serviceTokens === 'sessionToken') {
      const session = await this.opts.sessions.freshSession(this.skewMs, signal);
      return { token: session.accessToken, expiresAt: session.accessTokenExpiresAt, origin: 'idp-access-token' };
    }
    const audience = target.audience;
    const mode = config.serviceTokens;
    const key = `${mode}:${audience}`;
    const cached = this.cache.get(key);
    if (cached && cached.expiresAt - this.skewMs > this.now()) return cached;
    // Callers share one request per session: after an account switch a request still running for
    // the person before ends with that session (their token, or "signed out meanwhile"), and is
    // nobody else's to wait for. One caller giving up leaves the request to the others.
    const flight = `${this.opts.sessions.current()?.id ?? ''}|${key}`;
    let pending = this.inflight.get(flight);
    if (!pending) {
      pending = this.obtain(mode, audience).finally(() => this.inflight.delete(flight));
      this.inflight.set(flight, pending);
    }
    return abandonable(pending, signal, () => new AuthError('cancelled', 'Cancelled.'));
  }

  /** The access token for a service by its configured audience (gatehouse.<service>.audience). */
  getServiceToken(service: ServiceId, signal?: AbortSignal): Promise<IssuedToken> {
    const config = this.opts.sessions.config;
    const audience = config?.audiences[service];
    if (config && !audience && config.serviceTokens !== 'sessionToken') {
      throw new AuthError('audienceNotConfigured', t('No audience is set for {0}.', service), t('Set gatehouse.{0}.audience to the audience your identity team registered for it.', service));
    }
    return this.getToken({ kind: 'access', audience }, signal);
  }

  /**
   * Forgets a per-service token a service rejected (401), so the next getToken obtains a new one
   * instead of handing back the same cached token. Only the exact token is dropped: a newer one
   * another caller already obtained stays.
   */
  invalidate(token: string): void {
    for (const [key, cached] of this.cache) {
      if (cached.token !== token) continue;
      this.cache.delete(key);
      this.opts.secrets.delete(token);
      this.opts.logger.debug(`dropped a rejected ${cached.origin} token`);
    }
  }

  /** Who is signed in: the claims that matter, never a token. */
  currentIdentity(): Identity | undefined {
    const identity = this.opts.sessions.current()?.identity;
    return identity && { ...identity, groups: [...identity.groups] };
  }

  dispose(): void {
    this.subscription.dispose();
    this.clearCache();
  }

  private async obtain(mode: 'resourceIndicators' | 'tokenExchange', audience: string): Promise<IssuedToken> {
    const sessionId = this.opts.sessions.current()?.id;
    let tokens: TokenResult;
    if (mode === 'resourceIndicators') {
      tokens = await this.opts.sessions.tokenForResource(audience);
    } else {
      const session = await this.opts.sessions.freshSession(this.skewMs);
      tokens = await this.opts.sessions.client.exchangeToken(session.accessToken, audience);
    }
    const issued: IssuedToken = { token: tokens.accessToken, expiresAt: tokens.expiresAt, origin: mode === 'resourceIndicators' ? 'resource-indicator' : 'token-exchange' };
    this.opts.secrets.add(issued.token);
    // A sign-out while this was in flight: hand it to the caller who asked, but keep nothing.
    if (this.opts.sessions.current()?.id === sessionId) this.cache.set(`${mode}:${audience}`, issued);
    this.opts.logger.debug(`obtained a ${issued.origin} token for ${audience}, valid ${Math.round((issued.expiresAt - this.now()) / 1000)} s`);
    return issued;
  }

  private clearCache(): void {
    for (const t of this.cache.values()) this.opts.secrets.delete(t.token);
    this.cache.clear();
  }
}
