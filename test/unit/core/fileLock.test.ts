import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CancelledError } from '../../../src/core/errors';
import { FileLock } from '../../../src/core/fileLock';

describe('FileLock', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'gh-lock-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('lets one holder in at a time, across lock objects on the same file', async () => {
    const file = join(dir, 'sub', 'x.lock');
    const locks = [new FileLock(file), new FileLock(file), new FileLock(file)];
    let inside = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all(
      locks.flatMap((lock, i) =>
        [0, 1, 2].map(async () => {
          const release = await lock.acquire();
          inside++;
          most = Math.max(most, inside);
          await new Promise((r) => setTimeout(r, 5));
          order.push(i);
          inside--;
          await release();
        }),
      ),
    );
    assert.equal(most, 1);
    assert.equal(order.length, 9);
    assert.ok(!existsSync(file), 'released');
  });

  it('breaks a lock whose holder process is gone', async () => {
    const file = join(dir, 'x.lock');
    writeFileSync(file, JSON.stringify({ pid: 2 ** 22 + 12345, token: 'dead' }));
    const release = await new FileLock(file, { staleMs: 60_000 }).acquire();
    await release();
    assert.ok(!existsSync(file));
  });

  it('breaks a lock older than staleMs, and waits for a younger one', async () => {
    const file = join(dir, 'x.lock');
    writeFileSync(file, JSON.stringify({ pid: process.pid, token: 'alive' }));
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 150);
    await assert.rejects(new FileLock(file, { staleMs: 60_000 }).acquire(abort.signal), (e: unknown) => CancelledError.is(e));
    assert.ok(existsSync(file), 'a live, young lock is left alone');
    const old = (Date.now() - 120_000) / 1000;
    utimesSync(file, old, old);
    const release = await new FileLock(file, { staleMs: 60_000 }).acquire();
    await release();
  });

  it('does not remove a lock another holder took after its own was broken', async () => {
    const file = join(dir, 'x.lock');
    const first = await new FileLock(file).acquire();
    // Someone decided the first holder's lock was stale and took over.
    rmSync(file);
    const second = await new FileLock(file).acquire();
    await first();
    assert.ok(existsSync(file), 'the second holder still holds it');
    await second();
    assert.ok(!existsSync(file));
  });
});
