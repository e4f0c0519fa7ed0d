// Fake Google Security Token Service (sts.googleapis.com/v1/token) and IAM Credentials
// (iamcredentials.googleapis.com ...:generateAccessToken), enough for google-auth-library's
// IdentityPoolClient: the IdP's id token becomes an opaque Google access token for BigQuery.
import type { ServerResponse } from 'node:http';
import { decodeJwt } from 'jose';
import { GOOGLE_WORKFORCE_AUDIENCE, GOOGLE_WORKFORCE_USER_PROJECT } from './constants';
import type { GoogleToken, RunningService, SandboxContext } from './context';
import { GROUPS, type DemoUser } from './directory';
import { Router, sendJson, serve, type Request } from './http';

/** Workload identity pool provider the STS also accepts (tokens then carry a workload principal). */
export const GOOGLE_WORKLOAD_AUDIENCE =
  '//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/gatehouse-sandbox/providers/sandbox-idp';

/** Service accounts that engineers may impersonate (e.g. for scheduled-query style jobs). */
export const SANDBOX_SERVICE_ACCOUNTS: Readonly<Record<string, { allowedGroup: string }>> = {
  'bigquery-engineers@gatehouse-demo.iam.gserviceaccount.com': { allowedGroup: GROUPS.engineers },
};

export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
const IAM_SCOPE = 'https://www.googleapis.com/auth/iam';
const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const SUBJECT_TOKEN_TYPES = new Set(['urn:ietf:params:oauth:token-type:id_token', 'urn:ietf:params:oauth:token-type:jwt']);
const STS_TOKEN_LIFETIME = 3600;
const MAX_IMPERSONATION_LIFETIME = 3600;

export function workforcePrincipal(sub: string): string {
  return `principal://iam.googleapis.com/locations/global/workforcePools/gatehouse-sandbox/subject/${sub}`;
}
export function workloadPrincipal(sub: string): string {
  return `principal://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/gatehouse-sandbox/subject/${sub}`;
}
export function serviceAccountPrincipal(email: string): string {
  return `principal://iam.googleapis.com/projects/-/serviceAccounts/${email}`;
}

/** RFC 6749 §5.2 error, as STS answers it. */
function oauthError(res: ServerResponse, status: number, error: string, description: string): void {
  sendJson(res, status, { error, error_description: description });
}

/** Google API error envelope (google.rpc.Status), as IAM Credentials answers it. */
function googleError(res: ServerResponse, code: number, status: string, message: string, details?: unknown[]): void {
  sendJson(res, code, { error: { code, message, status, ...(details ? { details } : {}) } });
}

export async function startGoogleTokenService(ctx: SandboxContext, opts: { port?: number }): Promise<RunningService> {
  const router = new Router()
    .post('/v1/token', (req, res) => exchange(ctx, req, res))
    .post('/v1/projects/:project/serviceAccounts/:target', (req, res) => generateAccessToken(ctx, req, res));
  const server = await serve({
    name: 'sts',
    port: opts.port,
    router,
    faults: ctx.faults,
    log: ctx.log,
    errorBody: (code, message) => ({ error: { code, message, status: code === 404 ? 'NOT_FOUND' : 'INVALID_ARGUMENT' } }),
  });
  return { name: 'sts', url: server.url, close: server.close };
}

function params(req: Request): URLSearchParams {
  const type = String(req.headers['content-type'] ?? '');
  if (type.includes('application/json')) {
    const body = req.json<Record<string, unknown>>() ?? {};
    return new URLSearchParams(
      Object.entries(body).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)] as [string, string]),
    );
  }
  return req.form();
}

async function exchange(ctx: SandboxContext, req: Request, res: ServerResponse): Promise<void> {
  const p = params(req);
  if (p.get('grant_type') !== TOKEN_EXCHANGE_GRANT) {
    return oauthError(res, 400, 'unsupported_grant_type', `Invalid value for "grant_type": ${p.get('grant_type') ?? 'missing'}`);
  }
  const requested = p.get('requested_token_type');
  if (requested !== ACCESS_TOKEN_TYPE) {
    return oauthError(res, 400, 'invalid_request', 'Invalid value for "requested_token_type".');
  }
  const subjectType = p.get('subject_token_type') ?? '';
  if (!SUBJECT_TOKEN_TYPES.has(subjectType)) {
    return oauthError(res, 400, 'invalid_request', 'Invalid value for "subject_token_type".');
  }
  const subjectToken = p.get('subject_token');
  if (!subjectToken) return oauthError(res, 400, 'invalid_request', 'Missing required parameter: "subject_token".');
  const audience = p.get('audience');
  if (!audience) return oauthError(res, 400, 'invalid_request', 'Missing required parameter: "audience".');
  const workforce = audience === GOOGLE_WORKFORCE_AUDIENCE;
  if (!workforce && audience !== GOOGLE_WORKLOAD_AUDIENCE) {
    return oauthError(res, 400, 'invalid_target', 'The target service indicated by the "audience" parameters is invalid.');
  }
  if (workforce) {
    let userProject: unknown;
    try {
      userProject = (JSON.parse(p.get('options') ?? '{}') as { userProject?: unknown }).userProject;
    } catch {
      return oauthError(res, 400, 'invalid_request', 'Invalid value for "options".');
    }
    // Without client authentication a workforce pool needs the project to bill and check quota against.
    if (!req.headers.authorization && userProject !== GOOGLE_WORKFORCE_USER_PROJECT) {
      return oauthError(res, 400, 'invalid_request', 'A valid workforce pool user project is required in "options".');
    }
  }
  const user = await ctx.idp.verifyIdToken(subjectToken);
  if (!user) return oauthError(res, 400, 'invalid_grant', whyRejected(subjectToken, ctx.idp.issuer));
  const scopes = (p.get('scope') ?? CLOUD_PLATFORM_SCOPE).split(/\s+/).filter(Boolean);
  const principal = workforce ? workforcePrincipal(user.id) : workloadPrincipal(user.id);
  const { token } = ctx.googleTokens.issue(user, scopes, STS_TOKEN_LIFETIME, principal);
  ctx.log(`[sts] exchanged an id token of ${user.id} for ${workforce ? 'workforce' : 'workload'} principal`);
  sendJson(res, 200, { access_token: token, issued_token_type: ACCESS_TOKEN_TYPE, token_type: 'Bearer', expires_in: STS_TOKEN_LIFETIME });
}

/** Google-style description of why an id token was refused (decoded without trust, for the message only). */
function whyRejected(token: string, issuer: string): string {
  let claims: { iss?: unknown; aud?: unknown; exp?: unknown };
  try {
    claims = decodeJwt(token);
  } catch {
    return 'Unable to parse the ID Token.';
  }
  if (claims.iss !== issuer) return `The issuer in ID Token ${String(claims.iss)} does not match the expected ones.`;
  if (typeof claims.exp === 'number' && claims.exp * 1000 <= Date.now()) return 'ID Token has expired.';
  const aud = [claims.aud].flat().map(String).join(', ');
  return `The audience in ID Token [${aud}] does not match the expected audience, or the ID Token signature is invalid.`;
}

async function generateAccessToken(ctx: SandboxContext, req: Request, res: ServerResponse): Promise<void> {
  const target = req.params.target;
  const colon = target.lastIndexOf(':');
  const email = target.slice(0, colon);
  if (colon < 0 || target.slice(colon + 1) !== 'generateAccessToken') {
    return googleError(res, 404, 'NOT_FOUND', `Method not found: ${target.slice(colon + 1)}`);
  }
  const caller: GoogleToken | undefined = ctx.googleTokens.lookup(req.bearer());
  if (!caller) {
    return googleError(
      res,
      401,
      'UNAUTHENTICATED',
      'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
      [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'ACCESS_TOKEN_TYPE_UNSUPPORTED', domain: 'googleapis.com' }],
    );
  }
  if (!caller.scopes.includes(CLOUD_PLATFORM_SCOPE) && !caller.scopes.includes(IAM_SCOPE)) {
    return googleError(res, 403, 'PERMISSION_DENIED', 'Request had insufficient authentication scopes.', [
      { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT', domain: 'googleapis.com' },
    ]);
  }
  const account = SANDBOX_SERVICE_ACCOUNTS[email];
  if (!account) return googleError(res, 404, 'NOT_FOUND', `Not found; Gaia id not found for email ${email}`);
  if (!ctx.directory.inGroup(caller.user, account.allowedGroup)) {
    return denied(res, email);
  }
  const body = req.json<{ scope?: unknown; lifetime?: unknown } | null>() ?? {};
  const scopes = body.scope;
  if (!Array.isArray(scopes) || scopes.length === 0 || !scopes.every((s) => typeof s === 'string' && s)) {
    return googleError(res, 400, 'INVALID_ARGUMENT', 'Scope required.');
  }
  const lifetime = parseDuration(body.lifetime ?? '3600s');
  if (lifetime === undefined || lifetime <= 0 || lifetime > MAX_IMPERSONATION_LIFETIME) {
    return googleError(res, 400, 'INVALID_ARGUMENT', `The lifetime must be between 1s and ${MAX_IMPERSONATION_LIFETIME}s.`);
  }
  const user: DemoUser = caller.user;
  const { token, expiresAt } = ctx.googleTokens.issue(user, scopes as string[], lifetime, serviceAccountPrincipal(email));
  ctx.log(`[sts] ${user.id} impersonates ${email}`);
  sendJson(res, 200, { accessToken: token, expireTime: new Date(expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z') });
}

function denied(res: ServerResponse, email: string): void {
  googleError(res, 403, 'PERMISSION_DENIED', "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).", [
    {
      '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
      reason: 'IAM_PERMISSION_DENIED',
      domain: 'iam.googleapis.com',
      metadata: { permission: 'iam.serviceAccounts.getAccessToken', resource: `projects/-/serviceAccounts/${email}` },
    },
  ]);
}

/** google.protobuf.Duration in JSON: "3600s", "1.5s". */
function parseDuration(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  const m = /^(\d+(?:\.\d+)?)s$/.exec(v);
  return m ? Math.floor(Number(m[1])) : undefined;
}
