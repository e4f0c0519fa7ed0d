// Audit lines in a local JSON Lines file (the extension's global storage), rotated by size so
// the file cannot grow without bound. Every VS Code window appends to the same file from its own
// process, so: each line is one write on an O_APPEND descriptor (lines never interleave or
// overwrite), and rotation happens under a lock file and only if the file is still too big once
// the lock is held (two windows rotating at once would otherwise push a fresh file over the
// previous generation and lose it).
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { FileLock, type Lock } from '../core/fileLock';
import type { AuditSink } from './auditTrail';

export class FileAuditSink implements AuditSink {
  private queue: Promise<void> = Promise.resolve();
  private readonly lock: Lock;

  /**
   * @param maxBytes rotate before the current file would grow past this
   * @param keep rotated generations kept (`file.1` newest … `file.<keep>` oldest)
   */
  constructor(
    private readonly file: string,
    private readonly maxBytes = 10 * 1024 * 1024,
    private readonly keep = 1,
  ) {
    // Rotation takes milliseconds; a lock older than this was left by a window that died.
    this.lock = new FileLock(`${file}.lock`, { staleMs: 10_000 });
  }

  append(line: string): Promise<void> {
    const data = Buffer.from(`${line}\n`, 'utf8');
    const next = this.queue.then(async () => {
      await fs.mkdir(path.dirname(this.file), { recursive: true });
      if (this.tooBig(await this.size(), data.length)) await this.rotate(data.length);
      await appendOnce(this.file, data);
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  async readRecent(limit: number): Promise<string[]> {
    await this.queue;
    const lines: string[] = [];
    // Newest generation first, until there are enough lines.
    for (let g = 0; g <= this.keep && lines.length < limit; g++) {
      const text = await fs.readFile(this.generation(g), 'utf8').catch(() => '');
      lines.unshift(...text.split('\n').filter((l) => l.length > 0));
    }
    return lines.slice(-limit);
  }

  private tooBig(size: number, adding: number): boolean {
    // An empty file takes any line, so one oversized line cannot rotate for ever.
    return size > 0 && size + adding > this.maxBytes;
  }

  private size(): Promise<number> {
    return fs.stat(this.file).then((s) => s.size, () => 0);
  }

  private async rotate(adding: number): Promise<void> {
    const release = await this.lock.acquire();
    try {
      // Another window may have rotated while this one waited: then the file is small again.
      if (!this.tooBig(await this.size(), adding)) return;
      for (let g = this.keep; g >= 1; g--) await fs.rename(this.generation(g - 1), this.generation(g)).catch(ignoreMissing);
    } finally {
      await release();
    }
  }

  private generation(g: number): string {
    return g === 0 ? this.file : `${this.file}.${g}`;
  }
}

/** One write(2) on an O_APPEND descriptor: the kernel places it at the end as a whole. */
async function appendOnce(file: string, data: Buffer): Promise<void> {
  const handle = await fs.open(file, 'a', 0o600);
  try {
    const { bytesWritten } = await handle.write(data, 0, data.length);
    if (bytesWritten !== data.length) throw new Error(`audit line written partially (${bytesWritten} of ${data.length} bytes)`);
  } finally {
    await handle.close();
  }
}

function ignoreMissing(err: unknown): void {
  if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
}
