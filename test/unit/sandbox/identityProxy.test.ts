// Issue #13's proof: the sandbox is as strict as the real services. An IdP access token is refused
// at every direct service API (Airbyte, dbt Cloud, Looker, Metabase, BigQuery), each with that
// service's own error shape, and accepted only by the identity-aware proxy in front of a service,
// for that service's audience; the proxy refuses expired, wrongly signed and other-audience tokens;
// a service refuses an assertion the proxy did not sign, one that expired, and one for another service.
import * as assert from 'node:assert/strict';
import { SignJWT, decodeJwt, generateKeyPair } from 'jose';
import { startSandbox, type Sandbox } from '../../sandbox/sandbox';
import { AUDIENCES } from '../../sandbox/constants';
import { DEMO_USERS } from '../../sandbox/directory';
import { AIRBYTE_API_PREFIX } from '../../sandbox/airbyte';
import { PROXIED_SERVICES, PROXY_ASSERTION_HEADER, PROXY_ASSERTION_ISSUER, type ProxiedService } from '../../sandbox/identityProxy';
import { until } from '../support/wait';

type Json = any;

/** Per service: a "who am I" path and how to read the caller's email from its answer. */
const WHOAMI: Record<ProxiedService, { path: string; email: (body: Json) => string | undefined }> = {
  airbyte: { path: `${AIRBYTE_API_PREFIX}/workspaces`, email: () => undefined },
  dbtCloud: { path: '/api/v2/accounts/', email: () => undefined },
  looker: { path: '/api/4.0/user', email: (b) => b.email },
  metabase: { path: '/api/user/current', email: (b) => b.email },
};

/** Each service's real 401, as its clients see it. */
async function assertServiceRefusal(service: ProxiedService | 'bigquery', res: Response): Promise<void> {
  assert.equal(res.status, 401, `${service} answers 401`);
  const type = res.headers.get('content-type') ?? '';
  const text = await res.text();
  switch (service) {
    case 'airbyte': {
      assert.match(type, /^application\/problem\+json/);
      const body = JSON.parse(text);
      assert.equal(body.title, 'invalid-api-key');
      assert.equal(body.status, 401);
      assert.match(body.type, /^https:\/\/reference\.airbyte\.com\/reference\/errors#invalid-api-key$/);
      break;
    }
    case 'dbtCloud': {
      const body = JSON.parse(text);
      assert.equal(body.data, null);
      assert.deepEqual([body.status.code, body.status.is_success], [401, false]);
      assert.equal(typeof body.status.user_message, 'string');
      break;
    }
    case 'looker': {
      const body = JSON.parse(text);
      assert.equal(body.message, 'Requires authentication.');
      assert.match(body.documentation_url, /looker/);
      break;
    }
    case 'metabase':
      assert.match(type, /^text\/plain/);
      assert.equal(text, 'Unauthenticated');
      break;
    case 'bigquery': {
      const body = JSON.parse(text);
      assert.deepEqual([body.error.code, body.error.status, body.error.errors[0].reason], [401, 'UNAUTHENTICATED', 'authError']);
      assert.match(res.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
      break;
    }
  }
}

/** The proxy's refusal (RFC 6750): the service behind it never saw the request. */
async function assertProxyRefusal(res: Response): Promise<void> {
  assert.equal(res.status, 401);
  assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer realm="gatehouse-sandbox-proxy", error="invalid_token"/);
  assert.equal(((await res.json()) as Json).error, 'invalid_token');
}

describe('sandbox identity-aware proxy: IdP tokens only through the proxy', function () {
  this.timeout(60_000);
  let sandbox: Sandbox;
  const tokens: Partial<Record<ProxiedService, string>> = {};
  const direct = (s: ProxiedService) => sandbox.urls[s];
  const proxied = (s: ProxiedService) => sandbox.urls[`${s}Proxy`];
  const get = (url: string, headers: Record<string, string> = {}) => fetch(url, { headers });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  before(async () => {
    sandbox = await startSandbox({ largeTableRows: 1_000 });
    for (const s of PROXIED_SERVICES) tokens[s] = await sandbox.idp.tokenFor('bob', AUDIENCES[s]);
  });
  after(async () => {
    await sandbox?.close();
  });

  for (const service of PROXIED_SERVICES) {
    describe(service, () => {
      it(`refuses bob's IdP token for its own audience at the direct API, with ${service}'s 401`, async () => {
        const token = tokens[service]!;
        assert.equal((await sandbox.idp.verifyAccessToken(token, AUDIENCES[service]))?.id, 'bob', 'the token itself is valid');
        await assertServiceRefusal(service, await get(`${direct(service)}${WHOAMI[service].path}`, bearer(token)));
        // Not as `Token <jwt>` either (dbt Cloud's and Looker's other spelling).
        await assertServiceRefusal(service, await get(`${direct(service)}${WHOAMI[service].path}`, { authorization: `Token ${token}` }));
      });

      it('accepts the same token through its proxy, as bob', async () => {
        const res = await get(`${proxied(service)}${WHOAMI[service].path}`, bearer(tokens[service]!));
        assert.equal(res.status, 200);
        const body = (await res.json()) as Json;
        const email = WHOAMI[service].email(body);
        if (email !== undefined) assert.equal(email, 'bob@example.com');
        if (service === 'airbyte') assert.deepEqual(body.data.map((w: Json) => w.name), ['Shop Analytics'], 'bob sees only his workspace');
        if (service === 'dbtCloud') assert.deepEqual(body.data.map((a: Json) => a.id), [70403]);
      });

      it('refuses at the proxy a token for another audience, a badly signed one, none, and garbage', async () => {
        const other = PROXIED_SERVICES.find((s) => s !== service)!;
        const url = `${proxied(service)}${WHOAMI[service].path}`;
        await assertProxyRefusal(await get(url, bearer(tokens[other]!)));
        const [h, p, sig] = tokens[service]!.split('.');
        const flipped = `${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`;
        await assertProxyRefusal(await get(url, bearer(`${h}.${p}.${flipped}`)));
        // A payload changed to another user keeps the old signature: refused.
        const asAlice = Buffer.from(JSON.stringify({ ...decodeJwt(tokens[service]!), sub: 'alice', email: 'alice@example.com' })).toString('base64url');
        await assertProxyRefusal(await get(url, bearer(`${h}.${asAlice}.${sig}`)));
        await assertProxyRefusal(await get(url, bearer('not-a-jwt')));
        const none = await get(url);
        assert.equal(none.status, 401);
        assert.equal(((await none.json()) as Json).error, 'invalid_request');
      });

      it('refuses at the service an assertion the proxy did not sign, an expired one, and one for another service', async () => {
        const url = `${direct(service)}${WHOAMI[service].path}`;
        const bob = DEMO_USERS.find((u) => u.id === 'bob')!;
        const { privateKey } = await generateKeyPair('ES256');
        const now = Math.floor(Date.now() / 1000);
        const forged = await new SignJWT({ email: bob.email })
          .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: 'sandbox-identity-proxy' })
          .setIssuer(PROXY_ASSERTION_ISSUER)
          .setSubject(bob.id)
          .setAudience(service)
          .setIssuedAt(now)
          .setExpirationTime(now + 60)
          .sign(privateKey);
        await assertServiceRefusal(service, await get(url, { [PROXY_ASSERTION_HEADER]: forged }));
        await assertServiceRefusal(service, await get(url, { [PROXY_ASSERTION_HEADER]: await sandbox.proxyAssertions.sign(bob, service, -30) }));
        const other = PROXIED_SERVICES.find((s) => s !== service)!;
        await assertServiceRefusal(service, await get(url, { [PROXY_ASSERTION_HEADER]: await sandbox.proxyAssertions.sign(bob, other) }));
        // The check is real: the proxy's own, fresh assertion for this service is accepted.
        assert.equal((await get(url, { [PROXY_ASSERTION_HEADER]: await sandbox.proxyAssertions.sign(bob, service) })).status, 200);
      });
    });
  }

  it('BigQuery refuses IdP access and id tokens: only Google tokens from STS', async () => {
    const login = await sandbox.idp.login('alice', { resource: AUDIENCES.looker });
    for (const token of [tokens.looker!, login.id_token!]) {
      await assertServiceRefusal('bigquery', await get(`${sandbox.urls.bigquery}/bigquery/v2/projects`, bearer(token)));
    }
  });

  it("the proxy replaces a caller's own assertion header and Authorization: the service sees only the token's person", async () => {
    const alice = DEMO_USERS.find((u) => u.id === 'alice')!;
    const smuggled = await sandbox.proxyAssertions.sign(alice, 'looker');
    const res = await get(`${sandbox.urls.lookerProxy}/api/4.0/user`, { ...bearer(tokens.looker!), [PROXY_ASSERTION_HEADER]: smuggled });
    assert.equal(((await res.json()) as Json).email, 'bob@example.com');
  });

  it('refuses an expired IdP token at the proxy', async () => {
    sandbox.idp.setTtl({ accessToken: 1 });
    let short: string;
    try {
      short = await sandbox.idp.tokenFor('bob', AUDIENCES.metabase);
    } finally {
      sandbox.idp.setTtl({ accessToken: 600 });
    }
    await until('the one-second token has expired', async () => ((await sandbox.idp.verifyAccessToken(short, AUDIENCES.metabase)) ? undefined : true), 10_000);
    await assertProxyRefusal(await get(`${sandbox.urls.metabaseProxy}/api/user/current`, bearer(short)));
  });
});
