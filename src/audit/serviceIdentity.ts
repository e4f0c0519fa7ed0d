// Who each service sees: every service module registers how to tell which credential its next call
// would use and, where the service tells, whom that credential acts as. The views' identity line
// and "Show Identity" read it here, so they say the same as the audit trail (credentialText.ts).
import type { Disposable } from '../core/disposable';
import { Emitter } from '../core/event';
import type { AuditService, CredentialOrigin } from './credentialOrigin';
import { describeCredential, identityLine, type CredentialDescription, type Principal } from './credentialText';
import { serviceName } from './activity';
import { t } from '../core/l10n';

export interface ServiceIdentitySource {
  readonly service: AuditService;
  /** The origin of the credential the next call would use; undefined while not configured or without a credential. */
  credential(): CredentialOrigin | undefined;
  /** Asks the service whom the credential acts as (Looker `GET /user`, Metabase `GET /user/current`). */
  principal?(signal: AbortSignal): Promise<Principal | undefined>;
}

export interface ServiceIdentityRow {
  service: AuditService;
  /** "Looker". */
  title: string;
  /** Undefined while the service is not configured or has no credential. */
  description?: CredentialDescription;
  /** The line a service view shows, or what is missing. */
  text: string;
}

/** Show Identity waits this long per service for what the service reports. */
const PRINCIPAL_TIMEOUT_MS = 10_000;

export class ServiceIdentities {
  private readonly sources = new Map<AuditService, ServiceIdentitySource>();
  /** What each service last reported, kept until its connection changes. */
  private readonly principals = new Map<AuditService, { origin: CredentialOrigin; principal: Principal }>();
  private readonly changed = new Emitter<AuditService>();
  readonly onDidChange = this.changed.event;

  register(source: ServiceIdentitySource): Disposable {
    this.sources.set(source.service, source);
    return { dispose: () => this.sources.get(source.service) === source && this.sources.delete(source.service) };
  }

  /** The credential in words with what the service reported last, or undefined while there is none. */
  describe(service: AuditService): CredentialDescription | undefined {
    const origin = this.originOf(this.sources.get(service));
    if (!origin) return undefined;
    const known = this.principals.get(service);
    return describeCredential(service, origin, known?.origin === origin ? known.principal : {});
  }

  /** A connection changed (settings, secrets, sign-in): what the service reported no longer holds. */
  forget(service: AuditService): void {
    this.principals.delete(service);
    this.changed.fire(service);
  }

  /** Asks the service whom its credential acts as; a failure leaves the words without the principal. */
  async lookUp(service: AuditService, signal: AbortSignal = AbortSignal.timeout(PRINCIPAL_TIMEOUT_MS)): Promise<CredentialDescription | undefined> {
    const source = this.sources.get(service);
    const origin = this.originOf(source);
    if (!source || !origin) return undefined;
    if (source.principal) {
      try {
        const principal = await source.principal(signal);
        if (principal) {
          this.principals.set(service, { origin, principal });
          this.changed.fire(service);
        }
      } catch {
        // Not reachable or refused: the words say how the call is made, without the name.
      }
    }
    return this.describe(service);
  }

  /** Every registered service, in registration order, with its credential in words or what is missing. */
  async report(who: string | undefined, lookUp: boolean): Promise<ServiceIdentityRow[]> {
    const services = [...this.sources.keys()];
    const descriptions = await Promise.all(services.map((s) => (lookUp ? this.lookUp(s) : Promise.resolve(this.describe(s)))));
    return services.map((service, i) => {
      const description = descriptions[i];
      return { service, title: serviceName(service), description, text: description ? identityLine(who, description) : t('not configured, or no credential entered') };
    });
  }

  /** A service that cannot build its client (not configured) has no credential to describe. */
  private originOf(source: ServiceIdentitySource | undefined): CredentialOrigin | undefined {
    try {
      return source?.credential();
    } catch {
      return undefined;
    }
  }

  dispose(): void {
    this.changed.dispose();
  }
}
