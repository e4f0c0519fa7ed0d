// The BigQuery client of the signed-in session: built on first use from the current settings
// and the session's id token, kept while both stay the same, dropped on sign-out (it lives in the
// session scope) and when a connection setting changes. Without VS Code: settings and identity
// come in as functions.
import { BigQueryClient, jobLabelsFor } from './client';
import { createGoogleCredentials, type IdTokenSource } from './credentials';
import { connectionKey, type BigQuerySettings } from './settings';
import type { Disposable } from '../core/disposable';
import { LazyClient } from '../core/lazyClient';
import { checkedServiceUrl } from '../core/serviceUrl';
import { BigQueryError } from './errors';
import type { Logger } from '../core/logger';
import { recordAccess, type AccessAuditDeps } from '../audit/recordAccess';

export interface BigQueryConnectionDeps {
  settings: () => BigQuerySettings;
  idTokens: IdTokenSource;
  /** The signed-in subject, undefined when signed out. */
  subject: () => string | undefined;
  /** Where session-lived things register (cleared on sign-out). */
  sessionScope: { add<T extends Disposable>(item: T): T };
  logger?: Logger;
  /** Response cap (gatehouse.http.maxResponseMiB), read per request. */
  maxResponseBytes?: () => number;
  /** Records each federation exchange that mints new Google credentials. */
  audit?: AccessAuditDeps;
}

export class BigQueryConnection implements Disposable {
  private readonly connection = new LazyClient<BigQueryClient>({
    key: () => `${this.deps.subject()}|${connectionKey(this.deps.settings())}`,
    build: () => this.build(),
  });

  constructor(private readonly deps: BigQueryConnectionDeps) {}

  /**
   * The client for the signed-in user, or undefined when nobody is signed in. Throws
   * BigQueryError('notConfigured') when federation is not set up (and ADC not opted into).
   */
  client(): BigQueryClient | undefined {
    if (!this.deps.subject()) return undefined;
    return this.connection.get();
  }

  /** Drops the client; the next use builds a new one. */
  reset(): void {
    this.connection.invalidate();
  }

  dispose(): void {
    this.reset();
  }

  private build(): BigQueryClient {
    const subject = this.deps.subject()!;
    const settings = this.deps.settings();
    // Every query carries an access token: https, or http to this machine only.
    if (settings.apiEndpoint) checkedServiceUrl(settings.apiEndpoint, 'gatehouse.bigquery.apiEndpoint', (e) => new BigQueryError('notConfigured', `${e.message} ${e.nextStep}`, undefined, undefined, { cause: e }));
    if (settings.resourceManagerEndpoint) checkedServiceUrl(settings.resourceManagerEndpoint, 'gatehouse.bigquery.resourceManagerEndpoint', (e) => new BigQueryError('notConfigured', `${e.message} ${e.nextStep}`, undefined, undefined, { cause: e }));
    const audit = this.deps.audit;
    const credentials = createGoogleCredentials(
      settings.federation,
      this.deps.idTokens,
      audit &&
        ((m) =>
          void recordAccess(audit, {
            credential: m.origin,
            service: 'bigquery',
            action: 'federation-exchange',
            resource: m.audience,
            resourceName: m.serviceAccount,
            outcome: 'succeeded',
          })),
    );
    const client = new BigQueryClient({
      billingProject: settings.billingProject || undefined,
      location: settings.location,
      apiEndpoint: settings.apiEndpoint || undefined,
      resourceManagerEndpoint: settings.resourceManagerEndpoint || undefined,
      credentials,
      jobLabels: jobLabelsFor(subject),
      logger: this.deps.logger,
      maxResponseBytes: this.deps.maxResponseBytes,
    });
    this.deps.sessionScope.add({ dispose: () => this.connection.peek() === client && this.reset() });
    this.deps.logger?.info(`BigQuery client ready (credentials: ${credentials.origin}${settings.billingProject ? `, billing project ${settings.billingProject}` : ''})`);
    return client;
  }
}
