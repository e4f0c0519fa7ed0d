// The parts of sign-in that are tables: flow choice, settings validation, error mapping, and the
// one-refresh-at-a-time sequencer.
import * as assert from 'node:assert/strict';
import * as client from 'openid-client';
import { AuthError, type AuthErrorReason } from '../../../src/auth/authError';
import { isLoopbackUrl, parseAuthConfig, type RawAuthSettings } from '../../../src/auth/config';
import { getFlows, type FlowQuery, type SignInFlow } from '../../../src/auth/flows';
import { toAuthError, type OidcStep } from '../../../src/auth/oidcErrors';
import { Sequencer } from '../../../src/auth/sequencer';

describe('getFlows', () => {
  const table: [FlowQuery, SignInFlow[]][] = [
    [{ flowSetting: 'auto', isRemoteOrWeb: false, supportsDevice: true }, ['loopback', 'device']],
    [{ flowSetting: 'auto', isRemoteOrWeb: false, supportsDevice: false }, ['loopback']],
    [{ flowSetting: 'auto', isRemoteOrWeb: true, supportsDevice: true }, ['device']],
    [{ flowSetting: 'auto', isRemoteOrWeb: true, supportsDevice: false }, []],
    [{ flowSetting: 'loopback', isRemoteOrWeb: true, supportsDevice: true }, ['loopback']],
    [{ flowSetting: 'loopback', isRemoteOrWeb: false, supportsDevice: false }, ['loopback']],
    [{ flowSetting: 'device', isRemoteOrWeb: false, supportsDevice: true }, ['device']],
    [{ flowSetting: 'device', isRemoteOrWeb: false, supportsDevice: false }, []],
  ];
  for (const [query, flows] of table) {
    it(`${JSON.stringify(query)} -> ${flows.join(', ') || 'none'}`, () => assert.deepEqual(getFlows(query), flows));
  }
});

describe('parseAuthConfig', () => {
  const ok = { issuer: 'https://acme.okta.com/oauth2/default', clientId: 'abc' };
  const failures: [string, RawAuthSettings, RegExp][] = [
    ['nothing set', {}, /not configured/],
    ['no issuer', { clientId: 'abc' }, /gatehouse\.auth\.issuer is empty/],
    ['no client id', { issuer: ok.issuer }, /gatehouse\.auth\.clientId is empty/],
    ['not a URL', { ...ok, issuer: 'acme.okta.com' }, /is not a URL/],
    ['plain http to a remote host', { ...ok, issuer: 'http://acme.example' }, /must use https/],
  ];
  for (const [name, raw, message] of failures) {
    it(`explains: ${name}`, () =>
      assert.throws(() => parseAuthConfig(raw), (e: unknown) => AuthError.is(e, 'notConfigured') && message.test(e.message) && !!e.nextStep));
  }

  it('fills defaults, always asks for openid, and allows http only on this machine', () => {
    const c = parseAuthConfig({ ...ok, scopes: ['email', 'openid', 'email'], flow: 'bogus', audiences: { looker: ' https://l ' } });
    assert.deepEqual(c.scopes, ['openid', 'email']);
    assert.equal(c.flow, 'auto');
    assert.equal(c.serviceTokens, 'resourceIndicators');
    assert.equal(c.groupsClaim, 'groups');
    assert.equal(c.audiences.looker, 'https://l');
    assert.equal(c.audiences.airbyte, undefined);
    assert.equal(parseAuthConfig({ ...ok, issuer: 'http://127.0.0.1:4000' }).issuer, 'http://127.0.0.1:4000');
  });
});

describe('toAuthError', () => {
  const issuer = 'https://idp.example';
  const body = (error: string, status = 400, description?: string) =>
    new client.ResponseBodyError('server responded with an error in the response body', {
      cause: { error, ...(description ? { error_description: description } : {}) },
      response: new Response(null, { status }),
    });
  const callback = (error: string, description?: string) =>
    new client.AuthorizationResponseError('authorization response from the server is an error', {
      cause: new URLSearchParams({ error, ...(description ? { error_description: description } : {}) }),
    });
  // What openid-client throws for an id token claim that does not match.
  const claimCheck = (claim: string) =>
    new client.ClientError('unexpected JWT claim value encountered', {
      code: 'OAUTH_JWT_CLAIM_COMPARISON_FAILED',
      cause: Object.assign(new Error(`unexpected JWT "${claim}" claim value`), { cause: { claim } }),
    } as ErrorOptions);
  const table: [string, unknown, OidcStep, AuthErrorReason][] = [
    ['renewed id token from another issuer', claimCheck('iss'), 'refresh', 'subjectChanged'],
    ['sign-in id token from another issuer', claimCheck('iss'), 'code', 'idTokenInvalid'],
    ['renewed id token for another client', claimCheck('aud'), 'refresh', 'idTokenInvalid'],
    ['callback access_denied', callback('access_denied'), 'code', 'accessDenied'],
    ['callback redirect_uri complaint', callback('invalid_request', 'redirect_uri did not match'), 'code', 'redirectRefused'],
    ['token redirect_uri complaint', body('invalid_grant', 400, 'redirect_uri mismatch'), 'code', 'redirectRefused'],
    ['refresh invalid_grant', body('invalid_grant'), 'refresh', 'invalidGrant'],
    ['code invalid_grant', body('invalid_grant'), 'code', 'invalidGrant'],
    ['device expired_token', body('expired_token'), 'device', 'deviceCodeExpired'],
    ['device access_denied', body('access_denied'), 'device', 'accessDenied'],
    ['unknown resource', body('invalid_target'), 'refresh', 'audienceNotConfigured'],
    ['bad client', body('invalid_client', 401), 'code', 'idpRejected'],
    ['server error body', body('server_error', 500), 'refresh', 'idpUnavailable'],
    ['fetch failed', new TypeError('fetch failed'), 'discovery', 'idpUnavailable'],
    ['ours, wrapped', new Error('wrapper', { cause: new AuthError('timeout', 'slow') }), 'refresh', 'timeout'],
    ['anything else', new Error('boom'), 'code', 'idpRejected'],
  ];
  for (const [name, err, step, reason] of table) {
    it(`${name} -> ${reason}`, () => {
      const mapped = toAuthError(err, step, issuer);
      assert.equal(mapped.reason, reason);
      assert.ok(mapped.message.length > 0);
    });
  }

  it('never repeats the IdP\'s error_description', () => {
    const mapped = toAuthError(body('invalid_scope', 400, 'scope <script>secret-ish</script> rejected'), 'code', issuer);
    assert.doesNotMatch(mapped.userMessage, /script|secret-ish/);
    assert.match(mapped.message, /invalid_scope/);
  });
});

describe('Sequencer', () => {
  it('runs queued tasks one at a time, in order, past failures', async () => {
    const s = new Sequencer();
    const log: string[] = [];
    let active = 0;
    const task = (name: string, fail = false) => async () => {
      assert.equal(++active, 1, 'one at a time');
      await new Promise((r) => setTimeout(r, 5));
      log.push(name);
      active--;
      if (fail) throw new Error(name);
      return name;
    };
    const results = await Promise.allSettled([s.queue(task('a')), s.queue(task('b', true)), s.queue(task('c'))]);
    assert.deepEqual(log, ['a', 'b', 'c']);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
  });

  it('lets concurrent callers with one key share a run, and runs again afterwards', async () => {
    const s = new Sequencer();
    let runs = 0;
    const task = async () => {
      runs++;
      await new Promise((r) => setTimeout(r, 5));
      return runs;
    };
    const first = await Promise.all(Array.from({ length: 10 }, () => s.coalesce('k', task)));
    assert.deepEqual(new Set(first), new Set([1]));
    assert.equal(await s.coalesce('k', task), 2);
  });
});

describe('isLoopbackUrl (issuers that may use plain http)', () => {
  const cases: [string, boolean][] = [
    ['http://127.0.0.1:4000', true],
    ['http://127.0.0.2:4000', true],
    ['http://127.255.10.3/', true],
    ['http://localhost:8080/realms/x', true],
    ['http://[::1]:4000', true],
    ['http://128.0.0.1:4000', false],
    ['http://127.0.0.1.example.com/', false],
    ['http://10.0.0.5:4000', false],
    ['https://acme.okta.com/oauth2/default', false],
    ['not a url', false],
  ];
  for (const [url, expected] of cases) {
    it(`${url} → ${expected}`, () => assert.equal(isLoopbackUrl(url), expected));
  }
});
