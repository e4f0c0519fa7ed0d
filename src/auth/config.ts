// The sign-in configuration as the core sees it: plain values read from settings (and the
// optional client secret from SecretStorage), validated into errors that say what to fix.
import { AuthError } from './authError';
import { markMessage, t } from '../core/l10n';

export const SERVICE_IDS = ['airbyte', 'dbtCloud', 'looker', 'metabase'] as const;
export type ServiceId = (typeof SERVICE_IDS)[number];

export type FlowSetting = 'auto' | 'loopback' | 'device';
export type ServiceTokenMode = 'resourceIndicators' | 'tokenExchange' | 'sessionToken';
/** What "Switch Account" sends as `prompt`: `login` forces the password page, `select_account` an account picker. */
export type SwitchAccountPrompt = 'login' | 'select_account';

export interface AuthConfig {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  scopes: string[];
  groupsClaim: string;
  flow: FlowSetting;
  serviceTokens: ServiceTokenMode;
  audiences: Record<ServiceId, string | undefined>;
  /** Auth0's `audience` authorization parameter: the API whose JWT access token the session gets. */
  audience?: string;
  switchAccountPrompt: SwitchAccountPrompt;
}

/** Settings as read, before validation (any field may be missing or of the wrong type). */
export interface RawAuthSettings {
  issuer?: unknown;
  clientId?: unknown;
  clientSecret?: unknown;
  scopes?: unknown;
  groupsClaim?: unknown;
  flow?: unknown;
  serviceTokens?: unknown;
  audiences?: Partial<Record<ServiceId, unknown>>;
  audience?: unknown;
  switchAccountPrompt?: unknown;
}

const DEFAULT_SCOPES = ['openid', 'profile', 'email', 'offline_access'];
// A next step of typed errors: translated by userMessage.
const CONFIGURE = markMessage('Run "Gatehouse: Configure Sign-In" and set the issuer URL and client id your identity team gave you.');

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T): T {
  return allowed.includes(value as T) ? (value as T) : fallback;
}

/** True when the issuer may be reached without TLS: only this machine (the sandbox, a dev IdP). */
export function isLoopbackUrl(url: string): boolean {
  try {
    const { hostname } = new URL(url);
    // The whole IPv4 loopback range (RFC 1122: 127.0.0.0/8), localhost and IPv6 loopback.
    return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname) || hostname === 'localhost' || hostname === '[::1]';
  } catch {
    return false;
  }
}

export function parseAuthConfig(raw: RawAuthSettings): AuthConfig {
  const issuer = text(raw.issuer);
  const clientId = text(raw.clientId);
  if (!issuer && !clientId) throw new AuthError('notConfigured', 'Sign-in is not configured yet.', CONFIGURE);
  if (!issuer) throw new AuthError('notConfigured', 'The setting gatehouse.auth.issuer is empty.', CONFIGURE);
  if (!clientId) throw new AuthError('notConfigured', 'The setting gatehouse.auth.clientId is empty.', CONFIGURE);
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new AuthError('notConfigured', t('gatehouse.auth.issuer "{0}" is not a URL.', issuer), 'Use the full issuer URL, e.g. https://acme.okta.com/oauth2/default.');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackUrl(issuer))) {
    throw new AuthError('notConfigured', t('gatehouse.auth.issuer must use https (got {0}//{1}).', url.protocol, url.host), 'Only an identity provider on this machine may use http.');
  }
  checkIssuerShape(url);
  const scopeList = Array.isArray(raw.scopes) ? raw.scopes.filter((s): s is string => typeof s === 'string' && s.trim() !== '') : DEFAULT_SCOPES;
  // `openid` is what makes this OpenID Connect (an id token); the setting's description promises it.
  const scopes = ['openid', ...scopeList.map((s) => s.trim()).filter((s) => s !== 'openid')];
  const audiences = {} as Record<ServiceId, string | undefined>;
  for (const id of SERVICE_IDS) audiences[id] = text(raw.audiences?.[id]);
  return {
    issuer,
    clientId,
    clientSecret: text(raw.clientSecret),
    scopes: [...new Set(scopes)],
    groupsClaim: text(raw.groupsClaim) ?? 'groups',
    flow: oneOf(raw.flow, ['auto', 'loopback', 'device'] as const, 'auto'),
    serviceTokens: oneOf(raw.serviceTokens, ['resourceIndicators', 'tokenExchange', 'sessionToken'] as const, 'resourceIndicators'),
    audiences,
    audience: text(raw.audience),
    switchAccountPrompt: oneOf(raw.switchAccountPrompt, ['login', 'select_account'] as const, 'login'),
  };
}

const DISCOVERY_SUFFIX = /\/\.well-known\/(openid-configuration|oauth-authorization-server)\/?$/;
/** Entra ID's multi-tenant endpoints: their discovery reports the template issuer `.../{tenantid}/v2.0`. */
const ENTRA_HOSTS = new Set(['login.microsoftonline.com', 'login.microsoftonline.us', 'login.partner.microsoftonline.cn']);
const ENTRA_SHARED_TENANTS = new Set(['common', 'organizations', 'consumers']);

/** Issuer values people paste that discovery can never match, each with the value to use instead. */
function checkIssuerShape(url: URL): void {
  if (DISCOVERY_SUFFIX.test(url.pathname)) {
    const issuer = `${url.origin}${url.pathname.replace(DISCOVERY_SUFFIX, '')}`;
    throw new AuthError('notConfigured', 'gatehouse.auth.issuer is the URL of the discovery document, not the issuer.', t('Set it to {0} (Gatehouse adds /.well-known/openid-configuration itself).', issuer));
  }
  const tenant = url.pathname.split('/')[1]?.toLowerCase();
  if (ENTRA_HOSTS.has(url.hostname) && ENTRA_SHARED_TENANTS.has(tenant)) {
    throw new AuthError(
      'notConfigured',
      t('gatehouse.auth.issuer uses Entra ID\'s shared "{0}" endpoint, whose tokens name your own tenant as issuer.', tenant),
      t('Set it to {0}/<tenant-id>/v2.0 with your directory (tenant) id from the Entra ID overview page.', url.origin),
    );
  }
}
