// Audit lines in a local JSON Lines file (the extension's global storage), rotated by size so
// the file cannot grow without bound. Appends are serialized so lines never interleave.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { AuditSink } from './auditTrail';

export class FileAuditSink implements AuditSink {
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly maxBytes = 10 * 1024 * 1024,
  ) {}

  append(line: string): Promise<void> {
    const next = this.queue.then(async () => {
      await fs.mkdir(path.dirname(this.file), { recursive: true });
      const size = await fs.stat(this.file).then((s) => s.size, () => 0);
      if (size + line.length + 1 > this.maxBytes) await fs.rename(this.file, `${this.file}.1`).catch(() => undefined);
      await fs.appendFile(this.file, `${line}\n`, { encoding: 'utf8', mode: 0o600 });
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  async readRecent(limit: number): Promise<string[]> {
    await this.queue;
    const text = await fs.readFile(this.file, 'utf8').catch(() => '');
    const lines = text.split('\n').filter((l) => l.length > 0);
    return lines.slice(-limit);
  }
}
