// The IdP strategy every per-service client shares (Airbyte, dbt Cloud, Looker, Metabase): the
// access token the identity provider issues for the service's audience (gatehouse.<service>.audience),
// from the token broker, sent as a bearer token. A token the service rejected is handed back to
// the broker, which drops it from its cache, so the one retry gets a fresh one. Errors become the
// service's own error type.
import type { CredentialOrigin } from '../audit/auditTrail';
import type { RenewableCredential } from '../core/renewableCredential';
import type { ServiceId } from './config';
import type { IssuedToken } from './tokenBroker';

/** The part of TokenBroker a service client needs. */
export interface ServiceTokenSource {
  getServiceToken(service: ServiceId, signal?: AbortSignal): Promise<IssuedToken>;
  /** Drops a token the service rejected, so the next getServiceToken obtains a new one. */
  invalidate(token: string): void;
}

/** A credential a service client sends: where it came from and the header that carries it. */
export interface ServiceCredentials extends RenewableCredential<string> {
  /** Where the token comes from, for the audit trail and denial explanations. */
  readonly origin: CredentialOrigin;
  /** The request header that carries `token`. */
  header(token: string): Record<string, string>;
}

export class IdpServiceCredentials implements ServiceCredentials {
  /** How the last token was issued (resource indicator or token exchange), for audit and explanations. */
  origin: CredentialOrigin = 'resource-indicator';

  constructor(
    private readonly broker: ServiceTokenSource,
    private readonly service: ServiceId,
    private readonly toError: (err: unknown) => Error,
  ) {}

  async token(signal?: AbortSignal): Promise<string> {
    try {
      const issued = await this.broker.getServiceToken(this.service, signal);
      this.origin = issued.origin;
      return issued.token;
    } catch (err) {
      throw this.toError(err);
    }
  }

  header(token: string): Record<string, string> {
    return { Authorization: `Bearer ${token}` };
  }

  invalidate(token: string): void {
    this.broker.invalidate(token);
  }
}

/**
 * The IdP token sent to an identity-aware proxy in front of the service (gatehouse.<service>.credential
 * `proxy`): the proxy validates it and vouches for the person, so the audit says `identity-proxy`.
 */
export class IdentityProxyCredentials extends IdpServiceCredentials {
  override origin: CredentialOrigin = 'identity-proxy';

  override async token(signal?: AbortSignal): Promise<string> {
    const token = await super.token(signal);
    this.origin = 'identity-proxy';
    return token;
  }
}
