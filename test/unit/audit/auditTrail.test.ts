import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditTrail, type AuditRecord } from '../../../src/audit/auditTrail';
import { FileAuditSink } from '../../../src/audit/fileAuditSink';
import { SecretRegistry } from '../../../src/core/redact';

describe('AuditTrail', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'gh-audit-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const base: Omit<AuditRecord, 'time'> = {
    actor: { subject: 'alice', email: 'alice@example.com', issuer: 'http://127.0.0.1:4000' },
    credential: 'resource-indicator',
    service: 'airbyte',
    action: 'trigger-sync',
    resource: 'connection/3b1f',
    jobIds: ['4711'],
    outcome: 'started',
  };

  it('appends one JSON line per record and reads them back in order', async () => {
    const file = join(dir, 'audit.jsonl');
    const trail = new AuditTrail(new FileAuditSink(file), undefined, () => new Date('2026-11-23T10:00:00Z'));
    const seen: AuditRecord[] = [];
    trail.onDidRecord((r) => seen.push(r));
    await Promise.all([trail.record(base), trail.record({ ...base, outcome: 'succeeded' })]);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    assert.equal(lines.length, 2);
    // The credential in words is written beside its origin code.
    assert.deepEqual(JSON.parse(lines[0]), { time: '2026-11-23T10:00:00.000Z', ...base, credentialText: "your sign-in's token issued for Airbyte by your identity provider" });
    const recent = await trail.recent();
    assert.deepEqual(recent.map((r) => r.outcome), ['started', 'succeeded']);
    assert.equal(seen.length, 2);
    assert.equal(recent[0].jobIds?.[0], '4711');
  });

  it('never writes a token, even when a caller passes one by mistake', async () => {
    const file = join(dir, 'audit.jsonl');
    const secrets = new SecretRegistry();
    secrets.add('opaque-session-token-123456');
    const trail = new AuditTrail(new FileAuditSink(file), secrets);
    await trail.record({
      ...base,
      resource: 'https://x/api?access_token=abcdefghijk',
      reason: 'failed with Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln and opaque-session-token-123456',
    });
    const text = readFileSync(file, 'utf8');
    assert.ok(!text.includes('abcdefghijk'));
    assert.ok(!text.includes('eyJhbGciOiJSUzI1NiJ9'));
    assert.ok(!text.includes('opaque-session-token-123456'));
  });

  it('skips damaged lines instead of failing', async () => {
    const file = join(dir, 'audit.jsonl');
    writeFileSync(file, '');
    const trail = new AuditTrail(new FileAuditSink(file));
    await trail.record(base);
    appendFileSync(file, '{"time": "2026-11-23T10:0\n');
    await trail.record({ ...base, outcome: 'failed', reason: 'forbidden' });
    const recent = await trail.recent();
    assert.deepEqual(recent.map((r) => r.outcome), ['started', 'failed']);
  });

  it('rotates the file when it grows past its limit', async () => {
    const file = join(dir, 'audit.jsonl');
    const trail = new AuditTrail(new FileAuditSink(file, 600));
    for (let i = 0; i < 5; i++) await trail.record({ ...base, resource: `connection/${i}` });
    const current = readFileSync(file, 'utf8').trim().split('\n');
    const rotated = readFileSync(`${file}.1`, 'utf8').trim().split('\n');
    assert.ok(current.length < 5 && current.length >= 1);
    assert.equal(current.length + rotated.length <= 5, true);
    assert.match(current[current.length - 1], /connection\/4/);
  });
});

describe('AuditTrail links and names', () => {
  it('keeps only http(s) links without credentials, and names beside ids', async () => {
    const lines: string[] = [];
    const trail = new AuditTrail({ append: async (l) => void lines.push(l), readRecent: async () => lines });
    const base = { actor: { subject: 'a' }, credential: 'resource-indicator' as const, service: 'dbtCloud' as const, action: 'trigger-run', resource: 'job/1', outcome: 'started' as const };
    await trail.record({ ...base, resourceName: 'Nightly build', link: 'https://cloud.example.com/runs/5' });
    await trail.record({ ...base, link: 'javascript:alert(1)' });
    await trail.record({ ...base, link: 'https://user:pw@cloud.example.com/' });
    const recent = await trail.recent();
    assert.deepEqual(recent.map((r) => r.link), ['https://cloud.example.com/runs/5', undefined, undefined]);
    assert.equal(recent[0].resourceName, 'Nightly build');
  });
});
