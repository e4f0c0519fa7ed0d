import * as assert from 'node:assert/strict';
import { Emitter } from '../../../src/core/event';
import type { AuditRecord } from '../../../src/audit/auditTrail';
import { actionWords, dayLabel, groupByDay, localDay, matchesFilter, reasonWords, resourceLabel, visibleTo } from '../../../src/audit/activity';
import { formatAudit } from '../../../src/audit/auditExport';
import { auditSessions } from '../../../src/audit/sessionAudit';

const ISS = 'http://127.0.0.1:4000';
const rec = (over: Partial<AuditRecord>): AuditRecord => ({
  time: '2026-12-03T10:00:00.000Z',
  actor: { subject: 'alice', email: 'alice@example.com', issuer: ISS },
  credential: 'resource-indicator',
  service: 'looker',
  action: 'run-look',
  resource: 'look/2',
  resourceName: 'Orders by day',
  outcome: 'succeeded',
  ...over,
});

describe('Activity: whose records, by day, in words', () => {
  const alice = rec({});
  const contractor = rec({ actor: { subject: 'olivia', email: 'olivia@example.com', issuer: ISS }, resource: 'look/9' });
  const otherIdp = rec({ actor: { subject: 'alice', issuer: 'https://other.example.com' }, resource: 'look/7' });
  const cases: [string, { subject: string; issuer?: string } | undefined, boolean, string[]][] = [
    ['a person sees only their own records', { subject: 'olivia', issuer: ISS }, false, ['look/9']],
    ['the same subject at another IdP is another person', { subject: 'alice', issuer: ISS }, false, ['look/2']],
    ['signed out, nobody’s', undefined, false, []],
    ['a shared machine shows everyone’s', { subject: 'olivia', issuer: ISS }, true, ['look/2', 'look/9', 'look/7']],
  ];
  for (const [name, viewer, shared, expected] of cases) {
    it(name, () => assert.deepEqual(visibleTo([alice, contractor, otherIdp], viewer, shared).map((r) => r.resource), expected));
  }

  it('groups by the local day, newest day and newest record first', () => {
    const late = rec({ time: '2026-12-02T23:30:00.000Z', resource: 'a' });
    const early = rec({ time: '2026-12-02T08:00:00.000Z', resource: 'b' });
    const next = rec({ time: '2026-12-03T09:00:00.000Z', resource: 'c' });
    assert.deepEqual(groupByDay([early, late, next], 'UTC').map((g) => [g.day, g.records.map((r) => r.resource)]), [['2026-12-03', ['c']], ['2026-12-02', ['a', 'b']]]);
    // 23:30 UTC is the next day in Berlin.
    assert.deepEqual(groupByDay([early, late, next], 'Europe/Berlin').map((g) => [g.day, g.records.map((r) => r.resource)]), [['2026-12-03', ['c', 'a']], ['2026-12-02', ['b']]]);
  });

  it('labels today and yesterday, other days by date', () => {
    const now = new Date('2026-12-03T12:00:00Z');
    assert.equal(dayLabel(localDay(now.toISOString(), 'UTC'), now, 'UTC'), 'Today');
    assert.equal(dayLabel('2026-12-02', now, 'UTC'), 'Yesterday');
    assert.match(dayLabel('2026-11-20', now, 'UTC'), /2026/);
  });

  it('shows names beside ids and words instead of codes', () => {
    assert.equal(resourceLabel(alice), 'Orders by day (look/2)');
    assert.equal(resourceLabel({ resource: 'x' }), 'x');
    assert.equal(actionWords('trigger-sync'), 'Sync');
    assert.equal(actionWords('some-newAction'), 'some new action');
    assert.equal(reasonWords('accessDenied'), 'the service refused access');
    assert.equal(reasonWords('role'), 'your Gatehouse roles do not grant it');
    assert.equal(reasonWords('quotaExceeded'), 'quota exceeded');
  });

  it('filters on every word, in service, action, name, outcome and job id', () => {
    const sync = rec({ service: 'airbyte', action: 'trigger-sync', resource: 'connection/1', resourceName: 'Shopify → BigQuery raw', jobIds: ['4711'], outcome: 'denied' });
    assert.equal(matchesFilter(sync, 'airbyte shopify'), true);
    assert.equal(matchesFilter(sync, 'refused 4711'), true);
    assert.equal(matchesFilter(sync, 'looker'), false);
    assert.equal(matchesFilter(sync, '  '), true);
  });
});

describe('Export audit trail', () => {
  it('writes JSON Lines as stored and CSV with a header, quoting and formula guard', () => {
    const r = rec({ resourceName: '=HYPERLINK("http://evil")', reason: 'a, "b"', jobIds: ['1', '2'] });
    const jsonl = formatAudit([r, r], 'jsonl');
    assert.deepEqual(jsonl.trim().split('\n').map((l) => JSON.parse(l)), [r, r]);
    const csv = formatAudit([r], 'csv').split('\r\n');
    assert.equal(csv[0], 'time,actor_subject,actor_email,actor_issuer,service,action,resource,resource_name,outcome,reason,credential,credential_text,job_ids,link');
    assert.equal(csv[1], `2026-12-03T10:00:00.000Z,alice,alice@example.com,${ISS},looker,run-look,look/2,"'=HYPERLINK(""http://evil"")",succeeded,"a, ""b""",resource-indicator,Your sign-in's token issued for Looker by your identity provider,1 2,`);
    assert.equal(csv[2], '');
  });
});

describe('session audit', () => {
  it('writes one line per sign-in, refresh and sign-out (none for another window’s change), with the person and no token', async () => {
    const events = new Emitter<{ reason: string; session?: { identity: { subject: string; email?: string; issuer: string; label?: string }; accessToken?: string }; previous?: { identity: { subject: string; issuer: string } } }>();
    const records: Omit<AuditRecord, 'time'>[] = [];
    const sub = auditSessions({ onDidChangeSession: events.event }, { record: async (e) => void records.push(e) });
    const session = { identity: { subject: 'alice', email: 'alice@example.com', issuer: ISS, label: 'alice@example.com' }, accessToken: 'secret-token' };
    events.fire({ reason: 'signedIn', session });
    events.fire({ reason: 'refreshed', session });
    events.fire({ reason: 'otherWindow', session });
    events.fire({ reason: 'signedOut', session: undefined, previous: session });
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(records.map((r) => `${r.service}:${r.action}:${r.actor.subject}:${r.outcome}`), ['auth:sign-in:alice:succeeded', 'auth:refresh:alice:succeeded', 'auth:sign-out:alice:succeeded']);
    assert.ok(!JSON.stringify(records).includes('secret-token'));
    sub.dispose();
  });

  it('a failing audit write is reported, not thrown into the session change', async () => {
    const events = new Emitter<{ reason: string; session?: { identity: { subject: string; issuer: string } } }>();
    const errors: unknown[] = [];
    auditSessions({ onDidChangeSession: events.event }, { record: async () => Promise.reject(new Error('disk full')) }, (e) => errors.push(e));
    events.fire({ reason: 'signedIn', session: { identity: { subject: 'a', issuer: ISS } } });
    await new Promise((r) => setImmediate(r));
    assert.equal(errors.length, 1);
  });
});
