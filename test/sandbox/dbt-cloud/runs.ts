// dbt Cloud runs as timelines: status is computed from the clock (1 Queued → 2 Starting →
// 3 Running → 10 Success / 20 Error), cancel cuts the timeline (30 Cancelled).
export type RunStatus = 1 | 2 | 3 | 10 | 20 | 30;
export const STATUS_HUMANIZED: Record<RunStatus, string> = { 1: 'Queued', 2: 'Starting', 3: 'Running', 10: 'Success', 20: 'Error', 30: 'Cancelled' };

/** Durations of a new run at speed 1 (the demo): a few seconds queued and starting, then ~25 s of dbt. */
export const DEMO_RUN_TIMING = { queuedMs: 3_000, startingMs: 4_000, runningMs: 25_000 } as const;

export interface RunTriggerInfo {
  cause: string;
  causeCategory: 'api' | 'ci' | 'scheduled' | 'ui';
  gitBranch: string | null;
  gitSha: string | null;
  schemaOverride: string | null;
  threadsOverride: number | null;
  targetNameOverride: string | null;
  stepsOverride: string[] | null;
  generateDocsOverride: boolean | null;
  /** Demo user who triggered it through the API (for the audit). */
  by: string | null;
}

export interface RunRecord {
  id: number;
  triggerId: number;
  jobId: number;
  environmentId: number;
  createdAt: number;
  /** Start of Starting (2) and of Running (3); undefined when the run never got there. */
  dequeuedAt?: number;
  startedAt?: number;
  final: { status: 10 | 20 | 30; at: number };
  steps: string[];
  generateDocs: boolean;
  trigger: RunTriggerInfo;
  gitSha: string;
  cancelledBy?: string;
}

export interface RunState {
  status: RunStatus;
  dequeuedAt: number | null;
  startedAt: number | null;
  finishedAt: number | null;
}

export class RunStore {
  private readonly runs = new Map<number, RunRecord>();
  private nextId = 310_004_100;

  constructor(private readonly clock: () => number = Date.now) {}

  add(run: Omit<RunRecord, 'id' | 'triggerId'>): RunRecord {
    const id = this.nextId++;
    const record = { ...run, id, triggerId: id + 7_103_200 };
    this.runs.set(id, record);
    return record;
  }

  /** A run laid out from now with the given durations. */
  schedule(base: Omit<RunRecord, 'id' | 'triggerId' | 'createdAt' | 'dequeuedAt' | 'startedAt' | 'final'>, outcome: 10 | 20, timing: { queuedMs: number; startingMs: number; runningMs: number }): RunRecord {
    const now = this.clock();
    const dequeuedAt = now + timing.queuedMs;
    const startedAt = dequeuedAt + timing.startingMs;
    return this.add({ ...base, createdAt: now, dequeuedAt, startedAt, final: { status: outcome, at: startedAt + timing.runningMs } });
  }

  get(id: number): RunRecord | undefined {
    return this.runs.get(id);
  }

  all(): RunRecord[] {
    return [...this.runs.values()];
  }

  stateOf(run: RunRecord, at = this.clock()): RunState {
    if (at >= run.final.at) {
      return { status: run.final.status, dequeuedAt: run.dequeuedAt ?? null, startedAt: run.startedAt ?? null, finishedAt: run.final.at };
    }
    if (run.startedAt !== undefined && at >= run.startedAt) return { status: 3, dequeuedAt: run.dequeuedAt ?? null, startedAt: run.startedAt, finishedAt: null };
    if (run.dequeuedAt !== undefined && at >= run.dequeuedAt) return { status: 2, dequeuedAt: run.dequeuedAt, startedAt: null, finishedAt: null };
    return { status: 1, dequeuedAt: null, startedAt: null, finishedAt: null };
  }

  isComplete(run: RunRecord): boolean {
    return this.stateOf(run).status >= 10;
  }

  /** Cancels a run in progress; a finished run is left as it is. */
  cancel(run: RunRecord, by: string): boolean {
    if (this.isComplete(run)) return false;
    const now = this.clock();
    if (run.dequeuedAt !== undefined && run.dequeuedAt > now) run.dequeuedAt = undefined;
    if (run.startedAt !== undefined && run.startedAt > now) run.startedAt = undefined;
    run.final = { status: 30, at: now };
    run.cancelledBy = by;
    return true;
  }
}
