// Writes one audit record for a data access on behalf of whoever is signed in, and never lets a
// failing write (a full disk) hide the result of the access itself from the person.
import type { Logger } from '../core/logger';
import { GatehouseError } from '../core/errors';
import type { AuditOutcome, AuditRecord, CredentialOrigin } from './auditTrail';

export interface AccessActor {
  subject: string;
  email?: string;
  issuer?: string;
}

export interface AccessAuditDeps {
  audit: { record(entry: Omit<AuditRecord, 'time'>): Promise<unknown> };
  actor: () => AccessActor | undefined;
  logger?: Logger;
}

export async function recordAccess(deps: AccessAuditDeps, entry: Omit<AuditRecord, 'time' | 'actor'>): Promise<void> {
  const actor = deps.actor();
  try {
    await deps.audit.record({ ...entry, actor: actor ? { subject: actor.subject, email: actor.email, issuer: actor.issuer } : { subject: 'unknown' } });
  } catch (err) {
    deps.logger?.error(`could not write the audit record for ${entry.service} ${entry.action}`, err);
  }
}

/**
 * Which credential a call used, for the audit record: the client's, or — when no client could
 * be built (not configured, signed out) — the IdP token a service call would have asked for.
 */
export function credentialOriginOf(client: () => { readonly credentialOrigin: CredentialOrigin }, known?: CredentialOrigin): CredentialOrigin {
  if (known) return known;
  try {
    return client().credentialOrigin;
  } catch {
    return 'resource-indicator';
  }
}

const DENIALS = new Set(['accessDenied', 'forbidden', 'unauthorized', 'federationRefused', 'credentialsRejected']);

/** How a failed read ends in the trail: refused, cancelled or failed, with the typed reason. */
export function readFailure(err: unknown): { outcome: AuditOutcome; reason: string } {
  const reason = GatehouseError.isGatehouseError(err) ? err.reason : 'unknown';
  if (reason === 'cancelled') return { outcome: 'cancelled', reason };
  return { outcome: DENIALS.has(reason) ? 'denied' : 'failed', reason };
}

/**
 * One metadata read (a listing, a schema) and its audit record. The record is written without
 * waiting: a tree does not wait on the disk, and recordAccess never rejects.
 */
export async function auditedRead<T>(deps: AccessAuditDeps | undefined, entry: Omit<AuditRecord, 'time' | 'actor' | 'outcome' | 'reason'>, read: () => Promise<T>): Promise<T> {
  try {
    const result = await read();
    if (deps) void recordAccess(deps, { ...entry, outcome: 'succeeded' });
    return result;
  } catch (err) {
    if (deps) void recordAccess(deps, { ...entry, ...readFailure(err) });
    throw err;
  }
}
