// Looker's OAuth 2.0 for API clients (authorization code + PKCE), as "Looker API authentication
// using OAuth" describes it: an admin registers an OAuth client app (client_guid + redirect_uri)
// through POST /api/4.0/oauth_client_apps/{client_guid}; the app sends the browser to /auth on the
// web host (response_type=code, scope=cors_api, S256 code challenge); Looker's login page signs the
// person in (here: Looker SSO over OpenID Connect, an OIDC client of the sandbox IdP, matched by
// email, with a Looker session cookie) and redirects to redirect_uri with code and state; the app
// redeems the code at POST /api/token on the API host (JSON or form: grant_type, client_id,
// redirect_uri, code, code_verifier) for an hour-long access token and a refresh token.
//
// Strict where a real server is: redirect_uri must equal a registered one (no loopback port
// wildcard), S256 only, codes single-use (a replayed code revokes what it issued), short-lived and
// bound to client, redirect_uri and challenge; refresh tokens rotate, and presenting a rotated one
// revokes its whole family (RFC 9700 §4.14).
import { createHash, randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { LOOKER_SSO_CLIENT_ID, LOOKER_SSO_CLIENT_SECRET } from '../constants';
import type { SandboxContext } from '../context';
import { GROUPS, type DemoUser } from '../directory';
import { HttpError, type Request, type Router, sendJson } from '../http';
import { escapeHtml, page } from '../idp/pages';

/** Gatehouse's OAuth client app, registered on the sandbox instance as a Looker admin would. */
export const LOOKER_OAUTH_CLIENT_GUID = 'gatehouse-vscode';
/** The loopback redirect the admin registered for it (Gatehouse's default gatehouse.looker.oauthRedirectPort). */
export const LOOKER_OAUTH_REDIRECT_PORT = 48761;
export const LOOKER_OAUTH_REDIRECT_URI = `http://127.0.0.1:${LOOKER_OAUTH_REDIRECT_PORT}/callback`;
/** Path of Looker's OpenID Connect callback (registered at the IdP). */
export const LOOKER_SSO_CALLBACK_PATH = '/openid_connect/callback';
export const LOOKER_SESSION_COOKIE = 'looker_sandbox_session';

const CODE_TTL_MS = 60_000;
const ACCESS_TOKEN_TTL_S = 3600;
const REFRESH_TOKEN_TTL_MS = 30 * 86_400_000;
const WEB_SESSION_TTL_MS = 12 * 3600_000;
const SSO_PENDING_TTL_MS = 10 * 60_000;
const DOCS = 'https://cloud.google.com/looker/docs/r/api/4.0';
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

export interface OauthClientAppRecord {
  client_guid: string;
  redirect_uri: string;
  display_name: string;
  description: string;
  enabled: boolean;
  group_id: string | null;
  tokens_invalid_before: string;
}

/** Access tokens the API accepts (shared with the API3 logins in looker.ts). */
export type ApiSessions = Map<string, { userId: string; expiresAt: number; clientGuid?: string; family?: string }>;

interface CodeRecord {
  clientGuid: string;
  redirectUri: string;
  challenge: string;
  userId: string;
  expiresAt: number;
  /** The token family this code was redeemed for: revoked if the code is replayed. */
  issued?: string;
}

interface RefreshRecord {
  userId: string;
  clientGuid: string;
  family: string;
  expiresAt: number;
  /** Rotated out: presenting it again means it leaked. */
  used: boolean;
}

const tokenError = (status: number, message: string) => new HttpError(status, { message, documentation_url: DOCS });
const randomToken = (bytes = 30) => randomBytes(bytes).toString('base64url').replace(/[-_]/g, 'x');

export class LookerOAuth {
  readonly apps = new Map<string, OauthClientAppRecord>();
  private readonly codes = new Map<string, CodeRecord>();
  private readonly refreshTokens = new Map<string, RefreshRecord>();
  private readonly webSessions = new Map<string, { userId: string; expiresAt: number }>();
  private readonly pendingSso = new Map<string, { nonce: string; verifier: string; returnTo: string; expiresAt: number }>();
  private idpMetadata?: Promise<{ authorization_endpoint: string; token_endpoint: string; jwks: JSONWebKeySet }>;
  /** Test hook: the sandbox's clock for codes, tokens and sessions. */
  now: () => number = Date.now;

  constructor(
    private readonly ctx: SandboxContext,
    private readonly sessions: ApiSessions,
  ) {
    this.apps.set(LOOKER_OAUTH_CLIENT_GUID, {
      client_guid: LOOKER_OAUTH_CLIENT_GUID,
      redirect_uri: LOOKER_OAUTH_REDIRECT_URI,
      display_name: 'Gatehouse for VS Code',
      description: 'Runs looks and dashboards in VS Code as the signed-in Looker user.',
      enabled: true,
      group_id: null,
      tokens_invalid_before: new Date(0).toISOString(),
    });
  }

  /** Test hook: signs every browser out of the Looker web UI (the next /auth goes to the IdP again). */
  endWebSessions(): void {
    this.webSessions.clear();
  }

  routes(router: Router, api: string, authenticate: (req: Request) => Promise<DemoUser>): void {
    router
      .get('/auth', (req, res) => this.authorize(req, res))
      .get('/login', (req, res) => this.login(req, res))
      .get(LOOKER_SSO_CALLBACK_PATH, (req, res) => this.ssoCallback(req, res))
      .post('/api/token', (req, res) => this.token(req, res))
      .get(`${api}/oauth_client_apps`, async (req, res) => {
        this.requireAdmin(await authenticate(req));
        sendJson(res, 200, [...this.apps.values()].map(appView));
      })
      .get(`${api}/oauth_client_apps/:guid`, async (req, res) => {
        this.requireAdmin(await authenticate(req));
        const app = this.apps.get(req.params.guid);
        if (!app) throw tokenError(404, 'Not found');
        sendJson(res, 200, appView(app));
      })
      .post(`${api}/oauth_client_apps/:guid`, async (req, res) => {
        this.requireAdmin(await authenticate(req));
        const guid = req.params.guid;
        if (this.apps.has(guid)) throw tokenError(409, 'OAuth client app already exists.');
        const body = req.json<Record<string, unknown> | null>() ?? {};
        const redirect = typeof body.redirect_uri === 'string' ? body.redirect_uri : '';
        if (!isRedirectUri(redirect)) {
          throw new HttpError(422, { message: 'Validation Failed', errors: [{ field: 'redirect_uri', code: 'invalid', message: 'must be an absolute https URL, or http on a loopback address', documentation_url: DOCS }], documentation_url: DOCS });
        }
        const app: OauthClientAppRecord = {
          client_guid: guid,
          redirect_uri: redirect,
          display_name: typeof body.display_name === 'string' ? body.display_name : guid,
          description: typeof body.description === 'string' ? body.description : '',
          enabled: body.enabled !== false,
          group_id: typeof body.group_id === 'string' && body.group_id ? body.group_id : null,
          tokens_invalid_before: new Date(0).toISOString(),
        };
        this.apps.set(guid, app);
        sendJson(res, 200, appView(app));
      })
      .delete(`${api}/oauth_client_apps/:guid`, async (req, res) => {
        this.requireAdmin(await authenticate(req));
        if (!this.apps.delete(req.params.guid)) throw tokenError(404, 'Not found');
        this.revokeClient(req.params.guid);
        res.writeHead(204).end();
      });
  }

  /** Sandbox rule: the data engineers administer the instance (manage OAuth client apps). */
  private requireAdmin(user: DemoUser): void {
    if (!user.groups.includes(GROUPS.engineers)) throw tokenError(403, 'You do not have permission to manage OAuth client apps.');
  }

  // --- GET /auth (web host) --------------------------------------------------------------------

  private authorize(req: Request, res: ServerResponse): void {
    const q = req.query;
    const app = this.apps.get(q.get('client_id') ?? '');
    const redirectUri = q.get('redirect_uri') ?? '';
    // Unknown client or redirect: never redirect (that would make Looker an open redirector).
    if (!app || !app.enabled) return htmlError(res, 400, 'This application is not registered with Looker, or it is disabled.');
    if (redirectUri !== app.redirect_uri) return htmlError(res, 400, 'The redirect URI does not match the one registered for this application.');
    const state = q.get('state');
    const back = (params: Record<string, string>) => redirect(res, withParams(redirectUri, { ...params, ...(state ? { state } : {}) }));
    if (q.get('response_type') !== 'code') return back({ error: 'unsupported_response_type' });
    if (q.get('code_challenge_method') !== 'S256') return back({ error: 'invalid_request', error_description: 'code_challenge_method must be S256' });
    const challenge = q.get('code_challenge') ?? '';
    if (!/^[A-Za-z0-9_-]{43}$/.test(challenge)) return back({ error: 'invalid_request', error_description: 'code_challenge is missing or malformed' });
    if (q.get('scope') !== 'cors_api') return back({ error: 'invalid_scope' });

    const user = this.webUser(req);
    if (!user) return redirect(res, `/login?${new URLSearchParams({ return_to: `${req.path}?${q}` })}`);
    if (app.group_id && !this.inGroup(user, app.group_id)) return back({ error: 'access_denied' });
    const code = randomToken(24);
    this.codes.set(code, { clientGuid: app.client_guid, redirectUri, challenge, userId: user.id, expiresAt: this.now() + CODE_TTL_MS });
    this.ctx.log(`[looker] oauth code issued to ${app.client_guid} for ${user.id}`);
    back({ code });
  }

  private inGroup(user: DemoUser, groupId: string): boolean {
    const ids: Record<string, string> = { [GROUPS.engineers]: '2', [GROUPS.analysts]: '3', [GROUPS.contractors]: '4' };
    return groupId === '1' || user.groups.some((g) => ids[g] === groupId);
  }

  private webUser(req: Request): DemoUser | undefined {
    const sid = cookie(req, LOOKER_SESSION_COOKIE);
    const session = sid ? this.webSessions.get(sid) : undefined;
    if (!session) return undefined;
    if (session.expiresAt <= this.now()) {
      this.webSessions.delete(sid!);
      return undefined;
    }
    return this.ctx.directory.find(session.userId);
  }

  // --- Looker's login page: SSO through the company IdP (OpenID Connect) ------------------------

  private async login(req: Request, res: ServerResponse): Promise<void> {
    const returnTo = req.query.get('return_to') ?? '/';
    // Only paths on this host: the login page is not a redirector either.
    if (!returnTo.startsWith('/') || returnTo.startsWith('//')) return htmlError(res, 400, 'Invalid return address.');
    const meta = await this.metadata();
    const state = randomToken(16);
    const nonce = randomToken(16);
    const verifier = randomToken(32);
    this.pendingSso.set(state, { nonce, verifier, returnTo, expiresAt: this.now() + SSO_PENDING_TTL_MS });
    const url = new URL(meta.authorization_endpoint);
    url.search = new URLSearchParams({
      client_id: LOOKER_SSO_CLIENT_ID,
      response_type: 'code',
      scope: 'openid email profile',
      redirect_uri: this.ssoRedirectUri(req),
      state,
      nonce,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString();
    // Looker with OIDC as its only login method sends the browser straight on to the IdP.
    redirect(res, url.href);
  }

  private ssoRedirectUri(req: Request): string {
    return `http://${req.headers.host}${LOOKER_SSO_CALLBACK_PATH}`;
  }

  private async ssoCallback(req: Request, res: ServerResponse): Promise<void> {
    const state = req.query.get('state') ?? '';
    const pending = this.pendingSso.get(state);
    this.pendingSso.delete(state);
    if (!pending || pending.expiresAt <= this.now()) return htmlError(res, 400, 'This sign-in attempt is unknown or has expired. Start again from the application.');
    if (req.query.get('error')) return htmlError(res, 403, 'Sign-in at your identity provider was cancelled or refused.');
    const meta = await this.metadata();
    const tokenRes = await fetch(meta.token_endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        authorization: `Basic ${Buffer.from(`${LOOKER_SSO_CLIENT_ID}:${LOOKER_SSO_CLIENT_SECRET}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: req.query.get('code') ?? '', redirect_uri: this.ssoRedirectUri(req), code_verifier: pending.verifier }),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await tokenRes.json().catch(() => ({}))) as { id_token?: string };
    if (!tokenRes.ok || typeof body.id_token !== 'string') return htmlError(res, 502, 'The identity provider did not complete the sign-in.');
    let email: unknown;
    try {
      const { payload } = await jwtVerify(body.id_token, createLocalJWKSet(meta.jwks), { issuer: this.ctx.idp.issuer, audience: LOOKER_SSO_CLIENT_ID, algorithms: ['RS256'] });
      if (payload.nonce !== pending.nonce) throw new Error('nonce');
      email = payload.email;
    } catch {
      return htmlError(res, 502, 'The identity provider answered with an invalid ID token.');
    }
    // Looker matches SSO users by email.
    const user = typeof email === 'string' ? this.ctx.directory.users.find((u) => u.email === email) : undefined;
    if (!user) return htmlError(res, 403, 'There is no Looker user for this identity.');
    const sid = randomToken(24);
    this.webSessions.set(sid, { userId: user.id, expiresAt: this.now() + WEB_SESSION_TTL_MS });
    res.setHeader('set-cookie', `${LOOKER_SESSION_COOKIE}=${sid}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${WEB_SESSION_TTL_MS / 1000}`);
    redirect(res, pending.returnTo);
  }

  private metadata() {
    this.idpMetadata ??= (async () => {
      const get = async (url: string) => {
        const r = await fetch(url, { signal: AbortSignal.timeout(10_000) });
        if (!r.ok) throw new Error(`IdP ${url} answered ${r.status}`);
        return r.json() as Promise<Record<string, unknown>>;
      };
      const discovery = await get(`${this.ctx.idp.issuer}/.well-known/openid-configuration`);
      const jwks = (await get(String(discovery.jwks_uri))) as unknown as JSONWebKeySet;
      return { authorization_endpoint: String(discovery.authorization_endpoint), token_endpoint: String(discovery.token_endpoint), jwks };
    })();
    this.idpMetadata.catch(() => (this.idpMetadata = undefined));
    return this.idpMetadata;
  }

  // --- POST /api/token (API host) -------------------------------------------------------------

  private token(req: Request, res: ServerResponse): void {
    const type = String(req.headers['content-type'] ?? '');
    const raw: Record<string, unknown> = type.includes('json') ? (req.json<Record<string, unknown> | null>() ?? {}) : Object.fromEntries(req.form());
    const field = (k: string) => (typeof raw[k] === 'string' ? (raw[k] as string) : '');
    const app = this.apps.get(field('client_id'));
    if (!app || !app.enabled) throw tokenError(401, 'Invalid client.');
    switch (field('grant_type')) {
      case 'authorization_code':
        return sendJson(res, 200, this.redeemCode(app, field('code'), field('redirect_uri'), field('code_verifier')), { 'cache-control': 'no-store' });
      case 'refresh_token':
        return sendJson(res, 200, this.refresh(app, field('refresh_token')), { 'cache-control': 'no-store' });
      default:
        throw tokenError(400, 'Unsupported grant_type.');
    }
  }

  private redeemCode(app: OauthClientAppRecord, code: string, redirectUri: string, verifier: string) {
    const record = this.codes.get(code);
    if (!record || record.clientGuid !== app.client_guid) throw tokenError(400, 'Invalid authorization code.');
    if (record.issued) {
      // Replayed: someone else may hold it. Revoke what it was redeemed for (RFC 6749 §4.1.2).
      this.revokeFamily(record.issued);
      this.codes.delete(code);
      throw tokenError(400, 'Invalid authorization code.');
    }
    if (record.expiresAt <= this.now()) {
      this.codes.delete(code);
      throw tokenError(400, 'Invalid authorization code.');
    }
    if (record.redirectUri !== redirectUri) throw tokenError(400, 'redirect_uri does not match the authorization request.');
    if (!VERIFIER.test(verifier) || createHash('sha256').update(verifier).digest('base64url') !== record.challenge) {
      // A wrong verifier burns the code: whoever sent it does not get another try.
      this.codes.delete(code);
      throw tokenError(400, 'code_verifier does not match the code challenge.');
    }
    const family = randomToken(12);
    const out = this.issue(record.userId, app.client_guid, family);
    record.issued = family;
    // Kept (marked) until it would have expired, so a replay is recognised.
    return out;
  }

  private refresh(app: OauthClientAppRecord, token: string) {
    const record = this.refreshTokens.get(token);
    if (!record || record.clientGuid !== app.client_guid || record.expiresAt <= this.now()) throw tokenError(400, 'Invalid refresh token.');
    if (record.used) {
      this.revokeFamily(record.family);
      throw tokenError(400, 'Invalid refresh token.');
    }
    record.used = true;
    if (!this.ctx.directory.find(record.userId)) throw tokenError(400, 'Invalid refresh token.');
    return this.issue(record.userId, app.client_guid, record.family);
  }

  private issue(userId: string, clientGuid: string, family: string) {
    const access = randomToken().slice(0, 40);
    const refresh = randomToken(32);
    this.sessions.set(access, { userId, expiresAt: this.now() + ACCESS_TOKEN_TTL_S * 1000, clientGuid, family });
    this.refreshTokens.set(refresh, { userId, clientGuid, family, expiresAt: this.now() + REFRESH_TOKEN_TTL_MS, used: false });
    this.ctx.log(`[looker] oauth tokens issued to ${clientGuid} for ${userId}`);
    return { access_token: access, token_type: 'Bearer', expires_in: ACCESS_TOKEN_TTL_S, refresh_token: refresh };
  }

  /** Drops every refresh token of a family and the access tokens they issued. */
  private revokeFamily(family: string): void {
    for (const [t, r] of this.refreshTokens) if (r.family === family) this.refreshTokens.delete(t);
    for (const [t, s] of this.sessions) if (s.family === family) this.sessions.delete(t);
    this.ctx.log('[looker] oauth token family revoked');
  }

  private revokeClient(clientGuid: string): void {
    for (const [t, s] of this.sessions) if (s.clientGuid === clientGuid) this.sessions.delete(t);
    for (const [t, r] of this.refreshTokens) if (r.clientGuid === clientGuid) this.refreshTokens.delete(t);
  }

  /** Test hook: the refresh tokens of a user that can still be redeemed. */
  liveRefreshTokens(userId: string): number {
    return [...this.refreshTokens.values()].filter((r) => r.userId === userId && !r.used).length;
  }
}

function appView(app: OauthClientAppRecord) {
  return { can: { show: true, update: true, destroy: true }, ...app, activated_users: [] };
}

function isRedirectUri(value: string): boolean {
  try {
    const u = new URL(value);
    if (u.hash) return false;
    return u.protocol === 'https:' || (u.protocol === 'http:' && /^(127\.\d+\.\d+\.\d+|\[::1\]|localhost)$/.test(u.hostname));
  } catch {
    return false;
  }
}

function withParams(base: string, params: Record<string, string>): string {
  const u = new URL(base);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return u.href;
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(302, { location, 'cache-control': 'no-store' }).end();
}

function cookie(req: Request, name: string): string | undefined {
  for (const part of String(req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

function htmlError(res: ServerResponse, status: number, message: string): void {
  const p = page('Looker', `<h1>Looker</h1><p class="error">${escapeHtml(message)}</p>`);
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': p.csp, 'cache-control': 'no-store' }).end(p.html);
}
