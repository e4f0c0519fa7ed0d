// "Configure Sign-In" as a short guided conversation, without VS Code: pick the identity provider,
// give the issuer (checked against the provider's usual shape, then against its discovery
// document) and the client id, confirm the groups claim. The result is the settings to write; the
// VS Code side asks through quick inputs and writes them where machine settings live.
import { AuthError } from './authError';
import { isLoopbackUrl } from './config';
import { markMessage, t } from '../core/l10n';

export interface IdpPreset {
  id: 'okta' | 'entra' | 'auth0' | 'keycloak' | 'google' | 'other';
  label: string;
  /** A placeholder issuer shaped like this provider's. */
  issuerExample: string;
  /** Why an issuer does not look like this provider's, or undefined when it does. */
  issuerHint(issuer: URL): string | undefined;
  groupsClaim: string;
  groupsClaimNote: string;
}

export const IDP_PRESETS: readonly IdpPreset[] = [
  {
    id: 'okta',
    label: markMessage('Okta'),
    issuerExample: 'https://acme.okta.com/oauth2/default',
    issuerHint: (u) => (/^\/oauth2\/[^/]+$/.test(u.pathname.replace(/\/$/, '')) ? undefined : t('Okta issuers for API access are custom authorization servers: https://<org>.okta.com/oauth2/<server id or default>.')),
    groupsClaim: 'groups',
    groupsClaimNote: markMessage('Add a Groups claim to the authorization server (Security > API > Claims).'),
  },
  {
    id: 'entra',
    label: markMessage('Microsoft Entra ID'),
    issuerExample: 'https://login.microsoftonline.com/<tenant-id>/v2.0',
    issuerHint: (u) =>
      u.hostname === 'login.microsoftonline.com' && /^\/[0-9a-f-]{36}\/v2\.0\/?$/i.test(u.pathname)
        ? undefined
        : t('Entra ID v2 issuers name your tenant id: https://login.microsoftonline.com/<tenant-id>/v2.0 (not /common or /organizations).'),
    groupsClaim: 'groups',
    groupsClaimNote: markMessage('With more than 200 groups Entra ID leaves them out of the token: use app roles (claim "roles") then.'),
  },
  {
    id: 'auth0',
    label: markMessage('Auth0'),
    issuerExample: 'https://acme.eu.auth0.com/',
    issuerHint: (u) => (u.pathname === '/' ? undefined : t('Auth0 issuers are the tenant domain with a trailing slash: https://<tenant>.<region>.auth0.com/.')),
    groupsClaim: 'https://gatehouse/groups',
    groupsClaimNote: markMessage('Auth0 adds groups through an Action, under a namespaced claim such as https://<your domain>/groups.'),
  },
  {
    id: 'keycloak',
    label: markMessage('Keycloak'),
    issuerExample: 'https://sso.acme.com/realms/<realm>',
    issuerHint: (u) => (/\/realms\/[^/]+\/?$/.test(u.pathname) ? undefined : t('Keycloak issuers end in /realms/<realm>.')),
    groupsClaim: 'groups',
    groupsClaimNote: markMessage('Add a Group Membership mapper (claim "groups", full path off) to the client scope; realm roles come as realm_access.roles.'),
  },
  {
    id: 'google',
    label: markMessage('Google (Workspace accounts)'),
    issuerExample: 'https://accounts.google.com',
    issuerHint: (u) => (u.origin === 'https://accounts.google.com' && (u.pathname === '/' || u.pathname === '') ? undefined : t('Google’s issuer is https://accounts.google.com.')),
    groupsClaim: 'groups',
    groupsClaimNote: markMessage('Google ID tokens carry no groups: Gatehouse then offers the actions of no group, and IAM decides in BigQuery.'),
  },
  {
    id: 'other',
    label: markMessage('Another OpenID Connect provider'),
    issuerExample: 'https://idp.acme.com',
    issuerHint: () => undefined,
    groupsClaim: 'groups',
    groupsClaimNote: markMessage('The claim of the ID token that lists the person’s groups.'),
  },
];

export interface SignInSettings {
  issuer: string;
  clientId: string;
  groupsClaim: string;
}

/** What the flow needs from the person and the network. */
export interface ConfigureAsk {
  pickProvider(presets: readonly IdpPreset[]): Promise<IdpPreset | undefined>;
  /** Asks for a value; `validate` returns the message to show while the value is not acceptable. */
  input(o: { title: string; prompt: string; placeholder: string; value?: string; validate(value: string): string | undefined }): Promise<string | undefined>;
  /** Shown when the issuer looks unusual for the provider; true to keep it anyway. */
  confirm(message: string, keep: string): Promise<boolean>;
  /** The issuer its discovery document reports (throws when it cannot be read). */
  discover(issuer: string): Promise<string>;
}

/** Syntax of an issuer URL: https (http only on loopback), no query or fragment. */
export function issuerProblem(value: string): string | undefined {
  let u: URL;
  try {
    u = new URL(value.trim());
  } catch {
    return t('Enter the issuer URL, starting with https://.');
  }
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && isLoopbackUrl(u.href))) return t('The issuer must use https:// (http only on this machine).');
  if (u.search || u.hash) return t('The issuer has no query or fragment.');
  if (u.username || u.password) return t('The issuer has no user name or password.');
  return undefined;
}

export function clientIdProblem(value: string): string | undefined {
  const v = value.trim();
  if (!v) return t('Enter the client id your identity team gave you.');
  if (v.length > 512 || /\s/.test(v)) return t('A client id has no spaces.');
  return undefined;
}

/** The guided flow; undefined when the person stopped it. Throws AuthError when discovery disagrees. */
export async function configureSignIn(ask: ConfigureAsk, current: Partial<SignInSettings> = {}): Promise<SignInSettings | undefined> {
  const preset = await ask.pickProvider(IDP_PRESETS);
  if (!preset) return undefined;
  const issuerInput = await ask.input({
    title: t('{0}: issuer', t(preset.label)),
    prompt: t('The OpenID Connect issuer URL your identity team gave you.'),
    placeholder: preset.issuerExample,
    value: current.issuer,
    validate: issuerProblem,
  });
  if (issuerInput === undefined) return undefined;
  const issuer = issuerInput.trim();
  const hint = preset.issuerHint(new URL(issuer));
  if (hint && !(await ask.confirm(hint, t('Use It Anyway')))) return undefined;
  let reported: string;
  try {
    reported = await ask.discover(issuer);
  } catch (err) {
    throw new AuthError('discoveryFailed', t('Could not read the discovery document of {0}.', issuer), 'Check the issuer URL and that this machine can reach it.', { cause: err });
  }
  // Issuers must match exactly (OpenID Connect Discovery 1.0, section 4.3); a trailing slash counts.
  if (reported !== issuer) {
    throw new AuthError('issuerMismatch', t('The provider at {0} calls itself {1}.', issuer, reported), t('Use exactly {0} as the issuer, if your identity team confirms it.', reported));
  }
  const clientIdInput = await ask.input({
    title: t('{0}: client id', t(preset.label)),
    prompt: t('The client id of the Gatehouse app (a public client with PKCE and the loopback redirect http://127.0.0.1/callback).'),
    placeholder: preset.id === 'okta' ? '0oa1b2c3d4e5f6g7h8i9' : preset.id === 'entra' ? '00000000-0000-0000-0000-000000000000' : 'gatehouse',
    value: current.clientId,
    validate: clientIdProblem,
  });
  if (clientIdInput === undefined) return undefined;
  const groupsInput = await ask.input({
    title: t('{0}: groups claim', t(preset.label)),
    prompt: t(preset.groupsClaimNote),
    placeholder: preset.groupsClaim,
    value: current.groupsClaim ?? preset.groupsClaim,
    validate: (v) => (v.trim() ? undefined : t('Enter the name of the claim that lists groups.')),
  });
  if (groupsInput === undefined) return undefined;
  return { issuer, clientId: clientIdInput.trim(), groupsClaim: groupsInput.trim() };
}

/** The issuer a provider's discovery document reports; the document is read with a time and size limit. */
export async function discoverIssuer(issuer: string, fetchImpl: typeof fetch = fetch, timeoutMs = 10_000): Promise<string> {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  const res = await fetchImpl(url, { redirect: 'error', signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
  if (!res.ok) throw new AuthError('discoveryFailed', t('The discovery document answered HTTP {0}.', res.status));
  const text = await res.text();
  if (text.length > 256 * 1024) throw new AuthError('discoveryFailed', 'The discovery document is too large to be one.');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new AuthError('discoveryFailed', 'The discovery document is not JSON.');
  }
  const reported = (doc as { issuer?: unknown } | null)?.issuer;
  if (typeof reported !== 'string' || reported.length > 2048) throw new AuthError('discoveryFailed', 'The discovery document names no issuer.');
  return reported;
}
