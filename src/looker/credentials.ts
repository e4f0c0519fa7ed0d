// How the Looker client authenticates. Two strategies:
//  - IdP: the access token the identity provider issues for the Looker audience (instances behind
//    the company's SSO that accept it as a bearer), through the token broker.
//  - API3: the person's own client id and secret (entered by them, kept in SecretStorage),
//    exchanged at POST /api/4.0/login as a form (query-string credentials are deprecated and would
//    land in access logs). The access token is cached until shortly before `expires_in`; one
//    login at a time, shared by concurrent callers.
import type { CredentialOrigin } from '../audit/auditTrail';
import type { HttpClient } from '../core/http';
import type { Logger } from '../core/logger';
import type { SecretRegistry } from '../core/redact';
import { abandonable, type RenewableCredential } from '../core/renewableCredential';
import { LookerError, toLookerError } from './errors';

export interface LookerCredentials extends RenewableCredential<string> {
  /** Where the token comes from, for the audit trail and denial explanations. */
  readonly origin: CredentialOrigin;
}

export interface Api3Secret {
  clientId: string;
  clientSecret: string;
}

export interface Api3CredentialsOptions {
  http: HttpClient;
  /** The API root, `https://host/api/4.0`. */
  apiUrl: string;
  /** Reads the stored client id and secret (SecretStorage in VS Code). */
  read: () => Promise<Api3Secret | undefined>;
  secrets?: SecretRegistry;
  logger?: Logger;
  now?: () => number;
  /** Renew this long before expiry (default 60 s, at most a fifth of the lifetime). */
  skewMs?: number;
}

export class Api3Credentials implements LookerCredentials {
  // API3 keys belong to one Looker user: the person who entered them.
  readonly origin: CredentialOrigin = 'personal-token';
  private cached?: { token: string; expiresAt: number };
  private inflight?: Promise<string>;
  private readonly now: () => number;

  constructor(private readonly opts: Api3CredentialsOptions) {
    this.now = opts.now ?? Date.now;
  }

  async token(signal?: AbortSignal): Promise<string> {
    if (this.cached && this.cached.expiresAt > this.now()) return this.cached.token;
    this.inflight ??= this.login().finally(() => (this.inflight = undefined));
    return abandonable(this.inflight, signal, () => new LookerError('cancelled'));
  }

  invalidate(token: string): void {
    if (this.cached?.token === token) this.clear();
  }

  /** Forget the token (keys changed, sign-out). */
  clear(): void {
    if (this.cached) this.opts.secrets?.delete(this.cached.token);
    this.cached = undefined;
  }

  private async login(): Promise<string> {
    const key = await this.opts.read();
    if (!key?.clientId || !key.clientSecret) throw new LookerError('credentialsMissing');
    this.opts.secrets?.add(key.clientSecret);
    let data: { access_token?: unknown; expires_in?: unknown };
    try {
      const res = await this.opts.http.request<typeof data>({
        method: 'POST',
        url: `${this.opts.apiUrl}/login`,
        body: new URLSearchParams({ client_id: key.clientId, client_secret: key.clientSecret }),
        // Logging in changes nothing on the server but issuing a token: safe to send again.
        idempotent: true,
      });
      data = res.data ?? {};
    } catch (err) {
      const e = toLookerError(err);
      // Looker answers unknown keys with 404, not 401.
      if (e.reason === 'notFound' || e.reason === 'unauthorized' || e.reason === 'forbidden' || e.reason === 'badRequest') {
        throw new LookerError('credentialsRejected', undefined, e.status, undefined, undefined, { cause: err });
      }
      throw e;
    }
    if (typeof data.access_token !== 'string' || !data.access_token) throw new LookerError('badResponse', 'Looker answered the login without a token.');
    const token = data.access_token;
    this.opts.secrets?.add(token);
    const lifetimeMs = (typeof data.expires_in === 'number' && data.expires_in > 0 ? data.expires_in : 3600) * 1000;
    const skew = Math.min(this.opts.skewMs ?? 60_000, lifetimeMs / 5);
    if (this.cached) this.opts.secrets?.delete(this.cached.token);
    this.cached = { token, expiresAt: this.now() + lifetimeMs - skew };
    this.opts.logger?.debug(`logged in to Looker with API3 keys, token valid ${Math.round(lifetimeMs / 1000)} s`);
    return token;
  }
}
