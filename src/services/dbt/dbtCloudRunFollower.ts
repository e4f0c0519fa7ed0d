// Follows a dbt Cloud run until it ends: polls GET /runs/{id} with a growing interval (back to the
// shortest one whenever the status changes), reports changes, rides out short outages (a few
// transient failures in a row, Retry-After honoured), and stops on its signal or its time limit.
import { sleep as defaultSleep } from '../../core/http';
import { isFinalRunStatus, type DbtCloudRun } from './dbtCloudClient';
import { DbtCloudError, toDbtCloudError } from './dbtCloudErrors';

export interface DbtCloudRunSource {
  getRun(runId: number, options?: { includeSteps?: boolean; signal?: AbortSignal }): Promise<DbtCloudRun>;
}

export interface RunFollowerOptions {
  initialDelayMs?: number;
  maxDelayMs?: number;
  factor?: number;
  /** Transient failures in a row tolerated before giving up (default 5). */
  maxErrors?: number;
  /** Give up following after this long (default 12 h; the run itself goes on). */
  timeoutMs?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
}

const TRANSIENT = new Set(['network', 'timeout', 'server', 'rateLimited', 'badResponse']);

export class DbtCloudRunFollower {
  private readonly o: Required<RunFollowerOptions>;

  constructor(
    private readonly runs: DbtCloudRunSource,
    options: RunFollowerOptions = {},
  ) {
    this.o = { initialDelayMs: 2_000, maxDelayMs: 15_000, factor: 1.5, maxErrors: 5, timeoutMs: 12 * 3_600_000, sleep: defaultSleep, now: Date.now, ...options };
  }

  /** Resolves with the run in a final state; rejects with DbtCloudError('cancelled') when stopped, ('timeout') past the limit. */
  async follow(runId: number, opts: { signal?: AbortSignal; onUpdate?: (run: DbtCloudRun) => void } = {}): Promise<DbtCloudRun> {
    const { signal, onUpdate } = opts;
    const deadline = this.o.now() + this.o.timeoutMs;
    let delay = this.o.initialDelayMs;
    let errors = 0;
    let last: DbtCloudRun | undefined;
    for (;;) {
      if (signal?.aborted) throw stopped();
      if (this.o.now() > deadline) throw new DbtCloudError('timeout', `Stopped following run ${runId}: it did not finish within ${Math.round(this.o.timeoutMs / 60_000)} minutes. It may still be running in dbt Cloud.`);
      let run: DbtCloudRun;
      try {
        run = await this.runs.getRun(runId, { includeSteps: true, signal });
        errors = 0;
      } catch (err) {
        const e = toDbtCloudError(err);
        if (e.reason === 'cancelled' || signal?.aborted) throw stopped(err);
        if (!TRANSIENT.has(e.reason) || ++errors > this.o.maxErrors) throw e;
        await this.wait(Math.max(e.retryAfterMs ?? 0, delay), signal);
        delay = this.next(delay);
        continue;
      }
      const changed = !last || last.status !== run.status || stepsKey(last) !== stepsKey(run);
      if (changed) onUpdate?.(run);
      if (last && last.status !== run.status) delay = this.o.initialDelayMs;
      last = run;
      if (isFinalRunStatus(run.status)) return run;
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
    } catch (err) {
      throw stopped(err);
    }
  }
}

function stopped(cause?: unknown): DbtCloudError {
  return new DbtCloudError('cancelled', 'Stopped following the run.', undefined, [], undefined, { cause });
}

function stepsKey(run: DbtCloudRun): string {
  return run.steps.map((s) => `${s.index}:${s.status}`).join(',');
}
