// The OpenID Connect client: openid-client v6 behind a small surface the flows and the token
// broker use. Every request goes through one fetch that bounds its time, follows the caller's
// cancellation and turns transport failures into AuthError.
import { AsyncLocalStorage } from 'node:async_hooks';
import * as client from 'openid-client';
import { parseRetryAfter, sleep } from '../core/http';
import type { Logger } from '../core/logger';
import { AuthError } from './authError';
import { authorizationParams, deviceAuthorizationParams, type AuthorizationOptions } from './authorizationParams';
import { isLoopbackUrl, type AuthConfig } from './config';
import { toAuthError, type OidcStep } from './oidcErrors';
import { t } from '../core/l10n';

export const DEFAULT_HTTP_TIMEOUT_MS = 30_000;
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
/** Consecutive transient failures (5xx, 429, unreachable, timeout) a device sign-in rides out. */
export const DEVICE_MAX_TRANSIENT_FAILURES = 5;
const MAX_DEVICE_BACKOFF_MS = 60_000;

export type IdTokenClaims = client.IDToken;

export interface TokenResult {
  accessToken: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  idToken?: string;
  /** Validated claims of idToken. */
  claims?: IdTokenClaims;
  refreshToken?: string;
  refreshExpiresAt?: number;
}

/** One authorization-code attempt: fresh PKCE verifier, state and nonce. */
export interface AuthorizationRequest {
  url: URL;
  redirectUri: string;
  state: string;
  nonce: string;
  codeVerifier: string;
}

export interface DeviceAuthorization {
  userCode: string;
  verificationUri: string;
  verificationUriComplete?: string;
  expiresAt: number;
  /** What the poll needs; opaque to callers. */
  readonly response: client.DeviceAuthorizationResponse;
  /** PKCE for the device grant, sent when the IdP supports S256 (Keycloak requires it of PKCE-enforcing clients). */
  readonly codeVerifier?: string;
}

export interface OidcClientOptions {
  config: AuthConfig;
  logger: Logger;
  /** Per request; tests pass a short one. */
  httpTimeoutMs?: number;
  /** The network boundary (tests may count or break requests). */
  fetch?: typeof fetch;
  now?: () => number;
  /** Waits between device polls and retries (tests pass a recording one). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export class OidcClient {
  private configuration?: Promise<client.Configuration>;
  /** The caller's AbortSignal for the request being made; openid-client's API does not pass one. */
  private readonly callerSignal = new AsyncLocalStorage<AbortSignal | undefined>();
  private readonly now: () => number;

  constructor(private readonly opts: OidcClientOptions) {
    this.now = opts.now ?? Date.now;
  }

  get config(): AuthConfig {
    return this.opts.config;
  }

  /** Discovery, once per client; a failed discovery is retried on the next call. */
  discover(signal?: AbortSignal): Promise<client.Configuration> {
    this.configuration ??= this.run('discovery', signal, () => {
      const { issuer, clientId, clientSecret } = this.opts.config;
      const execute = [client.enableNonRepudiationChecks];
      if (isLoopbackUrl(issuer)) execute.push(client.allowInsecureRequests);
      return client.discovery(new URL(issuer), clientId, clientSecret, clientSecret ? undefined : client.None(), {
        execute,
        [client.customFetch]: this.fetch,
      });
    });
    this.configuration.catch(() => (this.configuration = undefined));
    return this.configuration;
  }

  async supportsDevice(signal?: AbortSignal): Promise<boolean> {
    return !!(await this.discover(signal)).serverMetadata().device_authorization_endpoint;
  }

  async beginAuthorization(redirectUri: string, state: string, signal?: AbortSignal, options: AuthorizationOptions = {}): Promise<AuthorizationRequest> {
    const config = await this.discover(signal);
    const codeVerifier = client.randomPKCECodeVerifier();
    const nonce = client.randomNonce();
    const params = new URLSearchParams({
      redirect_uri: redirectUri,
      scope: this.opts.config.scopes.join(' '),
      response_type: 'code',
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      ...authorizationParams(this.opts.config, options),
    });
    for (const resource of this.resourcesToGrant()) params.append('resource', resource);
    const url = client.buildAuthorizationUrl(config, params);
    return { url, redirectUri, state, nonce, codeVerifier };
  }

  /** Validates the callback and exchanges its code; id token signature, iss, aud, exp and nonce are checked. */
  async exchangeCode(callbackUrl: URL, request: AuthorizationRequest, signal?: AbortSignal): Promise<TokenResult> {
    const config = await this.discover(signal);
    if (callbackUrl.searchParams.get('state') !== request.state) {
      throw new AuthError('stateMismatch', 'The sign-in response did not belong to this sign-in attempt, so it was ignored.', 'Start a new sign-in from VS Code.');
    }
    if (!callbackUrl.searchParams.get('error') && !callbackUrl.searchParams.get('code')) {
      throw new AuthError('missingCode', 'The identity provider redirected back without a sign-in code.', 'Start a new sign-in from VS Code; if it happens again, ask your identity team to check the Gatehouse client.');
    }
    const response = await this.run('code', signal, () =>
      client.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: request.codeVerifier,
        expectedState: request.state,
        expectedNonce: request.nonce,
        idTokenExpected: true,
      }),
    );
    return this.toResult(response, true);
  }

  /**
   * With resource indicators, the grant must name every service audience up front (RFC 8707
   * §2.1): later refresh_token grants may only narrow to one of them.
   */
  private resourcesToGrant(): string[] {
    const { serviceTokens, audiences } = this.opts.config;
    if (serviceTokens !== 'resourceIndicators') return [];
    return [...new Set(Object.values(audiences).filter((a): a is string => !!a))];
  }

  async startDeviceAuthorization(signal?: AbortSignal): Promise<DeviceAuthorization> {
    const config = await this.discover(signal);
    if (!config.serverMetadata().device_authorization_endpoint) {
      throw new AuthError('deviceFlowUnsupported', 'The identity provider does not offer device sign-in, which Gatehouse needs in a remote or browser window.', 'Ask your identity team to enable the device authorization grant for the Gatehouse client, or use VS Code locally.');
    }
    const params = new URLSearchParams({ scope: this.opts.config.scopes.join(' '), ...deviceAuthorizationParams(this.opts.config) });
    for (const resource of this.resourcesToGrant()) params.append('resource', resource);
    // Unknown parameters are ignored by IdPs without PKCE for this grant (RFC 6749 §3.1).
    const codeVerifier = config.serverMetadata().code_challenge_methods_supported?.includes('S256') ? client.randomPKCECodeVerifier() : undefined;
    if (codeVerifier) {
      params.set('code_challenge', await client.calculatePKCECodeChallenge(codeVerifier));
      params.set('code_challenge_method', 'S256');
    }
    // A device code the IdP failed to answer with is simply never used: resending is safe.
    const response = await this.retryingTransient(signal, () => this.run('device', signal, () => client.initiateDeviceAuthorization(config, params)));
    return {
      userCode: response.user_code,
      verificationUri: response.verification_uri,
      verificationUriComplete: response.verification_uri_complete,
      expiresAt: this.now() + response.expires_in * 1000,
      response,
      codeVerifier,
    };
  }

  /**
   * Polls the token endpoint until the user approves (RFC 8628 §3.4-3.5): every `interval`
   * seconds, 5 s slower for each slow_down, and through transient failures (a 5xx, 429, lost
   * connection or timeout) with backoff from the interval, never sooner than a Retry-After, at
   * most DEVICE_MAX_TRANSIENT_FAILURES in a row. Polling is made to be repeated, so retrying it
   * is safe; the caller's signal (cancel, the code's expiry) ends it at any point.
   */
  async pollDeviceAuthorization(device: DeviceAuthorization, signal?: AbortSignal): Promise<TokenResult> {
    const config = await this.discover(signal);
    let intervalMs = (device.response.interval ?? 5) * 1000;
    let delayMs = intervalMs;
    let failures = 0;
    for (;;) {
      await this.pause(delayMs, signal);
      try {
        const response = await this.callerSignal.run(signal, () =>
          client.genericGrantRequest(config, DEVICE_CODE_GRANT, { device_code: device.response.device_code, ...(device.codeVerifier ? { code_verifier: device.codeVerifier } : {}) }),
        );
        return this.toResult(response, true);
      } catch (err) {
        const code = err instanceof client.ResponseBodyError ? err.error : undefined;
        if (code === 'authorization_pending' || code === 'slow_down') {
          if (code === 'slow_down') intervalMs += 5000;
          failures = 0;
          delayMs = intervalMs;
          continue;
        }
        const mapped = toAuthError(err, 'device', this.opts.config.issuer);
        if (!isTransient(mapped) || ++failures > DEVICE_MAX_TRANSIENT_FAILURES) {
          this.opts.logger.warn(`device failed: ${mapped.reason}: ${mapped.message}`, err);
          throw mapped;
        }
        delayMs = this.transientDelay(mapped, failures, intervalMs);
        this.opts.logger.info(`device sign-in: ${mapped.message} Polling again in ${Math.round(delayMs / 1000)} s (${failures} of ${DEVICE_MAX_TRANSIENT_FAILURES}).`);
      }
    }
  }

  /** Runs `fn` again after transient failures, like the device poll does. */
  private async retryingTransient<T>(signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
    for (let failures = 1; ; failures++) {
      try {
        return await fn();
      } catch (err) {
        if (!AuthError.is(err) || !isTransient(err) || failures > DEVICE_MAX_TRANSIENT_FAILURES) throw err;
        await this.pause(this.transientDelay(err, failures, 1000), signal);
      }
    }
  }

  /** Exponential from `baseMs`, capped, and never before the IdP's Retry-After. */
  private transientDelay(err: AuthError, failures: number, baseMs: number): number {
    return Math.max(Math.min(MAX_DEVICE_BACKOFF_MS, baseMs * 2 ** (failures - 1)), err.retryAfterMs ?? 0);
  }

  private async pause(ms: number, signal?: AbortSignal): Promise<void> {
    try {
      await (this.opts.sleep ?? sleep)(ms, signal);
    } catch {
      throw new AuthError('cancelled', 'Cancelled.');
    }
  }

  /** A refresh_token grant; with `resource`, the access token is for that audience (RFC 8707). */
  async refresh(refreshToken: string, params: { resource?: string } = {}, signal?: AbortSignal): Promise<TokenResult> {
    const config = await this.discover(signal);
    const extra: Record<string, string> = params.resource ? { resource: params.resource } : {};
    const response = await this.run('refresh', signal, () => client.refreshTokenGrant(config, refreshToken, extra));
    return this.toResult(response, false);
  }

  /** RFC 8693: trades the session's access token for one whose audience is `audience`. */
  async exchangeToken(subjectToken: string, audience: string, signal?: AbortSignal): Promise<TokenResult> {
    const config = await this.discover(signal);
    const response = await this.run('exchange', signal, () =>
      client.genericGrantRequest(config, TOKEN_EXCHANGE, {
        subject_token: subjectToken,
        subject_token_type: ACCESS_TOKEN_TYPE,
        requested_token_type: ACCESS_TOKEN_TYPE,
        audience,
      }),
    );
    return this.toResult(response, false);
  }

  /** Revokes a token; false when the IdP has no revocation endpoint. */
  async revoke(token: string, hint: 'refresh_token' | 'access_token', signal?: AbortSignal): Promise<boolean> {
    const config = await this.discover(signal);
    if (!config.serverMetadata().revocation_endpoint) return false;
    await this.run('revoke', signal, () => client.tokenRevocation(config, token, { token_type_hint: hint }));
    return true;
  }

  private toResult(response: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers, expectIdToken: boolean): TokenResult {
    const claims = response.claims();
    if (expectIdToken && !claims) {
      throw new AuthError('idTokenInvalid', 'The identity provider did not return an id token.', 'Check that the scope "openid" is allowed for the Gatehouse client.');
    }
    const refreshExpiresIn = (response as { refresh_expires_in?: unknown }).refresh_expires_in;
    return {
      accessToken: response.access_token,
      // Without expires_in we assume a short life and refresh early rather than use a dead token.
      expiresAt: this.now() + (response.expires_in ?? 300) * 1000,
      idToken: response.id_token,
      claims,
      refreshToken: response.refresh_token,
      refreshExpiresAt: typeof refreshExpiresIn === 'number' && refreshExpiresIn > 0 ? this.now() + refreshExpiresIn * 1000 : undefined,
    };
  }

  private async run<T>(step: OidcStep, signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
    if (signal?.aborted) throw new AuthError('cancelled', 'Cancelled.');
    try {
      return await this.callerSignal.run(signal, fn);
    } catch (err) {
      const mapped = toAuthError(err, step, this.opts.config.issuer);
      this.opts.logger.warn(`${step} failed: ${mapped.reason}: ${mapped.message}`, err);
      throw mapped;
    }
  }

  /** The one network boundary: time bound, caller cancellation, 5xx and transport errors typed. */
  private readonly fetch: client.CustomFetch = async (url, init) => {
    const timeoutMs = this.opts.httpTimeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
    const timeout = AbortSignal.timeout(timeoutMs);
    const caller = this.callerSignal.getStore();
    const signals = [timeout, init.signal, caller].filter((s): s is AbortSignal => !!s);
    const host = new URL(url).host;
    const started = this.now();
    let res: Response;
    try {
      res = await (this.opts.fetch ?? fetch)(url, { ...init, signal: AbortSignal.any(signals) } as RequestInit);
    } catch (err) {
      if (caller?.aborted) throw new AuthError('cancelled', 'Cancelled.');
      if (timeout.aborted || init.signal?.aborted) {
        throw new AuthError('timeout', t('The identity provider at {0} did not answer within {1} seconds.', host, Math.round(timeoutMs / 1000)), 'Check that the identity provider is reachable from this machine, then try again.', { cause: err });
      }
      throw new AuthError('idpUnavailable', t('Could not reach the identity provider at {0}.', host), 'Check your network connection and gatehouse.auth.issuer, then try again.', { cause: err });
    }
    this.opts.logger.debug(`${init.method} ${url.split('?')[0]} -> ${res.status} (${this.now() - started} ms)`);
    if (res.status >= 500 || res.status === 429) {
      await res.body?.cancel().catch(() => undefined);
      const error = new AuthError('idpUnavailable', t('The identity provider at {0} answered HTTP {1}.', host, res.status), 'It may be down or overloaded; try again in a few minutes.');
      error.retryAfterMs = parseRetryAfter(res.headers.get('retry-after') ?? undefined, this.now());
      throw error;
    }
    return res;
  };
}

/** Failures that say nothing about the request itself: the IdP was down, busy or unreachable. */
function isTransient(err: AuthError): boolean {
  return err.reason === 'idpUnavailable' || err.reason === 'timeout';
}
