// How the Airbyte client gets its bearer token. Two strategies:
//  - IdP: the access token the identity provider issues for the Airbyte audience (deployments
//    behind SSO or an identity-aware proxy): IdpServiceCredentials (auth/serviceCredentials).
//  - Application: client credentials the user entered (kept in SecretStorage), exchanged at
//    POST /applications/token; the short-lived token is cached until shortly before `expires_in`
//    runs out, and only one exchange runs at a time.
import type { CredentialOrigin } from '../audit/auditTrail';
import type { HttpClient } from '../core/http';
import type { Logger } from '../core/logger';
import type { SecretRegistry } from '../core/redact';
import { abandonable, type RenewableCredential } from '../core/renewableCredential';
import { AirbyteError, toAirbyteError } from './errors';

export interface AirbyteCredentials extends RenewableCredential<string> {
  /** Where the token comes from, for the audit trail and denial explanations. */
  readonly origin: CredentialOrigin;
}

export interface ApplicationSecret {
  clientId: string;
  clientSecret: string;
}

export interface ApplicationCredentialsOptions {
  http: HttpClient;
  /** The API base URL (`.../v1`); the token endpoint is `<base>/applications/token`. */
  baseUrl: string;
  /** Reads the stored client id and secret (SecretStorage in VS Code). */
  read: () => Promise<ApplicationSecret | undefined>;
  secrets?: SecretRegistry;
  logger?: Logger;
  now?: () => number;
  /** Refresh this long before expiry (default 30 s, at most a fifth of the lifetime). */
  skewMs?: number;
}

export class ApplicationCredentials implements AirbyteCredentials {
  readonly origin: CredentialOrigin = 'application-credentials';
  private cached?: { token: string; expiresAt: number };
  private inflight?: Promise<string>;
  private readonly now: () => number;

  constructor(private readonly opts: ApplicationCredentialsOptions) {
    this.now = opts.now ?? Date.now;
  }

  async token(signal?: AbortSignal): Promise<string> {
    if (this.cached && this.cached.expiresAt > this.now()) return this.cached.token;
    // One exchange at a time: concurrent callers share it. It is not tied to one caller's signal.
    this.inflight ??= this.exchange().finally(() => (this.inflight = undefined));
    return abandonable(this.inflight, signal, () => new AirbyteError('cancelled'));
  }

  invalidate(token: string): void {
    if (this.cached?.token === token) this.clear();
  }

  /** Forget the token (credentials changed, sign-out). */
  clear(): void {
    if (this.cached) this.opts.secrets?.delete(this.cached.token);
    this.cached = undefined;
  }

  private async exchange(): Promise<string> {
    const app = await this.opts.read();
    if (!app?.clientId || !app.clientSecret) throw new AirbyteError('credentialsMissing');
    this.opts.secrets?.add(app.clientSecret);
    let data: { access_token?: unknown; expires_in?: unknown };
    try {
      const res = await this.opts.http.request<typeof data>({
        method: 'POST',
        url: `${this.opts.baseUrl.replace(/\/+$/, '')}/applications/token`,
        // Both spellings: the spec's schema names `grant-type`, its `required` list `grant_type`.
        body: { client_id: app.clientId, client_secret: app.clientSecret, 'grant-type': 'client_credentials' },
        // Nothing happens on the server but issuing a token: safe to send again.
        idempotent: true,
      });
      data = res.data ?? {};
    } catch (err) {
      const e = toAirbyteError(err);
      if (e.reason === 'unauthorized' || e.reason === 'forbidden' || e.reason === 'badRequest') {
        throw new AirbyteError('credentialsRejected', undefined, e.status, e.problemTitle, undefined, { cause: err });
      }
      throw e;
    }
    if (typeof data.access_token !== 'string' || !data.access_token) throw new AirbyteError('badResponse', 'Airbyte answered the token request without a token.');
    const token = data.access_token;
    this.opts.secrets?.add(token);
    const lifetimeMs = (typeof data.expires_in === 'number' && data.expires_in > 0 ? data.expires_in : 180) * 1000;
    const skew = Math.min(this.opts.skewMs ?? 30_000, lifetimeMs / 5);
    if (this.cached) this.opts.secrets?.delete(this.cached.token);
    this.cached = { token, expiresAt: this.now() + lifetimeMs - skew };
    this.opts.logger?.debug(`obtained an Airbyte application token, valid ${Math.round(lifetimeMs / 1000)} s`);
    return token;
  }
}
