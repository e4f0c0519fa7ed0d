// The IdP strategy every per-service client shares: the access token the identity provider issues
// for the service's audience (gatehouse.<service>.audience), from the token broker, handed back
// to the broker when the service rejects it. Errors become the service's own error type.
import type { CredentialOrigin } from '../audit/auditTrail';
import type { ServiceId } from './config';
import type { IssuedToken } from './tokenBroker';

/** The part of TokenBroker a service client needs. */
export interface ServiceTokenSource {
  getServiceToken(service: ServiceId, signal?: AbortSignal): Promise<IssuedToken>;
  invalidate(token: string): void;
}

export class IdpServiceCredentials {
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

  invalidate(token: string): void {
    this.broker.invalidate(token);
  }
}
