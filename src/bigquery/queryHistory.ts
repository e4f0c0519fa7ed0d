// Queries this user ran from Gatehouse, kept locally (per signed-in subject) so they can be run
// again, next to the jobs BigQuery itself lists for the user. Bounded; newest first.
import type { JobRef, QueryParameter } from './types';
import { Emitter } from '../core/event';

export interface HistoryEntry {
  sql: string;
  params?: QueryParameter[];
  /** Epoch ms when it was started. */
  at: number;
  status: 'succeeded' | 'failed' | 'cancelled' | 'blocked' | 'declined';
  job?: JobRef;
  bytesProcessed?: number;
  /** Where it came from (the document's URI), to reuse its result panel. */
  ownerKey?: string;
}

/** The part of vscode.Memento the history needs (globalState in VS Code, a Map in tests). */
export interface KeyValueStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void> | Promise<void>;
}

export const MAX_HISTORY = 50;
/** Longer SQL is kept only in part: history is for finding and re-running, not an archive. */
export const MAX_SQL_CHARS = 20_000;

export class QueryHistory {
  private readonly changed = new Emitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly store: KeyValueStore,
    private readonly subject: () => string | undefined,
  ) {}

  entries(): HistoryEntry[] {
    const key = this.key();
    if (!key) return [];
    const raw = this.store.get<unknown>(key);
    return Array.isArray(raw) ? raw.filter(isEntry) : [];
  }

  async add(entry: HistoryEntry): Promise<void> {
    const key = this.key();
    if (!key || entry.sql.length > MAX_SQL_CHARS) return;
    const next = [entry, ...this.entries()].slice(0, MAX_HISTORY);
    await this.store.update(key, next);
    this.changed.fire();
  }

  async clear(): Promise<void> {
    const key = this.key();
    if (key) await this.store.update(key, undefined);
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
  }

  private key(): string | undefined {
    const s = this.subject();
    return s ? `gatehouse.bigquery.history:${s}` : undefined;
  }
}

function isEntry(v: unknown): v is HistoryEntry {
  const e = v as HistoryEntry;
  return !!e && typeof e.sql === 'string' && typeof e.at === 'number' && typeof e.status === 'string';
}
