// What every HTTP service module (Airbyte, dbt Cloud, Looker, Metabase) needs before it can build
// a client: its HTTP client (made on first use), its base URL checked (https, or loopback http),
// the origin its own secrets are bound to, and those secrets in SecretStorage behind the modal
// that guards sending one to another origin.
import type * as vscode from 'vscode';
import { AxiosHttpClient, type HttpClient } from '../core/http';
import { maxResponseBytesSetting } from './httpSettings';
import { lazy } from '../core/lazyClient';
import type { Logger } from '../core/logger';
import { OriginBoundSecrets } from '../core/originSecrets';
import { checkedServiceUrl, serviceOrigin, type ServiceUrlError } from '../core/serviceUrl';
import { vscodeSecretReuseConfirm } from './secretReuse';

export interface ServiceConnectionOptions {
  context: vscode.ExtensionContext;
  logger: Logger;
  /** The setting the base URL comes from, e.g. gatehouse.looker.baseUrl. */
  setting: string;
  /** The base URL as configured now. */
  baseUrl: () => string | undefined;
  /** The service's own notConfigured error; with the refusal when the URL is set but not usable. */
  notConfigured: (refusal?: ServiceUrlError) => Error;
}

export class ServiceConnection {
  /** Made on first use: nothing is built at activation. */
  readonly http: () => HttpClient;

  constructor(private readonly o: ServiceConnectionOptions) {
    this.http = lazy(() => new AxiosHttpClient({ logger: o.logger, userAgent: `gatehouse-vscode/${o.context.extension.packageJSON.version}`, maxResponseBytes: maxResponseBytesSetting }));
  }

  /** An HttpClient that makes the real one on its first request. */
  get lazyHttp(): HttpClient {
    return { request: (req) => this.http().request(req) };
  }

  /** The checked base URL; throws the service's notConfigured error (unset, not a URL, plain http elsewhere). */
  url(): URL {
    return checkedServiceUrl(this.o.baseUrl(), this.o.setting, (e) => (e.reason === 'missing' ? this.o.notConfigured() : this.o.notConfigured(e)));
  }

  /** The origin the service's secrets are bound to, undefined while the URL is not usable. */
  origin(): string | undefined {
    return serviceOrigin(this.o.baseUrl());
  }

  /** One of the service's own secrets (its SecretStorage keys read and written together), bound to the origin. */
  secret(keys: readonly string[], what: string): OriginBoundSecrets {
    return new OriginBoundSecrets({ store: this.o.context.secrets, keys, what, confirm: vscodeSecretReuseConfirm });
  }
}
