// Roles come from the IdP's group claim through a mapping the admin sets. They decide which
// actions Gatehouse OFFERS; the services remain the authority and may still say no (403), which
// explainDenied() turns into a sentence a person can act on.
import type { CredentialOrigin } from '../audit/auditTrail';

export type Role = 'engineer' | 'analyst';

export type Action =
  | 'bigquery.query'
  | 'bigquery.preview'
  | 'dbt.run'
  | 'dbtCloud.trigger'
  | 'dbtCloud.cancel'
  | 'airbyte.sync'
  | 'airbyte.reset'
  | 'airbyte.cancel'
  | 'looker.run'
  | 'metabase.run';

/** Which roles may perform an action. Read actions are open to everyone signed in. */
export const ACTION_ROLES: Record<Action, readonly Role[] | 'anyone'> = {
  'bigquery.query': 'anyone',
  'bigquery.preview': 'anyone',
  'looker.run': 'anyone',
  'metabase.run': 'anyone',
  'dbt.run': ['engineer'],
  'dbtCloud.trigger': ['engineer'],
  'dbtCloud.cancel': ['engineer'],
  'airbyte.sync': ['engineer'],
  'airbyte.reset': ['engineer'],
  'airbyte.cancel': ['engineer'],
};

export type GroupRoleMapping = Record<string, readonly string[]>;

const KNOWN_ROLES: readonly Role[] = ['engineer', 'analyst'];

export function rolesFromGroups(groups: readonly string[], mapping: GroupRoleMapping): Set<Role> {
  const roles = new Set<Role>();
  for (const g of groups) {
    for (const r of mapping[g] ?? []) if ((KNOWN_ROLES as readonly string[]).includes(r)) roles.add(r as Role);
  }
  return roles;
}

export function isAllowed(action: Action, roles: ReadonlySet<Role>): boolean {
  const needed = ACTION_ROLES[action];
  return needed === 'anyone' || needed.some((r) => roles.has(r));
}

/** Group claim values arrive from an untrusted token: keep only short strings. */
export function readGroupsClaim(claims: Record<string, unknown>, claimName: string): string[] {
  const raw = claims[claimName];
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(/[\s,]+/) : [];
  return list.filter((g): g is string => typeof g === 'string' && g.length > 0 && g.length <= 256).slice(0, 500);
}

const CREDENTIAL_WORDS: Record<CredentialOrigin, string> = {
  'idp-id-token': 'your sign-in id token',
  'idp-access-token': 'your sign-in access token',
  'resource-indicator': 'an access token issued for this service by your identity provider',
  'token-exchange': 'an access token exchanged for this service at your identity provider',
  'google-federation': 'short-lived Google credentials federated from your sign-in',
  'google-impersonation': 'a service account impersonated with your federated credentials',
  'application-default-credentials': 'gcloud Application Default Credentials',
  'personal-token': 'the personal token you entered',
  'application-credentials': 'the application client credentials you entered',
  'password-session': 'a session opened with the username and password you entered',
  'api-key': 'an API key you entered (it acts as the group it belongs to, not as you)',
  'local-cli': 'the local command line tool',
};

export interface DeniedContext {
  who: string;
  credential: CredentialOrigin;
  service: string;
  action: string;
  resource: string;
  /** What the service said is missing (a permission or role), when it said so. */
  missing?: string;
  roles: ReadonlySet<Role>;
}

/** "alice@example.com asked Airbyte to start a sync of X with ... Airbyte refused: ..." */
export function explainDenied(c: DeniedContext): string {
  const roles = c.roles.size ? [...c.roles].join(', ') : 'none';
  const missing = c.missing ? ` It reports that ${c.missing} is missing.` : '';
  return (
    `${c.service} refused to ${c.action} ${c.resource} for ${c.who}, who asked with ${CREDENTIAL_WORDS[c.credential]}.` +
    `${missing} Your Gatehouse roles: ${roles}. Ask the owner of ${c.resource} for access, or sign in with another account.`
  );
}
