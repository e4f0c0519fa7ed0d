// Follows a job until it reaches a final state: polls GET /jobs/{id} with a growing interval,
// reports every change, keeps going through `incomplete` (Airbyte retries the attempt), survives
// a token that expires mid-follow (the client refreshes once on 401) and short outages (a few
// retries with backoff, honouring Retry-After), and stops when its signal is aborted.
import { sleep as defaultSleep } from '../../core/http';
import { AirbyteError, toAirbyteError } from './errors';
import { isFinal, type Job } from './types';

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
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const TRANSIENT = new Set(['network', 'timeout', 'server', 'unavailable', 'rateLimited', 'badResponse']);

export class JobFollower {
  private readonly o: Required<JobFollowerOptions>;

  constructor(
    private readonly jobs: JobSource,
    options: JobFollowerOptions = {},
  ) {
    this.o = { initialDelayMs: 1_000, maxDelayMs: 10_000, factor: 1.5, maxErrors: 5, sleep: defaultSleep, ...options };
  }

  /** Resolves with the job in its final state; rejects with AirbyteError('cancelled') when stopped. */
  async follow(jobId: number, opts: FollowOptions = {}): Promise<Job> {
    const { signal, onUpdate } = opts;
    let delay = this.o.initialDelayMs;
    let errors = 0;
    let last: Job | undefined;
    for (;;) {
      if (signal?.aborted) throw new AirbyteError('cancelled', 'Stopped following the job.');
      let job: Job;
      try {
        job = await this.jobs.getJob(jobId, signal);
        errors = 0;
      } catch (err) {
        const e = toAirbyteError(err);
        if (e.reason === 'cancelled' || signal?.aborted) throw new AirbyteError('cancelled', 'Stopped following the job.', undefined, undefined, undefined, { cause: err });
        if (!TRANSIENT.has(e.reason) || ++errors > this.o.maxErrors) throw e;
        await this.wait(Math.max(e.retryAfterMs ?? 0, delay), signal);
        delay = this.next(delay);
        continue;
      }
      if (!last || last.status !== job.status || last.rowsSynced !== job.rowsSynced || last.bytesSynced !== job.bytesSynced) onUpdate?.(job);
      if (last && last.status !== job.status) delay = this.o.initialDelayMs;
      last = job;
      if (isFinal(job.status)) return job;
      await this.wait(delay, signal);
      delay = this.next(delay);
    }
  }

  private next(delay: number): number {
    return Math.min(this.o.maxDelayMs, Math.round(delay * this.o.factor));
  }

  private async wait(ms: number, signal?: AbortSignal): Promise<void> {
    try {
      await this.o.sleep(ms, signal);
    } catch {
      throw new AirbyteError('cancelled', 'Stopped following the job.');
    }
  }
}
