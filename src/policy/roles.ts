// Roles and capabilities come from the IdP's group (or roles) claim through a mapping the admin
// sets in machine scope. They decide which actions Gatehouse OFFERS; the services remain the
// authority and may still say no (403), which explainDenied() turns into a sentence a person can
// act on. Every refusal names the capability, the groups that grant it and whom to ask.
import type { AuditService, CredentialOrigin } from '../audit/auditTrail';
import { SERVICE_NAMES } from '../audit/activity';
import { describeCredential } from '../audit/credentialText';
import { t } from '../core/l10n';

export type Role = 'engineer' | 'analyst';

/** A capability: something Gatehouse offers or withholds. */
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

/** Which roles grant a capability. Read capabilities are open to everyone signed in. */
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

export const ACTIONS = Object.keys(ACTION_ROLES) as Action[];

/** What a capability lets a person do, as the end of "you may not …". */
export const ACTION_WORDS: Record<Action, string> = {
  'bigquery.query': 'run BigQuery queries',
  'bigquery.preview': 'preview BigQuery tables',
  'dbt.run': 'run dbt commands (run, build, test, compile)',
  'dbtCloud.trigger': 'trigger dbt Cloud jobs',
  'dbtCloud.cancel': 'cancel dbt Cloud runs',
  'airbyte.sync': 'start Airbyte syncs',
  'airbyte.reset': 'reset Airbyte connections',
  'airbyte.cancel': 'cancel Airbyte jobs',
  'looker.run': 'run Looker looks and tiles',
  'metabase.run': 'run Metabase questions',
};

/** The capability's name as a person reads it ("Trigger dbt Cloud jobs"). */
export function capabilityTitle(action: Action): string {
  const words = t(ACTION_WORDS[action]);
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** IdP group (or roles-claim value) -> Gatehouse roles and/or capabilities. */
export type GroupRoleMapping = Record<string, readonly string[]>;

const KNOWN_ROLES: readonly Role[] = ['engineer', 'analyst'];
const isRole = (v: string): v is Role => (KNOWN_ROLES as readonly string[]).includes(v);
const isAction = (v: string): v is Action => Object.prototype.hasOwnProperty.call(ACTION_ROLES, v);

export interface Grants {
  roles: ReadonlySet<Role>;
  /** Capabilities granted directly by a group, beyond what the roles grant. */
  capabilities: ReadonlySet<Action>;
}

export function grantsFromGroups(groups: readonly string[], mapping: GroupRoleMapping): Grants {
  const roles = new Set<Role>();
  const capabilities = new Set<Action>();
  for (const g of groups) {
    const entries = Object.prototype.hasOwnProperty.call(mapping, g) ? mapping[g] : [];
    for (const v of Array.isArray(entries) ? entries : []) {
      if (typeof v !== 'string') continue;
      if (isRole(v)) roles.add(v);
      else if (isAction(v)) capabilities.add(v);
    }
  }
  return { roles, capabilities };
}

export function rolesFromGroups(groups: readonly string[], mapping: GroupRoleMapping): Set<Role> {
  return new Set(grantsFromGroups(groups, mapping).roles);
}

export function isAllowed(action: Action, roles: ReadonlySet<Role>, capabilities: ReadonlySet<Action> = new Set()): boolean {
  const needed = ACTION_ROLES[action];
  return needed === 'anyone' || capabilities.has(action) || needed.some((r) => roles.has(r));
}

/** The groups of the mapping whose members get the capability (through a role or directly). */
export function groupsGranting(action: Action, mapping: GroupRoleMapping): string[] {
  const needed = ACTION_ROLES[action];
  if (needed === 'anyone') return [];
  return Object.keys(mapping)
    .filter((g) => {
      const entries = mapping[g];
      return Array.isArray(entries) && entries.some((v) => v === action || (needed as readonly string[]).includes(v));
    })
    .sort();
}

/**
 * The mapping setting, checked: a value of the wrong shape is reported and left out, never
 * half-applied; entries that are neither a role nor a capability are reported and ignored.
 */
export function parseMapping(raw: unknown): { mapping: GroupRoleMapping; problems: string[] } {
  const problems: string[] = [];
  const mapping: Record<string, string[]> = {};
  if (raw === undefined || raw === null) return { mapping, problems };
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    return { mapping, problems: ['gatehouse.roles.mapping must be an object of group name -> list of roles or capabilities'] };
  }
  for (const [group, value] of Object.entries(raw as Record<string, unknown>)) {
    if (!Array.isArray(value)) {
      problems.push(`gatehouse.roles.mapping: the value for group "${group.slice(0, 100)}" is not a list; it was ignored`);
      continue;
    }
    const known = value.filter((v): v is string => typeof v === 'string' && (isRole(v) || isAction(v)));
    const unknown = value.filter((v) => !known.includes(v as string));
    if (unknown.length) {
      problems.push(`gatehouse.roles.mapping: group "${group.slice(0, 100)}" lists ${unknown.map((u) => JSON.stringify(u).slice(0, 60)).join(', ')}, which is neither a role (${KNOWN_ROLES.join(', ')}) nor a capability; ignored`);
    }
    mapping[group] = known;
  }
  return { mapping, problems };
}

/** Group and roles claim values arrive from an untrusted token: keep only short strings. */
export function readGroupsClaim(claims: Record<string, unknown>, claimName: string): string[] {
  const raw = claims[claimName];
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(/[\s,]+/) : [];
  return list.filter((g): g is string => typeof g === 'string' && g.length > 0 && g.length <= 256).slice(0, 500);
}

/** What a refusal needs beyond the capability: who grants it and whom to ask. */
export interface AccessHint {
  action: Action;
  /** Groups whose members get the capability. */
  groups: readonly string[];
  /** The person's own groups (from the token), for "you are in …". */
  yourGroups: readonly string[];
  /** gatehouse.policy.accessRequest: an email address or a URL. */
  contact?: string;
}

/** "Ask access@example.com" / "Request it at https://…" / the fallback. */
export function askLine(contact: string | undefined): string {
  const c = contact?.trim();
  if (!c) return t('Ask your Gatehouse administrator for access (they can name a contact in gatehouse.policy.accessRequest).');
  if (/^https?:\/\//i.test(c)) return t('Request access at {0}', c);
  return t('Ask {0} for access.', c);
}

function grantSentence(h: AccessHint): string {
  const title = capabilityTitle(h.action);
  const needed = ACTION_ROLES[h.action];
  const groups = h.groups.join(', ');
  const granted = !h.groups.length
    ? t('The Gatehouse capability "{0}" is granted to no group in this machine\'s Gatehouse policy', title)
    : needed === 'anyone'
      ? t('The Gatehouse capability "{0}" is granted to members of {1}', title, groups)
      : t('The Gatehouse capability "{0}" is granted to members of {1} (role {2})', title, groups, needed.join(' or '));
  const yours = h.yourGroups.length ? t('you are in {0}', h.yourGroups.slice(0, 10).join(', ')) : t('your sign-in lists no groups');
  return t('{0}; {1}.', granted, yours);
}

/** The refusal when Gatehouse itself withholds a capability (shown instead of, never after, a confirmation). */
export function refusalText(h: AccessHint): string {
  return [t('You may not {0} in Gatehouse.', t(ACTION_WORDS[h.action])), grantSentence(h), askLine(h.contact)].join(' ');
}

export interface DeniedContext {
  who: string;
  credential: CredentialOrigin;
  service: string;
  /** What was asked, as the end of "may not …", e.g. `start a sync of`. */
  action: string;
  /** What it was asked on, e.g. `connection "Orders"`; empty when the action says it all. */
  resource: string;
  /** What the service said is missing (a permission or role), when it said so. */
  missing?: string;
  roles: ReadonlySet<Role>;
  /** The Gatehouse capability behind the action, for the groups that grant it and whom to ask. */
  access?: AccessHint;
}

/** The credential in words for a service named as people read it ("Looker"): one source, audit/credentialText. */
function credentialWords(serviceName: string, origin: CredentialOrigin): string {
  const id = (Object.keys(SERVICE_NAMES) as AuditService[]).find((k) => SERVICE_NAMES[k] === serviceName) ?? 'auth';
  return describeCredential(id, origin).text;
}

/** "Airbyte refused: bob@example.com may not start a sync of … It saw … It reports … Ask …" */
export function explainDenied(c: DeniedContext): string {
  const target = c.resource ? `${c.action} ${c.resource}` : c.action;
  const roles = c.roles.size ? [...c.roles].join(', ') : t('none');
  return [
    t('{0} refused: {1} may not {2}.', c.service, c.who, target),
    t('{0} saw {1}.', c.service, credentialWords(c.service, c.credential)),
    ...(c.missing ? [t('{0} reports that {1} is missing.', c.service, c.missing)] : []),
    t('Your Gatehouse roles: {0}.', roles),
    c.resource
      ? t("The permission is {0}'s own: ask who administers {0} to grant it on {1}, or sign in with another account.", c.service, c.resource)
      : t("The permission is {0}'s own: ask who administers {0} to grant it, or sign in with another account.", c.service),
    ...(c.access?.contact ? [askLine(c.access.contact)] : []),
  ].join(' ');
}
