// One audit line per sign-in, sign-out, refresh and expiry, written from the session events so no
// sign-in path can forget it. Only identity fields are read from the session, never its tokens.
import type { Event } from '../core/event';
import type { Disposable } from '../core/disposable';
import type { AuditRecord } from './auditTrail';

interface SessionIdentity {
  identity: { subject: string; email?: string; issuer: string; label?: string };
}

export interface SessionEvents {
  readonly onDidChangeSession: Event<{ reason: string; session?: SessionIdentity; previous?: SessionIdentity }>;
}

const ACTIONS: Record<string, string> = { signedIn: 'sign-in', signedOut: 'sign-out', refreshed: 'refresh', expired: 'expired' };

export function auditSessions(events: SessionEvents, audit: { record(entry: Omit<AuditRecord, 'time'>): Promise<unknown> }, onError?: (err: unknown) => void): Disposable {
  return events.onDidChangeSession((change) => {
    const action = ACTIONS[change.reason];
    const who = (change.reason === 'signedOut' || change.reason === 'expired' ? change.previous : change.session) ?? change.session ?? change.previous;
    if (!action || !who) return;
    const { subject, email, issuer, label } = who.identity;
    void audit
      .record({
        actor: { subject, email, issuer },
        credential: change.reason === 'refreshed' ? 'idp-access-token' : 'idp-id-token',
        service: 'auth',
        action,
        resource: issuer,
        resourceName: label,
        outcome: 'succeeded',
      })
      .catch((err) => onError?.(err));
  });
}
