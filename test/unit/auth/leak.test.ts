// Nothing secret leaves memory as text: log lines, error messages, browser pages, status and
// identity text collected over sign-in, refresh, per-service tokens, failures and sign-out.
import * as assert from 'node:assert/strict';
import { AuthError } from '../../../src/auth/authError';
import { identityRows, statusBarText, statusTooltip } from '../../../src/auth/identityText';
import { AUDIENCES } from '../../sandbox/constants';
import type { FaultRegistry } from '../../sandbox/faults';
import type { RunningIdp } from '../../sandbox/idp';
import { createHarness, deliver, LOCAL, startTestIdp, type Harness } from './fakes';

describe('no secret leaks', function () {
  this.timeout(30_000);
  let idp: RunningIdp;
  let faults: FaultRegistry;
  before(async () => ({ idp, faults } = await startTestIdp()));
  after(() => idp.close());

  it('keeps tokens, codes and verifiers out of logs, errors, pages and identity text', async () => {
    const clock = { offset: 0 };
    const secretsSeen = new Set<string>();
    const texts: string[] = [];
    const pages: string[] = [];
    const harnesses: Harness[] = [];
    const harness = async (serviceTokens: 'resourceIndicators' | 'tokenExchange') => {
      const h = await createHarness({ idp, faults, clock, settings: { serviceTokens } });
      harnesses.push(h);
      h.ui.browser = async (url, i) => {
        const callback = new URL(await i.completeAuthorization(url, 'alice'));
        secretsSeen.add(callback.searchParams.get('code')!);
        const page = await deliver(callback.href);
        if (!('error' in page)) pages.push(page.html);
      };
      return h;
    };
    const collectError = (err: unknown) => {
      assert.ok(AuthError.is(err));
      texts.push(err.message, err.userMessage, String(err));
    };
    try {
      for (const mode of ['resourceIndicators', 'tokenExchange'] as const) {
        clock.offset = 0;
        const h = await harness(mode);
        const session = await h.sessions.signIn(h.ui, LOCAL);
        for (const t of [session.accessToken, session.idToken, session.refreshToken!]) secretsSeen.add(t);
        texts.push(statusBarText(session.identity), statusTooltip(session, true), ...identityRows(session.identity).map((r) => `${r.label} ${r.value}`));
        for (const audience of Object.values(AUDIENCES)) secretsSeen.add((await h.broker.getToken({ kind: 'access', audience })).token);
        clock.offset = 20 * 60_000;
        secretsSeen.add((await h.broker.getToken({ kind: 'idToken' })).token);
        // A failing sign-in and a revoked session, for their error texts and log lines.
        idp.misbehave('id-token-bad-signature');
        await h.sessions.signIn(h.ui, LOCAL).catch(collectError);
        await idp.revokeAll('alice');
        clock.offset = 40 * 60_000;
        await h.broker.getToken({ kind: 'access' }).catch(collectError);
        await h.sessions.signIn(h.ui, LOCAL);
        // A renewal for another subject, refused (its refresh token revoked): error text and logs.
        idp.misbehave('refresh-id-token-other-sub');
        clock.offset = 60 * 60_000;
        await h.broker.getToken({ kind: 'access' }).then(() => assert.fail('the renewal for bob was accepted'), collectError);
        await h.sessions.signIn(h.ui, LOCAL);
        await h.sessions.signOut();
      }
      for (const h of harnesses) {
        for (const r of h.requests) {
          const form = new URLSearchParams(r.body);
          for (const k of ['code', 'code_verifier', 'refresh_token', 'subject_token', 'device_code', 'token']) if (form.get(k)) secretsSeen.add(form.get(k)!);
        }
      }
      for (const h of harnesses) texts.push(...h.sink.lines);
      const all = [...texts, ...pages].join('\n');
      assert.ok(secretsSeen.size > 10, `collected ${secretsSeen.size} secrets to look for`);
      assert.ok(all.length > 1000, 'collected some text');
      for (const secret of secretsSeen) assert.ok(!all.includes(secret), `a secret (${secret.slice(0, 6)}…) leaked`);
      assert.doesNotMatch(all, /eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\./, 'no JWT-shaped text');
    } finally {
      for (const h of harnesses) h.dispose();
    }
  });
});
