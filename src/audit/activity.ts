// What the Activity view shows of the audit trail, decided outside VS Code: whose records a
// viewer sees (their own, unless the machine is declared shared), grouping by local day, words
// instead of codes, and the filter.
import type { AuditRecord, AuditService } from './auditTrail';
import { describeCredential, sentenceCase } from './credentialText';
import { english, l10nTable, markMessage, t, translatedEntry, type Translate } from '../core/l10n';

export interface Viewer {
  subject: string;
  issuer?: string;
}

/** A person sees their own records; on a shared machine (a setting) everyone's. Signed out: none unless shared. */
export function visibleTo(records: readonly AuditRecord[], viewer: Viewer | undefined, sharedMachine: boolean): AuditRecord[] {
  if (sharedMachine) return [...records];
  if (!viewer) return [];
  return records.filter((r) => r.actor.subject === viewer.subject && (r.actor.issuer === undefined || viewer.issuer === undefined || r.actor.issuer === viewer.issuer));
}

// Product names stay as they are; the words among them are translated where shown (serviceName).
export const SERVICE_NAMES: Record<AuditService, string> = {
  bigquery: 'BigQuery',
  dbt: 'dbt',
  dbtCloud: 'dbt Cloud',
  airbyte: 'Airbyte',
  looker: 'Looker',
  metabase: 'Metabase',
  auth: 'Identity provider',
  audit: 'Audit trail',
};

// Extracted as a Record of sentences (its keys are codes), the one-word entries through markMessage.
const ACTION_WORDS: Record<string, string> = {
  query: markMessage('Query'),
  preview: 'Table preview',
  export: markMessage('Export'),
  'read-metadata': 'Metadata read',
  'trigger-sync': markMessage('Sync'),
  'trigger-reset': markMessage('Reset'),
  'cancel-job': 'Cancel job',
  'trigger-run': 'dbt Cloud run',
  'cancel-run': 'Cancel dbt Cloud run',
  'dbt-run': 'dbt command',
  'run-look': 'Look run',
  'run-dashboard-element': 'Dashboard tile run',
  'run-question': 'Question run',
  'run-dashboard-card': 'Dashboard card run',
  'sign-in': 'Signed in',
  'sign-out': 'Signed out',
  refresh: 'Session refreshed',
  expired: 'Session expired',
  federation: 'Google credentials exchanged',
  'federation-exchange': 'Google credentials exchanged',
  'list-projects': 'Projects listed',
  'list-datasets': 'Datasets listed',
  'list-tables': 'Tables listed',
  'read-table-metadata': 'Table schema read',
  'list-workspaces': 'Workspaces listed',
  'list-connections': 'Connections listed',
  'list-jobs': 'Jobs listed',
  'list-folders': 'Folders listed',
  'list-folder': 'Folder listed',
  'list-dashboard-tiles': 'Dashboard tiles listed',
  'list-collections': 'Collections listed',
  'list-collection': 'Collection listed',
  'list-dashboard-cards': 'Dashboard cards listed',
  'export-csv': 'Exported as CSV',
  'export-json': 'Exported as JSON',
  'export-jsonl': 'Exported as JSON Lines',
  'export-audit-trail': 'Audit trail exported',
};

/** A service's name as people read it ("BigQuery", "Identity provider"). */
export function serviceName(service: string): string {
  return translatedEntry(SERVICE_NAMES, service) ?? service;
}

export function actionWords(action: string): string {
  return translatedEntry(ACTION_WORDS, action) ?? words(action);
}

const OUTCOME_WORDS: Record<AuditRecord['outcome'], string> = l10nTable({
  started: 'started',
  succeeded: 'succeeded',
  failed: 'failed',
  denied: 'refused',
  cancelled: 'cancelled',
});

export function outcomeWords(outcome: AuditRecord['outcome']): string {
  return translatedEntry(OUTCOME_WORDS, outcome) ?? t('unknown outcome');
}

const REASON_WORDS: Record<string, string> = l10nTable({
  role: 'your Gatehouse roles do not grant it',
  forbidden: 'the service refused it (403)',
  accessDenied: 'the service refused access',
  notFound: 'not found',
  cancelled: 'cancelled',
  runError: 'the run failed',
  alreadyFinished: 'it had already finished',
  timeout: 'it took too long',
  notConfigured: 'the service is not configured',
  unauthorized: 'the service did not accept the sign-in',
  invalidQuery: 'the query is not valid',
  network: 'the service could not be reached',
});

/** A typed reason in words; an unknown one becomes words too ("quotaExceeded" -> "quota exceeded"). */
export function reasonWords(reason: string): string {
  return translatedEntry(REASON_WORDS, reason) ?? words(reason);
}

function words(code: string): string {
  return code
    .replace(/[-_.]+/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .trim();
}

/**
 * The record's credential in words. Records keep them in English (describeCredential with
 * `english`): where that is all they say, they are told again in the reader's language (`t`);
 * words recorded beyond that (what a service reported) are shown as recorded. The export passes
 * `english`.
 */
export function credentialLabel(r: Pick<AuditRecord, 'service' | 'credential' | 'credentialText'>, translate: Translate = t): string {
  const recorded = r.credentialText;
  const standard = recorded === undefined || recorded === describeCredential(r.service, r.credential, {}, english).text;
  return sentenceCase(standard ? describeCredential(r.service, r.credential, {}, translate).text : recorded);
}

/** What a record is about, name first: `"Orders by day" (look/2)`. */
export function resourceLabel(r: Pick<AuditRecord, 'resource' | 'resourceName'>): string {
  if (r.resourceName && r.resourceName !== r.resource) return `${r.resourceName} (${r.resource})`;
  return r.resource;
}

/** The record's local day, `YYYY-MM-DD`, for grouping. */
export function localDay(time: string, tz?: string): string {
  const d = new Date(time);
  if (Number.isNaN(d.getTime())) return 'unknown';
  const parts = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: tz }).formatToParts(d);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** "Today", "Yesterday" or the local date in words. */
export function dayLabel(day: string, now: Date, tz?: string): string {
  if (day === localDay(now.toISOString(), tz)) return t('Today');
  if (day === localDay(new Date(now.getTime() - 86_400_000).toISOString(), tz)) return t('Yesterday');
  const d = new Date(`${day}T12:00:00Z`);
  return Number.isNaN(d.getTime()) ? day : new Intl.DateTimeFormat(undefined, { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' }).format(d);
}

export interface DayGroup {
  day: string;
  records: AuditRecord[];
}

/** Newest day first, newest record first within a day. */
export function groupByDay(records: readonly AuditRecord[], tz?: string): DayGroup[] {
  const byDay = new Map<string, AuditRecord[]>();
  const sorted = [...records].sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0));
  for (const r of sorted) {
    const day = localDay(r.time, tz);
    const list = byDay.get(day) ?? [];
    list.push(r);
    byDay.set(day, list);
  }
  return [...byDay].map(([day, list]) => ({ day, records: list }));
}

/** Case-insensitive words, all of which must appear in the record's service, action, resource, outcome or job ids. */
export function matchesFilter(r: AuditRecord, filter: string): boolean {
  const terms = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (!terms.length) return true;
  const hay = [
    r.service,
    serviceName(r.service),
    r.action,
    actionWords(r.action),
    r.resource,
    r.resourceName ?? '',
    r.outcome,
    outcomeWords(r.outcome),
    ...(r.jobIds ?? []),
  ]
    .join(' ')
    .toLowerCase();
  return terms.every((t) => hay.includes(t));
}
