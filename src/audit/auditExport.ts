// "Export audit trail": the records a person sees, as JSON Lines (as stored) or CSV. CSV cells
// that a spreadsheet would run as a formula are prefixed with an apostrophe: audit data names
// resources that services and workspaces chose, so it is treated as hostile.
import type { AuditRecord } from './auditTrail';
import { credentialLabel } from './activity';
import { english } from '../core/l10n';

export type AuditExportFormat = 'jsonl' | 'csv';

const COLUMNS: Array<[string, (r: AuditRecord) => string | undefined]> = [
  ['time', (r) => r.time],
  ['actor_subject', (r) => r.actor.subject],
  ['actor_email', (r) => r.actor.email],
  ['actor_issuer', (r) => r.actor.issuer],
  ['service', (r) => r.service],
  ['action', (r) => r.action],
  ['resource', (r) => r.resource],
  ['resource_name', (r) => r.resourceName],
  ['outcome', (r) => r.outcome],
  ['reason', (r) => r.reason],
  ['credential', (r) => r.credential],
  // The export is of the records, in their English (see credentialLabel).
  ['credential_text', (r) => credentialLabel(r, english)],
  ['job_ids', (r) => r.jobIds?.join(' ')],
  ['link', (r) => r.link],
];

function csvCell(value: string | undefined): string {
  let v = value ?? '';
  if (/^[=+\-@\t\r]/.test(v)) v = `'${v}`;
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function formatAudit(records: readonly AuditRecord[], format: AuditExportFormat): string {
  if (format === 'jsonl') return records.map((r) => `${JSON.stringify(r)}\n`).join('');
  const lines = [COLUMNS.map(([name]) => name).join(',')];
  for (const r of records) lines.push(COLUMNS.map(([, get]) => csvCell(get(r))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
