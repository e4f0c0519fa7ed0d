// Secrets bound to the origin they were stored for: a secret stored for origin A is never sent to
// origin B unless the person confirmed it, for each service's own credentials; a refusal is asked
// once; an agreed one is bound to B as well; unbound (older) secrets are asked about too.
import * as assert from 'node:assert/strict';
import type { HttpClient, HttpRequest, HttpResponse } from '../../../src/core/http';
import { OriginBoundSecrets, clientPair, type SecretReuseConfirm, type SecretReuseRequest, type SecretStore } from '../../../src/core/originSecrets';
import { LazyClient, lazy } from '../../../src/core/lazyClient';
import { Api3Credentials } from '../../../src/looker/credentials';
import { ApplicationCredentials } from '../../../src/airbyte/credentials';
import { SessionCredentials } from '../../../src/metabase/credentials';
import { PersonalTokenCredentials } from '../../../src/dbt/cloud/dbtCloudClient';

class MapSecretStore implements SecretStore {
  readonly map = new Map<string, string>();
  async get(key: string) {
    return this.map.get(key);
  }
  async store(key: string, value: string) {
    this.map.set(key, value);
  }
  async delete(key: string) {
    this.map.delete(key);
  }
}

class RecordingConfirm implements SecretReuseConfirm {
  readonly asked: SecretReuseRequest[] = [];
  constructor(public answer: boolean) {}
  async confirmReuse(request: SecretReuseRequest) {
    this.asked.push(request);
    return this.answer;
  }
}

/** Answers every request with a token, recording what was sent where (url and body as text). */
class RecordingHttp implements HttpClient {
  readonly sent: { origin: string; text: string }[] = [];
  async request<T>(req: HttpRequest): Promise<HttpResponse<T>> {
    const body = req.body instanceof URLSearchParams ? req.body.toString() : JSON.stringify(req.body ?? null);
    this.sent.push({ origin: new URL(req.url).origin, text: `${req.url} ${JSON.stringify(req.headers ?? {})} ${body}` });
    return { status: 200, headers: {}, data: { access_token: 'issued-token', expires_in: 3600 } as T };
  }
}

const A = 'https://looker.acme.example';
const B = 'https://looker.attacker.example';

interface Case {
  service: string;
  keys: Record<string, string>;
  /** Builds the service's credential as its module does, reading the secret bound to `origin`. */
  credential(bound: OriginBoundSecrets, origin: string, http: HttpClient): { token(): Promise<string> };
  /** Sends what a client would send with the token, so the test sees every byte that left. */
  use?(token: string, origin: string, http: HttpClient): Promise<unknown>;
}

const CASES: Case[] = [
  {
    service: 'Looker API3 keys',
    keys: { 'gatehouse.looker.clientId': 'looker-id-1', 'gatehouse.looker.clientSecret': 'looker-secret-1' },
    credential: (bound, origin, http) =>
      new Api3Credentials({
        http,
        apiUrl: `${origin}/api/4.0`,
        read: clientPair(bound, origin),
      }),
  },
  {
    service: 'Airbyte application credentials',
    keys: { 'gatehouse.airbyte.clientId': 'airbyte-id-1', 'gatehouse.airbyte.clientSecret': 'airbyte-secret-1' },
    credential: (bound, origin, http) =>
      new ApplicationCredentials({
        http,
        baseUrl: `${origin}/api/public/v1`,
        read: clientPair(bound, origin),
      }),
  },
  {
    service: 'Metabase session',
    keys: { 'gatehouse.metabase.session': 'metabase-session-1' },
    credential: (bound, origin) => new SessionCredentials({ get: async () => (await bound.read(origin))?.['gatehouse.metabase.session'], delete: () => bound.remove(origin) }),
    use: (token, origin, http) => http.request({ method: 'GET', url: `${origin}/api/user/current`, headers: { 'X-Metabase-Session': token } }),
  },
  {
    service: 'dbt Cloud token',
    keys: { 'gatehouse.dbtCloud.personalToken': 'dbtu_token_1' },
    credential: (bound, origin) => new PersonalTokenCredentials(async () => (await bound.read(origin))?.['gatehouse.dbtCloud.personalToken']),
    use: (token, origin, http) => http.request({ method: 'GET', url: `${origin}/api/v2/accounts/1/jobs/`, headers: { Authorization: `Token ${token}` } }),
  },
];

async function attempt(c: Case, bound: OriginBoundSecrets, origin: string, http: HttpClient): Promise<'sent' | 'refused'> {
  try {
    const token = await c.credential(bound, origin, http).token();
    await c.use?.(token, origin, http);
    return 'sent';
  } catch {
    return 'refused';
  }
}

const leaked = (http: RecordingHttp, values: string[], origin: string) => http.sent.filter((s) => s.origin === origin && values.some((v) => s.text.includes(v)));

describe('secrets bound to their origin', () => {
  for (const c of CASES) {
    it(`never sends ${c.service} stored for A to B without confirmation`, async () => {
      const store = new MapSecretStore();
      const confirm = new RecordingConfirm(false);
      const bound = new OriginBoundSecrets({ store, keys: Object.keys(c.keys), what: c.service, confirm });
      await bound.write(A, c.keys);
      const values = Object.values(c.keys);
      const http = new RecordingHttp();

      // At A: used without a question.
      assert.equal(await attempt(c, bound, A, http), 'sent');
      assert.equal(confirm.asked.length, 0);
      assert.ok(leaked(http, values, A).length > 0, 'the secret went to A');

      // At B, refused: nothing of it leaves for B, and the question is not asked again.
      const before = http.sent.length;
      for (let i = 0; i < 3; i++) assert.equal(await attempt(c, bound, B, http), 'refused');
      assert.deepEqual(confirm.asked, [{ what: c.service, storedFor: A, target: B }]);
      assert.deepEqual(leaked(http, values, B), []);
      assert.equal(http.sent.slice(before).filter((s) => s.origin === B).length, 0, 'no request to B at all');
      assert.equal(await bound.presence(B), 'none', 'B shows as needing credentials once refused');
      assert.equal(store.map.get(bound.keyAt(Object.keys(c.keys)[0], B)), undefined, 'nothing stored for B');

      // Confirmed (a fresh session of the extension): sent to B, and bound to B from now on.
      const confirm2 = new RecordingConfirm(true);
      const bound2 = new OriginBoundSecrets({ store, keys: Object.keys(c.keys), what: c.service, confirm: confirm2 });
      assert.equal(await bound2.presence(B), 'elsewhere');
      assert.equal(await attempt(c, bound2, B, http), 'sent');
      assert.equal(confirm2.asked.length, 1);
      assert.equal(await bound2.presence(B), 'here');
      assert.equal(await attempt(c, bound2, B, http), 'sent');
      assert.equal(confirm2.asked.length, 1, 'asked once');
      assert.equal(await bound2.presence(A), 'here', 'A keeps its own');
    });
  }

  it('asks once for concurrent reads, and treats a failing question as a no', async () => {
    const store = new MapSecretStore();
    let release!: (v: boolean) => void;
    const asked: SecretReuseRequest[] = [];
    const bound = new OriginBoundSecrets({
      store,
      keys: ['k'],
      what: 'x',
      confirm: { confirmReuse: (r) => (asked.push(r), new Promise<boolean>((resolve) => (release = resolve))) },
    });
    await bound.write(A, { k: 'v' });
    const reads = Promise.all([bound.read(B), bound.read(B), bound.read(B)]);
    await new Promise((r) => setTimeout(r, 10));
    release(true);
    assert.deepEqual(await reads, [{ k: 'v' }, { k: 'v' }, { k: 'v' }]);
    assert.equal(asked.length, 1);

    const throwing = new OriginBoundSecrets({ store, keys: ['k'], what: 'x', confirm: { confirmReuse: async () => Promise.reject(new Error('dialog closed')) } });
    assert.equal(await throwing.read('https://c.example'), undefined);
  });

  it('asks about a secret stored before binding (unbound key), and binds it when agreed', async () => {
    const store = new MapSecretStore();
    store.map.set('gatehouse.looker.clientId', 'old-id');
    store.map.set('gatehouse.looker.clientSecret', 'old-secret');
    const no = new RecordingConfirm(false);
    const keys = ['gatehouse.looker.clientId', 'gatehouse.looker.clientSecret'];
    assert.equal(await new OriginBoundSecrets({ store, keys, what: 'k', confirm: no }).read(A), undefined);
    assert.deepEqual(no.asked, [{ what: 'k', storedFor: undefined, target: A }]);
    assert.equal(store.map.get('gatehouse.looker.clientSecret'), 'old-secret', 'a refusal loses nothing');

    const yes = new RecordingConfirm(true);
    const bound = new OriginBoundSecrets({ store, keys, what: 'k', confirm: yes });
    assert.deepEqual(await bound.read(A), { 'gatehouse.looker.clientId': 'old-id', 'gatehouse.looker.clientSecret': 'old-secret' });
    assert.equal(store.map.get('gatehouse.looker.clientSecret'), undefined, 'moved: no longer unbound');
    assert.equal(store.map.get(`gatehouse.looker.clientSecret@${A}`), 'old-secret');
    // Now bound to A: B is asked about as A's, not as an unbound one.
    const later = new RecordingConfirm(false);
    await new OriginBoundSecrets({ store, keys, what: 'k', confirm: later }).read(B);
    assert.deepEqual(later.asked, [{ what: 'k', storedFor: A, target: B }]);
  });

  it('gives the commands a store at the configured origin, and asks again after a new secret is stored', async () => {
    const store = new MapSecretStore();
    const confirm = new RecordingConfirm(false);
    const session = new OriginBoundSecrets({ store, keys: ['gatehouse.metabase.session'], what: 's', confirm });
    const apiKey = new OriginBoundSecrets({ store, keys: ['gatehouse.metabase.apiKey'], what: 'a', confirm });
    let origin = A;
    const scoped = session.scoped(() => origin, apiKey.scoped(() => origin));
    await scoped.store('gatehouse.metabase.session', 'sess-A');
    await scoped.store('gatehouse.metabase.apiKey', 'key-A');
    await scoped.store('unrelated', 'u');
    assert.equal(store.map.get(`gatehouse.metabase.session@${A}`), 'sess-A');
    assert.equal(store.map.get(`gatehouse.metabase.apiKey@${A}`), 'key-A');
    assert.equal(store.map.get('unrelated'), 'u');
    assert.ok(session.owns(`gatehouse.metabase.session@${A}`) && !session.owns('gatehouse.metabase.apiKey') && apiKey.owns('gatehouse.metabase.apiKey'));
    origin = B;
    assert.equal(await scoped.get('gatehouse.metabase.session'), undefined, 'the commands see nothing of A at B');
    assert.equal(await session.read(B), undefined);
    assert.equal(confirm.asked.length, 1);
    await scoped.delete('gatehouse.metabase.session');
    assert.equal(store.map.get(`gatehouse.metabase.session@${A}`), 'sess-A', 'deleting at B leaves A alone');
    // A new secret stored at A is a new question at B.
    origin = A;
    await scoped.store('gatehouse.metabase.session', 'sess-A2');
    await session.write(A, { 'gatehouse.metabase.session': 'sess-A3' });
    assert.equal(await session.read(B), undefined);
    assert.equal(confirm.asked.length, 1, 'refusals of A at B stand until B gets a secret of its own');
    await session.remove(A);
    assert.equal(await session.presence(A), 'none');
    // No usable origin (URL unset or refused): nothing to read or delete, and a write says why.
    const unusable = session.scoped(() => {
      throw new Error('not configured');
    });
    assert.equal(await unusable.get('gatehouse.metabase.session'), undefined);
    await unusable.delete('gatehouse.metabase.session');
    await assert.rejects(async () => unusable.store('gatehouse.metabase.session', 'x'), /not configured/);
    assert.throws(() => new OriginBoundSecrets({ store, keys: [], what: 'x', confirm }));
  });
});

describe('lazy clients', () => {
  it('builds nothing until first use, then again only when the connection changed', () => {
    let origin = 'https://a.example';
    const built: string[] = [];
    const retired: string[] = [];
    const lazyClient = new LazyClient<{ at: string }>({ key: () => origin, build: (key) => (built.push(key), { at: key }), retire: (c) => retired.push(c.at) });
    assert.equal(lazyClient.peek(), undefined);
    assert.deepEqual(built, []);
    const first = lazyClient.get();
    assert.equal(lazyClient.get(), first);
    origin = 'https://b.example';
    const second = lazyClient.get();
    assert.notEqual(second, first);
    assert.deepEqual(retired, ['https://a.example'], 'the replaced client is let go');
    lazyClient.invalidate();
    assert.deepEqual(retired, ['https://a.example', 'https://b.example']);
    assert.notEqual(lazyClient.get(), second);
    assert.deepEqual(built, ['https://a.example', 'https://b.example', 'https://b.example']);
  });

  it('builds nothing when the key refuses (not configured), and keeps nothing half-built', () => {
    let ok = false;
    let builds = 0;
    const lazyClient = new LazyClient({ key: () => {
      if (!ok) throw new Error('not configured');
      return 'k';
    }, build: () => ++builds });
    assert.throws(() => lazyClient.get(), /not configured/);
    assert.equal(builds, 0);
    ok = true;
    assert.equal(lazyClient.get(), 1);
    let made = 0;
    const http = lazy(() => ++made);
    assert.equal(made, 0);
    assert.equal(http(), 1);
    assert.equal(http(), 1);
  });
});
