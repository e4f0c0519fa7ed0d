// Airbyte jobs as a timeline: a job's status is computed from the clock, so nothing ticks in the
// background and a test that speeds the sandbox up sees the same progression, only sooner.
import type { Connection, HistoricalJobSeed } from './seed';

export type JobStatus = 'pending' | 'running' | 'incomplete' | 'failed' | 'succeeded' | 'cancelled';
export type JobType = 'sync' | 'reset' | 'refresh' | 'clear';
export const JOB_STATUSES: readonly JobStatus[] = ['pending', 'running', 'incomplete', 'failed', 'succeeded', 'cancelled'];
export const JOB_TYPES: readonly JobType[] = ['sync', 'reset', 'refresh', 'clear'];
const TERMINAL: readonly JobStatus[] = ['failed', 'succeeded', 'cancelled'];

/** Durations of a new job at speed 1 (the demo): a few seconds queued, about half a minute running. */
export const DEMO_TIMING = { pendingMs: 4_000, runningMs: 36_000 } as const;

interface Phase {
  status: 'pending' | 'running' | 'incomplete';
  from: number;
  to: number;
  /** Share of the sync's rows done at `from` and at `to` (linear in between). */
  doneFrom: number;
  doneTo: number;
}

export interface JobRecord {
  jobId: number;
  connectionId: string;
  jobType: JobType;
  createdAt: number;
  phases: Phase[];
  final: { status: 'succeeded' | 'failed' | 'cancelled'; at: number; done: number };
  totalRows: number;
  bytesPerRow: number;
}

export interface JobState {
  status: JobStatus;
  rowsSynced: number;
  bytesSynced: number;
  lastUpdatedAt: number;
  /** End of the job when terminal, otherwise the time asked about. */
  endedAt: number;
}

export class JobStore {
  private readonly jobs = new Map<number, JobRecord>();
  private nextId = 4_100;

  constructor(private readonly clock: () => number = Date.now) {}

  seed(history: readonly HistoricalJobSeed[], bytesPerRow: (connectionId: string) => number): void {
    for (const h of history) {
      const jobId = this.nextId++;
      const per = bytesPerRow(h.connectionId);
      this.jobs.set(jobId, {
        jobId,
        connectionId: h.connectionId,
        jobType: h.jobType,
        createdAt: h.createdAt,
        phases: [],
        final: { status: h.status, at: h.createdAt + h.durationMs, done: 1 },
        totalRows: h.rows,
        bytesPerRow: per,
      });
    }
  }

  /** A new job whose life is laid out now: pending, running (with a failed attempt for failing connections), then its outcome. */
  create(conn: Connection, jobType: JobType, timing: { pendingMs: number; runningMs: number }): JobRecord {
    const now = this.clock();
    const runStart = now + timing.pendingMs;
    const runEnd = runStart + timing.runningMs;
    const phases: Phase[] = [{ status: 'pending', from: now, to: runStart, doneFrom: 0, doneTo: 0 }];
    let final: JobRecord['final'];
    if (conn.outcome === 'failed' && jobType === 'sync') {
      // First attempt dies, Airbyte reports `incomplete` while it retries, the second attempt fails too.
      const a1 = runStart + timing.runningMs * 0.45;
      const retry = runStart + timing.runningMs * 0.6;
      phases.push({ status: 'running', from: runStart, to: a1, doneFrom: 0, doneTo: 0.3 });
      phases.push({ status: 'incomplete', from: a1, to: retry, doneFrom: 0.3, doneTo: 0.3 });
      phases.push({ status: 'running', from: retry, to: runEnd, doneFrom: 0.3, doneTo: 0.4 });
      final = { status: 'failed', at: runEnd, done: 0.4 };
    } else {
      phases.push({ status: 'running', from: runStart, to: runEnd, doneFrom: 0, doneTo: 1 });
      final = { status: 'succeeded', at: runEnd, done: 1 };
    }
    const job: JobRecord = {
      jobId: this.nextId++,
      connectionId: conn.connectionId,
      jobType,
      createdAt: now,
      phases,
      final,
      totalRows: jobType === 'sync' ? conn.rowsPerSync : 0,
      bytesPerRow: conn.bytesPerRow,
    };
    this.jobs.set(job.jobId, job);
    return job;
  }

  get(jobId: number): JobRecord | undefined {
    return this.jobs.get(jobId);
  }

  all(): JobRecord[] {
    return [...this.jobs.values()];
  }

  stateOf(job: JobRecord, at = this.clock()): JobState {
    const rows = (done: number) => Math.floor(job.totalRows * done);
    for (const p of job.phases) {
      if (at >= p.to) continue;
      const share = p.to > p.from ? (at - p.from) / (p.to - p.from) : 1;
      const r = rows(p.doneFrom + (p.doneTo - p.doneFrom) * Math.max(0, share));
      return { status: p.status, rowsSynced: r, bytesSynced: r * job.bytesPerRow, lastUpdatedAt: at, endedAt: at };
    }
    const r = rows(job.final.done);
    return { status: job.final.status, rowsSynced: r, bytesSynced: r * job.bytesPerRow, lastUpdatedAt: job.final.at, endedAt: job.final.at };
  }

  /**
   * The job's attempts as the config API lists them: a failing sync's first attempt fails while
   * the job reports `incomplete`, its retry fails too; a seeded job has one attempt.
   */
  attemptsOf(job: JobRecord, at = this.clock()): { status: 'running' | 'failed' | 'succeeded'; createdAt: number; endedAt?: number; rows: number; cancelled?: boolean }[] {
    const state = this.stateOf(job, at);
    const incomplete = job.phases.find((p) => p.status === 'incomplete');
    const rows = (done: number) => Math.floor(job.totalRows * done);
    const last = (from: number) => ({
      status: state.status === 'succeeded' ? ('succeeded' as const) : state.status === 'failed' || state.status === 'cancelled' ? ('failed' as const) : ('running' as const),
      createdAt: from,
      endedAt: TERMINAL.includes(state.status) ? state.endedAt : undefined,
      rows: state.rowsSynced,
      cancelled: state.status === 'cancelled',
    });
    const running = job.phases.find((p) => p.status === 'running');
    if (incomplete && at >= incomplete.from) {
      return [{ status: 'failed', createdAt: running?.from ?? job.createdAt, endedAt: incomplete.from, rows: rows(incomplete.doneFrom) }, ...(at >= incomplete.to ? [last(incomplete.to)] : [])];
    }
    if (running && at < running.from && state.status === 'pending') return [];
    return [last(running?.from ?? job.createdAt)];
  }

  isTerminal(job: JobRecord): boolean {
    return TERMINAL.includes(this.stateOf(job).status);
  }

  /** The connection's job that is still pending or running, if any. */
  activeFor(connectionId: string): JobRecord | undefined {
    return this.all().find((j) => j.connectionId === connectionId && !this.isTerminal(j));
  }

  /** Cancels a job that has not finished; returns false when it already had. */
  cancel(job: JobRecord): boolean {
    if (this.isTerminal(job)) return false;
    const now = this.clock();
    const state = this.stateOf(job, now);
    job.phases = job.phases.filter((p) => p.from < now).map((p) => (p.to > now ? { ...p, to: now } : p));
    job.final = { status: 'cancelled', at: now, done: job.totalRows ? state.rowsSynced / job.totalRows : 0 };
    return true;
  }
}
