// Looker's own per-person path: OAuth 2.0 authorization code + PKCE for a Looker-registered OAuth
// client app ("Looker API authentication using OAuth"). The browser goes to /auth on the Looker
// host (scope cors_api, S256 challenge) and back to a loopback redirect on 127.0.0.1 (the receiver
// of the IdP sign-in, on the port the Looker admin registered: Looker matches redirect_uri
// exactly); the code is redeemed at POST /api/token for an hour-long access token and a refresh
// token. Tokens live in a store bound to the Looker origin (SecretStorage in VS Code); renewal with
// the refresh token happens before expiry, one at a time however many callers wait; a rejected
// access token is dropped and renewed; a refused refresh token ends the Looker sign-in.
import { createHash, randomBytes } from 'node:crypto';
import type { CredentialOrigin } from '../audit/auditTrail';
import { AuthError } from '../auth/authError';
import { LOOPBACK_TIMEOUT_MS, startLoopbackReceiver } from '../auth/loopback';
import { Emitter } from '../core/event';
import type { HttpClient } from '../core/http';
import type { Logger } from '../core/logger';
import type { SecretRegistry } from '../core/redact';
import { abandonable } from '../core/renewableCredential';
import type { LookerCredentials } from './credentials';
import { LookerError, toLookerError } from './errors';
import { t } from '../core/l10n';

/** The port Gatehouse's redirect URI uses unless gatehouse.looker.oauthRedirectPort says otherwise. */
export const DEFAULT_LOOKER_OAUTH_REDIRECT_PORT = 48761;
/** Looker's scope for API access by OAuth client apps. */
const SCOPE = 'cors_api';

export interface LookerOAuthTokens {
  accessToken: string;
  /** Epoch ms when Looker said the access token expires. */
  expiresAt: number;
  refreshToken: string;
}

/** Where the tokens are kept (SecretStorage bound to the Looker origin in VS Code, a Map in tests). */
export interface LookerOAuthStore {
  read(): Promise<LookerOAuthTokens | undefined>;
  write(tokens: LookerOAuthTokens): Promise<void>;
  clear(): Promise<void>;
}

export type LookerSignInChange = 'signedIn' | 'signedOut' | 'expired';

export interface LookerOAuthOptions {
  http: HttpClient;
  /** The Looker host (web UI and API on one origin, as on Looker (Google Cloud core) and looker.com instances). */
  baseUrl: string;
  /** The client_guid the Looker admin registered for Gatehouse. */
  clientId: string;
  /** The loopback port of the registered redirect URI `http://127.0.0.1:<port>/callback`. */
  redirectPort: number;
  store: LookerOAuthStore;
  /** Opens the authorization URL in the person's browser; false when it could not. */
  openBrowser: (url: string) => Promise<boolean>;
  secrets?: SecretRegistry;
  logger?: Logger;
  now?: () => number;
  /** Renew this long before expiry (default 2 min, at most a fifth of the lifetime). */
  skewMs?: number;
  /** How long the browser sign-in may take. */
  timeoutMs?: number;
}

interface TokenAnswer {
  access_token?: unknown;
  refresh_token?: unknown;
  expires_in?: unknown;
}

export class LookerOAuthCredentials implements LookerCredentials {
  readonly origin: CredentialOrigin = 'service-oauth';
  private cached?: LookerOAuthTokens;
  private loaded = false;
  private renewing?: Promise<string>;
  private signingIn?: Promise<void>;
  /** Bumped by sign-in and sign-out: a renewal that started before does not store its answer. */
  private generation = 0;
  private readonly now: () => number;
  private readonly changed = new Emitter<LookerSignInChange>();
  /** Signed in to Looker, signed out, or the sign-in ended because Looker refused the refresh token. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly o: LookerOAuthOptions) {
    this.now = o.now ?? Date.now;
  }

  async token(signal?: AbortSignal): Promise<string> {
    const cached = this.cached;
    if (cached && this.fresh(cached)) return cached.accessToken;
    this.renewing ??= this.renew().finally(() => (this.renewing = undefined));
    return abandonable(this.renewing, signal, () => new LookerError('cancelled'));
  }

  /** Looker refused `token`: it is not sent again; the next token() renews with the refresh token. */
  invalidate(token: string): void {
    if (this.cached?.accessToken !== token) return;
    this.o.secrets?.delete(token);
    this.cached = { ...this.cached, accessToken: '', expiresAt: 0 };
    // Persisted too, so a reload does not pick the refused token up again.
    void this.o.store.write(this.cached).catch((err: unknown) => this.o.logger?.warn(`could not store the Looker sign-in: ${toLookerError(err).reason}`));
  }

  async signedIn(): Promise<boolean> {
    return !!(await this.current());
  }

  /** The browser flow; concurrent calls share one attempt. */
  signIn(signal?: AbortSignal): Promise<void> {
    this.signingIn ??= this.authorize(signal).finally(() => (this.signingIn = undefined));
    return this.signingIn;
  }

  /** Forgets the tokens here and asks Looker to end the access token (best effort). */
  async signOut(): Promise<void> {
    this.generation++;
    const tokens = await this.current();
    this.cached = undefined;
    this.loaded = true;
    await this.o.store.clear();
    if (tokens?.accessToken && this.fresh(tokens)) {
      try {
        await this.o.http.request({ method: 'DELETE', url: `${this.apiHost()}/api/4.0/logout`, headers: { Authorization: `Bearer ${tokens.accessToken}` }, timeoutMs: 10_000 });
      } catch (err) {
        this.o.logger?.debug(`Looker logout answered ${toLookerError(err).reason}; the tokens are forgotten here anyway`);
      }
    }
    this.forget(tokens);
    this.o.logger?.info('signed out of Looker');
    this.changed.fire('signedOut');
  }

  dispose(): void {
    this.changed.dispose();
  }

  private fresh(t: LookerOAuthTokens): boolean {
    if (!t.accessToken) return false;
    // The lifetime is not stored; Looker's is an hour, so a fifth of that bounds the skew.
    return this.now() < t.expiresAt - Math.min(this.o.skewMs ?? 120_000, 720_000);
  }

  private async current(): Promise<LookerOAuthTokens | undefined> {
    if (!this.loaded) {
      const stored = await this.o.store.read();
      // A sign-in or sign-out while reading wins over what was read.
      if (!this.loaded) {
        this.cached = stored;
        this.loaded = true;
        this.remember(stored);
      }
    }
    return this.cached;
  }

  private async renew(): Promise<string> {
    const generation = this.generation;
    const tokens = await this.current();
    if (!tokens) throw new LookerError('lookerSignInRequired');
    if (this.fresh(tokens)) return tokens.accessToken;
    let answer: TokenAnswer;
    try {
      answer = await this.grant({ grant_type: 'refresh_token', client_id: this.o.clientId, refresh_token: tokens.refreshToken });
    } catch (err) {
      const e = toLookerError(err);
      if (!refused(e)) throw e;
      // The refresh token is spent, expired or revoked: this Looker sign-in is over.
      if (generation === this.generation) {
        this.generation++;
        this.cached = undefined;
        await this.o.store.clear();
        this.forget(tokens);
        this.o.logger?.warn('Looker refused the refresh token; signed out of Looker');
        this.changed.fire('expired');
      }
      throw new LookerError('lookerSignInExpired', undefined, e.status, undefined, undefined, { cause: err });
    }
    const next = this.tokensFrom(answer, tokens.refreshToken);
    if (generation !== this.generation) {
      // Signed out (or in again) meanwhile: this answer belongs to a sign-in that is gone.
      this.forget(next);
      throw new LookerError(this.cached ? 'cancelled' : 'lookerSignInRequired');
    }
    this.forget(tokens);
    this.cached = next;
    await this.o.store.write(next);
    this.o.logger?.debug('renewed the Looker access token');
    return next.accessToken;
  }

  private async authorize(signal?: AbortSignal): Promise<void> {
    const verifier = randomBytes(32).toString('base64url');
    const state = randomBytes(16).toString('base64url');
    let receiver;
    try {
      receiver = await startLoopbackReceiver({ expectedState: state, timeoutMs: this.o.timeoutMs ?? LOOPBACK_TIMEOUT_MS, signal, port: this.o.redirectPort });
    } catch (err) {
      throw new LookerError('lookerSignInFailed', t("Gatehouse could not listen on 127.0.0.1:{0} for Looker's answer (another program may use that port).", this.o.redirectPort), undefined, undefined, undefined, {
        cause: err,
        nextStep: t('Close the program using it, or ask your Looker admin to register another redirect port and set gatehouse.looker.oauthRedirectPort.'),
      });
    }
    try {
      const url = new URL('/auth', this.o.baseUrl);
      url.search = new URLSearchParams({
        response_type: 'code',
        client_id: this.o.clientId,
        redirect_uri: receiver.redirectUri,
        scope: SCOPE,
        state,
        code_challenge: createHash('sha256').update(verifier).digest('base64url'),
        code_challenge_method: 'S256',
      }).toString();
      if (!(await this.o.openBrowser(url.href))) throw new LookerError('cancelled', 'The browser was not opened, so signing in to Looker was cancelled.');
      const callback = await receiver.result;
      const error = callback.searchParams.get('error');
      if (error) {
        // Looker's words stay out; the code says enough to act on.
        const known = /^[a-z_]{1,40}$/.test(error) ? error : 'error';
        throw new LookerError('lookerSignInFailed', t('Looker did not sign you in ({0}).', known), undefined, undefined, undefined, {
          nextStep: known === 'access_denied' ? t('Ask your Looker admin whether you may use Gatehouse with Looker.') : undefined,
        });
      }
      const code = callback.searchParams.get('code');
      if (!code) throw new LookerError('badResponse', 'Looker answered the sign-in without a code.');
      const generation = ++this.generation;
      let answer: TokenAnswer;
      try {
        answer = await this.grant({ grant_type: 'authorization_code', client_id: this.o.clientId, redirect_uri: receiver.redirectUri, code, code_verifier: verifier });
      } catch (err) {
        const e = toLookerError(err);
        throw refused(e) ? new LookerError('lookerSignInFailed', 'Looker did not accept the sign-in code.', e.status, undefined, undefined, { cause: err }) : e;
      }
      const tokens = this.tokensFrom(answer, undefined);
      if (generation !== this.generation) {
        this.forget(tokens);
        throw new LookerError('cancelled');
      }
      const before = this.cached;
      this.cached = tokens;
      this.loaded = true;
      await this.o.store.write(tokens);
      this.forget(before);
      receiver.finish({ ok: true });
      this.o.logger?.info('signed in to Looker');
      this.changed.fire('signedIn');
    } catch (err) {
      const e = err instanceof AuthError ? fromLoopback(err) : toLookerError(err);
      receiver.finish({ ok: false, message: e.userMessage });
      throw e;
    }
  }

  private async grant(body: Record<string, string>): Promise<TokenAnswer> {
    // The token endpoint lives on the API host, outside /api/4.0. JSON, as Looker's SDKs send it.
    const res = await this.o.http.request<TokenAnswer>({ method: 'POST', url: `${this.apiHost()}/api/token`, body, idempotent: false, timeoutMs: 30_000 });
    return res.data ?? {};
  }

  private apiHost(): string {
    return new URL(this.o.baseUrl).origin;
  }

  private tokensFrom(answer: TokenAnswer, previousRefresh: string | undefined): LookerOAuthTokens {
    if (typeof answer.access_token !== 'string' || !answer.access_token) throw new LookerError('badResponse', 'Looker answered without an access token.');
    // Refresh tokens rotate; an answer without one keeps the one that was used.
    const refreshToken = typeof answer.refresh_token === 'string' && answer.refresh_token ? answer.refresh_token : previousRefresh;
    if (!refreshToken) throw new LookerError('badResponse', 'Looker answered without a refresh token.');
    const lifetime = typeof answer.expires_in === 'number' && answer.expires_in > 0 ? answer.expires_in : 3600;
    const tokens = { accessToken: answer.access_token, refreshToken, expiresAt: this.now() + lifetime * 1000 };
    this.remember(tokens);
    return tokens;
  }

  private remember(t: LookerOAuthTokens | undefined): void {
    this.o.secrets?.add(t?.accessToken);
    this.o.secrets?.add(t?.refreshToken);
  }

  private forget(t: LookerOAuthTokens | undefined): void {
    if (!t || t.accessToken === this.cached?.accessToken) return;
    this.o.secrets?.delete(t.accessToken);
    if (t.refreshToken !== this.cached?.refreshToken) this.o.secrets?.delete(t.refreshToken);
  }
}

/** Answers of the token endpoint that mean "this grant is no good" rather than "try later". */
function refused(e: LookerError): boolean {
  return e.reason === 'badRequest' || e.reason === 'unauthorized' || e.reason === 'forbidden' || e.reason === 'notFound' || e.reason === 'validation';
}

function fromLoopback(err: AuthError): LookerError {
  if (err.reason === 'cancelled') return new LookerError('cancelled', 'Signing in to Looker was cancelled.', undefined, undefined, undefined, { cause: err });
  return new LookerError('lookerSignInFailed', err.message, undefined, undefined, undefined, { cause: err });
}

/** Parses what the store holds; anything malformed counts as not signed in. */
export function parseLookerOAuthTokens(raw: string | undefined): LookerOAuthTokens | undefined {
  if (!raw) return undefined;
  try {
    const v = JSON.parse(raw) as Partial<LookerOAuthTokens>;
    if (typeof v.accessToken !== 'string' || typeof v.refreshToken !== 'string' || !v.refreshToken || typeof v.expiresAt !== 'number') return undefined;
    return { accessToken: v.accessToken, refreshToken: v.refreshToken, expiresAt: v.expiresAt };
  } catch {
    return undefined;
  }
}
