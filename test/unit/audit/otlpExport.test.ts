// The OTLP export of the audit trail, end to end in plain Node: the official OpenTelemetry
// exporter sends to the sandbox's OTLP receiver, and the tests read what the receiver kept.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditTrail, type AuditRecord } from '../../../src/audit/auditTrail';
import { FileAuditSink } from '../../../src/audit/fileAuditSink';
import { auditLogRecord, OtlpAuditExporter, OtlpSettingsError, otlpLogsUrl, parseOtlpHeaders, type OtlpExportSettings } from '../../../src/audit/otlpExport';
import { MemoryLogSink, RedactingLogger } from '../../../src/core/logger';
import { SecretRegistry } from '../../../src/core/redact';
import { FaultRegistry } from '../../sandbox/faults';
import { startOtlpReceiver, type OtlpReceiver } from '../../sandbox/otlp';
import { until } from '../support/wait';

type Entry = Omit<AuditRecord, 'time'>;

const alice = { subject: 'alice-sub', email: 'alice@example.com', issuer: 'https://idp.example.com' };
const ENTRIES: Entry[] = [
  { actor: alice, credential: 'google-federation', service: 'bigquery', action: 'query', resource: 'gatehouse-demo.analytics.orders', jobIds: ['job_1'], outcome: 'succeeded' },
  { actor: alice, credential: 'resource-indicator', service: 'airbyte', action: 'trigger-sync', resource: 'connection/c-1', resourceName: 'Postgres (shop) → BigQuery raw', jobIds: ['41'], outcome: 'started' },
  { actor: alice, credential: 'resource-indicator', service: 'dbtCloud', action: 'trigger-run', resource: 'job/7', resourceName: 'Nightly', outcome: 'denied', reason: 'forbidden' },
];

describe('OTLP export settings', function () {
  const urls: Array<[string, string | OtlpSettingsError['reason']]> = [
    ['https://collector.example.com:4318/v1/logs', 'https://collector.example.com:4318/v1/logs'],
    ['https://collector.example.com', 'https://collector.example.com/v1/logs'],
    ['http://127.0.0.1:4318', 'http://127.0.0.1:4318/v1/logs'],
    ['http://localhost:4318/custom/logs', 'http://localhost:4318/custom/logs'],
    ['http://[::1]:4318/v1/logs', 'http://[::1]:4318/v1/logs'],
    ['http://collector.example.com:4318/v1/logs', 'insecureEndpoint'],
    ['http://127.0.0.1.example.com/v1/logs', 'insecureEndpoint'],
    ['ftp://collector.example.com/v1/logs', 'insecureEndpoint'],
    ['https://user:pass@collector.example.com/v1/logs', 'badEndpoint'],
    ['collector:4318', 'insecureEndpoint'],
    ['not a url', 'badEndpoint'],
  ];
  for (const [value, expected] of urls) {
    it(`${value} → ${expected}`, function () {
      if (expected.includes('/')) assert.equal(otlpLogsUrl(value), expected);
      else assert.throws(() => otlpLogsUrl(value), (e: unknown) => OtlpSettingsError.is(e) && e.reason === expected);
    });
  }

  it('reads headers in the OTEL_EXPORTER_OTLP_HEADERS form', function () {
    assert.deepEqual(parseOtlpHeaders('Authorization=Bearer%20abc123def, X-Scope-OrgID=acme'), { Authorization: 'Bearer abc123def', 'X-Scope-OrgID': 'acme' });
    assert.deepEqual(parseOtlpHeaders('  '), {});
    for (const bad of ['no-equals', 'bad name=x', 'Content-Type=text/plain', 'a=%zz', 'a=b%0Ac']) {
      assert.throws(() => parseOtlpHeaders(bad), (e: unknown) => OtlpSettingsError.is(e) && e.reason === 'badHeaders', bad);
    }
  });

  it('maps an audit record to a log record with its fields as attributes', function () {
    const r = auditLogRecord({ ...ENTRIES[1], time: '2026-12-03T10:00:00.000Z' });
    assert.equal(r.eventName, 'gatehouse.audit');
    assert.equal((r.timestamp as Date).toISOString(), '2026-12-03T10:00:00.000Z');
    assert.equal(r.severityText, 'INFO');
    assert.equal(r.body, 'alice@example.com airbyte trigger-sync Postgres (shop) → BigQuery raw (connection/c-1): started');
    assert.deepEqual(r.attributes, {
      'user.id': 'alice-sub',
      'user.email': 'alice@example.com',
      'gatehouse.actor.issuer': 'https://idp.example.com',
      'gatehouse.credential.origin': 'resource-indicator',
      'gatehouse.service': 'airbyte',
      'gatehouse.action': 'trigger-sync',
      'gatehouse.resource': 'connection/c-1',
      'gatehouse.resource.name': 'Postgres (shop) → BigQuery raw',
      'gatehouse.job.ids': ['41'],
      'gatehouse.outcome': 'started',
    });
    assert.equal(auditLogRecord({ ...ENTRIES[2], time: '2026-12-03T10:00:00.000Z' }).severityText, 'WARN');
  });
});

describe('OTLP export to the sandbox receiver', function () {
  this.timeout(60_000);
  const faults = new FaultRegistry();
  let receiver: OtlpReceiver;
  let dir: string;
  let exporter: OtlpAuditExporter | undefined;

  before(async function () {
    receiver = await startOtlpReceiver({ faults });
  });
  after(async function () {
    await receiver.close();
  });
  beforeEach(function () {
    receiver.records.length = 0;
    faults.clear();
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-otlp-'));
  });
  afterEach(async function () {
    await exporter?.shutdown();
    exporter = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  function setup(settings: Partial<OtlpExportSettings> = {}) {
    const secrets = new SecretRegistry();
    const sink = new MemoryLogSink();
    const logger = new RedactingLogger(sink, secrets);
    const file = join(dir, 'audit.jsonl');
    const trail = new AuditTrail(new FileAuditSink(file), secrets);
    exporter = new OtlpAuditExporter(
      { url: `${receiver.url}/v1/logs`, headers: {}, serviceName: 'gatehouse', serviceVersion: '0.1.0', batchDelayMs: 50, ...settings },
      { onDidRecord: trail.onDidRecord, logger, secrets },
    );
    return { trail, sink, secrets, file, exporter };
  }

  it('sends each audit record as one log record, with its attributes, the resource and the headers', async function () {
    const { trail } = setup({ headers: { 'X-Scope-OrgID': 'acme-data' } });
    for (const e of ENTRIES) await trail.record(e);
    const got = await until('three records at the receiver', () => (receiver.records.length >= 3 ? receiver.records : undefined));
    assert.equal(got.length, 3);
    const byAction = new Map(got.map((r) => [r.attributes['gatehouse.action'], r]));
    const query = byAction.get('query')!;
    assert.deepEqual(query.resource, { 'service.name': 'gatehouse', 'service.version': '0.1.0' });
    assert.equal(query.scope.name, 'gatehouse.audit');
    assert.equal(query.eventName, 'gatehouse.audit');
    assert.equal(query.attributes['user.id'], 'alice-sub');
    assert.equal(query.attributes['user.email'], 'alice@example.com');
    assert.equal(query.attributes['gatehouse.credential.origin'], 'google-federation');
    assert.equal(query.attributes['gatehouse.resource'], 'gatehouse-demo.analytics.orders');
    assert.deepEqual(query.attributes['gatehouse.job.ids'], ['job_1']);
    assert.equal(query.attributes['gatehouse.outcome'], 'succeeded');
    assert.equal(query.headers['x-scope-orgid'], 'acme-data');
    assert.equal(query.headers['content-type'], 'application/json');
    const sync = byAction.get('trigger-sync')!;
    assert.equal(sync.attributes['gatehouse.resource.name'], 'Postgres (shop) → BigQuery raw');
    assert.equal(sync.body, 'alice@example.com airbyte trigger-sync Postgres (shop) → BigQuery raw (connection/c-1): started');
    const denied = byAction.get('trigger-run')!;
    assert.equal(denied.attributes['gatehouse.reason'], 'forbidden');
    assert.equal(denied.severityText, 'WARN');
    assert.equal(denied.severityNumber, 13);
    // The record's time, in nanoseconds.
    const local = (JSON.parse(readFileSync(join(dir, 'audit.jsonl'), 'utf8').split('\n')[0]) as AuditRecord).time;
    assert.equal(BigInt(query.timeUnixNano!) / 1_000_000n, BigInt(Date.parse(local)));
  });

  it('never sends a secret that reached a record, nor the export headers', async function () {
    const { trail, secrets, sink } = setup({ headers: { Authorization: 'Bearer otlp-header-secret-value-1' } });
    secrets.add('sk-live-4f9a8b7c6d5e');
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
    await trail.record({ ...ENTRIES[0], resourceName: 'orders sk-live-4f9a8b7c6d5e', reason: `token ${jwt}`, jobIds: ['job?access_token=abcdef123456'] });
    await trail.record({ ...ENTRIES[0], action: 'preview', resource: 'x', resourceName: 'Bearer otlp-header-secret-value-1' });
    const got = await until('two records at the receiver', () => (receiver.records.length >= 2 ? receiver.records : undefined));
    const attributesAndBodies = JSON.stringify(got.map((r) => [r.body, r.attributes, r.resource]));
    for (const secret of ['sk-live-4f9a8b7c6d5e', jwt, 'abcdef123456', 'otlp-header-secret-value-1']) assert.ok(!attributesAndBodies.includes(secret), `${secret} reached the receiver`);
    assert.match(attributesAndBodies, /\[redacted/);
    // The header itself did reach the collector, as it must; the log never shows it.
    assert.equal(got[0].headers.authorization, 'Bearer otlp-header-secret-value-1');
    assert.ok(!sink.lines.join('\n').includes('otlp-header-secret-value-1'));
  });

  it('flushes on sign-out without waiting for the batch delay', async function () {
    const { trail } = setup({ batchDelayMs: 600_000 });
    await trail.record(ENTRIES[0]);
    await trail.record({ actor: alice, credential: 'idp-id-token', service: 'auth', action: 'sign-out', resource: alice.issuer, outcome: 'succeeded' });
    const got = await until('the sign-out at the receiver', () => (receiver.records.length >= 2 ? receiver.records : undefined));
    assert.deepEqual(got.map((r) => r.attributes['gatehouse.action']), ['query', 'sign-out']);
  });

  it('shutdown sends what is still queued', async function () {
    const { trail, exporter: ex } = setup({ batchDelayMs: 600_000 });
    for (const e of ENTRIES) await trail.record(e);
    assert.equal(receiver.records.length, 0);
    await ex.shutdown();
    assert.equal(receiver.records.length, 3);
    // After shutdown nothing more is sent, and nothing throws.
    await trail.record(ENTRIES[0]);
    await ex.flush();
    assert.equal(receiver.records.length, 3);
  });

  it('with the receiver down: every record stays in the local file and the log says so once', async function () {
    const down = await startOtlpReceiver({ faults: new FaultRegistry() });
    const url = `${down.url}/v1/logs`;
    await down.close();
    const { trail, sink, file, exporter: ex } = setup({ url, timeoutMs: 2_000 });
    for (const e of ENTRIES) await trail.record(e);
    await ex.flush();
    for (const e of ENTRIES) await trail.record(e);
    await ex.flush();
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    assert.equal(lines.length, 6);
    const failures = await until('a failure line', () => {
      const l = sink.lines.filter((x) => x.includes('failed'));
      return l.length ? l : undefined;
    });
    assert.equal(failures.length, 1, failures.join('\n'));
    assert.match(failures[0], /^warn .*OTLP audit export to http:\/\/127\.0\.0\.1:\d+ failed \(ECONNREFUSED\).*local audit file keeps them/);
  });

  it('holds a bounded queue while the collector is slow: what does not fit is left out of the export (said once), never out of the file', async function () {
    faults.arm({ service: 'otlp', path: '^/v1/logs$', kind: 'hang', count: 1 });
    const { trail, sink, file, exporter: ex } = setup({ maxQueueSize: 3, maxBatchSize: 1, timeoutMs: 30_000 });
    const entry = (i: number): Entry => ({ ...ENTRIES[0], resource: `table_${i}` });
    await trail.record(entry(1));
    await until('the first export hanging at the collector', () => faults.hanging === 1);
    for (let i = 2; i <= 6; i++) await trail.record(entry(i));
    const full = sink.lines.filter((l) => l.includes('queue is full'));
    assert.equal(full.length, 1, sink.lines.join('\n'));
    assert.equal(readFileSync(file, 'utf8').trim().split('\n').length, 6);
    faults.clear(); // the collector answers again: the hung request ends, the queue drains
    await until('the queued records at the receiver', () => ['table_2', 'table_3', 'table_4'].every((r) => receiver.records.some((x) => x.attributes['gatehouse.resource'] === r)));
    await ex.flush();
    const sent = receiver.records.map((x) => x.attributes['gatehouse.resource']);
    assert.ok(!sent.includes('table_5') && !sent.includes('table_6'), `dropped records were not sent: ${sent.join(', ')}`);
    // Room again: the next record is exported.
    await trail.record(entry(7));
    await until('a record after the queue drained', () => receiver.records.some((x) => x.attributes['gatehouse.resource'] === 'table_7'));
  });

  it('says once that the export failed on a collector error, and once that it works again', async function () {
    faults.arm({ service: 'otlp', path: '^/v1/logs$', kind: 'status', status: 400, count: 1 });
    const { trail, sink, exporter: ex } = setup();
    await trail.record(ENTRIES[0]);
    await ex.flush();
    await until('the failure line', () => sink.lines.some((l) => l.includes('failed (HTTP 400)')));
    await trail.record(ENTRIES[1]);
    await until('the second record at the receiver', () => receiver.records.length >= 1);
    await until('the recovery line', () => sink.lines.some((l) => l.includes('works again')));
    assert.equal(sink.lines.filter((l) => l.includes('failed')).length, 1);
  });
});

describe('the sandbox OTLP receiver', function () {
  let receiver: OtlpReceiver;
  before(async function () {
    receiver = await startOtlpReceiver({ faults: new FaultRegistry() });
  });
  after(async function () {
    await receiver.close();
  });

  it('refuses protobuf with 415 and answers a partial success for records it rejects', async function () {
    const proto = await fetch(`${receiver.url}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: new Uint8Array([10, 0]) });
    assert.equal(proto.status, 415);
    const body = { resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 's' } }] }, scopeLogs: [{ scope: { name: 'x' }, logRecords: [{ body: { stringValue: 'kept' } }, {}] }] }] };
    const res = await fetch(`${receiver.url}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { partialSuccess: { rejectedLogRecords: 1, errorMessage: '1 log records without body or attributes' } });
    const listed = (await (await fetch(`${receiver.url}/__sandbox/otlp/records`)).json()) as { records: Array<{ body: unknown; resource: unknown }> };
    assert.deepEqual(listed.records.map((r) => [r.body, r.resource]), [['kept', { 'service.name': 's' }]]);
    const bad = await fetch(`${receiver.url}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"nope":1}' });
    assert.equal(bad.status, 400);
  });
});
