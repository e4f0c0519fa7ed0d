// Starts the whole sandbox in this process: the IdP first (everything verifies its tokens),
// then the warehouse, then every service. Tests call startSandbox(); `npm run sandbox` wraps it.
import { Directory } from './directory';
import { FaultRegistry } from './faults';
import { GoogleTokenStore, type IdpTokenVerifier, type RunningService, type SandboxContext } from './context';
import { startIdp, type RunningIdp } from './idp';
import { startGoogleTokenService } from './google-sts';
import { createWarehouse } from './warehouse';
import { startBigQuery } from './bigquery';
import { startAirbyte } from './airbyte';
import { startDbtCloud } from './dbt-cloud';
import { startLooker } from './looker';
import { startMetabase } from './metabase';
import { startOtlpReceiver } from './otlp';
import { hostileMode } from './hostile';
import { PROXIED_SERVICES, ProxyAssertions, startIdentityProxy, type ProxiedService } from './identityProxy';

export const SERVICE_NAMES = ['sts', 'bigquery', 'airbyte', 'dbtCloud', 'looker', 'metabase', 'otlp'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];
/** The identity-aware proxy in front of a service (see identityProxy.ts). */
export type ProxyName = `${ProxiedService}Proxy`;

export interface SandboxUrls {
  issuer: string;
  sts: string;
  bigquery: string;
  airbyte: string;
  dbtCloud: string;
  looker: string;
  metabase: string;
  /** Identity-aware proxies: the only endpoints that accept the IdP's access tokens. */
  airbyteProxy: string;
  dbtCloudProxy: string;
  lookerProxy: string;
  metabaseProxy: string;
  /** The OTLP/HTTP logs receiver (POST /v1/logs), standing in for an organisation's collector. */
  otlp: string;
}

export interface SandboxOptions {
  ports?: Partial<Record<ServiceName | ProxyName | 'idp', number>>;
  /** Start only these services (the IdP always starts). Default: all. */
  services?: readonly ServiceName[];
  /** Rows in the large events table (default 1,000,000; tests of other things may ask for fewer). */
  largeTableRows?: number;
  /** DuckDB file shared with real dbt (see warehouse/dbtFile.ts). */
  dbtFile?: string;
  log?: (line: string) => void;
  /** Hostile display strings in every service's answers (see hostile.ts). Default: GATEHOUSE_SANDBOX_HOSTILE=1, else off. */
  hostile?: boolean;
  /**
   * The identity provider the services trust instead of the sandbox's own (which still starts):
   * e.g. Keycloak, so the STS federates Keycloak's id tokens. Built from the running directory.
   */
  trustIdp?: (directory: Directory) => IdpTokenVerifier;
}

export interface Sandbox {
  urls: SandboxUrls;
  idp: RunningIdp;
  ctx: SandboxContext;
  /** The proxies' signing key, for tests that need an assertion the proxy did not send (expired). */
  proxyAssertions: ProxyAssertions;
  close(): Promise<void>;
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const log = opts.log ?? (() => undefined);
  if (opts.hostile !== undefined) hostileMode.on = opts.hostile;
  const wanted = new Set(opts.services ?? SERVICE_NAMES);
  const directory = new Directory();
  const faults = new FaultRegistry();
  const started: { close(): Promise<void> }[] = [];
  try {
    const idp = await startIdp({ directory, faults, port: opts.ports?.idp, log });
    started.push(idp);
    const warehouse = await createWarehouse({ largeTableRows: opts.largeTableRows, dbtFile: opts.dbtFile, log });
    started.push(warehouse);
    const proxyAssertions = await ProxyAssertions.create(directory);
    const ctx: SandboxContext = { directory, idp: opts.trustIdp?.(directory) ?? idp, identityProxy: proxyAssertions, googleTokens: new GoogleTokenStore(), faults, warehouse, log };

    const starters: Record<ServiceName, (c: SandboxContext, o: { port?: number }) => Promise<RunningService>> = {
      sts: startGoogleTokenService,
      bigquery: startBigQuery,
      airbyte: startAirbyte,
      dbtCloud: startDbtCloud,
      looker: startLooker,
      metabase: startMetabase,
      otlp: (c, o) => startOtlpReceiver({ faults: c.faults, port: o.port, log: c.log }),
    };
    const urls: SandboxUrls = {
      issuer: idp.issuer,
      sts: '',
      bigquery: '',
      airbyte: '',
      dbtCloud: '',
      looker: '',
      metabase: '',
      airbyteProxy: '',
      dbtCloudProxy: '',
      lookerProxy: '',
      metabaseProxy: '',
      otlp: '',
    };
    for (const name of SERVICE_NAMES) {
      if (!wanted.has(name)) continue;
      const svc = await starters[name](ctx, { port: opts.ports?.[name] });
      started.push(svc);
      urls[name] = svc.url;
    }
    for (const name of PROXIED_SERVICES) {
      if (!wanted.has(name)) continue;
      const proxy = await startIdentityProxy({ service: name, upstream: urls[name], idp, assertions: proxyAssertions, port: opts.ports?.[`${name}Proxy`], log });
      started.push(proxy);
      urls[`${name}Proxy`] = proxy.url;
    }
    return {
      urls,
      idp,
      ctx,
      proxyAssertions,
      close: async () => {
        for (const s of started.reverse()) await s.close().catch(() => undefined);
      },
    };
  } catch (err) {
    for (const s of started.reverse()) await s.close().catch(() => undefined);
    throw err;
  }
}
