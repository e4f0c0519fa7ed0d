// Keeps the last good index per dbt project. A failed reload (dbt mid-write, a broken file) reports
// its error and leaves the previous index in place, so views keep showing something true. One
// reload per project at a time: a newer reload aborts the older one, whose result is dropped.
import { CancelledError } from '../core/errors';
import { loadManifest, type DbtProjectIndex } from './manifest';
import type { DbtLoadOptions } from './manifestTypes';

export type DbtManifestLoader = (path: string, options: DbtLoadOptions) => Promise<DbtProjectIndex>;

export type DbtReloadResult =
  | { readonly status: 'loaded'; readonly index: DbtProjectIndex }
  /** `index` is the kept previous one, if any. */
  | { readonly status: 'failed'; readonly error: unknown; readonly index?: DbtProjectIndex }
  /** Cancelled, or overtaken by a newer reload of the same project. */
  | { readonly status: 'superseded' };

interface Entry {
  index?: DbtProjectIndex;
  error?: unknown;
  inFlight?: AbortController;
  generation: number;
}

export class ManifestStore {
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Set<(projectKey: string) => void>();

  constructor(
    private readonly load: DbtManifestLoader = loadManifest,
    private readonly options: Omit<DbtLoadOptions, 'signal'> = {},
  ) {}

  /** The last good index of a project. */
  get(projectKey: string): DbtProjectIndex | undefined {
    return this.entries.get(projectKey)?.index;
  }

  /** The error of the latest reload, cleared by a successful one. */
  lastError(projectKey: string): unknown {
    return this.entries.get(projectKey)?.error;
  }

  /** Fires after a reload changed the index or the error of a project. */
  onDidChange(listener: (projectKey: string) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  async reload(projectKey: string, manifestPath: string, signal?: AbortSignal): Promise<DbtReloadResult> {
    let entry = this.entries.get(projectKey);
    if (!entry) this.entries.set(projectKey, (entry = { generation: 0 }));
    entry.inFlight?.abort();
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) controller.abort();
    entry.inFlight = controller;
    const generation = ++entry.generation;
    const current = () => this.entries.get(projectKey) === entry && entry.generation === generation;
    try {
      const index = await this.load(manifestPath, { ...this.options, signal: controller.signal });
      if (!current() || controller.signal.aborted) return { status: 'superseded' };
      entry.index = index;
      entry.error = undefined;
      this.fire(projectKey);
      return { status: 'loaded', index };
    } catch (error) {
      if (!current() || CancelledError.is(error) || controller.signal.aborted) return { status: 'superseded' };
      entry.error = error;
      this.fire(projectKey);
      return { status: 'failed', error, index: entry.index };
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (entry.inFlight === controller) entry.inFlight = undefined;
    }
  }

  /** Forgets a project (its folder closed), aborting a reload in flight. */
  delete(projectKey: string): void {
    this.entries.get(projectKey)?.inFlight?.abort();
    this.entries.delete(projectKey);
  }

  dispose(): void {
    for (const key of [...this.entries.keys()]) this.delete(key);
    this.listeners.clear();
  }

  private fire(projectKey: string): void {
    for (const listener of [...this.listeners]) listener(projectKey);
  }
}
