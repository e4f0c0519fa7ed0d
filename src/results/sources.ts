// Sources for services that cannot jump to a row: a cursor that only moves forward (dbt Cloud,
// Airbyte-style `next` links) or one response holding every row (Looker run_inline_query,
// Metabase dataset, `dbt show`). Both are `sequential`; the row window spools them.
import { CancelledError } from '../core/errors';
import { ResultError, type ResultColumn, type ResultPage, type ResultRow, type ResultSource } from './types';
import { t } from '../core/l10n';

export interface SequentialSourceOptions {
  columns: readonly ResultColumn[];
  pageSize: number;
  totalRows?: number;
  /** The next batch of rows in order (any size), or undefined at the end. */
  next(signal?: AbortSignal): Promise<readonly ResultRow[] | undefined>;
}

/** Re-cuts the batches `next` returns into pages of exactly `pageSize` rows (the last may be shorter). */
export function createSequentialSource(options: SequentialSourceOptions): ResultSource {
  if (!(options.pageSize >= 1)) throw new ResultError('invalidOptions', 'The page size must be at least 1.');
  let nextIndex = 0;
  let buffered: ResultRow[] = [];
  let ended = false;
  let busy = false;
  let total = options.totalRows;
  return {
    columns: options.columns,
    pageSize: options.pageSize,
    access: 'sequential',
    get totalRows() {
      return total;
    },
    async fetchPage(index: number, signal?: AbortSignal): Promise<ResultPage> {
      if (index !== nextIndex || busy) {
        throw new ResultError('notRewindable', t('Page {0} of this result can no longer be read (the next page is {1}).', index, nextIndex));
      }
      busy = true;
      try {
        while (!ended && buffered.length < options.pageSize) {
          if (signal?.aborted) throw new CancelledError();
          const batch = await options.next(signal);
          if (batch === undefined) ended = true;
          else for (const row of batch) buffered.push(row);
        }
        const rows = buffered.length <= options.pageSize ? buffered : buffered.slice(0, options.pageSize);
        buffered = buffered.length <= options.pageSize ? [] : buffered.slice(options.pageSize);
        const startIndex = index * options.pageSize;
        const last = (ended && buffered.length === 0) || (total !== undefined && startIndex + rows.length >= total);
        if (ended && buffered.length === 0) total = startIndex + rows.length;
        nextIndex++;
        return { rows, startIndex, last };
      } finally {
        busy = false;
      }
    },
  };
}

/**
 * A sequential source over rows already in memory (a one-response service). It lets go of the
 * array once the last page is handed out, so after the row window has spooled it the host keeps
 * only the window; offering random access instead would pin every row for the panel's lifetime.
 */
export function createArraySource(columns: readonly ResultColumn[], rows: readonly ResultRow[], pageSize: number): ResultSource {
  let remaining: readonly ResultRow[] | undefined = rows;
  let offset = 0;
  return createSequentialSource({
    columns,
    pageSize,
    totalRows: rows.length,
    next: async () => {
      if (!remaining) return undefined;
      const batch = remaining.slice(offset, offset + pageSize);
      offset += batch.length;
      if (offset >= remaining.length) remaining = undefined;
      return batch;
    },
  });
}
