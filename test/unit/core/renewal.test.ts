// Expiry and renewal per service, in plain Node against the real sandbox services, counted where
// the service receives them (a tap in front of each): N concurrent calls at expiry make exactly one
// renewal, and a token the service rejected is dropped, never sent again.
import * as assert from 'node:assert/strict';
import { AxiosHttpClient } from '../../../src/core/http';
import { SecretRegistry } from '../../../src/core/redact';
import { AirbyteClient } from '../../../src/airbyte/client';
import { ApplicationCredentials } from '../../../src/airbyte/credentials';
import { LookerClient, lookerApiUrl } from '../../../src/looker/client';
import { Api3Credentials } from '../../../src/looker/credentials';
import { LookerError } from '../../../src/looker/errors';
import { MetabaseClient, metabaseApiUrl } from '../../../src/metabase/client';
import { SessionCredentials, openMetabaseSession } from '../../../src/metabase/credentials';
import { MetabaseError } from '../../../src/metabase/errors';
import { DbtCloudClient, PersonalTokenCredentials } from '../../../src/dbt/cloud/dbtCloudClient';
import { DbtCloudError } from '../../../src/dbt/cloud/dbtCloudErrors';
import { AIRBYTE_API_PREFIX, startAirbyte } from '../../sandbox/airbyte';
import { lookerApi3Credentials, startLooker } from '../../sandbox/looker';
import { startMetabase } from '../../sandbox/metabase';
import { DBT_CLOUD_ACCOUNT, startDbtCloud } from '../../sandbox/dbt-cloud';
import { GoogleTokenStore, type RunningService, type SandboxContext } from '../../sandbox/context';
import { Directory } from '../../sandbox/directory';
import { FaultRegistry } from '../../sandbox/faults';
import { startIdp, type RunningIdp } from '../../sandbox/idp';
import { MemorySecret } from '../support/secrets';
import { tapSandbox, type SandboxTap } from '../support/sandboxTap';
import { browserAs, createHarness, LOCAL } from '../auth/fakes';

const N = 8;

describe('expiry and renewal per service, counted at the sandbox', function () {
  this.timeout(60_000);
  let idp: RunningIdp;
  let ctx: SandboxContext;
  const services: RunningService[] = [];
  const taps: SandboxTap[] = [];
  const http = new AxiosHttpClient({ sleep: async () => undefined, random: () => 0 });

  before(async () => {
    const directory = new Directory();
    const faults = new FaultRegistry();
    idp = await startIdp({ directory, faults, log: () => undefined });
    ctx = { directory, idp, identityProxy: { verifyAssertion: async () => undefined }, googleTokens: new GoogleTokenStore(), faults, warehouse: { query: async () => ({ fields: [], rows: [] }) }, log: () => undefined };
  });
  after(async () => {
    for (const t of taps) await t.close();
    for (const s of services) await s.close();
    await idp?.close();
  });
  async function tapped(start: (c: SandboxContext) => Promise<RunningService>): Promise<{ service: RunningService; tap: SandboxTap }> {
    const service = await start(ctx);
    services.push(service);
    const tap = await tapSandbox(service.url);
    taps.push(tap);
    return { service, tap };
  }

  it('Airbyte application tokens (minutes): renewed once before expiry for concurrent calls; a rejected one is dropped', async () => {
    const { service, tap } = await tapped((c) => startAirbyte(c, { speed: 40 }));
    const base = `${tap.url}${AIRBYTE_API_PREFIX}`;
    let now = Date.now();
    const credentials = new ApplicationCredentials({ http, baseUrl: base, now: () => now, read: async () => ({ clientId: 'gatehouse-demo-alice', clientSecret: 'alice-airbyte-secret' }) });
    const client = new AirbyteClient({ http, baseUrl: base, credentials });
    await client.listWorkspaces();
    assert.equal(tap.count('POST', `${AIRBYTE_API_PREFIX}/applications/token`), 1);

    // The sandbox issues 15-minute tokens; at 14 min 40 s the token is inside the 30 s renewal margin.
    now += 880_000;
    await Promise.all(Array.from({ length: N }, () => client.listWorkspaces()));
    assert.equal(tap.count('POST', `${AIRBYTE_API_PREFIX}/applications/token`), 2, 'one exchange for all concurrent callers');

    // Airbyte revokes every token: each caller's 401 drops it, one exchange serves them all.
    const before = tap.requests.length;
    const firstTokens = new Set(tap.credentials(`${AIRBYTE_API_PREFIX}/workspaces`));
    await http.request({ method: 'POST', url: `${service.url}/__sandbox/airbyte/expire-tokens`, body: {} });
    await Promise.all(Array.from({ length: N }, () => client.listWorkspaces()));
    const after = tap.requests.slice(before);
    assert.equal(after.filter((r) => r.path.endsWith('/applications/token')).length, 1, 'exactly one renewal after the rejection');
    const sent = after.filter((r) => r.path.endsWith('/workspaces')).map((r) => r.credential);
    const rejected = [...new Set(sent)].filter((t) => firstTokens.has(t));
    assert.equal(rejected.length, 1, 'the rejected token is the one in use');
    assert.equal(sent.filter((t) => t === rejected[0]).length, N, 'each caller sent the rejected token once, none twice');
    assert.equal(sent.length, 2 * N, 'and once more with the new one');
    await client.listWorkspaces();
    assert.notEqual(tap.requests.at(-1)?.credential, rejected[0], 'never again');
  });

  it('Looker API3 tokens (an hour): one login for concurrent calls at expiry; a logged-out token is not sent again', async () => {
    const { tap } = await tapped((c) => startLooker(c));
    const key = lookerApi3Credentials('alice');
    let now = Date.now();
    const secrets = new SecretRegistry();
    const credentials = new Api3Credentials({ http, apiUrl: lookerApiUrl(tap.url), now: () => now, secrets, read: async () => ({ clientId: key.client_id, clientSecret: key.client_secret }) });
    const client = new LookerClient({ http, baseUrl: tap.url, credentials });
    await client.me();
    const logins = () => tap.count('POST', '/api/4.0/login');
    assert.equal(logins(), 1);
    now += 3_000_000; // 50 minutes: still good
    await Promise.all(Array.from({ length: N }, () => client.me()));
    assert.equal(logins(), 1);
    now += 560_000; // 59 min 20 s: inside the renewal margin
    await Promise.all(Array.from({ length: N }, () => client.me()));
    assert.equal(logins(), 2, 'one login for all concurrent callers');

    // The token ends at Looker (logout elsewhere): every caller's 401 drops it, one login renews.
    const current = await credentials.token();
    await http.request({ method: 'DELETE', url: `${lookerApiUrl(tap.url)}/logout`, headers: { Authorization: `token ${current}` } });
    const before = tap.requests.length;
    await Promise.all(Array.from({ length: N }, () => client.me()));
    const after = tap.requests.slice(before);
    assert.equal(after.filter((r) => r.path === '/api/4.0/login').length, 1, 'exactly one renewal');
    const withOld = after.filter((r) => r.path === '/api/4.0/user' && r.credential?.endsWith(current));
    assert.equal(withOld.length, N, 'the ended token went out once per caller, never twice');
    await client.me();
    assert.ok(!tap.requests.at(-1)?.credential?.endsWith(current));

    // Keys Looker no longer knows: a clear error, the login is not retried in a loop.
    const gone = new LookerClient({ http, baseUrl: tap.url, credentials: new Api3Credentials({ http, apiUrl: lookerApiUrl(tap.url), read: async () => ({ clientId: key.client_id, clientSecret: 'revoked' }) }) });
    const loginsBefore = logins();
    await assert.rejects(Promise.all(Array.from({ length: N }, () => gone.me())), (e) => LookerError.is(e, 'credentialsRejected'));
    assert.equal(logins() - loginsBefore, 1, 'concurrent callers share the one refused login');
  });

  it('Metabase sessions: an ended session is dropped and the person asked to sign in again; it is never resent', async () => {
    const { tap } = await tapped((c) => startMetabase(c));
    const api = metabaseApiUrl(tap.url);
    const stored = new MemorySecret(await openMetabaseSession(http, api, { username: 'alice@example.com', password: 'alice-demo-password' }));
    const session = stored.value!;
    const client = new MetabaseClient({ http, baseUrl: tap.url, credentials: new SessionCredentials(stored) });
    await client.currentUser();
    // The session ends at Metabase (signed out elsewhere, or expired).
    await http.request({ method: 'DELETE', url: `${api}/session`, headers: { 'X-Metabase-Session': session } });
    const before = tap.requests.length;
    const results = await Promise.allSettled(Array.from({ length: N }, () => client.currentUser()));
    // Every caller is told the session ended (not "not signed in" once the first one deleted it).
    assert.deepEqual(results.map((r) => (r.status === 'rejected' && MetabaseError.is(r.reason) ? r.reason.reason : r.status)), Array(N).fill('sessionExpired'));
    assert.match((results[0] as PromiseRejectedResult).reason.userMessage, /Sign In to Metabase/);
    const after = tap.requests.slice(before);
    assert.equal(after.length, N, 'each caller sent the ended session once');
    assert.equal(after.filter((r) => r.path === '/api/session').length, 0, 'no login with a stored password (none is kept)');
    await assert.rejects(client.currentUser(), (e) => MetabaseError.is(e, 'sessionExpired'));
    assert.equal(tap.requests.length, before + N, 'and never again');
    assert.equal(stored.value, undefined, 'the ended session is deleted from storage');
  });

  it('dbt Cloud personal tokens (no expiry): a 401 means revoked, a clear "set a new token" error, the token not resent', async () => {
    const { tap } = await tapped((c) => startDbtCloud(c, { speed: 60 }));
    let stored = 'dbtu_alice_revoked_token_000000';
    const client = new DbtCloudClient({ http, baseUrl: tap.url, accountId: String(DBT_CLOUD_ACCOUNT.id), credentials: new PersonalTokenCredentials(async () => stored) });
    const results = await Promise.allSettled(Array.from({ length: N }, () => client.listJobs()));
    for (const r of results) {
      assert.ok(r.status === 'rejected' && DbtCloudError.is(r.reason, 'unauthorized'));
      assert.match(r.reason.userMessage, /revoked|did not accept/);
      assert.match(r.reason.userMessage, /Set dbt Cloud Token/);
    }
    assert.equal(tap.credentials().filter((c) => c === `Token ${stored}`).length, N, 'each caller sent it once');
    await assert.rejects(client.listJobs(), (e) => DbtCloudError.is(e, 'unauthorized') && /revoked/.test(e.userMessage));
    assert.equal(tap.requests.length, N, 'a refused token is not sent again');
    stored = 'dbtu_alice_gatehouse_demo_3f9a1c';
    assert.ok((await client.listJobs()).length > 0, 'a new token is used at once');
    assert.equal(tap.requests.at(-1)?.credential, `Token ${stored}`);
  });

  it('IdP service tokens: one token request for concurrent callers at expiry and after a rejection; the rejected one is not handed out again', async () => {
    const clock = { offset: 0 };
    const h = await createHarness({ idp, faults: ctx.faults, clock, settings: { serviceTokens: 'resourceIndicators' } });
    try {
      h.ui.browser = browserAs('alice');
      await h.sessions.signIn(h.ui, LOCAL);
      const tokenRequests = () => h.requests.filter((r) => r.method === 'POST' && r.grantType).length;
      const first = await h.broker.getServiceToken('airbyte');
      let before = tokenRequests();
      // At its expiry (the clock moved past it): N callers, one request at the IdP.
      clock.offset = first.expiresAt - Date.now() + 1_000;
      const renewed = await Promise.all(Array.from({ length: N }, () => h.broker.getServiceToken('airbyte')));
      assert.equal(new Set(renewed.map((t) => t.token)).size, 1);
      assert.notEqual(renewed[0].token, first.token);
      assert.equal(tokenRequests() - before, 1, 'exactly one token request at the IdP');

      // The service rejected it: every caller hands it back, one new token serves them all.
      before = tokenRequests();
      for (let i = 0; i < N; i++) h.broker.invalidate(renewed[0].token);
      const fresh = await Promise.all(Array.from({ length: N }, () => h.broker.getServiceToken('airbyte')));
      assert.equal(tokenRequests() - before, 1, 'exactly one new token request');
      assert.equal(new Set(fresh.map((t) => t.token)).size, 1);
      assert.ok(!fresh.some((t) => t.token === renewed[0].token), 'the rejected token is not handed out again');
    } finally {
      h.dispose();
    }
  });
});
