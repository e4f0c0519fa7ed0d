// Follows a job until it reaches a final state: polls GET /jobs/{id} with a growing interval,
// reports every change, keeps going through `incomplete` (Airbyte retries the attempt), survives
// a token that expires mid-follow (the client refreshes once on 401) and short outages (a few
// retries with backoff, honouring Retry-After), and stops when its signal is aborted.
import { DEFAULT_POLL_OPTIONS, pollUntilFinal } from '../core/poll';
import { AirbyteError, toAirbyteError } from './errors';
import { isFinal, type Job } from './types';
import { t } from '../core/l10n';

export interface JobSource {
  getJob(jobId: number, signal?: AbortSignal): Promise<Job>;
}

export interface FollowOptions {
  signal?: AbortSignal;
  /** Called with the first answer and with every answer whose status, rows or bytes changed. */
  onUpdate?: (job: Job) => void;
}

export interface JobFollowerOptions {
  initialDelayMs?: number;
  maxDelayMs?: number;
  factor?: number;
  /** Transient failures in a row tolerated before giving up (default 5). */
  maxErrors?: number;
  /** Give up following after this long (default 12 h; the job itself goes on). */
  timeoutMs?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const TRANSIENT = new Set(['network', 'timeout', 'server', 'unavailable', 'rateLimited', 'badResponse']);

export class JobFollower {
  constructor(
    private readonly jobs: JobSource,
    private readonly options: JobFollowerOptions = {},
  ) {}

  /** Resolves with the job in its final state; rejects with AirbyteError('cancelled') when stopped. */
  follow(jobId: number, opts: FollowOptions = {}): Promise<Job> {
    return pollUntilFinal(
      {
        fetch: (signal) => this.jobs.getJob(jobId, signal),
        isFinal: (job) => isFinal(job.status),
        state: (job) => job.status,
        detail: (job) => `${job.rowsSynced}:${job.bytesSynced}`,
        toError: toAirbyteError,
        transient: (e) => TRANSIENT.has(e.reason),
        cancelled: (e) => e.reason === 'cancelled',
        stopped: (cause) => new AirbyteError('cancelled', 'Stopped following the job.', undefined, undefined, undefined, { cause }),
        timedOut: () => new AirbyteError('timeout', t('Stopped following job {0}: it did not finish in time. It may still be running in Airbyte.', jobId)),
        onUpdate: opts.onUpdate,
        signal: opts.signal,
      },
      { ...DEFAULT_POLL_OPTIONS, ...this.options },
    );
  }
}
