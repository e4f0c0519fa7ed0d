// Authorization-request parameters some identity providers need beyond OAuth's own: Auth0's
// `audience` (without it Auth0 issues an opaque access token no API accepts) and OIDC `prompt`
// for "Switch Account", since the IdP's own sign-in cookie outlives a Gatehouse sign-out and would
// otherwise sign the same person in again without asking.
import type { AuthConfig, SwitchAccountPrompt } from './config';

export interface AuthorizationOptions {
  /** Set by "Switch Account": make the IdP ask who is signing in. */
  prompt?: SwitchAccountPrompt;
}

export function authorizationParams(config: AuthConfig, options: AuthorizationOptions = {}): Record<string, string> {
  const params: Record<string, string> = {};
  if (config.audience) params.audience = config.audience;
  if (options.prompt) params.prompt = options.prompt;
  return params;
}

/** The device authorization request has no `prompt` (RFC 8628): only the audience applies. */
export function deviceAuthorizationParams(config: AuthConfig): Record<string, string> {
  return config.audience ? { audience: config.audience } : {};
}
