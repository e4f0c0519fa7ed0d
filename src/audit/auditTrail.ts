// The audit trail: one JSON line per data access or triggered job, saying who asked, with which
// credential, for what, and how it ended. Records are built from fields, not from free text, and
// every string passes redaction, so a token cannot end up in the trail.
import { redact, type SecretRegistry } from '../core/redact';
import { Emitter } from '../core/event';
import { describeCredential } from './credentialText';
import { english } from '../core/l10n';
import type { AuditService, CredentialOrigin } from './credentialOrigin';

// The service and origin codes live beside their words' inputs (no cycle with credentialText.ts).
export type { AuditService, CredentialOrigin } from './credentialOrigin';

export type AuditOutcome = 'started' | 'succeeded' | 'failed' | 'denied' | 'cancelled';

export interface AuditRecord {
  time: string;
  actor: { subject: string; email?: string; issuer?: string };
  credential: CredentialOrigin;
  /**
   * The credential in words, with what the service reported about the principal where it told
   * ("your Looker account via Looker sign-in (Alice Example)"); filled from the origin when absent.
   */
  credentialText?: string;
  service: AuditService;
  /** What was done: `query`, `preview`, `trigger-sync`, `cancel-job`, `run-look`, `sign-in`, ... */
  action: string;
  /** The resource acted on, e.g. `gatehouse-demo.analytics.orders` or `connection/1f2e...`. */
  resource: string;
  /** The resource's name as the person knows it (a look's title, a connection's name), beside its id. */
  resourceName?: string;
  /** Where to see the resource or job in the service's own UI (http or https only). */
  link?: string;
  jobIds?: string[];
  outcome: AuditOutcome;
  /** Short reason for failures/denials (a typed error reason, not a server's raw text). */
  reason?: string;
  /** SHA-256 (hex) of the exact SQL sent, for SQL Gatehouse built from workspace content (dbt preview). */
  sqlSha256?: string;
}

export interface AuditSink {
  append(line: string): Promise<void>;
  /** The newest `limit` lines, newest last. */
  readRecent(limit: number): Promise<string[]>;
}

/** A link is kept only if it is an http(s) URL without credentials in it. */
function webLink(link: string | undefined): string | undefined {
  if (!link) return undefined;
  try {
    const u = new URL(link);
    if ((u.protocol !== 'https:' && u.protocol !== 'http:') || u.username || u.password) return undefined;
    return u.toString().slice(0, 2000);
  } catch {
    return undefined;
  }
}

export class AuditTrail {
  private readonly onDidRecordEmitter = new Emitter<AuditRecord>();
  readonly onDidRecord = this.onDidRecordEmitter.event;

  constructor(
    private readonly sink: AuditSink,
    private readonly secrets?: SecretRegistry,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async record(entry: Omit<AuditRecord, 'time'>): Promise<AuditRecord> {
    const record: AuditRecord = this.clean({ time: this.now().toISOString(), ...entry });
    await this.sink.append(JSON.stringify(record));
    this.onDidRecordEmitter.fire(record);
    return record;
  }

  async recent(limit = 200): Promise<AuditRecord[]> {
    const lines = await this.sink.readRecent(limit);
    const out: AuditRecord[] = [];
    for (const line of lines) {
      try {
        const r = JSON.parse(line) as AuditRecord;
        if (r && typeof r.time === 'string' && typeof r.action === 'string') out.push(r);
      } catch {
        // A damaged line (e.g. a crash mid-write) is skipped, not fatal.
      }
    }
    return out;
  }

  dispose(): void {
    this.onDidRecordEmitter.dispose();
  }

  private clean(r: AuditRecord): AuditRecord {
    const s = (v: string | undefined) => (v === undefined ? undefined : redact(v, this.secrets).slice(0, 500));
    return {
      time: r.time,
      actor: { subject: s(r.actor.subject)!, email: s(r.actor.email), issuer: s(r.actor.issuer) },
      credential: r.credential,
      // In English, whatever the language of whoever wrote it, so records stay comparable.
      credentialText: s(r.credentialText ?? describeCredential(r.service, r.credential, {}, english).text),
      service: r.service,
      action: s(r.action)!,
      resource: s(r.resource)!,
      resourceName: s(r.resourceName),
      link: webLink(r.link),
      jobIds: r.jobIds?.map((j) => s(j)!),
      outcome: r.outcome,
      reason: s(r.reason),
      ...(r.sqlSha256 !== undefined && /^[0-9a-f]{64}$/.test(r.sqlSha256) ? { sqlSha256: r.sqlSha256 } : {}),
    };
  }
}
