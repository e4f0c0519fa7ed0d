// The dbt projects of a workspace: their dbt_project.yml, the last good manifest index of each
// (ManifestStore), the error of a failed reload, and the latest run_results.json. File changes
// arrive from a watcher (VS Code's, in the extension) and are debounced per project and artifact,
// because dbt writes its artifacts in several steps.
import * as path from 'node:path';
import { Emitter, type Event } from '../core/event';
import type { Logger } from '../core/logger';
import type { DbtProjectIndex } from './manifest';
import { ManifestStore, type DbtManifestLoader } from './manifestStore';
import { isWorkspaceProjectFile, locateArtifacts, parseDbtProjectConfig, type DbtProjectConfig, type DbtProjectLocation } from './projectConfig';
import { parseRunResults, type DbtRunResults } from './runResults';

export interface DbtProjectState {
  readonly key: string;
  /** `name` from dbt_project.yml, else the folder name. */
  readonly name: string;
  readonly projectFile: string;
  readonly config: DbtProjectConfig;
  readonly location: DbtProjectLocation;
  /** The last good index, kept through failed reloads. */
  readonly index?: DbtProjectIndex;
  /** The error of the latest manifest reload, cleared by a good one. */
  readonly error?: unknown;
  readonly runResults?: DbtRunResults;
  readonly loading: boolean;
}

export interface DbtProjectsModelOptions {
  loadManifest: DbtManifestLoader;
  readText: (path: string) => Promise<string>;
  loadRunResults?: (path: string, signal: AbortSignal) => Promise<DbtRunResults>;
  /** Quiet time after the last change before reloading (default 400 ms). */
  debounceMs?: number;
  /** Limit for one manifest load (default 120 s). */
  loadTimeoutMs?: number;
  env?: Record<string, string | undefined>;
  logger?: Logger;
}

type Artifact = 'manifest' | 'runResults' | 'config';

/** Failures that mean "caught dbt mid-write"; rechecked after these delays. */
const PARTIAL_WRITE = new Set(['truncated', 'invalidJson', 'empty']);
const RECHECKS_MS = [1_000, 3_000];

interface Entry {
  projectFile: string;
  config: DbtProjectConfig;
  location: DbtProjectLocation;
  runResults?: DbtRunResults;
  runResultsAbort?: AbortController;
  loading: number;
}

export class DbtProjectsModel {
  private readonly changed = new Emitter<void>();
  readonly onDidChange: Event<void> = this.changed.event;
  private readonly store: ManifestStore;
  private readonly entries = new Map<string, Entry>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly pending = new Set<Promise<unknown>>();
  private readonly storeSubscription: { dispose(): void };
  private disposed = false;

  constructor(private readonly o: DbtProjectsModelOptions) {
    this.store = new ManifestStore((p, opts) => {
      const timeout = AbortSignal.timeout(o.loadTimeoutMs ?? 120_000);
      return o.loadManifest(p, { ...opts, signal: opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout });
    });
    this.storeSubscription = this.store.onDidChange(() => this.changed.fire());
  }

  /** Sets the workspace's dbt_project.yml files (from discovery); loads new projects, forgets gone ones. */
  async setProjectFiles(files: readonly string[]): Promise<void> {
    const wanted = new Map(files.filter(isWorkspaceProjectFile).map((f) => [path.dirname(path.resolve(f)), path.resolve(f)]));
    for (const key of [...this.entries.keys()]) if (!wanted.has(key)) this.forget(key);
    const added: string[] = [];
    await Promise.all(
      [...wanted].map(async ([key, file]) => {
        if (this.entries.has(key)) return;
        const entry = await this.readEntry(file);
        if (this.disposed || this.entries.has(key)) return;
        this.entries.set(key, entry);
        added.push(key);
      }),
    );
    if (added.length || wanted.size !== this.entries.size) this.changed.fire();
    await Promise.all(added.map((key) => this.reloadNow(key)));
  }

  projects(): DbtProjectState[] {
    return [...this.entries.keys()].map((k) => this.get(k)!).sort((a, b) => a.name.localeCompare(b.name) || a.key.localeCompare(b.key));
  }

  get(key: string): DbtProjectState | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    return {
      key,
      name: e.config.name ?? path.basename(key),
      projectFile: e.projectFile,
      config: e.config,
      location: e.location,
      index: this.store.get(key),
      error: this.store.lastError(key),
      runResults: e.runResults,
      loading: e.loading > 0,
    };
  }

  /** The project whose folder holds the file (the innermost, for nested projects). */
  projectOf(filePath: string): DbtProjectState | undefined {
    const abs = path.resolve(filePath);
    let best: string | undefined;
    for (const key of this.entries.keys()) {
      if ((abs === key || abs.startsWith(key + path.sep)) && (!best || key.length > best.length)) best = key;
    }
    return best === undefined ? undefined : this.get(best);
  }

  /** A watched file changed, was created or deleted: schedules the matching reload. */
  fileChanged(filePath: string): void {
    const abs = path.resolve(filePath);
    for (const [key, e] of this.entries) {
      if (abs === e.location.manifestPath) this.schedule(key, 'manifest');
      else if (abs === e.location.runResultsPath) this.schedule(key, 'runResults');
      else if (abs === e.projectFile) this.schedule(key, 'config');
    }
  }

  /** Reloads a project's manifest and run results now (the Refresh command). */
  async reloadNow(key: string): Promise<void> {
    await Promise.all([this.reloadManifest(key), this.reloadRunResults(key)]);
  }

  /** Resolves when no reload is scheduled or running (tests, and commands that need fresh data). */
  async whenIdle(): Promise<void> {
    while (this.timers.size || this.pending.size) {
      if (this.timers.size) await new Promise((r) => setTimeout(r, 25));
      else await Promise.allSettled([...this.pending]);
    }
  }

  dispose(): void {
    this.disposed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const e of this.entries.values()) e.runResultsAbort?.abort();
    this.entries.clear();
    this.storeSubscription.dispose();
    this.store.dispose();
    this.changed.dispose();
  }

  private schedule(key: string, artifact: Artifact): void {
    const id = `${key}\0${artifact}`;
    clearTimeout(this.timers.get(id));
    this.timers.set(
      id,
      setTimeout(() => {
        this.timers.delete(id);
        if (artifact === 'manifest') void this.reloadManifest(key);
        else if (artifact === 'runResults') void this.reloadRunResults(key);
        else void this.reloadConfig(key);
      }, this.o.debounceMs ?? 400),
    );
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p)).catch(() => undefined);
    return p;
  }

  private async reloadManifest(key: string, attempt = 0): Promise<void> {
    const e = this.entries.get(key);
    if (!e) return;
    e.loading++;
    this.changed.fire();
    try {
      const result = await this.track(this.store.reload(key, e.location.manifestPath));
      if (result.status === 'failed' && PARTIAL_WRITE.has(reasonOf(result.error)) && attempt < RECHECKS_MS.length && this.entries.get(key) === e) {
        // dbt may still be writing, and some file watchers fold its last write into an event we
        // already handled: look again shortly, unless a newer change event comes first.
        const id = `${key}\0manifest`;
        if (!this.timers.has(id)) this.timers.set(id, setTimeout(() => (this.timers.delete(id), void this.reloadManifest(key, attempt + 1)), RECHECKS_MS[attempt]));
      }
      if (result.status === 'failed') this.o.logger?.warn(`dbt manifest of ${e.config.name ?? key} did not load (${reasonOf(result.error)}); ${result.index ? 'keeping the last good one' : 'no earlier manifest to keep'}`);
      else if (result.status === 'loaded') this.o.logger?.info(`dbt manifest of ${e.config.name ?? key}: ${result.index.size} nodes`);
    } finally {
      e.loading--;
      if (this.entries.get(key) === e) this.changed.fire();
    }
  }

  private async reloadRunResults(key: string): Promise<void> {
    const e = this.entries.get(key);
    if (!e) return;
    e.runResultsAbort?.abort();
    const abort = new AbortController();
    e.runResultsAbort = abort;
    const load = this.o.loadRunResults ?? ((p: string, signal: AbortSignal) => parseRunResults(p, { signal }));
    try {
      const results = await this.track(load(e.location.runResultsPath, AbortSignal.any([abort.signal, AbortSignal.timeout(30_000)])));
      if (abort.signal.aborted || this.entries.get(key) !== e) return;
      e.runResults = results;
      this.changed.fire();
    } catch (err) {
      if (abort.signal.aborted || this.entries.get(key) !== e) return;
      // No run yet is normal; a half-written file keeps the previous results until the next change.
      if (reasonOf(err) === 'notFound') {
        if (e.runResults) {
          e.runResults = undefined;
          this.changed.fire();
        }
      } else this.o.logger?.debug(`run_results.json of ${e.config.name ?? key} not read (${reasonOf(err)})`);
    }
  }

  private async reloadConfig(key: string): Promise<void> {
    const e = this.entries.get(key);
    if (!e) return;
    let next: Entry;
    try {
      next = await this.track(this.readEntry(e.projectFile));
    } catch {
      return; // dbt_project.yml deleted: discovery removes the project
    }
    if (this.entries.get(key) !== e) return;
    const moved = next.location.manifestPath !== e.location.manifestPath;
    e.config = next.config;
    e.location = next.location;
    this.changed.fire();
    if (moved) await this.reloadNow(key);
  }

  private async readEntry(projectFile: string): Promise<Entry> {
    let config: DbtProjectConfig;
    try {
      config = parseDbtProjectConfig(await this.o.readText(projectFile));
    } catch (err) {
      // An unreadable dbt_project.yml still names a project; dbt's defaults locate its target.
      this.o.logger?.warn(`could not read ${projectFile}: ${reasonOf(err)}`);
      config = parseDbtProjectConfig('');
    }
    if (config.problem) this.o.logger?.warn(`${projectFile}: ${config.problem}; using dbt's default paths`);
    if (config.ignored.length) this.o.logger?.info(`${projectFile}: ignored ${config.ignored.join(', ')} (not plain values)`);
    return { projectFile, config, location: locateArtifacts(projectFile, config, this.o.env), loading: 0 };
  }

  private forget(key: string): void {
    const e = this.entries.get(key);
    e?.runResultsAbort?.abort();
    this.entries.delete(key);
    this.store.delete(key);
    for (const a of ['manifest', 'runResults', 'config'] as const) {
      const id = `${key}\0${a}`;
      clearTimeout(this.timers.get(id));
      this.timers.delete(id);
    }
  }
}

function reasonOf(err: unknown): string {
  if (err && typeof err === 'object' && 'reason' in err && typeof (err as { reason: unknown }).reason === 'string') return (err as { reason: string }).reason;
  if (err && typeof err === 'object' && 'code' in err) return String((err as { code: unknown }).code);
  return 'error';
}
