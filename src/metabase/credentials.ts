// How the Metabase client authenticates. Three strategies, each acting as someone different:
//  - IdP: the access token the identity provider issues for the Metabase audience, as a bearer
//    (instances behind the company's SSO): IdpServiceCredentials. Acts as the signed-in person.
//  - Session: the person's username and password, used once for POST /api/session; only the
//    session id is kept (SecretStorage). Acts as the person. A 401 later ends it: the person is
//    asked to sign in again, never re-sent a stored password.
//  - API key: `x-api-key`. A key belongs to a group, not to a person, so Metabase applies the
//    group's permissions whoever is signed in to Gatehouse; the UI says so.
import type { CredentialOrigin } from '../audit/auditTrail';
import type { HttpClient } from '../core/http';
import type { SecretRegistry } from '../core/redact';
import type { ServiceCredentials } from '../auth/serviceCredentials';
import { checkedServiceUrl, serviceOrigin } from '../core/serviceUrl';
import { MetabaseError, toMetabaseError } from './errors';
import { t } from '../core/l10n';

/** IdpServiceCredentials (a bearer token from the broker), a session or an API key. */
export type MetabaseCredentials = ServiceCredentials;

/** Where a stored secret (session id or API key) lives: SecretStorage in VS Code, a Map in tests. */
export interface StoredSecret {
  get(): Promise<string | undefined>;
  delete(): Promise<void>;
}

export class SessionCredentials implements MetabaseCredentials {
  readonly origin: CredentialOrigin = 'password-session';
  private refused?: string;

  constructor(
    private readonly stored: StoredSecret,
    private readonly secrets?: SecretRegistry,
  ) {}

  async token(): Promise<string> {
    const id = await this.stored.get();
    // Gone because Metabase ended it (another caller already deleted it): say it ended, not "not signed in".
    if (!id) throw new MetabaseError(this.refused ? 'sessionExpired' : 'credentialsMissing');
    if (id === this.refused) throw new MetabaseError('sessionExpired');
    this.secrets?.add(id);
    return id;
  }

  header(token: string): Record<string, string> {
    return { 'X-Metabase-Session': token };
  }

  /** Metabase ended the session (expired, logged out elsewhere): forget it; the person signs in again. */
  invalidate(token: string): void {
    this.refused = token;
    void this.stored
      .get()
      .then((id) => (id === token ? this.stored.delete() : undefined))
      .catch(() => undefined);
  }
}

export class ApiKeyCredentials implements MetabaseCredentials {
  readonly origin: CredentialOrigin = 'api-key';
  private refused?: string;

  constructor(
    private readonly stored: StoredSecret,
    private readonly secrets?: SecretRegistry,
  ) {}

  async token(): Promise<string> {
    const key = await this.stored.get();
    if (!key) throw new MetabaseError('credentialsMissing');
    // A key Metabase refused stays refused until the person enters another one.
    if (key === this.refused) throw new MetabaseError('credentialsRejected');
    this.secrets?.add(key);
    return key;
  }

  header(token: string): Record<string, string> {
    return { 'x-api-key': token };
  }

  invalidate(token: string): void {
    this.refused = token;
  }
}

/**
 * Exchanges a username and password for a session id (POST /api/session). The password is used
 * for this one request and not kept; a wrong one is credentialsRejected, a throttled login
 * rateLimited.
 */
export async function openMetabaseSession(
  http: HttpClient,
  apiUrl: string,
  login: { username: string; password: string },
  opts: { signal?: AbortSignal; secrets?: SecretRegistry } = {},
): Promise<string> {
  // The password goes nowhere but https (or this machine).
  requireSecure(apiUrl);
  opts.secrets?.add(login.password);
  try {
    const res = await http.request<{ id?: unknown }>({
      method: 'POST',
      url: `${apiUrl}/session`,
      body: { username: login.username, password: login.password },
      signal: opts.signal,
      // A resent login after an unknown outcome only opens a second session; still, never loop on a password.
      idempotent: false,
    });
    const id = res.data?.id;
    if (typeof id !== 'string' || !id) throw new MetabaseError('badResponse', 'Metabase answered the sign-in without a session.');
    opts.secrets?.add(id);
    return id;
  } catch (err) {
    const e = toMetabaseError(err);
    if (e.reason === 'unauthorized' || e.reason === 'badRequest' || e.reason === 'forbidden') {
      throw new MetabaseError('credentialsRejected', 'Metabase did not accept this username and password.', e.status, undefined, undefined, { cause: err, nextStep: t('Check them and try again. Accounts that sign in with SSO only cannot use a password here.') });
    }
    throw e;
  } finally {
    opts.secrets?.delete(login.password);
  }
}

/** Ends a session at Metabase (best effort: the local copy is forgotten either way). */
export async function closeMetabaseSession(http: HttpClient, apiUrl: string, sessionId: string, signal?: AbortSignal): Promise<void> {
  // Not over plain http to another machine; the local copy is forgotten all the same.
  if (!serviceOrigin(apiUrl)) return;
  await http.request({ method: 'DELETE', url: `${apiUrl}/session`, headers: { 'X-Metabase-Session': sessionId }, signal, idempotent: true }).catch(() => undefined);
}

function requireSecure(apiUrl: string): void {
  checkedServiceUrl(apiUrl, 'gatehouse.metabase.baseUrl', (e) => new MetabaseError('notConfigured', e.message, undefined, undefined, undefined, { cause: e, nextStep: e.nextStep }));
}
