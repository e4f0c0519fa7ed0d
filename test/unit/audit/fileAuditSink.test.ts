// Several windows append to one audit file and may rotate it at the same moment: no record may
// be lost or written twice, in one process or across processes.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditTrail } from '../../../src/audit/auditTrail';
import { FileAuditSink } from '../../../src/audit/fileAuditSink';

const WRITER = join(__dirname, 'auditWriter.ts');

/** Every record in the file and its rotated generations, as `writer/index` strings. */
function allResources(file: string, keep: number): string[] {
  const out: string[] = [];
  for (let g = 0; g <= keep; g++) {
    const f = g === 0 ? file : `${file}.${g}`;
    if (!existsSync(f)) continue;
    for (const line of readFileSync(f, 'utf8').split('\n')) if (line) out.push((JSON.parse(line) as { resource: string }).resource);
  }
  return out;
}

function runWriter(file: string, writer: string, count: number, maxBytes: number, keep: number) {
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', WRITER, file, writer, String(count), String(maxBytes), String(keep)], {
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer ${writer} exited ${code}: ${stderr}`))));
  });
  return { start: () => child.stdin.end('go\n'), done };
}

function assertEachOnce(found: string[], writers: string[], count: number): void {
  const seen = new Map<string, number>();
  for (const r of found) seen.set(r, (seen.get(r) ?? 0) + 1);
  const missing: string[] = [];
  for (const w of writers) for (let i = 0; i < count; i++) if (seen.get(`${w}/${i}`) !== 1) missing.push(`${w}/${i} x${seen.get(`${w}/${i}`) ?? 0}`);
  assert.deepEqual(missing, [], `${missing.length} records missing or duplicated`);
  assert.equal(found.length, writers.length * count);
}

describe('FileAuditSink across windows', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'gh-audit-rot-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps every record of two processes appending and rotating at once', async () => {
    const file = join(dir, 'audit.jsonl');
    const count = 300;
    const keep = 200;
    // About 150 bytes a record: each process alone crosses the limit every ~10 records.
    const maxBytes = 1500;
    const a = runWriter(file, 'a', count, maxBytes, keep);
    const b = runWriter(file, 'b', count, maxBytes, keep);
    a.start();
    b.start();
    await Promise.all([a.done, b.done]);
    const generations = readdirSync(dir).filter((f) => /^audit\.jsonl\.\d+$/.test(f)).length;
    assert.ok(generations >= 20, `rotated ${generations} times`);
    assert.ok(generations < keep, 'no generation fell off the end');
    assertEachOnce(allResources(file, keep), ['a', 'b'], count);
    assert.ok(!existsSync(`${file}.lock`), 'the rotation lock is released');
  });

  it('keeps every record of two sinks over one folder with interleaved writes', async () => {
    const file = join(dir, 'audit.jsonl');
    const keep = 100;
    const sinks = [new FileAuditSink(file, 800, keep), new FileAuditSink(file, 800, keep)];
    const trails = sinks.map((s) => new AuditTrail(s));
    const count = 120;
    await Promise.all(
      trails.map(async (trail, w) => {
        for (let i = 0; i < count; i++) {
          await trail.record({ actor: { subject: `w${w}` }, credential: 'local-cli', service: 'dbt', action: 'run', resource: `w${w}/${i}`, outcome: 'started' });
        }
      }),
    );
    assertEachOnce(allResources(file, keep), ['w0', 'w1'], count);
  });

  it('drops only generations beyond `keep`, oldest first, and reads recent lines across a rotation', async () => {
    const file = join(dir, 'audit.jsonl');
    const trail = new AuditTrail(new FileAuditSink(file, 400, 2));
    for (let i = 0; i < 20; i++) await trail.record({ actor: { subject: 'alice' }, credential: 'local-cli', service: 'dbt', action: 'run', resource: `r/${i}`, outcome: 'started' });
    const found = allResources(file, 5);
    assert.ok(!existsSync(`${file}.3`));
    // What is kept is the newest, contiguous run of records.
    const indexes = found.map((r) => Number(r.split('/')[1])).sort((x, y) => x - y);
    assert.equal(indexes[indexes.length - 1], 19);
    assert.deepEqual(indexes, Array.from({ length: indexes.length }, (_, k) => 20 - indexes.length + k));
    const current = readFileSync(file, 'utf8').trim().split('\n').length;
    const recent = await trail.recent(current + 2);
    assert.equal(recent.length, current + 2, 'the newest lines of the previous generation are included');
    assert.equal(recent[recent.length - 1].resource, 'r/19');
  });

  it('writes an oversized line into an empty file instead of rotating for ever', async () => {
    const file = join(dir, 'audit.jsonl');
    const sink = new FileAuditSink(file, 10, 1);
    await sink.append('x'.repeat(50));
    await sink.append('y'.repeat(50));
    assert.equal(readFileSync(file, 'utf8'), `${'y'.repeat(50)}\n`);
    assert.equal(readFileSync(`${file}.1`, 'utf8'), `${'x'.repeat(50)}\n`);
  });
});
