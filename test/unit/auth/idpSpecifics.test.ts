// What real identity providers do differently, each played by oidc-provider shaped like it:
// Entra ID (an issuer with a tenant path, the groups overage claim), Okta (custom authorization
// server issuer paths, a trailing-slash issuer), Auth0 (the `audience` parameter), Keycloak
// (realm roles under realm_access vs the groups claim), and a sign-in page session that outlives a
// Gatehouse sign-out ("Switch Account" sends prompt=login or select_account).
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import Provider from 'oidc-provider';
import { AuthError } from '../../../src/auth/authError';
import { authorizationParams } from '../../../src/auth/authorizationParams';
import { groupsFromClaims } from '../../../src/auth/claims';
import { parseAuthConfig } from '../../../src/auth/config';
import { EXTENSION_CLIENT_ID } from '../../sandbox/constants';
import { FaultRegistry } from '../../sandbox/faults';
import type { RunningIdp } from '../../sandbox/idp';
import { Browser, redirectTarget } from '../../sandbox/idp/browser';
import { createHarness, deliver, LOCAL, type Harness } from './fakes';

const ENTRA_TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const GRAPH_SOURCE = { src1: { endpoint: `https://graph.microsoft.com/v1.0/users/alice/getMemberObjects` } };

type Claims = Record<string, unknown>;
const PEOPLE: Record<string, Claims> = {
  alice: { email: 'alice@example.com', name: 'Alice Engineer', groups: ['data-engineers', 'analysts'], realm_access: { roles: ['engineer', 'offline_access'] } },
  bob: { email: 'bob@example.com', name: 'Bob Analyst', groups: ['analysts'], realm_access: { roles: ['analyst'] } },
};

interface ShapedIdp {
  issuer: string;
  /** Authorization and device requests as received: route and the parameters that matter here. */
  seen: { route: string; prompt?: string; audience?: string }[];
  close(): Promise<void>;
}

/**
 * oidc-provider with its built-in development login (any account id, any password) mounted under
 * `path`, so the issuer has a path like Entra's `/<tenant>/v2.0` or Okta's `/oauth2/<server>`.
 */
async function startShapedIdp(opts: { path?: string; claims?: (id: string) => Claims } = {}): Promise<ShapedIdp> {
  const path = opts.path ?? '';
  let handler: http.RequestListener = (_req, res) => res.writeHead(503).end();
  const server = http.createServer((req, res) => handler(req, res));
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
  const seen: ShapedIdp['seen'] = [];
  // oidc-provider warns on the console about its development login and in-memory store, which
  // are exactly what this test wants; the warnings are silenced for the constructor only.
  const warn = console.warn;
  console.warn = () => undefined;
  let provider: Provider;
  try {
    provider = new Provider(issuer, {
      clients: [
        {
          client_id: EXTENSION_CLIENT_ID,
          application_type: 'native',
          token_endpoint_auth_method: 'none',
          redirect_uris: ['http://127.0.0.1/callback'],
          grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
          response_types: ['code'],
        },
      ],
      cookies: { keys: [randomBytes(16).toString('hex')] },
      pkce: { required: () => true, methods: ['S256'] },
      extraParams: ['audience'],
      claims: { openid: ['sub'], email: ['email'], profile: ['name', 'groups', 'roles', 'realm_access'], groups: ['groups'] },
      scopes: ['openid', 'offline_access', 'profile', 'email', 'groups'],
      conformIdTokenClaims: false,
      features: { devInteractions: { enabled: true }, deviceFlow: { enabled: true }, revocation: { enabled: true } },
      async findAccount(_ctx: unknown, sub: string) {
        const claims = opts.claims?.(sub) ?? PEOPLE[sub] ?? {};
        return { accountId: sub, claims: async () => ({ sub, ...claims }) };
      },
      async issueRefreshToken() {
        return true;
      },
      ttl: { AccessToken: 600, IdToken: 600, RefreshToken: 3600, Interaction: 600, Session: 3600, Grant: 3600, DeviceCode: 600, AuthorizationCode: 60 },
    });
  } finally {
    console.warn = warn;
  }
  provider.use(async (ctx, next) => {
    await next();
    const route = ctx.oidc?.route;
    if (route === 'authorization' || route === 'device_authorization') {
      const p = ctx.oidc.params;
      seen.push({ route, prompt: p.prompt as string | undefined, audience: p.audience as string | undefined });
    }
  });
  const callback = provider.callback();
  handler = (req, res) => {
    const url = req.url ?? '/';
    if (!url.startsWith(path)) return void res.writeHead(404).end();
    // Mounted under `path`: oidc-provider derives its mount point from originalUrl.
    (req as http.IncomingMessage & { originalUrl?: string }).originalUrl = url;
    req.url = url.slice(path.length) || '/';
    callback(req, res);
  };
  return {
    issuer,
    seen,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

/** A person at a browser with a cookie jar, using oidc-provider's development login and consent pages. */
class Person {
  readonly browser = new Browser();
  loginPages = 0;

  constructor(private readonly issuer: string) {}

  /** Follows the authorization URL as `who`; returns the callback URL (not requested). */
  async authorize(url: string, who: string): Promise<string> {
    const origin = new URL(this.issuer).origin;
    let res = await this.browser.get(url);
    let at = url;
    for (let hop = 0; hop < 20; hop++) {
      const next = redirectTarget(res, at);
      if (next) {
        await res.body?.cancel();
        if (new URL(next).origin !== origin || new URL(next).pathname === '/callback') return next;
        at = next;
        res = await this.browser.get(at);
        continue;
      }
      const html = await res.text();
      const form = /<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/.exec(html);
      if (!form) throw new Error(`unexpected IdP page ${res.status} at ${at}: ${html.replace(/<[^>]+>/g, ' ').slice(0, 200)}`);
      // Hidden fields as the page has them: the login or consent prompt, or a resume form.
      const fields: Record<string, string> = {};
      for (const m of form[2].matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) fields[m[1]] = m[2].replace(/&amp;/g, '&');
      if (fields.prompt === 'login') {
        this.loginPages++;
        Object.assign(fields, { login: who, password: 'any' });
      }
      at = new URL(form[1].replace(/&amp;/g, '&'), at).href;
      res = await this.browser.postForm(at, fields);
    }
    throw new Error('too many redirects');
  }
}

describe('identity provider specifics', function () {
  this.timeout(20_000);
  const idps: ShapedIdp[] = [];
  const harnesses: Harness[] = [];
  afterEach(async function () {
    // The fake browser's own failure explains a sign-in that timed out waiting for it.
    if (this.currentTest?.state === 'failed') for (const h of harnesses) for (const e of h.ui.browserErrors) this.currentTest.err!.message += `\n  browser: ${String(e)}`;
    for (const h of harnesses.splice(0)) h.dispose();
    for (const idp of idps.splice(0)) await idp.close();
  });

  async function idp(opts: Parameters<typeof startShapedIdp>[0] = {}): Promise<ShapedIdp> {
    const started = await startShapedIdp(opts);
    idps.push(started);
    return started;
  }

  async function harness(issuer: string, settings: Parameters<typeof createHarness>[0]['settings'] = {}): Promise<Harness> {
    // The harness only reads the issuer of the IdP it is given; this IdP is driven by Person.
    const h = await createHarness({ idp: { issuer } as unknown as RunningIdp, faults: new FaultRegistry(), settings: { serviceTokens: 'sessionToken', ...settings } });
    harnesses.push(h);
    return h;
  }

  /** Signs in through `person`'s browser as `who`; the sign-in page decides whether it asks. */
  function browse(h: Harness, person: Person, who: string): void {
    h.ui.browser = async (url) => {
      await deliver(await person.authorize(url, who));
    };
  }

  describe('Entra ID', () => {
    it('signs in with a v2.0 issuer that carries the tenant id in its path', async () => {
      const entra = await idp({ path: `/${ENTRA_TENANT}/v2.0` });
      const h = await harness(entra.issuer);
      browse(h, new Person(entra.issuer), 'alice');
      const session = await h.sessions.signIn(h.ui, LOCAL);
      assert.equal(session.identity.issuer, `${new URL(entra.issuer).origin}/${ENTRA_TENANT}/v2.0`);
      assert.ok(h.requests.some((r) => r.path === `/${ENTRA_TENANT}/v2.0/.well-known/openid-configuration`), 'discovery under the tenant path');
      assert.deepEqual(session.identity.groups, ['data-engineers', 'analysts']);
    });

    it('refuses the groups overage with a message naming the setting, and stores nothing', async () => {
      const entra = await idp({
        path: `/${ENTRA_TENANT}/v2.0`,
        claims: (sub) => ({ email: `${sub}@example.com`, _claim_names: { groups: 'src1' }, _claim_sources: GRAPH_SOURCE }),
      });
      const h = await harness(entra.issuer);
      browse(h, new Person(entra.issuer), 'alice');
      await assert.rejects(h.sessions.signIn(h.ui, LOCAL), (e: unknown) => {
        assert.ok(AuthError.is(e, 'groupsOverage'), String(e));
        assert.match(e.message, /more groups than/);
        assert.match(e.userMessage, /gatehouse\.auth\.groupsClaim/);
        assert.ok(!e.userMessage.includes('graph.microsoft.com'), 'the claim source is not echoed');
        return true;
      });
      assert.equal(h.sessions.current(), undefined);
      assert.equal(h.secretStore.values.size, 0);
    });

    it('still signs in with app roles when gatehouse.auth.groupsClaim is "roles", overage or not', async () => {
      const entra = await idp({
        path: `/${ENTRA_TENANT}/v2.0`,
        claims: (sub) => ({ email: `${sub}@example.com`, groups: ['ignored'], roles: ['Gatehouse.Engineer'], _claim_names: { groups: 'src1' }, _claim_sources: GRAPH_SOURCE }),
      });
      const h = await harness(entra.issuer, { groupsClaim: 'roles' });
      browse(h, new Person(entra.issuer), 'alice');
      const session = await h.sessions.signIn(h.ui, LOCAL);
      assert.deepEqual(session.identity.groups, ['Gatehouse.Engineer']);
    });

    for (const tenant of ['common', 'organizations', 'consumers']) {
      it(`rejects the shared "${tenant}" endpoint as issuer and says to use the tenant id`, () => {
        assert.throws(
          () => parseAuthConfig({ issuer: `https://login.microsoftonline.com/${tenant}/v2.0`, clientId: 'c' }),
          (e: unknown) => AuthError.is(e, 'notConfigured') && e.message.includes(`"${tenant}"`) && /login\.microsoftonline\.com\/<tenant-id>\/v2\.0/.test(e.userMessage),
        );
      });
    }
    it('accepts a tenant issuer', () => {
      assert.equal(parseAuthConfig({ issuer: `https://login.microsoftonline.com/${ENTRA_TENANT}/v2.0`, clientId: 'c' }).issuer, `https://login.microsoftonline.com/${ENTRA_TENANT}/v2.0`);
    });
  });

  describe('Okta custom authorization servers', () => {
    it('signs in with an /oauth2/<server> issuer, discovering under that path', async () => {
      const okta = await idp({ path: '/oauth2/aus1a2b3c4d5e6f7g8h9' });
      const h = await harness(okta.issuer);
      browse(h, new Person(okta.issuer), 'bob');
      const session = await h.sessions.signIn(h.ui, LOCAL);
      assert.equal(session.identity.label, 'bob@example.com');
      assert.equal(session.issuer, okta.issuer);
      assert.ok(h.requests.some((r) => r.path === '/oauth2/aus1a2b3c4d5e6f7g8h9/.well-known/openid-configuration'));
      assert.ok(h.requests.some((r) => r.path.startsWith('/oauth2/aus1a2b3c4d5e6f7g8h9/') && r.grantType === 'authorization_code'));
    });

    it('explains an issuer with a trailing slash by naming the issuer the server reports', async () => {
      const okta = await idp({ path: '/oauth2/default' });
      const h = await harness(`${okta.issuer}/`);
      await assert.rejects(h.sessions.signIn(h.ui, LOCAL), (e: unknown) => AuthError.is(e, 'issuerMismatch') && e.message.includes(okta.issuer) && e.userMessage.includes(`to ${okta.issuer} exactly`));
      assert.equal(h.ui.opened.length, 0, 'no browser before discovery agrees');
    });

    for (const [pasted, issuer] of [
      ['https://acme.okta.com/oauth2/default/.well-known/openid-configuration', 'https://acme.okta.com/oauth2/default'],
      ['https://acme.okta.com/oauth2/aus123/.well-known/oauth-authorization-server', 'https://acme.okta.com/oauth2/aus123'],
      ['https://acme.okta.com/.well-known/openid-configuration', 'https://acme.okta.com'],
    ]) {
      it(`says which issuer to use when the discovery URL ${new URL(pasted).pathname} was pasted`, () => {
        assert.throws(() => parseAuthConfig({ issuer: pasted, clientId: 'c' }), (e: unknown) => AuthError.is(e, 'notConfigured') && e.userMessage.includes(`Set it to ${issuer} `));
      });
    }
  });

  describe('Auth0 audience', () => {
    it('sends gatehouse.auth.audience on the authorization and the device requests', async () => {
      const auth0 = await idp();
      const h = await harness(auth0.issuer, { audience: 'https://api.acme.example', flow: 'loopback' });
      browse(h, new Person(auth0.issuer), 'alice');
      await h.sessions.signIn(h.ui, LOCAL);
      assert.equal(new URL(h.ui.opened[0]).searchParams.get('audience'), 'https://api.acme.example');
      assert.deepEqual(auth0.seen.filter((s) => s.route === 'authorization').map((s) => s.audience), ['https://api.acme.example']);
      await h.sessions.client.startDeviceAuthorization();
      assert.deepEqual(auth0.seen.filter((s) => s.route === 'device_authorization').map((s) => s.audience), ['https://api.acme.example']);
    });

    it('sends no audience unless it is set', async () => {
      const plain = await idp();
      const h = await harness(plain.issuer);
      browse(h, new Person(plain.issuer), 'alice');
      await h.sessions.signIn(h.ui, LOCAL);
      assert.equal(new URL(h.ui.opened[0]).searchParams.has('audience'), false);
      assert.deepEqual(plain.seen.map((s) => s.audience), [undefined]);
    });
  });

  describe('Keycloak realm roles vs groups', () => {
    it('reads realm roles from realm_access.roles and groups from groups, as configured', async () => {
      const keycloak = await idp({ path: '/realms/gatehouse' });
      const person = new Person(keycloak.issuer);
      const byGroups = await harness(keycloak.issuer);
      browse(byGroups, person, 'alice');
      assert.deepEqual((await byGroups.sessions.signIn(byGroups.ui, LOCAL)).identity.groups, ['data-engineers', 'analysts']);
      const byRoles = await harness(keycloak.issuer, { groupsClaim: 'realm_access.roles' });
      browse(byRoles, person, 'alice');
      assert.deepEqual((await byRoles.sessions.signIn(byRoles.ui, LOCAL)).identity.groups, ['engineer', 'offline_access']);
    });

    const table: [string, Claims, string, string[]][] = [
      ['a top-level array', { groups: ['a', 'b'] }, 'groups', ['a', 'b']],
      ['a single string', { groups: 'a' }, 'groups', ['a']],
      ['realm roles by path', { realm_access: { roles: ['engineer'] } }, 'realm_access.roles', ['engineer']],
      ['client roles by path', { resource_access: { 'gatehouse-vscode': { roles: ['x'] } } }, 'resource_access.gatehouse-vscode.roles', ['x']],
      ['a claim whose name has a dot', { 'https://acme.example/groups': ['g'] }, 'https://acme.example/groups', ['g']],
      ['a missing path', { realm_access: {} }, 'realm_access.roles', []],
      ['a path through an array', { realm_access: [{ roles: ['no'] }] }, 'realm_access.0.roles', []],
      ['non-strings and overlong values', { groups: ['ok', 7, null, 'x'.repeat(300), ''] }, 'groups', ['ok']],
      ['no prototype walking', { groups: [] }, 'constructor.name', []],
    ];
    for (const [what, claims, name, expected] of table) {
      it(`groups from ${what}`, () => assert.deepEqual(groupsFromClaims(claims, name), expected));
    }
    it('overage only when the claim itself is missing', () => {
      assert.deepEqual(groupsFromClaims({ groups: ['a'], _claim_names: { groups: 'src1' } }, 'groups'), ['a']);
      assert.deepEqual(groupsFromClaims({ _claim_names: { groups: 'src1' } }, 'roles'), []);
      assert.throws(() => groupsFromClaims({ _claim_names: { groups: 'src1' } }, 'groups'), (e: unknown) => AuthError.is(e, 'groupsOverage'));
    });
  });

  describe('switch account: the sign-in page session outlives a Gatehouse sign-out', () => {
    it('signs the same person in again silently, but asks with prompt=login', async () => {
      const op = await idp();
      const person = new Person(op.issuer);
      const h = await harness(op.issuer);
      browse(h, person, 'alice');
      await h.sessions.signIn(h.ui, LOCAL);
      assert.equal(person.loginPages, 1);
      await h.sessions.signOut();
      // The IdP still knows the browser: without a prompt nobody is asked, and it is alice again
      // even though the person at the browser meant to be bob.
      browse(h, person, 'bob');
      assert.equal((await h.sessions.signIn(h.ui, LOCAL)).identity.label, 'alice@example.com');
      assert.equal(person.loginPages, 1);
      await h.sessions.signOut();
      const switched = await h.sessions.signIn(h.ui, LOCAL, undefined, { prompt: h.sessions.config!.switchAccountPrompt });
      assert.equal(switched.identity.label, 'bob@example.com');
      assert.equal(person.loginPages, 2);
      assert.equal(new URL(h.ui.opened[2]).searchParams.get('prompt'), 'login');
      assert.deepEqual(op.seen.map((s) => s.prompt), [undefined, undefined, 'login']);
    });

    it('switches while signed in: the new person replaces the session in the store', async () => {
      const op = await idp();
      const person = new Person(op.issuer);
      const h = await harness(op.issuer);
      browse(h, person, 'alice');
      const first = await h.sessions.signIn(h.ui, LOCAL);
      browse(h, person, 'bob');
      const second = await h.sessions.signIn(h.ui, LOCAL, undefined, { prompt: 'login' });
      assert.equal(second.identity.label, 'bob@example.com');
      assert.equal(h.secretStore.values.size, 1);
      const stored = JSON.parse([...h.secretStore.values.values()][0]);
      assert.equal(stored.id, second.id);
      assert.notEqual(stored.id, first.id);
    });

    it('sends select_account when gatehouse.auth.switchAccountPrompt says so', () => {
      const config = parseAuthConfig({ issuer: 'https://idp.example', clientId: 'c', switchAccountPrompt: 'select_account' });
      assert.deepEqual(authorizationParams(config, { prompt: config.switchAccountPrompt }), { prompt: 'select_account' });
      assert.equal(parseAuthConfig({ issuer: 'https://idp.example', clientId: 'c', switchAccountPrompt: 'none' }).switchAccountPrompt, 'login', 'only login or select_account');
      assert.deepEqual(authorizationParams(config), {}, 'an ordinary sign-in sends no prompt');
    });
  });
});
