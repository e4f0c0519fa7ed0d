// An append-only file of pages with an in-memory offset index, so a page of a sequential result
// can be read again without asking the service. Pages are v8-serialized: faster than JSON and
// lossless for our cells (NaN and ±Infinity survive; JSON would turn them into null = NULL).
// The file lives in its own mkdtemp folder, readable by the user only (results can be
// confidential), and both go away on dispose.
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { ResultError, type ResultRow } from './types';
import { t } from '../core/l10n';

interface Extent {
  offset: number;
  length: number;
}

export class PageSpool {
  private readonly index = new Map<number, Extent>();
  private end = 0;
  /** Appends run one after another; a read waits only for the write of its own page. */
  private tail: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(
    readonly dir: string,
    readonly path: string,
    private readonly file: FileHandle,
  ) {}

  static async create(parent: string = tmpdir()): Promise<PageSpool> {
    const dir = await mkdtemp(join(parent, 'gatehouse-results-'));
    const path = join(dir, 'pages.bin');
    try {
      return new PageSpool(dir, path, await open(path, 'w+', 0o600));
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw new ResultError('io', 'Could not create a temporary file for the result.', 'Check the free space in the temporary folder.', { cause: err });
    }
  }

  /** Bytes written so far. */
  get bytes(): number {
    return this.end;
  }

  has(page: number): boolean {
    return this.index.has(page);
  }

  append(page: number, rows: readonly ResultRow[]): Promise<void> {
    if (this.closed) return Promise.reject(new ResultError('disposed', 'The result was closed.'));
    if (this.index.has(page)) return Promise.resolve();
    const buf = serialize(rows);
    const extent = { offset: this.end, length: buf.length };
    this.end += buf.length;
    const write = this.tail.then(async () => {
      let done = 0;
      while (done < buf.length) {
        const { bytesWritten } = await this.file.write(buf, done, buf.length - done, extent.offset + done);
        done += bytesWritten;
      }
      this.index.set(page, extent);
    });
    // The chain survives a failed write; the caller still sees the failure.
    this.tail = write.catch(() => undefined);
    return write.catch((err) => {
      throw new ResultError('io', 'Could not write to the temporary result file.', 'Check the free space in the temporary folder.', { cause: err });
    });
  }

  async read(page: number): Promise<ResultRow[]> {
    const extent = this.index.get(page);
    if (!extent || this.closed) throw new ResultError('io', t('Page {0} is not in the temporary result file.', page));
    const buf = Buffer.allocUnsafe(extent.length);
    let done = 0;
    while (done < extent.length) {
      const { bytesRead } = await this.file.read(buf, done, extent.length - done, extent.offset + done);
      if (bytesRead === 0) throw new ResultError('io', 'The temporary result file is shorter than expected.');
      done += bytesRead;
    }
    return deserialize(buf) as ResultRow[];
  }

  async dispose(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.tail;
    await this.file.close().catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }
}
