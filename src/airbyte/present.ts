// Pure helpers that turn Airbyte answers into what the tree shows: a connection's health from its
// last job, schedules, ISO durations, and the web UI URL derived from the API base URL. Sizes,
// counts and times are shown by core/format.ts.
import type { JobAttempts, Connection, Job, JobStatus, Schedule } from './types';
import { t } from '../core/l10n';

export type ConnectionHealth = 'succeeded' | 'failed' | 'running' | 'disabled' | 'cancelled' | 'never';

/** Disabled wins (nothing will run); then a job still going; then how the last job ended. */
export function connectionHealth(connection: Pick<Connection, 'status'>, lastJob: Pick<Job, 'status'> | undefined): ConnectionHealth {
  if (lastJob && (lastJob.status === 'running' || lastJob.status === 'pending' || lastJob.status === 'incomplete')) return 'running';
  if (connection.status !== 'active') return 'disabled';
  if (!lastJob) return 'never';
  return lastJob.status as Exclude<JobStatus, 'running' | 'pending' | 'incomplete'>;
}

export function describeSchedule(schedule: Schedule | undefined): string {
  if (!schedule) return 'manual';
  switch (schedule.scheduleType) {
    case 'manual':
      return 'manual';
    case 'basic':
      return schedule.basicTiming ? schedule.basicTiming.toLowerCase() : 'scheduled';
    case 'cron':
      return schedule.cronExpression ? t('cron {0}', schedule.cronExpression) : 'cron';
    default:
      return 'scheduled';
  }
}

/** Milliseconds of an ISO 8601 duration (PT8H6M12S, P1DT2H, PT0.5S); undefined if unreadable. */
export function parseIsoDuration(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const m = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text.trim());
  if (!m || text.trim() === 'P' || text.trim() === 'PT') return undefined;
  const [d, h, min, s] = m.slice(1).map((v) => (v ? Number(v) : 0));
  return Math.round((((d * 24 + h) * 60 + min) * 60 + s) * 1000);
}

/** When a job ended (start + duration), else its last update. */
export function jobEndTime(job: Job): string | undefined {
  const start = Date.parse(job.startTime);
  const duration = parseIsoDuration(job.duration);
  if (!Number.isNaN(start) && duration !== undefined) return new Date(start + duration).toISOString();
  return job.lastUpdatedAt ?? job.startTime;
}

/**
 * The Airbyte web UI for the API base URL: Cloud's API (api.airbyte.com) maps to
 * cloud.airbyte.com; a self-managed `https://HOST[/prefix]/api/public/v1` to `https://HOST[/prefix]`.
 */
export function webUiBase(apiBaseUrl: string): string {
  const url = new URL(apiBaseUrl);
  if (url.hostname === 'api.airbyte.com') return 'https://cloud.airbyte.com';
  const path = url.pathname.replace(/\/+$/, '').replace(/\/api\/public\/v1$|\/api\/v1$|\/v1$/, '');
  return `${url.origin}${path}`;
}

export function connectionWebUrl(apiBaseUrl: string, workspaceId: string, connectionId: string): string {
  return `${webUiBase(apiBaseUrl)}/workspaces/${encodeURIComponent(workspaceId)}/connections/${encodeURIComponent(connectionId)}`;
}

/** The connection's job history page, where a running job can be watched. */
export function jobHistoryWebUrl(apiBaseUrl: string, workspaceId: string, connectionId: string): string {
  return `${connectionWebUrl(apiBaseUrl, workspaceId, connectionId)}/job-history`;
}

/**
 * Why the job failed, from its last attempt that reports failures: "source config_error: Stripe
 * rejected the API key…". The service's words, kept as text by whoever shows it.
 */
export function failureReason(attempts: JobAttempts | undefined): string | undefined {
  const failed = [...(attempts?.attempts ?? [])].reverse().find((a) => a.failures.length);
  const f = failed?.failures.find((x) => x.type !== 'manual_cancellation') ?? failed?.failures[0];
  if (!f) return undefined;
  const where = [f.origin, f.type].filter(Boolean).join(' ');
  return `${where ? `${where}: ` : ''}${f.message.replace(/\s+/g, ' ').trim()}`.slice(0, 300);
}

/** Every attempt's log lines, with a header per attempt, for a read-only document. */
export function attemptLogs(attempts: JobAttempts): string {
  const out: string[] = [];
  for (const a of attempts.attempts) {
    out.push(t('# Job {0}, attempt {1}: {2}', attempts.jobId, a.attempt + 1, a.status));
    for (const f of a.failures) out.push(t('# failure ({0}): {1}', [f.origin, f.type].filter(Boolean).join(', ') || t('unknown'), f.message));
    out.push(...a.logLines, '');
  }
  return out.join('\n');
}
