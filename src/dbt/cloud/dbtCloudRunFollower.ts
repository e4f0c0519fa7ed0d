// Follows a dbt Cloud run until it ends: polls GET /runs/{id} with a growing interval (back to the
// shortest one whenever the status changes), reports changes, rides out short outages (a few
// transient failures in a row, Retry-After honoured), and stops on its signal or its time limit.
import { DEFAULT_POLL_OPTIONS, pollUntilFinal } from '../../core/poll';
import { isFinalRunStatus, type DbtCloudRun } from './dbtCloudClient';
import { DbtCloudError, toDbtCloudError } from './dbtCloudErrors';
import { t } from '../../core/l10n';

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
  constructor(
    private readonly runs: DbtCloudRunSource,
    private readonly options: RunFollowerOptions = {},
  ) {}

  /** Resolves with the run in a final state; rejects with DbtCloudError('cancelled') when stopped, ('timeout') past the limit. */
  follow(runId: number, opts: { signal?: AbortSignal; onUpdate?: (run: DbtCloudRun) => void } = {}): Promise<DbtCloudRun> {
    const o = { ...DEFAULT_POLL_OPTIONS, initialDelayMs: 2_000, maxDelayMs: 15_000, ...this.options };
    return pollUntilFinal(
      {
        fetch: (signal) => this.runs.getRun(runId, { includeSteps: true, signal }),
        isFinal: (run) => isFinalRunStatus(run.status),
        state: (run) => String(run.status),
        detail: stepsKey,
        toError: toDbtCloudError,
        transient: (e) => TRANSIENT.has(e.reason),
        cancelled: (e) => e.reason === 'cancelled',
        stopped,
        timedOut: () => new DbtCloudError('timeout', t('Stopped following run {0}: it did not finish within {1} minutes. It may still be running in dbt Cloud.', runId, Math.round(o.timeoutMs / 60_000))),
        onUpdate: opts.onUpdate,
        signal: opts.signal,
      },
      o,
    );
  }
}

function stopped(cause?: unknown): DbtCloudError {
  return new DbtCloudError('cancelled', 'Stopped following the run.', undefined, [], undefined, { cause });
}

function stepsKey(run: DbtCloudRun): string {
  return run.steps.map((s) => `${s.index}:${s.status}`).join(',');
}
