// The BigQuery client of the signed-in session: built on first use from the current settings
// and the session's id token, kept while both stay the same, dropped on sign-out (it lives in the
// session scope) and when a connection setting changes. Without VS Code: settings and identity
// come in as functions.
import { BigQueryClient, jobLabelsFor } from './client';
import { createGoogleCredentials, type IdTokenSource } from './credentials';
import { connectionKey, type BigQuerySettings } from './settings';
import type { Disposable } from '../core/disposable';
import type { Logger } from '../core/logger';

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
}

export class BigQueryConnection implements Disposable {
  private current: { key: string; client: BigQueryClient } | undefined;

  constructor(private readonly deps: BigQueryConnectionDeps) {}

  /**
   * The client for the signed-in user, or undefined when nobody is signed in. Throws
   * BigQueryError('notConfigured') when federation is not set up (and ADC not opted into).
   */
  client(): BigQueryClient | undefined {
    const subject = this.deps.subject();
    if (!subject) return undefined;
    const settings = this.deps.settings();
    const key = `${subject}|${connectionKey(settings)}`;
    if (this.current?.key === key) return this.current.client;
    const credentials = createGoogleCredentials(settings.federation, this.deps.idTokens);
    const client = new BigQueryClient({
      billingProject: settings.billingProject || undefined,
      location: settings.location,
      apiEndpoint: settings.apiEndpoint || undefined,
      credentials,
      jobLabels: jobLabelsFor(subject),
      logger: this.deps.logger,
      maxResponseBytes: this.deps.maxResponseBytes,
    });
    this.current = { key, client };
    const mine = this.current;
    this.deps.sessionScope.add({ dispose: () => this.current === mine && this.reset() });
    this.deps.logger?.info(`BigQuery client ready (credentials: ${credentials.origin}${settings.billingProject ? `, billing project ${settings.billingProject}` : ''})`);
    return client;
  }

  /** Drops the client; the next use builds a new one. */
  reset(): void {
    this.current = undefined;
  }

  dispose(): void {
    this.reset();
  }
}
