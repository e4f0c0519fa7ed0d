import * as assert from 'node:assert/strict';
import { IdentityPoolClient } from 'google-auth-library';
import { GOOGLE_WORKFORCE_AUDIENCE, GOOGLE_WORKFORCE_USER_PROJECT } from '../../sandbox/constants';
import { GoogleTokenStore, type RunningService, type SandboxContext } from '../../sandbox/context';
import { Directory } from '../../sandbox/directory';
import { FaultRegistry } from '../../sandbox/faults';
import { startIdp, type RunningIdp } from '../../sandbox/idp';
import {
  CLOUD_PLATFORM_SCOPE,
  GOOGLE_WORKLOAD_AUDIENCE,
  SANDBOX_SERVICE_ACCOUNTS,
  serviceAccountPrincipal,
  startGoogleTokenService,
  workforcePrincipal,
  workloadPrincipal,
} from '../../sandbox/google-sts';

type Json = Record<string, any>;
const ID_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id_token';
const BQ_SCOPE = 'https://www.googleapis.com/auth/bigquery';
const SA = Object.keys(SANDBOX_SERVICE_ACCOUNTS)[0];

describe('sandbox Google STS and IAM Credentials', () => {
  let idp: RunningIdp;
  let sts: RunningService;
  let ctx: SandboxContext;

  before(async () => {
    const directory = new Directory();
    const faults = new FaultRegistry();
    idp = await startIdp({ directory, faults, log: () => undefined });
    ctx = {
      directory,
      idp,
      identityProxy: { verifyAssertion: async () => undefined },
      googleTokens: new GoogleTokenStore(),
      faults,
      warehouse: { query: () => Promise.reject(new Error('no warehouse in this test')) },
      log: () => undefined,
    };
    sts = await startGoogleTokenService(ctx, {});
  });
  after(async () => {
    await sts.close();
    await idp.close();
  });

  const client = (userId: string, extra: Record<string, unknown> = {}) =>
    new IdentityPoolClient({
      audience: GOOGLE_WORKFORCE_AUDIENCE,
      subject_token_type: ID_TOKEN_TYPE,
      workforce_pool_user_project: GOOGLE_WORKFORCE_USER_PROJECT,
      token_url: `${sts.url}/v1/token`,
      subject_token_supplier: { getSubjectToken: async () => (await idp.login(userId)).id_token },
      scopes: [BQ_SCOPE],
      ...extra,
    });

  const stsPost = async (form: Record<string, string>): Promise<{ status: number; body: Json }> => {
    const res = await fetch(`${sts.url}/v1/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
    return { status: res.status, body: (await res.json()) as Json };
  };
  const exchangeForm = (idToken: string, extra: Record<string, string> = {}) => ({
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
    audience: GOOGLE_WORKFORCE_AUDIENCE,
    scope: BQ_SCOPE,
    requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    subject_token: idToken,
    subject_token_type: ID_TOKEN_TYPE,
    options: JSON.stringify({ userProject: GOOGLE_WORKFORCE_USER_PROJECT }),
    ...extra,
  });

  it('IdentityPoolClient gets a workforce token for the signed-in user', async () => {
    const { token } = await client('bob').getAccessToken();
    const record = ctx.googleTokens.lookup(token ?? undefined);
    assert.equal(record?.user.id, 'bob');
    assert.equal(record?.principal, workforcePrincipal('bob'));
    assert.deepEqual(record?.scopes, [BQ_SCOPE]);
  });

  it('answers in the STS wire shape', async () => {
    const r = await stsPost(exchangeForm((await idp.login('alice')).id_token));
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.body).sort(), ['access_token', 'expires_in', 'issued_token_type', 'token_type']);
    assert.equal(r.body.issued_token_type, 'urn:ietf:params:oauth:token-type:access_token');
    assert.equal(r.body.token_type, 'Bearer');
    assert.ok(r.body.expires_in > 0 && r.body.expires_in <= 3600);
  });

  it('a workload pool audience gives a workload principal', async () => {
    const r = await stsPost(exchangeForm((await idp.login('alice')).id_token, { audience: GOOGLE_WORKLOAD_AUDIENCE, options: '' }));
    assert.equal(r.status, 200);
    assert.equal(ctx.googleTokens.lookup(r.body.access_token)?.principal, workloadPrincipal('alice'));
  });

  it('rejects id tokens for another client, expired or garbage with invalid_grant', async () => {
    idp.misbehave('id-token-wrong-aud');
    const wrongAud = (await idp.login('alice')).id_token;
    idp.misbehave('id-token-expired');
    const expired = (await idp.login('alice')).id_token;
    idp.misbehave('id-token-bad-signature');
    const forged = (await idp.login('alice')).id_token;
    for (const [name, t, describes] of [
      ['wrong aud', wrongAud, /audience/],
      ['expired', expired, /expired/],
      ['bad signature', forged, /signature/],
      ['garbage', 'garbage', /parse/],
    ] as const) {
      const r = await stsPost(exchangeForm(t));
      assert.equal(r.status, 400, name);
      assert.equal(r.body.error, 'invalid_grant', name);
      assert.match(r.body.error_description, describes, name);
    }
  });

  it('rejects malformed requests like real STS', async () => {
    const idToken = (await idp.login('alice')).id_token;
    const cases: [Record<string, string>, string][] = [
      [{ grant_type: 'client_credentials' }, 'unsupported_grant_type'],
      [{ audience: '//iam.googleapis.com/locations/global/workforcePools/other/providers/x' }, 'invalid_target'],
      [{ subject_token_type: 'urn:ietf:params:oauth:token-type:saml2' }, 'invalid_request'],
      [{ subject_token: '' }, 'invalid_request'],
      [{ options: '' }, 'invalid_request'],
      [{ requested_token_type: 'urn:ietf:params:oauth:token-type:id_token' }, 'invalid_request'],
    ];
    for (const [extra, error] of cases) {
      const r = await stsPost(exchangeForm(idToken, extra));
      assert.equal(r.status, 400, JSON.stringify(extra));
      assert.equal(r.body.error, error, JSON.stringify(extra));
    }
  });

  it('IdentityPoolClient surfaces an STS refusal', async () => {
    idp.misbehave('id-token-expired');
    await assert.rejects(client('alice').getAccessToken(), /invalid_grant|expired/i);
  });

  describe('service account impersonation', () => {
    const impersonating = (userId: string) =>
      client(userId, {
        service_account_impersonation_url: `${sts.url}/v1/projects/-/serviceAccounts/${SA}:generateAccessToken`,
        service_account_impersonation: { token_lifetime_seconds: 1800 },
      });

    it('is allowed for an engineer: the token acts as the service account for the human user', async () => {
      const { token } = await impersonating('alice').getAccessToken();
      const record = ctx.googleTokens.lookup(token ?? undefined);
      assert.equal(record?.principal, serviceAccountPrincipal(SA));
      assert.equal(record?.user.id, 'alice');
      assert.deepEqual(record?.scopes, [BQ_SCOPE]);
      const lifetime = (record!.expiresAt - Date.now()) / 1000;
      assert.ok(lifetime > 1700 && lifetime <= 1800, String(lifetime));
    });

    it('is denied to an analyst with Google’s 403 envelope', async () => {
      await assert.rejects(impersonating('bob').getAccessToken(), (e: any) => {
        assert.equal(e.response?.status ?? e.status, 403);
        return true;
      });
      const sts1 = await stsPost(exchangeForm((await idp.login('bob')).id_token, { scope: CLOUD_PLATFORM_SCOPE }));
      const res = await fetch(`${sts.url}/v1/projects/-/serviceAccounts/${SA}:generateAccessToken`, {
        method: 'POST',
        headers: { authorization: `Bearer ${sts1.body.access_token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ scope: [BQ_SCOPE], lifetime: '3600s' }),
      });
      const body = (await res.json()) as Json;
      assert.equal(res.status, 403);
      assert.equal(body.error.status, 'PERMISSION_DENIED');
      assert.equal(body.error.details[0].reason, 'IAM_PERMISSION_DENIED');
    });

    it('checks the caller token, the account, the scope and the lifetime', async () => {
      const stsToken = (await stsPost(exchangeForm((await idp.login('alice')).id_token, { scope: CLOUD_PLATFORM_SCOPE }))).body.access_token;
      const bqOnly = (await stsPost(exchangeForm((await idp.login('alice')).id_token))).body.access_token;
      const call = async (bearer: string | undefined, sa: string, body: unknown) => {
        const res = await fetch(`${sts.url}/v1/projects/-/serviceAccounts/${sa}:generateAccessToken`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
          body: JSON.stringify(body),
        });
        return { status: res.status, body: (await res.json()) as Json };
      };
      const good = { scope: [BQ_SCOPE], lifetime: '600s' };
      assert.equal((await call(undefined, SA, good)).body.error.status, 'UNAUTHENTICATED');
      assert.equal((await call('ya29.unknown', SA, good)).status, 401);
      assert.equal((await call(bqOnly, SA, good)).status, 403);
      assert.equal((await call(stsToken, 'nobody@gatehouse-demo.iam.gserviceaccount.com', good)).status, 404);
      assert.equal((await call(stsToken, SA, { scope: [] })).status, 400);
      assert.equal((await call(stsToken, SA, { scope: [BQ_SCOPE], lifetime: '7200s' })).status, 400);
      const ok = await call(stsToken, SA, good);
      assert.equal(ok.status, 200);
      assert.match(ok.body.expireTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.ok(ctx.googleTokens.lookup(ok.body.accessToken));
    });
  });
});
