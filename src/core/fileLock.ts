// A lock shared by every process on this machine that opens the same file path: VS Code windows
// each run their own extension host, so an in-memory queue cannot stop two of them from using a
// rotating refresh token (or rotating the audit file) at once. Created with O_CREAT|O_EXCL, so
// exactly one creator wins; a lock whose holder died (its process is gone, or it is older than
// `staleMs`) is broken, so a crashed window cannot block the others for ever.
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { CancelledError } from './errors';
import { sleep } from './http';

/** Something only one holder at a time may do; `acquire` resolves with the release. */
export interface Lock {
  acquire(signal?: AbortSignal): Promise<() => Promise<void>>;
}

export interface FileLockOptions {
  /** After this long a lock counts as abandoned whatever its holder (default 60 s). */
  staleMs?: number;
  /** First wait between attempts; doubles up to maxPollMs (defaults 20 ms and 250 ms). */
  pollMs?: number;
  maxPollMs?: number;
  now?: () => number;
}

interface Holder {
  pid: number;
  token: string;
}

export class FileLock implements Lock {
  private readonly staleMs: number;
  private readonly pollMs: number;
  private readonly maxPollMs: number;
  private readonly now: () => number;

  constructor(
    readonly file: string,
    opts: FileLockOptions = {},
  ) {
    this.staleMs = opts.staleMs ?? 60_000;
    this.pollMs = opts.pollMs ?? 20;
    this.maxPollMs = opts.maxPollMs ?? 250;
    this.now = opts.now ?? Date.now;
  }

  async acquire(signal?: AbortSignal): Promise<() => Promise<void>> {
    const token = randomUUID();
    const body = JSON.stringify({ pid: process.pid, token } satisfies Holder);
    let wait = this.pollMs;
    for (;;) {
      if (signal?.aborted) throw new CancelledError();
      if (await this.tryCreate(body)) return () => this.release(body);
      if (await this.breakIfStale()) continue;
      await sleep(wait + Math.floor(Math.random() * wait), signal);
      wait = Math.min(this.maxPollMs, wait * 2);
    }
  }

  private async tryCreate(body: string): Promise<boolean> {
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(this.file, 'wx', 0o600);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      if (code !== 'ENOENT') throw err;
      await fs.mkdir(path.dirname(this.file), { recursive: true });
      return this.tryCreate(body);
    }
    try {
      await handle.writeFile(body, 'utf8');
    } finally {
      await handle.close();
    }
    return true;
  }

  /** Removes the lock when its holder is gone; true when the caller should try again at once. */
  private async breakIfStale(): Promise<boolean> {
    const seen = await readLock(this.file);
    if (!seen) return true; // released meanwhile
    // An empty body is a holder between create and write: only its age can make it stale.
    const holder = parseHolder(seen.body);
    const abandoned = this.now() - seen.mtimeMs > this.staleMs || (holder !== undefined && !processAlive(holder.pid));
    if (!abandoned) return false;
    return this.takeAway(seen.body);
  }

  private release(body: string): Promise<void> {
    return this.takeAway(body).then(() => undefined);
  }

  /**
   * Moves the lock aside (rename is atomic, so of several removers one gets it) and deletes it
   * if it is the one expected; a lock someone created in between is put back.
   */
  private async takeAway(expected: string): Promise<boolean> {
    const aside = `${this.file}.${randomUUID()}.old`;
    try {
      await fs.rename(this.file, aside);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
      throw err;
    }
    const body = await fs.readFile(aside, 'utf8').catch(() => undefined);
    if (body !== expected) await fs.link(aside, this.file).catch(() => undefined);
    await fs.unlink(aside).catch(() => undefined);
    return true;
  }
}

async function readLock(file: string): Promise<{ body: string; mtimeMs: number } | undefined> {
  try {
    const [body, stat] = await Promise.all([fs.readFile(file, 'utf8'), fs.stat(file)]);
    return { body, mtimeMs: stat.mtimeMs };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function parseHolder(body: string): Holder | undefined {
  try {
    const value = JSON.parse(body) as Partial<Holder>;
    return typeof value.pid === 'number' && typeof value.token === 'string' ? (value as Holder) : undefined;
  } catch {
    return undefined;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
