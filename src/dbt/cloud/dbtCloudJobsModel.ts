// The dbt Cloud jobs the tree shows: one list per refresh (jobs with their latest run), the error of
// the last refresh, and runs being followed right now (their live status overrides the listed one).
import { auditedRead, type AccessAuditDeps } from '../../audit/recordAccess';
import { Emitter, type Event } from '../../core/event';
import type { DbtCloudClient, DbtCloudJob, DbtCloudRun } from './dbtCloudClient';
import { toDbtCloudError, type DbtCloudError } from './dbtCloudErrors';

export type DbtCloudJobsState =
  | { kind: 'idle' }
  | { kind: 'loading' }
  | { kind: 'loaded'; jobs: readonly DbtCloudJob[] }
  | { kind: 'failed'; error: DbtCloudError };

export class DbtCloudJobsModel {
  private readonly changed = new Emitter<void>();
  readonly onDidChange: Event<void> = this.changed.event;
  private current: DbtCloudJobsState = { kind: 'idle' };
  private readonly live = new Map<number, DbtCloudRun>();
  private inflight: AbortController | undefined;
  /** The newest refresh's listing, which an older refresh waits for. */
  private latest?: Promise<void>;

  constructor(
    private readonly client: () => DbtCloudClient,
    private readonly projectId: () => number | undefined,
    private readonly timeoutMs = 30_000,
    /** One audit record per listing of the jobs. */
    private readonly audit?: AccessAuditDeps,
  ) {}

  get state(): DbtCloudJobsState {
    return this.current;
  }

  /** The run to show for a job: one being followed, else the latest listed. */
  latestRun(job: DbtCloudJob): DbtCloudRun | undefined {
    const live = this.live.get(job.id);
    const listed = job.mostRecentRun;
    return live && (!listed || live.id >= listed.id) ? live : listed;
  }

  job(jobId: number): DbtCloudJob | undefined {
    return this.current.kind === 'loaded' ? this.current.jobs.find((j) => j.id === jobId) : undefined;
  }

  /** A followed run changed: shown at once, without listing the jobs again. */
  updateRun(run: DbtCloudRun): void {
    this.live.set(run.jobId, run);
    this.changed.fire();
  }

  /**
   * Lists the jobs again. Resolves once the state reflects the newest refresh: when another refresh
   * (a sign-in, a settings change) supersedes this one, it waits for that one instead of returning
   * while the jobs are still loading.
   */
  async refresh(): Promise<void> {
    let run = this.load();
    this.latest = run;
    await run;
    while (this.latest && this.latest !== run) {
      run = this.latest;
      await run;
    }
  }

  private async load(): Promise<void> {
    this.inflight?.abort();
    const abort = new AbortController();
    this.inflight = abort;
    if (this.current.kind !== 'loaded') this.set({ kind: 'loading' });
    try {
      const client = this.client();
      const projectId = this.projectId();
      const jobs = await auditedRead(this.audit, { credential: client.credentialOrigin, service: 'dbtCloud', action: 'list-jobs', resource: projectId === undefined ? 'jobs' : `project/${projectId}/jobs` }, () =>
        client.listJobs({ projectId, signal: AbortSignal.any([abort.signal, AbortSignal.timeout(this.timeoutMs)]) }),
      );
      if (this.inflight !== abort) return;
      // A listed run newer than a followed one means the follow is over or stale.
      for (const j of jobs) {
        const live = this.live.get(j.id);
        if (live && j.mostRecentRun && j.mostRecentRun.id >= live.id) this.live.delete(j.id);
      }
      this.set({ kind: 'loaded', jobs });
    } catch (err) {
      if (this.inflight !== abort) return;
      this.set({ kind: 'failed', error: toDbtCloudError(err) });
    } finally {
      if (this.inflight === abort) this.inflight = undefined;
    }
  }

  /** Forget everything (sign-out, settings changed). */
  reset(): void {
    this.inflight?.abort();
    this.inflight = undefined;
    this.live.clear();
    this.set({ kind: 'idle' });
  }

  dispose(): void {
    this.inflight?.abort();
    this.changed.dispose();
  }

  private set(state: DbtCloudJobsState): void {
    this.current = state;
    this.changed.fire();
  }
}
