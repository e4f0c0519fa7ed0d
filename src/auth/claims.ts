// Reading the groups (or roles) claim the way real identity providers shape it:
// - a top-level array (Okta, Auth0 with an action, Keycloak's group mapper, Entra `groups`/`roles`);
// - a dotted path into an object, for Keycloak's built-in realm roles `realm_access.roles` or a
//   client's roles `resource_access.<client>.roles`;
// - Entra ID's groups overage: past 200 groups the token carries no `groups` but
//   `_claim_names.groups` pointing at `_claim_sources` (a Graph endpoint). Gatehouse does not call
//   Graph; it says which setting avoids the overage instead of signing in without roles.
import { AuthError } from './authError';
import { t } from '../core/l10n';

const MAX_GROUPS = 500;
const MAX_GROUP_LENGTH = 256;

/** The value at `name`: the claim itself when present, else a dotted path (`realm_access.roles`). */
function claimAt(claims: Record<string, unknown>, name: string): unknown {
  if (Object.hasOwn(claims, name)) return claims[name];
  let value: unknown = claims;
  for (const part of name.split('.')) {
    if (!value || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** True when the token says the claim was left out and lives elsewhere (OIDC Core §5.6.2 aggregated/distributed claims). */
export function isDistributedClaim(claims: Record<string, unknown>, name: string): boolean {
  const names = claims._claim_names;
  return !!names && typeof names === 'object' && !Array.isArray(names) && Object.hasOwn(names, name);
}

/**
 * The groups in `claimName`; values from an untrusted token, so only short strings, at most 500.
 * Throws AuthError('groupsOverage') when the IdP moved the claim out of the token.
 */
export function groupsFromClaims(claims: Record<string, unknown>, claimName: string): string[] {
  const raw = claimAt(claims, claimName);
  if (raw === undefined && isDistributedClaim(claims, claimName)) {
    throw new AuthError(
      'groupsOverage',
      t('Your account is in more groups than the identity provider puts in a token, so the "{0}" claim was left out (Entra ID "groups overage") and Gatehouse cannot tell your roles.', claimName),
      'Ask your identity team to emit only the groups assigned to the Gatehouse application (Entra ID: Token configuration, groups claim, "Groups assigned to the application"), or to assign app roles and set gatehouse.auth.groupsClaim to "roles".',
    );
  }
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : [];
  return list.filter((g): g is string => typeof g === 'string' && g.length > 0 && g.length <= MAX_GROUP_LENGTH).slice(0, MAX_GROUPS);
}
