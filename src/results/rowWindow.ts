// The host-side cache behind the results grid: the webview asks for the rows in its viewport
// (getRows), the window answers from a bounded LRU of pages and fetches what is missing.
//
// How an evicted page comes back depends on the source, and that is the choice issue 6 asks for:
// * random-access sources (BigQuery: startIndex, and page tokens we remembered) are re-fetched.
//   BigQuery keeps a query's result in its temporary table for ~24 h, a page is one cheap
//   request, and nothing confidential is written to the user's disk. Re-fetching by page token
//   alone would not do: tokens only lead forward, so scrolling back to page 3 of 200 would mean
//   starting over; startIndex jumps anywhere.
// * sequential sources (a forward-only cursor, or one response with every row: Looker, Metabase,
//   `dbt show`) are spooled: each page is appended to a temporary file as it arrives, with an
//   offset index, so any page can be read back from disk. Re-fetching would re-run the query
//   (cost, time, and possibly different rows) or is impossible once a cursor has moved on. The
//   spool costs disk, not memory: only its index (two numbers per page) stays in RAM.
//
// Guarantees: at most `maxCachedRows` rows cached whatever the result size (plus the pages in
// flight and those being handed to a caller); concurrent requests for one page share one fetch;
// every request can be cancelled, and a fetch nobody waits for any more is aborted; the page after
// the one asked for is requested alongside it; progress reports loaded/total rows; dispose()
// aborts fetches, drops the cache and deletes the spool.
import { tmpdir } from 'node:os';
import { CancelledError } from '../core/errors';
import type { Disposable } from '../core/disposable';
import { Emitter, type Event } from '../core/event';
import { PageSpool } from './spool';
import { ResultError, type ResultColumn, type ResultPage, type ResultRow, type ResultSource } from './types';
import { t } from '../core/l10n';

export interface RowWindowOptions {
  /** Upper bound on cached rows (default 50,000); at least one page. */
  maxCachedRows?: number;
  /** Fetch the page after the one asked for, in the background (default true). */
  prefetch?: boolean;
  /** Parent folder of the spool (default the OS temporary folder). */
  spoolDir?: string;
}

export interface RowWindowProgress {
  /** Distinct rows fetched from the service so far. */
  loadedRows: number;
  totalRows: number | undefined;
}

interface InFlight {
  promise: Promise<ResultPage>;
  controller: AbortController;
  waiters: number;
  /** Whether the page goes into the cache when it lands (not for export's pass-through reads). */
  cache: boolean;
}

export class RowWindow implements ResultSource, Disposable {
  readonly access = 'random' as const;
  private readonly maxPages: number;
  private readonly cache = new Map<number, ResultPage>();
  private readonly inflight = new Map<number, InFlight>();
  private readonly loaded = new Set<number>();
  private readonly progressEmitter = new Emitter<RowWindowProgress>();
  private readonly life = new AbortController();
  private cachedRowCount = 0;
  private peakRows = 0;
  private loadedRowCount = 0;
  /** Sequential sources: the next page to ask the source for, the spool, and the fetch queue. */
  private nextPage = 0;
  private lastPage: number | undefined;
  private spool: PageSpool | undefined;
  private spoolCreating: Promise<PageSpool> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  constructor(
    private readonly source: ResultSource,
    private readonly options: RowWindowOptions = {},
  ) {
    const max = options.maxCachedRows ?? 50_000;
    if (!(max >= source.pageSize)) {
      throw new ResultError('invalidOptions', t('The row cache ({0} rows) must hold at least one page ({1} rows).', max, source.pageSize));
    }
    this.maxPages = Math.floor(max / source.pageSize);
  }

  get columns(): readonly ResultColumn[] {
    return this.source.columns;
  }
  get pageSize(): number {
    return this.source.pageSize;
  }
  get totalRows(): number | undefined {
    return this.source.totalRows;
  }
  /** Rows in the cache now, and the most it ever held (for tests and the memory benchmark). */
  get cachedRows(): number {
    return this.cachedRowCount;
  }
  get peakCachedRows(): number {
    return this.peakRows;
  }
  get progress(): RowWindowProgress {
    return { loadedRows: this.loadedRowCount, totalRows: this.source.totalRows };
  }
  /** The spool file, while a sequential source is being spooled. */
  get spoolPath(): string | undefined {
    return this.spool?.path;
  }

  /** Fires when rows were fetched from the service for the first time. */
  readonly onDidChangeProgress: Event<RowWindowProgress> = this.progressEmitter.event;

  /** Rows [start, start + count), fewer at the end of the result. */
  async getRows(start: number, count: number, signal?: AbortSignal): Promise<ResultRow[]> {
    this.assertOpen();
    if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0) {
      throw new ResultError('invalidOptions', 'Rows are asked for by a non-negative whole start and count.');
    }
    if (count > this.maxPages * this.pageSize) {
      throw new ResultError('invalidOptions', t('At most {0} rows can be asked for at once.', this.maxPages * this.pageSize));
    }
    if (signal?.aborted) throw new CancelledError();
    const total = this.totalRows;
    const end = total === undefined ? start + count : Math.min(start + count, total);
    if (end <= start) return [];
    const first = Math.floor(start / this.pageSize);
    const lastWanted = Math.floor((end - 1) / this.pageSize);
    const prefetch = this.options.prefetch !== false;
    const pages: ResultPage[] = [];
    if (this.source.access === 'random') {
      const loads = Array.from({ length: lastWanted - first + 1 }, (_, i) => this.load(first + i, signal, true));
      // Ask for the next page now, not after these arrive: its request then overlaps with parsing
      // and decoding this one (a sequential reader gets a two-deep pipeline).
      if (prefetch && total !== undefined && (lastWanted + 1) * this.pageSize < total) this.prefetch(lastWanted + 1);
      pages.push(...(await Promise.all(loads)));
    } else {
      // Pages of a sequential source come in order anyway; stop at the real end when it was unknown.
      for (let i = first; i <= lastWanted; i++) {
        const page = await this.load(i, signal, true);
        pages.push(page);
        if (page.last) break;
      }
    }
    const rows: ResultRow[] = [];
    for (const page of pages) {
      const from = Math.max(0, start - page.startIndex);
      const to = Math.min(page.rows.length, end - page.startIndex);
      for (let i = from; i < to; i++) rows.push(page.rows[i]);
    }
    const lastRead = pages[pages.length - 1];
    if (prefetch && this.source.access === 'sequential' && lastRead && !lastRead.last) this.prefetch(lastWanted + 1);
    return rows;
  }

  /**
   * One page, for a reader of the whole result (export). Cached pages are used but pages read
   * this way are not cached, so an export does not push the user's viewport out of the cache.
   */
  fetchPage(index: number, signal?: AbortSignal): Promise<ResultPage> {
    this.assertOpen();
    return this.load(index, signal, false);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.life.abort();
    for (const entry of this.inflight.values()) entry.controller.abort();
    this.inflight.clear();
    this.cache.clear();
    this.cachedRowCount = 0;
    this.progressEmitter.dispose();
    const spool = this.spool ?? (await this.spoolCreating?.catch(() => undefined));
    await spool?.dispose();
  }

  private assertOpen(): void {
    if (this.disposed) throw new ResultError('disposed', 'The result was closed.');
  }

  private prefetch(index: number): void {
    if (this.cache.has(index) || this.inflight.has(index)) return;
    if (this.lastPage !== undefined && index > this.lastPage) return;
    this.load(index, undefined, true).catch(() => undefined); // a real request will surface the error
  }

  private load(index: number, signal: AbortSignal | undefined, cache: boolean): Promise<ResultPage> {
    const hit = this.cache.get(index);
    if (hit) {
      this.cache.delete(index); // LRU: move to the most recent end
      this.cache.set(index, hit);
      return Promise.resolve(hit);
    }
    let entry = this.inflight.get(index);
    if (!entry) {
      const controller = new AbortController();
      const fetchSignal = AbortSignal.any([controller.signal, this.life.signal]);
      const created: InFlight = { controller, waiters: 0, cache, promise: Promise.resolve() as unknown as Promise<ResultPage> };
      created.promise = this.produce(index, fetchSignal).then(
        (page) => {
          if (this.inflight.get(index) === created) this.inflight.delete(index);
          if (created.cache && !this.disposed) this.remember(index, page);
          return page;
        },
        (err: unknown) => {
          if (this.inflight.get(index) === created) this.inflight.delete(index);
          throw this.disposed ? new ResultError('disposed', 'The result was closed.') : err;
        },
      );
      created.promise.catch(() => undefined); // waiters observe it; an abandoned prefetch must not be unhandled
      this.inflight.set(index, created);
      entry = created;
    }
    if (cache) entry.cache = true;
    return this.wait(index, entry, signal);
  }

  /** Waits for a shared fetch; when the last waiter gives up, the fetch is aborted. */
  private wait(index: number, entry: InFlight, signal: AbortSignal | undefined): Promise<ResultPage> {
    if (!signal) return entry.promise;
    entry.waiters++;
    return new Promise<ResultPage>((resolve, reject) => {
      const onAbort = () => {
        entry.waiters--;
        if (entry.waiters === 0) {
          entry.controller.abort();
          if (this.inflight.get(index) === entry) this.inflight.delete(index);
        }
        reject(new CancelledError());
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      entry.promise.then(
        (page) => {
          signal.removeEventListener('abort', onAbort);
          entry.waiters--;
          resolve(page);
        },
        (err: unknown) => {
          signal.removeEventListener('abort', onAbort);
          entry.waiters--;
          reject(err);
        },
      );
    });
  }

  private async produce(index: number, signal: AbortSignal): Promise<ResultPage> {
    if (this.source.access === 'random') {
      const page = await this.source.fetchPage(index, signal);
      this.noteLoaded(index, page);
      return page;
    }
    if (index < this.nextPage) return this.readSpooled(index);
    // One reader at a time walks the source forward; later requests queue behind it.
    const task = this.queue.then(() => this.advanceTo(index, signal));
    this.queue = task.catch(() => undefined);
    return task;
  }

  private async advanceTo(index: number, signal: AbortSignal): Promise<ResultPage> {
    if (index < this.nextPage) return this.readSpooled(index);
    const spool = await this.ensureSpool();
    for (;;) {
      if (signal.aborted) throw new CancelledError();
      if (this.lastPage !== undefined && this.nextPage > this.lastPage) {
        return { rows: [], startIndex: index * this.pageSize, last: true };
      }
      const i = this.nextPage;
      const page = await this.source.fetchPage(i, signal);
      await spool.append(i, page.rows);
      this.nextPage = i + 1;
      if (page.last) this.lastPage = i;
      this.noteLoaded(i, page);
      if (i === index) return page;
      // Pages walked through on the way are cached too: the user is likely to scroll over them.
      if (!this.disposed) this.remember(i, page);
    }
  }

  private async readSpooled(index: number): Promise<ResultPage> {
    const spool = await this.ensureSpool();
    const rows = await spool.read(index);
    return { rows, startIndex: index * this.pageSize, last: index === this.lastPage };
  }

  private async ensureSpool(): Promise<PageSpool> {
    if (this.spool) return this.spool;
    this.spoolCreating ??= PageSpool.create(this.options.spoolDir ?? tmpdir()).then((s) => {
      if (this.disposed) {
        void s.dispose();
        throw new ResultError('disposed', 'The result was closed.');
      }
      this.spool = s;
      return s;
    });
    return this.spoolCreating;
  }

  private remember(index: number, page: ResultPage): void {
    if (this.cache.has(index)) return;
    this.cache.set(index, page);
    this.cachedRowCount += page.rows.length;
    while (this.cache.size > this.maxPages) {
      const oldest = this.cache.keys().next().value as number;
      this.cachedRowCount -= this.cache.get(oldest)?.rows.length ?? 0;
      this.cache.delete(oldest);
    }
    if (this.cachedRowCount > this.peakRows) this.peakRows = this.cachedRowCount;
  }

  private noteLoaded(index: number, page: ResultPage): void {
    if (page.last) this.lastPage = index;
    if (this.loaded.has(index)) return;
    this.loaded.add(index);
    this.loadedRowCount += page.rows.length;
    this.progressEmitter.fire(this.progress);
  }
}
