// Which identity a service sees, in words: one source for the tree's identity line, Show Identity,
// denial explanations, the Activity view and audit exports. Built from the credential's origin, the
// service it was sent to and, where the service tells, what it reported about the principal (a
// Looker display name, a Metabase API key's name). Shared identities (a service token, an API
// key, an impersonated service account, gcloud's ADC) say so first, so nobody takes them for the
// person. Never a secret: an Airbyte client id is shown shortened, a client secret not at all.
import type { AuditService, CredentialOrigin } from './credentialOrigin';

/** What a service itself reported about whom a credential acts as (untrusted text, shown inert). */
export interface Principal {
  /** The service's name for the account: a Looker display name, a Metabase user's or key's name, a token's name. */
  name?: string;
  /** A group the identity acts as (a Metabase API key's group), or a permission set (dbt Cloud). */
  group?: string;
  /** An OAuth client id (Airbyte application); shown shortened. */
  clientId?: string;
}

export interface CredentialDescription {
  origin: CredentialOrigin;
  /** True when the service sees an identity other than the signed-in person. */
  shared: boolean;
  /** The credential in words, e.g. "your Looker account via Looker sign-in", "group API key: Analysts". */
  text: string;
}

const SERVICE_WORDS: Record<AuditService, string> = {
  bigquery: 'Google',
  dbt: 'dbt',
  dbtCloud: 'dbt Cloud',
  airbyte: 'Airbyte',
  looker: 'Looker',
  metabase: 'Metabase',
  auth: 'identity provider',
  audit: 'Gatehouse',
};

/** Origins whose identity is not the person's own. */
const SHARED: ReadonlySet<CredentialOrigin> = new Set<CredentialOrigin>(['api-key', 'service-token', 'google-impersonation', 'application-default-credentials']);

export function isSharedIdentity(origin: CredentialOrigin): boolean {
  return SHARED.has(origin);
}

/** A short, single-line piece of service text: control and bidi characters out, at most `max` characters. */
function clip(v: string | undefined, max = 80): string | undefined {
  // eslint-disable-next-line no-control-regex
  const t = v?.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028-\u202e\u2066-\u2069]+/g, ' ').trim();
  if (!t) return undefined;
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** A client id shortened to its first characters: enough to recognise, not to reuse. */
export function shortClientId(id: string | undefined): string | undefined {
  const t = clip(id, 200);
  if (!t) return undefined;
  return t.length <= 8 ? `${t.slice(0, 2)}…` : `${t.slice(0, 6)}…`;
}

function base(service: AuditService, origin: CredentialOrigin, p: Principal): string {
  const svc = SERVICE_WORDS[service] ?? 'the service';
  const name = clip(p.name);
  switch (origin) {
    case 'service-oauth':
      return `your ${svc} account via ${svc} sign-in${name ? ` (${name})` : ''}`;
    case 'personal-token':
      if (service === 'looker') return `your Looker API3 key${name ? ` (${name})` : ''}`;
      if (service === 'dbtCloud') return `your dbt Cloud personal access token${name ? ` (${name})` : ''}`;
      return `your personal ${svc} token${name ? ` (${name})` : ''}`;
    case 'application-credentials': {
      const id = shortClientId(p.clientId);
      return `your ${svc} application${id ? ` ${id}` : ''}${name ? ` (${name})` : ''}`;
    }
    case 'password-session':
      return `your ${svc} account via ${svc} login${name ? ` (${name})` : ''}`;
    case 'api-key': {
      const group = clip(p.group);
      const key = group ?? name;
      return `group API key${key ? `: ${key}` : ''} (${svc} applies the key's group, not you)`;
    }
    case 'service-token': {
      const perms = clip(p.group);
      return `${svc} service token${name ? ` "${name}"` : ''}${perms ? ` with ${perms}` : ''} (acts as the token, not as you)`;
    }
    case 'identity-proxy':
      return `your sign-in via the identity-aware proxy in front of ${svc}${name ? ` (${name})` : ''}`;
    case 'resource-indicator':
      return `your sign-in's token issued for ${svc} by your identity provider${name ? ` (${name})` : ''}`;
    case 'token-exchange':
      return `your sign-in's token exchanged for ${svc} at your identity provider${name ? ` (${name})` : ''}`;
    case 'google-federation':
      return 'your Google identity, federated from your sign-in';
    case 'google-impersonation':
      return `Google service account${name ? ` ${name}` : ''} impersonated with your federated credentials`;
    case 'application-default-credentials':
      return `gcloud Application Default Credentials on this machine${name ? ` (${name})` : ''}`;
    case 'idp-id-token':
      return 'your sign-in id token';
    case 'idp-access-token':
      return 'your sign-in access token';
    case 'local-cli':
      return service === 'dbt' ? "the dbt command line with the project's own profile" : 'the local command line tool';
    default:
      return 'a credential Gatehouse does not know';
  }
}

/** The credential a call to `service` used, in words, with what the service reported about the principal. */
export function describeCredential(service: AuditService, origin: CredentialOrigin, principal: Principal = {}): CredentialDescription {
  const shared = isSharedIdentity(origin);
  const text = base(service, origin, principal);
  return { origin, shared, text: shared ? `shared identity: ${text}` : text };
}

/** The identity line of a service view: "As alice@example.com · your Looker account via Looker sign-in". */
export function identityLine(who: string | undefined, d: CredentialDescription): string {
  if (d.shared) return `Shared identity: ${d.text.replace(/^shared identity: /, '')}`;
  return who ? `As ${clip(who, 120)} · ${d.text}` : d.text;
}

/** A description as the start of a sentence ("Your Looker account …", "Shared identity: …"). */
export function sentenceCase(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
