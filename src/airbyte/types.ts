// Shapes of the Airbyte public API v1 as Gatehouse reads them (only the fields it uses; the API
// sends more). Ids are strings except job ids, which are int64 numbers.

export type JobStatus = 'pending' | 'running' | 'incomplete' | 'failed' | 'succeeded' | 'cancelled';
export type JobType = 'sync' | 'reset' | 'refresh' | 'clear';

/** Final states: a follower stops here. `incomplete` is not one: an attempt failed and Airbyte retries. */
export const FINAL_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled'];
/** States of a job that is still going (a new trigger would conflict with it). */
export const ACTIVE_STATUSES: readonly JobStatus[] = ['pending', 'running', 'incomplete'];

export function isFinal(status: JobStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

export interface Workspace {
  workspaceId: string;
  name: string;
  dataResidency?: string;
}

export interface Schedule {
  scheduleType: 'manual' | 'cron' | 'basic';
  cronExpression?: string;
  basicTiming?: string;
}

export interface Connection {
  connectionId: string;
  name: string;
  sourceId: string;
  destinationId: string;
  workspaceId: string;
  status: 'active' | 'inactive' | 'deprecated';
  schedule?: Schedule;
}

export interface Source {
  sourceId: string;
  name: string;
  sourceType?: string;
  workspaceId: string;
}

export interface Destination {
  destinationId: string;
  name: string;
  destinationType?: string;
  workspaceId: string;
}

export interface Job {
  jobId: number;
  status: JobStatus;
  jobType: JobType;
  /** ISO 8601 date-time. */
  startTime: string;
  connectionId: string;
  lastUpdatedAt?: string;
  /** ISO 8601 duration, e.g. PT8H6M12S. */
  duration?: string;
  bytesSynced?: number;
  rowsSynced?: number;
}

/** One failure of an attempt (config API FailureReason); every field is the service's text. */
export interface AttemptFailure {
  /** source, destination, replication, normalization, dbt, airbyte_platform, ... */
  origin?: string;
  /** config_error, system_error, manual_cancellation, transient_error, ... */
  type?: string;
  /** externalMessage: the message meant for people. */
  message: string;
  retryable?: boolean;
}

export interface JobAttempt {
  attempt: number;
  status: string;
  failures: AttemptFailure[];
  logLines: string[];
}

/** What the config API's jobs/get adds to a job: its attempts with their failures and logs. */
export interface JobAttempts {
  jobId: number;
  attempts: JobAttempt[];
}

export interface Page<T> {
  data: T[];
  next?: string;
  previous?: string;
}

export interface JobFilter {
  connectionId?: string;
  workspaceIds?: readonly string[];
  jobType?: JobType;
  status?: JobStatus;
  orderBy?: 'createdAt|ASC' | 'createdAt|DESC' | 'updatedAt|ASC' | 'updatedAt|DESC';
  /** Stop after this many jobs (default: one page of `pageSize`). */
  max?: number;
}
