// RFC 8693 token exchange at the sandbox IdP: a token this IdP issued (access token or id token)
// becomes a JWT access token for one of the sandbox services' audiences.
import { errors, type KoaContextWithOIDC, type Middleware } from 'oidc-provider';
import { jwtVerify, type CryptoKey } from 'jose';
import type { Directory } from '../directory';

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const TOKEN_TYPE = {
  accessToken: 'urn:ietf:params:oauth:token-type:access_token',
  idToken: 'urn:ietf:params:oauth:token-type:id_token',
  jwt: 'urn:ietf:params:oauth:token-type:jwt',
} as const;

export const TOKEN_EXCHANGE_PARAMS = [
  'subject_token',
  'subject_token_type',
  'audience',
  'resource',
  'requested_token_type',
  'scope',
  'actor_token',
  'actor_token_type',
];

export interface TokenExchangeDeps {
  issuer: string;
  verifyKey: CryptoKey;
  directory: Directory;
  audiences: ReadonlySet<string>;
  clientIds: readonly string[];
  /** Resource server description, as getResourceServerInfo returns it. */
  resourceServerInfo(audience: string): { scope: string } & Record<string, unknown>;
}

export function tokenExchangeHandler(deps: TokenExchangeDeps): Middleware {
  return async (ctx, next) => {
    const p = ctx.oidc.params;
    const subjectToken = single(p.subject_token);
    const subjectType = single(p.subject_token_type);
    if (!subjectToken) throw new errors.InvalidRequest('missing required parameter subject_token');
    if (!subjectType) throw new errors.InvalidRequest('missing required parameter subject_token_type');
    if (p.actor_token) throw new errors.InvalidRequest('actor_token is not supported');
    const requested = single(p.requested_token_type);
    if (requested && requested !== TOKEN_TYPE.accessToken) {
      throw new errors.InvalidRequest('requested_token_type must be urn:ietf:params:oauth:token-type:access_token');
    }
    const audience = single(p.audience);
    const resource = single(p.resource);
    if (audience && resource && audience !== resource) {
      throw new errors.InvalidRequest('audience and resource name different targets');
    }
    const target = audience ?? resource;
    if (!target) throw new errors.InvalidRequest('audience or resource is required');
    if (!deps.audiences.has(target)) throw new errors.InvalidTarget('unknown audience');

    const accountId = await subjectAccount(ctx, deps, subjectToken, subjectType);
    const info = deps.resourceServerInfo(target);
    const allowed = new Set(info.scope.split(' '));
    const requestedScope = single(p.scope);
    const scope = requestedScope ? requestedScope.split(' ').filter((s) => allowed.has(s)).join(' ') : info.scope;

    const { AccessToken, ResourceServer } = ctx.oidc.provider;
    const at = new AccessToken({
      accountId,
      client: ctx.oidc.client,
      gty: 'token_exchange',
      scope: scope || undefined,
      resourceServer: new ResourceServer(target, info),
    });
    const value = await at.save();
    ctx.body = {
      access_token: value,
      issued_token_type: TOKEN_TYPE.accessToken,
      token_type: 'Bearer',
      expires_in: at.expiration,
      ...(scope ? { scope } : {}),
    };
    await next();
  };
}

async function subjectAccount(ctx: KoaContextWithOIDC, deps: TokenExchangeDeps, token: string, type: string): Promise<string> {
  let sub: string | undefined;
  if (type === TOKEN_TYPE.accessToken && token.split('.').length !== 3) {
    // Opaque access token (the userinfo one): the provider's own store knows it.
    const at = await ctx.oidc.provider.AccessToken.find(token);
    if (!at || at.isExpired) throw new errors.InvalidGrant('subject_token is invalid or expired');
    sub = at.accountId;
  } else if (type === TOKEN_TYPE.accessToken || type === TOKEN_TYPE.idToken || type === TOKEN_TYPE.jwt) {
    const isIdToken = type !== TOKEN_TYPE.accessToken;
    try {
      const { payload } = await jwtVerify(token, deps.verifyKey, {
        issuer: deps.issuer,
        algorithms: ['RS256'],
        audience: isIdToken ? [...deps.clientIds] : [...deps.audiences],
        ...(isIdToken ? {} : { typ: 'at+jwt' }),
      });
      sub = payload.sub;
    } catch {
      throw new errors.InvalidGrant('subject_token is invalid or expired');
    }
  } else {
    throw new errors.InvalidRequest('unsupported subject_token_type');
  }
  if (!sub || deps.directory.find(sub)?.id !== sub) throw new errors.InvalidGrant('subject_token has no known subject');
  return sub;
}

function single(v: string | string[] | undefined): string | undefined {
  if (Array.isArray(v)) return v[0];
  return v || undefined;
}
