// The sandbox's OpenID Connect IdP: oidc-provider 8 with the demo directory as its accounts.
// Code + PKCE with a demo user picker, refresh with rotation, device flow, revocation, resource
// indicators and token exchange for per-service JWT access tokens, plus hostile modes and
// headless helpers for tests (login, completeAuthorization, approveDevice, tokenFor).
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import Provider, { errors, type KoaContextWithOIDC } from 'oidc-provider';
import { exportJWK, generateKeyPair, jwtVerify, type JWK } from 'jose';
import type { DemoUser, Directory } from './directory';
import type { FaultRegistry, FaultSpec } from './faults';
import type { IdpTokenVerifier, RunningService } from './context';
import { AUDIENCES, EXTENSION_CLIENT_ID, LOOKER_SSO_CLIENT_ID, LOOKER_SSO_CLIENT_SECRET } from './constants';
import { SANDBOX_HOST } from './http';
import { IdpStore } from './idp/adapter';
import { Browser, redirectTarget } from './idp/browser';
import { Misbehaviour, type MisbehaveMode } from './idp/misbehave';
import { TOKEN_EXCHANGE_GRANT, TOKEN_EXCHANGE_PARAMS, tokenExchangeHandler } from './idp/token-exchange';
import { deviceConfirmPage, deviceInputPage, errorPage, loginPage, messagePage, type Page } from './idp/pages';

export type { MisbehaveMode } from './idp/misbehave';
export { TOKEN_EXCHANGE_GRANT, TOKEN_TYPE } from './idp/token-exchange';

export const CONFIDENTIAL_CLIENT_ID = 'gatehouse-vscode-confidential';
export const CONFIDENTIAL_CLIENT_SECRET = 'sandbox-confidential-client-secret';
/** Registered loopback redirect; native clients may use any port (RFC 8252 §7.3). */
export const LOOPBACK_REDIRECT_URI = 'http://127.0.0.1/callback';
export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
/** What login() asks for unless told otherwise. */
export const DEFAULT_SCOPE = 'openid profile email groups offline_access';
/** Scopes a per-service (resource indicator / token exchange) access token can carry. */
export const RESOURCE_SCOPE = 'openid profile email groups';

/** Lifetimes in seconds. */
export interface IdpTtl {
  accessToken: number;
  idToken: number;
  refreshToken: number;
  deviceCode: number;
}
export const DEFAULT_TTL: IdpTtl = { accessToken: 600, idToken: 600, refreshToken: 86_400, deviceCode: 600 };

export interface IdpOptions {
  directory: Directory;
  faults: FaultRegistry;
  port?: number;
  log: (line: string) => void;
  ttl?: Partial<IdpTtl>;
}

export interface LoginOptions {
  scope?: string;
  /** Resource indicator(s) for the authorization request; the first is also sent to the token endpoint. */
  resource?: string | string[];
  nonce?: string;
}

/** The token endpoint's answer (RFC 6749 §5.1 + OIDC). */
export interface TokenResponse {
  access_token: string;
  id_token: string;
  refresh_token?: string;
  expires_in: number;
  token_type: string;
  scope?: string;
  [k: string]: unknown;
}

export interface RunningIdp extends RunningService, IdpTokenVerifier {
  readonly name: 'idp';
  /** The issuer, `http://127.0.0.1:PORT` (or another loopback address, see SANDBOX_HOST). */
  readonly url: string;
  readonly issuer: string;
  /** Public signing keys (what `/jwks` serves). */
  readonly jwks: { keys: JWK[] };
  /** Full code + PKCE flow over HTTP as `userId`; the token endpoint's JSON. */
  login(userId: string, opts?: LoginOptions): Promise<TokenResponse>;
  /** Plays the browser for an authorization URL; returns the final redirect (callback) URL without requesting it. */
  completeAuthorization(authorizationUrl: string, userId: string | 'deny'): Promise<string>;
  /** Enters `userCode` on the device pages and signs in as `userId` (or cancels with 'deny'). */
  approveDevice(userCode: string, userId: string | 'deny'): Promise<void>;
  /** Drops every grant, refresh token and session of the user: refreshes then fail with invalid_grant. */
  revokeAll(userId: string): Promise<void>;
  /** A JWT access token for `audience` obtained through a real login with a resource indicator. */
  tokenFor(userId: string, audience: string): Promise<string>;
  /** The next `count` matching responses come back wrong (see MisbehaveMode). */
  misbehave(mode: MisbehaveMode, count?: number): void;
  /** Changes lifetimes of tokens issued from now on. */
  setTtl(ttl: Partial<IdpTtl>): void;
}

export class IdpLoginError extends Error {
  constructor(
    readonly reason: 'authorization' | 'token' | 'unexpected',
    message: string,
    readonly error?: string,
  ) {
    super(message);
  }
  static is(e: unknown): e is IdpLoginError {
    return e instanceof IdpLoginError;
  }
}

const AUDIENCE_SET: ReadonlySet<string> = new Set(Object.values(AUDIENCES));
const INTERACTION_PATH = /^\/interaction\/([^/]+)(?:\/(login|abort))?\/?$/;

export async function startIdp(opts: IdpOptions): Promise<RunningIdp> {
  const { directory, faults, log } = opts;
  const ttl: IdpTtl = { ...DEFAULT_TTL, ...opts.ttl };
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = `sandbox-${randomBytes(6).toString('hex')}`;
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };

  // Listen first: the issuer needs the port.
  let handler: http.RequestListener = (_req, res) => res.writeHead(503).end();
  const server = http.createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, SANDBOX_HOST, () => resolve());
  });
  const issuer = `http://${SANDBOX_HOST}:${(server.address() as AddressInfo).port}`;

  const store = new IdpStore();
  const misbehaviour = new Misbehaviour(privateKey);
  const resourceServerInfo = (audience: string) => ({
    scope: RESOURCE_SCOPE,
    audience,
    accessTokenTTL: ttl.accessToken,
    accessTokenFormat: 'jwt',
    jwt: { sign: { alg: 'RS256' } },
  });
  const userFor = (id: string | undefined): DemoUser | undefined => {
    const u = id ? directory.find(id) : undefined;
    return u && u.id === id ? u : undefined;
  };

  const provider = new Provider(issuer, {
    adapter: store.adapterClass(),
    clients: [
      {
        client_id: EXTENSION_CLIENT_ID,
        client_name: 'Gatehouse for VS Code',
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        redirect_uris: [LOOPBACK_REDIRECT_URI],
        response_types: ['code'],
        grant_types: ['authorization_code', 'refresh_token', DEVICE_CODE_GRANT, TOKEN_EXCHANGE_GRANT],
      },
      {
        client_id: CONFIDENTIAL_CLIENT_ID,
        client_secret: CONFIDENTIAL_CLIENT_SECRET,
        client_name: 'Gatehouse (confidential test client)',
        application_type: 'native',
        token_endpoint_auth_method: 'client_secret_basic',
        redirect_uris: [LOOPBACK_REDIRECT_URI],
        response_types: ['code'],
        grant_types: ['authorization_code', 'refresh_token', TOKEN_EXCHANGE_GRANT],
      },
      {
        // Looker's SSO (looker/oauth.ts). Registered as native so its loopback callback may use
        // whatever port the sandbox Looker got.
        client_id: LOOKER_SSO_CLIENT_ID,
        client_secret: LOOKER_SSO_CLIENT_SECRET,
        client_name: 'Looker (sandbox)',
        application_type: 'native',
        token_endpoint_auth_method: 'client_secret_basic',
        redirect_uris: [`http://${SANDBOX_HOST}/openid_connect/callback`],
        response_types: ['code'],
        grant_types: ['authorization_code'],
      },
    ],
    jwks: { keys: [privateJwk] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    pkce: { required: () => true, methods: ['S256'] },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'preferred_username', 'groups'],
      groups: ['groups'],
    },
    scopes: ['openid', 'offline_access', 'profile', 'email', 'groups'],
    // Put scope-requested claims (groups above all) into the id token, not only userinfo.
    conformIdTokenClaims: false,
    async findAccount(_ctx: unknown, sub: string) {
      const user = userFor(sub);
      if (!user) return undefined;
      return {
        accountId: user.id,
        async claims() {
          return {
            sub: user.id,
            email: user.email,
            email_verified: true,
            name: user.name,
            preferred_username: user.id,
            groups: [...user.groups],
          };
        },
      };
    },
    async extraTokenClaims(_ctx: unknown, token: { accountId?: string }) {
      const user = userFor(token.accountId);
      return user ? { email: user.email, groups: [...user.groups] } : undefined;
    },
    // Refresh tokens for every client allowed the grant, offline_access or not (oidc-provider
    // drops offline_access unless prompt=consent), and not tied to the browser session.
    async issueRefreshToken(_ctx: unknown, client: { grantTypeAllowed(t: string): boolean }) {
      return client.grantTypeAllowed('refresh_token');
    },
    expiresWithSession: async () => false,
    rotateRefreshToken: true,
    ttl: {
      AccessToken: (_ctx: unknown, token: { resourceServer?: { accessTokenTTL?: number } }) =>
        token.resourceServer?.accessTokenTTL ?? ttl.accessToken,
      IdToken: () => ttl.idToken,
      RefreshToken: () => ttl.refreshToken,
      DeviceCode: () => ttl.deviceCode,
      AuthorizationCode: 60,
      ClientCredentials: 600,
      Interaction: 3600,
      Session: 86_400,
      Grant: () => ttl.refreshToken + 3600,
    },
    clientBasedCORS: () => false,
    features: {
      devInteractions: { enabled: false },
      deviceFlow: {
        enabled: true,
        async userCodeInputSource(ctx: KoaContextWithOIDC, form: string, _out: unknown, err?: unknown) {
          render(ctx, deviceInputPage(form, Boolean(err)));
        },
        async userCodeConfirmSource(ctx: KoaContextWithOIDC, form: string, client: { clientName?: string; clientId: string }, _info: unknown, userCode: string) {
          render(ctx, deviceConfirmPage(form, client.clientName ?? client.clientId, userCode));
        },
        async successSource(ctx: KoaContextWithOIDC) {
          render(ctx, messagePage('Signed in', 'You are signed in on your device. You can close this page.'));
        },
      },
      revocation: { enabled: true },
      userinfo: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx: unknown, _client: unknown, oneOf?: string[]) => oneOf,
        useGrantedResource: async () => false,
        getResourceServerInfo: async (_ctx: unknown, resource: string) => {
          if (!AUDIENCE_SET.has(resource)) throw new errors.InvalidTarget('unknown resource indicator');
          return resourceServerInfo(resource);
        },
      },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx: KoaContextWithOIDC, form: string) {
          const p = messagePage('Sign out', 'Signing you out of the Gatehouse sandbox…');
          render(ctx, { ...p, html: p.html.replace('</main>', `${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button></main>`) });
        },
        async postLogoutSuccessSource(ctx: KoaContextWithOIDC) {
          render(ctx, messagePage('Signed out', 'You are signed out of the Gatehouse sandbox.'));
        },
      },
    },
    async renderError(ctx: KoaContextWithOIDC, out: { error?: string; error_description?: string }) {
      render(ctx, errorPage(`${out.error ?? 'error'}: ${out.error_description ?? ''}`));
    },
  });

  provider.registerGrantType(
    TOKEN_EXCHANGE_GRANT,
    tokenExchangeHandler({
      issuer,
      verifyKey: publicKey,
      directory,
      audiences: AUDIENCE_SET,
      clientIds: [EXTENSION_CLIENT_ID, CONFIDENTIAL_CLIENT_ID],
      resourceServerInfo,
    }),
    TOKEN_EXCHANGE_PARAMS,
  );
  provider.on('server_error', (_ctx: unknown, err: Error) => log(`[idp] server error: ${err.message}`));

  // Outermost: access log (paths only: queries and bodies carry codes and tokens).
  provider.use(async (ctx, next) => {
    await next();
    log(`[idp] ${ctx.method} ${ctx.path} ${ctx.status}`);
  });
  provider.use(misbehaviour.middleware());
  provider.use(async (ctx, next) => {
    const m = INTERACTION_PATH.exec(ctx.path);
    if (!m) return next();
    try {
      await interaction(ctx, m[2]);
    } catch (err) {
      ctx.status = 400;
      render(ctx, errorPage(err instanceof Error ? err.message : 'interaction failed'));
    }
  });

  async function interaction(ctx: KoaContextWithOIDC, action: string | undefined): Promise<void> {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    const client = await provider.Client.find(String(details.params.client_id));
    if (!action) {
      if (ctx.method !== 'GET') throw new Error('method not allowed');
      // Already signed in, only consent missing: the sandbox consents on the user's behalf.
      if (details.prompt.name !== 'login' && details.session?.accountId) {
        return finish(ctx, { consent: { grantId: await grantAll(details, details.session.accountId) } });
      }
      return render(ctx, loginPage(details.uid, client?.clientName ?? String(details.params.client_id), directory.users));
    }
    if (ctx.method !== 'POST') throw new Error('method not allowed');
    if (action === 'abort') {
      return finish(ctx, { error: 'access_denied', error_description: 'End-User aborted interaction' });
    }
    const form = new URLSearchParams(await readBody(ctx.req));
    const user = userFor(form.get('user') ?? undefined);
    if (!user) throw new Error('unknown demo user');
    const grantId = await grantAll(details, user.id);
    await finish(ctx, { login: { accountId: user.id }, consent: { grantId } });
  }

  /** Grants everything the request asked for: scopes, claims and resource indicators. */
  async function grantAll(details: Awaited<ReturnType<Provider['interactionDetails']>>, accountId: string): Promise<string> {
    const clientId = String(details.params.client_id);
    const existing = details.grantId ? await provider.Grant.find(details.grantId) : undefined;
    const grant = existing && existing.accountId === accountId ? existing : new provider.Grant({ accountId, clientId });
    const scope = String(details.params.scope ?? 'openid');
    grant.addOIDCScope(scope);
    const claims = details.prompt.details.missingOIDCClaims;
    if (Array.isArray(claims) && claims.length) grant.addOIDCClaims(claims);
    const requested = new Set(scope.split(' '));
    const resourceScope = RESOURCE_SCOPE.split(' ').filter((s) => requested.has(s)).join(' ') || 'openid';
    for (const resource of [details.params.resource ?? []].flat() as string[]) grant.addResourceScope(resource, resourceScope);
    return grant.save();
  }

  async function finish(ctx: KoaContextWithOIDC, result: Record<string, unknown>): Promise<void> {
    const to = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
    ctx.status = 303;
    ctx.redirect(to);
  }

  const providerHandler = provider.callback();
  handler = (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/__sandbox/faults') return void handleFaults(faults, req, res);
    if (path === '/__sandbox/idp/ttl') return void handleTtl(ttl, req, res);
    if (faults.apply('idp', req, res)) return;
    providerHandler(req, res);
  };

  const verify = async (token: string, audience: string, typ?: string): Promise<DemoUser | undefined> => {
    try {
      const { payload } = await jwtVerify(token, publicKey, { issuer, audience, algorithms: ['RS256'], typ });
      return userFor(payload.sub);
    } catch {
      return undefined;
    }
  };

  const completeAuthorization = async (authorizationUrl: string, userId: string | 'deny'): Promise<string> => {
    const result = await drive(new Browser(), issuer, authorizationUrl, userId);
    if (result.kind !== 'left') throw new IdpLoginError('unexpected', 'authorization ended on an IdP page instead of a redirect');
    return result.url;
  };

  const tokenRequest = async (form: Record<string, string>): Promise<TokenResponse> => {
    const res = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams(form).toString(),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await res.json()) as TokenResponse & { error?: string };
    if (!res.ok) throw new IdpLoginError('token', `token endpoint answered ${res.status} ${body.error ?? ''}`, body.error);
    return body;
  };

  const login = async (userId: string, o: LoginOptions = {}): Promise<TokenResponse> => {
    const verifier = randomBytes(32).toString('base64url');
    const state = randomBytes(12).toString('base64url');
    const redirectUri = 'http://127.0.0.1:53682/callback';
    const url = new URL(`${issuer}/auth`);
    const q = url.searchParams;
    q.set('client_id', EXTENSION_CLIENT_ID);
    q.set('response_type', 'code');
    q.set('redirect_uri', redirectUri);
    q.set('scope', o.scope ?? DEFAULT_SCOPE);
    q.set('state', state);
    q.set('nonce', o.nonce ?? randomBytes(12).toString('base64url'));
    q.set('code_challenge', createHash('sha256').update(verifier).digest('base64url'));
    q.set('code_challenge_method', 'S256');
    const resources = [o.resource ?? []].flat();
    for (const r of resources) q.append('resource', r);
    const callback = new URL(await completeAuthorization(url.href, userId));
    const error = callback.searchParams.get('error');
    if (error) throw new IdpLoginError('authorization', `authorization failed: ${error}`, error);
    if (callback.searchParams.get('state') !== state) throw new IdpLoginError('unexpected', 'state mismatch');
    return tokenRequest({
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code') ?? '',
      redirect_uri: redirectUri,
      client_id: EXTENSION_CLIENT_ID,
      code_verifier: verifier,
      ...(resources.length ? { resource: resources[0] } : {}),
    });
  };

  return {
    name: 'idp',
    url: issuer,
    issuer,
    jwks: { keys: [publicJwk] },
    verifyAccessToken: (token, audience) => verify(token, audience, 'at+jwt'),
    verifyIdToken: (token) => verify(token, EXTENSION_CLIENT_ID),
    login,
    completeAuthorization,
    async approveDevice(userCode, userId) {
      const browser = new Browser();
      const entry = await browser.get(`${issuer}/device`);
      const xsrf = hiddenInputs(await entry.text()).xsrf;
      if (!entry.ok || !xsrf) throw new IdpLoginError('unexpected', `device page answered ${entry.status}`);
      const confirm = await browser.postForm(`${issuer}/device`, { xsrf, user_code: userCode });
      const confirmHtml = await confirm.text();
      const fields = hiddenInputs(confirmHtml);
      if (!confirm.ok || fields.confirm !== 'yes') throw new IdpLoginError('unexpected', `user code was not accepted (${confirm.status})`);
      const first = await browser.postForm(`${issuer}/device`, fields);
      const next = redirectTarget(first, `${issuer}/device`);
      if (!next) throw new IdpLoginError('unexpected', `device confirmation answered ${first.status}`);
      const result = await drive(browser, issuer, next, userId);
      if (result.kind !== 'page' || !result.ok) throw new IdpLoginError('unexpected', 'device sign-in did not reach the success page');
    },
    async revokeAll(userId) {
      const n = store.revokeAccount(userId);
      log(`[idp] revoked ${n} artifacts of ${userId}`);
    },
    async tokenFor(userId, audience) {
      if (!AUDIENCE_SET.has(audience)) throw new Error(`not a sandbox audience: ${audience}`);
      return (await login(userId, { resource: audience })).access_token;
    },
    misbehave: (mode, count = 1) => misbehaviour.arm(mode, count),
    setTtl(next) {
      Object.assign(ttl, next);
    },
    close: () =>
      new Promise<void>((resolve) => {
        misbehaviour.clear();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function render(ctx: KoaContextWithOIDC, page: Page): void {
  ctx.set('content-security-policy', page.csp);
  ctx.set('x-frame-options', 'DENY');
  ctx.set('cache-control', 'no-store');
  ctx.type = 'html';
  ctx.body = page.html;
}

async function readBody(req: http.IncomingMessage, limit = 64 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) throw new Error('request body too large');
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function hiddenInputs(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<input[^>]*type="hidden"[^>]*>/g)) {
    const name = /name="([^"]*)"/.exec(m[0])?.[1];
    const value = /value="([^"]*)"/.exec(m[0])?.[1];
    if (name && value !== undefined) out[name] = value;
  }
  return out;
}

type DriveResult = { kind: 'left'; url: string } | { kind: 'page'; ok: boolean; html: string };

/**
 * Follows the IdP's redirects like a browser, answering the user picker as `userId` (or Cancel),
 * until a redirect leaves the IdP (returned, not requested) or a page that is not ours remains.
 */
async function drive(browser: Browser, issuer: string, start: string, userId: string | 'deny'): Promise<DriveResult> {
  let url = start;
  let res = await browser.get(url);
  for (let hop = 0; hop < 20; hop++) {
    const next = redirectTarget(res, url);
    if (next) {
      if (new URL(next).origin !== issuer) {
        await res.body?.cancel();
        return { kind: 'left', url: next };
      }
      await res.body?.cancel();
      url = next;
      res = await browser.get(url);
      continue;
    }
    const html = await res.text();
    const m = INTERACTION_PATH.exec(new URL(url).pathname);
    if (res.status === 200 && m && !m[2]) {
      const base = `${issuer}/interaction/${m[1]}`;
      url = userId === 'deny' ? `${base}/abort` : `${base}/login`;
      res = userId === 'deny' ? await browser.postForm(url, {}) : await browser.postForm(url, { user: userId });
      continue;
    }
    if (res.status >= 400 && !m) {
      throw new IdpLoginError('unexpected', `IdP answered ${res.status}: ${textOf(html).slice(0, 200)}`);
    }
    return { kind: 'page', ok: res.status === 200, html };
  }
  throw new IdpLoginError('unexpected', 'too many redirects');
}

function textOf(html: string): string {
  return html.replace(/<style[\s\S]*?<\/style>/g, '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();
}

/** POST {"deviceCode": 3}: lifetimes (seconds) of what is issued from now on, e.g. to let a device code expire. */
async function handleTtl(ttl: IdpTtl, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const body = await readBody(req).catch(() => '');
  const reply = (status: number, value: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(value));
  };
  if (req.method !== 'POST') return reply(405, { error: 'method_not_allowed' });
  try {
    const next = JSON.parse(body || '{}') as Record<string, unknown>;
    for (const [key, value] of Object.entries(next)) {
      if (!Object.hasOwn(ttl, key) || !Number.isInteger(value) || (value as number) < 1) throw new Error(`${key} must be a known lifetime in whole seconds`);
    }
    Object.assign(ttl, next);
    reply(200, ttl);
  } catch (err) {
    reply(400, { error: 'invalid_request', error_description: err instanceof Error ? err.message : 'bad lifetimes' });
  }
}

async function handleFaults(faults: FaultRegistry, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const body = await readBody(req).catch(() => '');
  const reply = (status: number, value: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(value));
  };
  try {
    if (req.method === 'DELETE') faults.clear();
    else if (req.method === 'POST') {
      const spec = JSON.parse(body || '{}') as FaultSpec;
      faults.arm({ ...spec, service: spec.service ?? 'idp' });
    } else return reply(405, { error: 'method_not_allowed' });
    reply(200, { ok: true });
  } catch (err) {
    reply(400, { error: 'invalid_request', error_description: err instanceof Error ? err.message : 'bad fault spec' });
  }
}
