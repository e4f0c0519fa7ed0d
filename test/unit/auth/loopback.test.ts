import * as assert from 'node:assert/strict';
import { AuthError } from '../../../src/auth/authError';
import { startLoopbackReceiver } from '../../../src/auth/loopback';
import { deliver } from './fakes';

describe('loopback receiver', () => {
  it('listens on 127.0.0.1 with an ephemeral port, ignores other paths, answers once with a strict page', async () => {
    const r = await startLoopbackReceiver({ expectedState: 'st-1', timeoutMs: 5_000 });
    assert.match(r.redirectUri, /^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    const favicon = await deliver(r.redirectUri.replace('/callback', '/favicon.ico'));
    assert.ok(!('error' in favicon) && favicon.status === 404);
    const page = deliver(`${r.redirectUri}?code=abc&state=st-1`);
    const url = await r.result;
    assert.equal(url.searchParams.get('code'), 'abc');
    r.finish({ ok: false, message: '<img src=x onerror=alert(1)>' });
    const answered = await page;
    assert.ok(!('error' in answered));
    assert.equal(answered.status, 400);
    assert.ok(answered.html.includes('&#60;img src=x onerror=alert(1)&#62;'), 'escaped');
    assert.doesNotMatch(answered.html, /<img|<script/);
    assert.match(answered.csp ?? '', /default-src 'none'/);
    assert.doesNotMatch(answered.csp ?? '', /unsafe-inline/);
    assert.ok('error' in (await deliver(`${r.redirectUri}?code=abc&state=st-1`)), 'closed after finishing');
  });

  it('fails closed on a callback without state', async () => {
    const r = await startLoopbackReceiver({ expectedState: 'st-2', timeoutMs: 5_000 });
    const page = await deliver(`${r.redirectUri}?code=abc`);
    await assert.rejects(r.result, (e: unknown) => AuthError.is(e, 'stateMismatch'));
    assert.ok(!('error' in page) && page.status === 400);
    assert.ok('error' in (await deliver(r.redirectUri)));
  });

  it('closes on timeout and on cancel', async () => {
    const slow = await startLoopbackReceiver({ expectedState: 's', timeoutMs: 50 });
    await assert.rejects(slow.result, (e: unknown) => AuthError.is(e, 'timeout'));
    assert.ok('error' in (await deliver(slow.redirectUri)));
    const abort = new AbortController();
    const cancelled = await startLoopbackReceiver({ expectedState: 's', signal: abort.signal });
    abort.abort();
    await assert.rejects(cancelled.result, (e: unknown) => AuthError.is(e, 'cancelled'));
    assert.ok('error' in (await deliver(cancelled.redirectUri)));
  });
});
