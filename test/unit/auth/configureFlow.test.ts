// Configure Sign-In as a guided flow: issuer and client id checks as tables, provider-shaped hints,
// discovery against the sandbox IdP (exact issuer match), and stopping at any step loses nothing.
import * as assert from 'node:assert/strict';
import { AuthError } from '../../../src/auth/authError';
import { IDP_PRESETS, clientIdProblem, configureSignIn, discoverIssuer, issuerProblem, type ConfigureAsk, type IdpPreset } from '../../../src/auth/configureFlow';
import type { RunningIdp } from '../../sandbox/idp';
import { startTestIdp } from './fakes';

const preset = (id: IdpPreset['id']) => IDP_PRESETS.find((p) => p.id === id)!;

class ScriptedAsk implements ConfigureAsk {
  readonly asked: string[] = [];
  readonly confirms: string[] = [];
  constructor(
    private readonly provider: IdpPreset['id'] | undefined,
    private readonly answers: Array<string | undefined>,
    private readonly keep = true,
    readonly discover: (issuer: string) => Promise<string> = async (i) => i,
  ) {}
  async pickProvider(presets: readonly IdpPreset[]) {
    return presets.find((p) => p.id === this.provider);
  }
  async input(o: { title: string; validate(v: string): string | undefined }) {
    this.asked.push(o.title);
    const answer = this.answers.shift();
    if (answer !== undefined) assert.equal(o.validate(answer), undefined, `${o.title}: ${answer} is accepted`);
    return answer;
  }
  async confirm(message: string) {
    this.confirms.push(message);
    return this.keep;
  }
}

describe('Configure Sign-In (guided)', () => {
  const issuers: Array<[string, boolean]> = [
    ['https://acme.okta.com/oauth2/default', true],
    ['http://127.0.0.1:4000/oidc', true],
    ['http://localhost:8080/realms/demo', true],
    ['http://acme.okta.com/oauth2/default', false],
    ['https://idp.acme.com/?x=1', false],
    ['https://idp.acme.com/#frag', false],
    ['https://user:pw@idp.acme.com', false],
    ['javascript:alert(1)', false],
    ['acme.okta.com', false],
    ['', false],
  ];
  for (const [value, ok] of issuers) it(`issuer ${JSON.stringify(value)} is ${ok ? 'accepted' : 'refused'}`, () => assert.equal(issuerProblem(value) === undefined, ok));

  const clientIds: Array<[string, boolean]> = [['0oa1b2c3d4e5f6g7h8i9', true], ['gatehouse', true], ['', false], ['two words', false], ['x'.repeat(600), false]];
  for (const [value, ok] of clientIds) it(`client id ${JSON.stringify(value.slice(0, 20))} is ${ok ? 'accepted' : 'refused'}`, () => assert.equal(clientIdProblem(value) === undefined, ok));

  const shapes: Array<[IdpPreset['id'], string, boolean]> = [
    ['okta', 'https://acme.okta.com/oauth2/default', true],
    ['okta', 'https://acme.okta.com', false],
    ['entra', 'https://login.microsoftonline.com/7f3c1a2b-1111-4222-8333-944455556666/v2.0', true],
    ['entra', 'https://login.microsoftonline.com/common/v2.0', false],
    ['entra', 'https://sts.windows.net/7f3c1a2b-1111-4222-8333-944455556666/', false],
    ['auth0', 'https://acme.eu.auth0.com/', true],
    ['auth0', 'https://acme.eu.auth0.com/oauth', false],
    ['keycloak', 'https://sso.acme.com/realms/data', true],
    ['keycloak', 'https://sso.acme.com/auth', false],
    ['google', 'https://accounts.google.com', true],
    ['google', 'https://accounts.google.com/o/oauth2', false],
  ];
  for (const [id, issuer, usual] of shapes) {
    it(`${id}: ${issuer} ${usual ? 'looks usual' : 'gets a hint'}`, () => assert.equal(preset(id).issuerHint(new URL(issuer)) === undefined, usual));
  }

  describe('against the sandbox IdP', function () {
    this.timeout(20_000);
    let idp: RunningIdp;
    before(async () => ({ idp } = await startTestIdp()));
    after(() => idp.close());

    it('reads the issuer from discovery and returns the settings to write', async () => {
      const ask = new ScriptedAsk('other', [idp.issuer, 'gatehouse-vscode', 'groups'], true, (i) => discoverIssuer(i));
      assert.deepEqual(await configureSignIn(ask), { issuer: idp.issuer, clientId: 'gatehouse-vscode', groupsClaim: 'groups' });
      assert.equal(ask.asked.length, 3);
    });

    it('refuses an issuer that discovery reports differently (a trailing slash counts), naming the right one', async () => {
      const ask = new ScriptedAsk('other', [`${idp.issuer}/`, 'gatehouse-vscode', 'groups'], true, (i) => discoverIssuer(i));
      await assert.rejects(configureSignIn(ask), (e: unknown) => AuthError.is(e, 'issuerMismatch') && e.nextStep!.includes(idp.issuer));
      assert.equal(ask.asked.length, 1, 'nothing more is asked');
    });

    it('says discovery failed when nothing answers there', async () => {
      const ask = new ScriptedAsk('other', ['http://127.0.0.1:9/nothing', 'x', 'groups'], true, (i) => discoverIssuer(i, fetch, 2_000));
      await assert.rejects(configureSignIn(ask), (e: unknown) => AuthError.is(e, 'discoveryFailed'));
    });
  });

  it('asks before keeping an issuer unusual for the provider, and stops when told to', async () => {
    const stop = new ScriptedAsk('entra', ['https://login.microsoftonline.com/common/v2.0'], false);
    assert.equal(await configureSignIn(stop), undefined);
    assert.match(stop.confirms[0], /tenant id/);
    const keep = new ScriptedAsk('entra', ['https://login.microsoftonline.com/common/v2.0', 'app', 'roles'], true);
    assert.deepEqual(await configureSignIn(keep), { issuer: 'https://login.microsoftonline.com/common/v2.0', clientId: 'app', groupsClaim: 'roles' });
  });

  it('stops without settings when the person escapes at any step', async () => {
    assert.equal(await configureSignIn(new ScriptedAsk(undefined, [])), undefined);
    assert.equal(await configureSignIn(new ScriptedAsk('okta', [undefined])), undefined);
    assert.equal(await configureSignIn(new ScriptedAsk('okta', ['https://acme.okta.com/oauth2/default', undefined])), undefined);
    assert.equal(await configureSignIn(new ScriptedAsk('okta', ['https://acme.okta.com/oauth2/default', 'id', undefined])), undefined);
  });

  it('suggests each provider’s groups claim', () => {
    assert.equal(preset('okta').groupsClaim, 'groups');
    assert.match(preset('auth0').groupsClaim, /^https:\/\//, 'Auth0 custom claims are namespaced');
    assert.match(preset('entra').groupsClaimNote, /roles/);
  });
});
