// Streams a whole result to a file, page by page: the next page is fetched while the current one
// is written, the write stream's backpressure is honoured (wait for 'drain'), so memory holds
// about two pages whatever the result size. The file is written under a temporary name beside
// the target and renamed at the end: a cancelled or failed export leaves nothing behind and never
// clobbers an existing file with half a result.
import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { CancelledError, GatehouseError } from '../core/errors';
import { t } from '../core/l10n';
import { ResultError, type ResultPage, type ResultSource } from './types';
import { createRowWriter, type RowFormat, type WriterOptions } from './writers';

export interface ExportProgress {
  rowsWritten: number;
  totalRows: number | undefined;
  bytesWritten: number;
}

export interface ExportOptions extends WriterOptions {
  format: RowFormat;
  path: string;
  signal?: AbortSignal;
  /** Called after every page. */
  onProgress?: (progress: ExportProgress) => void;
}

export interface ExportResult {
  path: string;
  rowsWritten: number;
  bytesWritten: number;
}

export async function exportResult(source: ResultSource, options: ExportOptions): Promise<ExportResult> {
  if (options.signal?.aborted) throw new CancelledError();
  const writer = createRowWriter(options.format, source.columns, options);
  const partial = join(dirname(options.path), `.${basename(options.path)}.${randomBytes(4).toString('hex')}.partial`);
  const stop = new AbortController();
  const onCancel = () => stop.abort();
  options.signal?.addEventListener('abort', onCancel, { once: true });
  let stream: WriteStream | undefined;
  let rowsWritten = 0;
  let bytesWritten = 0;
  let pending: Promise<ResultPage> | undefined;
  let streamError: unknown;

  const write = async (text: string) => {
    if (text === '') return;
    const buf = Buffer.from(text, 'utf8');
    bytesWritten += buf.length;
    if (!stream!.write(buf)) await once(stream!, 'drain', { signal: stop.signal });
  };
  const fetch = (index: number) => {
    const p = source.fetchPage(index, stop.signal);
    p.catch(() => undefined); // awaited below, or abandoned when the export stops first
    return p;
  };

  try {
    stream = createWriteStream(partial, { flags: 'wx', highWaterMark: 1 << 20 });
    // A flush can fail after write() returned; keep the error and stop instead of crashing.
    stream.on('error', (err) => {
      streamError ??= err;
      stop.abort();
    });
    await once(stream, 'open', { signal: stop.signal });
    await write(writer.begin());
    pending = fetch(0);
    for (let index = 1; pending; index++) {
      const page: ResultPage = await pending;
      pending = page.last || page.rows.length === 0 ? undefined : fetch(index);
      await write(writer.rows(page.rows));
      rowsWritten += page.rows.length;
      options.onProgress?.({ rowsWritten, totalRows: source.totalRows, bytesWritten });
      if (stop.signal.aborted) throw new CancelledError();
    }
    await write(writer.end());
    stream.end();
    await once(stream, 'finish', { signal: stop.signal });
    await rename(partial, options.path);
    return { path: options.path, rowsWritten, bytesWritten };
  } catch (err) {
    // Decided before destroy(): destroying with writes in flight raises errors of its own.
    const cause = streamError ?? err;
    stop.abort();
    stream?.destroy();
    if (stream && !stream.closed) await once(stream, 'close').catch(() => undefined);
    await unlink(partial).catch(() => undefined);
    throw toExportError(cause, options.signal);
  } finally {
    options.signal?.removeEventListener('abort', onCancel);
  }
}

function toExportError(err: unknown, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted || CancelledError.is(err)) return new CancelledError(t('Export cancelled.'));
  if (GatehouseError.isGatehouseError(err)) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return new ResultError(
    'io',
    code ? t('Could not write the export file ({0}).', code) : t('Could not write the export file.'),
    'Check that the folder exists, you may write to it, and the disk has room.',
    { cause: err },
  );
}
