// Writes one audit record for a data access on behalf of whoever is signed in, and never lets a
// failing write (a full disk) hide the result of the access itself from the person.
import type { Logger } from '../core/logger';
import type { AuditRecord, CredentialOrigin } from './auditTrail';

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
