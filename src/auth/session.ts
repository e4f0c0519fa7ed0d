// A signed-in session: the tokens (kept in SecretStorage only) and the identity claims that
// matter to Gatehouse (shown to the user, used for roles and the audit trail; never tokens).
import { randomUUID } from 'node:crypto';
import { groupsFromClaims } from './claims';
import type { AuthConfig } from './config';
import type { IdTokenClaims, TokenResult } from './oidcClient';

export interface Identity {
  subject: string;
  /** email, else preferred_username, else the subject: what VS Code shows as the account. */
  label: string;
  email?: string;
  name?: string;
  groups: string[];
  /** Values of the `roles` claim (e.g. Entra ID app roles), matched by the policy like groups. */
  roles?: string[];
  issuer: string;
  /** When the id token expires (epoch ms). */
  expiresAt: number;
}

export interface Session {
  id: string;
  issuer: string;
  clientId: string;
  scopes: string[];
  identity: Identity;
  accessToken: string;
  accessTokenExpiresAt: number;
  idToken: string;
  idTokenExpiresAt: number;
  refreshToken?: string;
  refreshExpiresAt?: number;
  createdAt: number;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A claim of names from an untrusted token: short strings only, a bounded number of them. */
function stringsOf(raw: unknown): string[] {
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : [];
  return list.filter((g): g is string => typeof g === 'string' && g.length > 0 && g.length <= 256).slice(0, 500);
}

export function identityFromClaims(claims: IdTokenClaims, groupsClaim: string): Identity {
  const groups = groupsFromClaims(claims, groupsClaim);
  const roles = groupsClaim === 'roles' ? [] : stringsOf(claims.roles);
  const email = str(claims.email);
  return {
    subject: claims.sub,
    label: email ?? str(claims.preferred_username) ?? claims.sub,
    email,
    name: str(claims.name),
    groups,
    ...(roles.length ? { roles } : {}),
    issuer: claims.iss,
    expiresAt: claims.exp * 1000,
  };
}

export function newSession(tokens: TokenResult, config: AuthConfig, now: number): Session {
  if (!tokens.idToken || !tokens.claims) throw new Error('a session needs a validated id token');
  return {
    id: randomUUID(),
    issuer: config.issuer,
    clientId: config.clientId,
    scopes: config.scopes,
    identity: identityFromClaims(tokens.claims, config.groupsClaim),
    accessToken: tokens.accessToken,
    accessTokenExpiresAt: tokens.expiresAt,
    idToken: tokens.idToken,
    idTokenExpiresAt: tokens.claims.exp * 1000,
    refreshToken: tokens.refreshToken,
    refreshExpiresAt: tokens.refreshExpiresAt,
    createdAt: now,
  };
}

/** The session after a refresh: tokens replaced, a rotated refresh token kept, identity renewed when a new id token came. */
export function refreshedSession(session: Session, tokens: TokenResult, groupsClaim: string): Session {
  const next: Session = {
    ...session,
    accessToken: tokens.accessToken,
    accessTokenExpiresAt: tokens.expiresAt,
    refreshToken: tokens.refreshToken ?? session.refreshToken,
    refreshExpiresAt: tokens.refreshToken ? tokens.refreshExpiresAt : session.refreshExpiresAt,
  };
  if (tokens.idToken && tokens.claims) {
    next.idToken = tokens.idToken;
    next.idTokenExpiresAt = tokens.claims.exp * 1000;
    // Groups may have changed at the IdP; the subject may not (SessionManager refuses a renewal for
    // another subject or issuer before it gets here).
    next.identity = identityFromClaims(tokens.claims, groupsClaim);
  }
  return next;
}

/** Every secret a session holds, for the redaction registry. */
export function sessionSecrets(session: Session): string[] {
  return [session.accessToken, session.idToken, session.refreshToken].filter((s): s is string => !!s);
}

/** When the session itself ends: the refresh token's expiry if known, else the access token's unless it can be refreshed. */
export function sessionEndsAt(session: Session): number | undefined {
  if (session.refreshToken) return session.refreshExpiresAt;
  return session.accessTokenExpiresAt;
}
