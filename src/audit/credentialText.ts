// Which identity a service sees, in words: one source for the tree's identity line, Show Identity,
// denial explanations, the Activity view and audit exports. Built from the credential's origin, the
// service it was sent to and, where the service tells, what it reported about the principal (a
// Looker display name, a Metabase API key's name). Shared identities (a service token, an API
// key, an impersonated service account, gcloud's ADC) say so first, so nobody takes them for the
// person. Never a secret: an Airbyte client id is shown shortened, a client secret not at all.
import type { AuditService, CredentialOrigin } from './credentialOrigin';
import { t, type Translate } from '../core/l10n';

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

// `t` is l10n's (for a surface) or `english` (the audit trail, so that its records stay comparable
// whoever wrote them); named `t` so that scripts/l10n.mjs extracts the messages.
function base(service: AuditService, origin: CredentialOrigin, p: Principal, t: Translate): string {
  const svc = SERVICE_WORDS[service] ? t(SERVICE_WORDS[service]) : t('the service');
  const name = clip(p.name);
  // What the service reported about the principal, after the words: "your Looker account … (Alice)".
  const named = (text: string) => (name ? t('{0} ({1})', text, name) : text);
  switch (origin) {
    case 'service-oauth':
      return named(t('your {0} account via {0} sign-in', svc));
    case 'personal-token':
      if (service === 'looker') return named(t('your Looker API3 key'));
      if (service === 'dbtCloud') return named(t('your dbt Cloud personal access token'));
      return named(t('your personal {0} token', svc));
    case 'application-credentials': {
      const id = shortClientId(p.clientId);
      return named(id ? t('your {0} application {1}', svc, id) : t('your {0} application', svc));
    }
    case 'password-session':
      return named(t('your {0} account via {0} login', svc));
    case 'api-key': {
      const group = clip(p.group);
      const key = group ?? name;
      return key ? t("group API key: {0} ({1} applies the key's group, not you)", key, svc) : t("group API key ({0} applies the key's group, not you)", svc);
    }
    case 'service-token': {
      const perms = clip(p.group);
      if (name && perms) return t('{0} service token "{1}" with {2} (acts as the token, not as you)', svc, name, perms);
      if (name) return t('{0} service token "{1}" (acts as the token, not as you)', svc, name);
      if (perms) return t('{0} service token with {1} (acts as the token, not as you)', svc, perms);
      return t('{0} service token (acts as the token, not as you)', svc);
    }
    case 'identity-proxy':
      return named(t('your sign-in via the identity-aware proxy in front of {0}', svc));
    case 'resource-indicator':
      return named(t("your sign-in's token issued for {0} by your identity provider", svc));
    case 'token-exchange':
      return named(t("your sign-in's token exchanged for {0} at your identity provider", svc));
    case 'google-federation':
      return t('your Google identity, federated from your sign-in');
    case 'google-impersonation':
      return name ? t('Google service account {0} impersonated with your federated credentials', name) : t('Google service account impersonated with your federated credentials');
    case 'application-default-credentials':
      return named(t('gcloud Application Default Credentials on this machine'));
    case 'idp-id-token':
      return t('your sign-in id token');
    case 'idp-access-token':
      return t('your sign-in access token');
    case 'local-cli':
      return service === 'dbt' ? t("the dbt command line with the project's own profile") : t('the local command line tool');
    default:
      return t('a credential Gatehouse does not know');
  }
}

/**
 * The credential a call to `service` used, in words, with what the service reported about the
 * principal. In the reader's language; `english` for the audit trail.
 */
export function describeCredential(service: AuditService, origin: CredentialOrigin, principal: Principal = {}, translate: Translate = t): CredentialDescription {
  const shared = isSharedIdentity(origin);
  return { origin, shared, text: inWords(service, origin, principal, shared, translate) };
}

function inWords(service: AuditService, origin: CredentialOrigin, p: Principal, shared: boolean, t: Translate): string {
  const text = base(service, origin, p, t);
  return shared ? t('shared identity: {0}', text) : text;
}

/** The identity line of a service view: "As alice@example.com · your Looker account via Looker sign-in". */
export function identityLine(who: string | undefined, d: CredentialDescription): string {
  if (d.shared) return sentenceCase(d.text);
  return who ? t('As {0} · {1}', clip(who, 120) ?? '', d.text) : d.text;
}

/** A description as the start of a sentence ("Your Looker account …", "Shared identity: …"). */
export function sentenceCase(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
