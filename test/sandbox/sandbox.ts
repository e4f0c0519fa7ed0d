// Starts the whole sandbox in this process: the IdP first (everything verifies its tokens),
// then the warehouse, then every service. Tests call startSandbox(); `npm run sandbox` wraps it.
import { Directory } from './directory';
import { FaultRegistry } from './faults';
import { GoogleTokenStore, type RunningService, type SandboxContext } from './context';
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

export const SERVICE_NAMES = ['sts', 'bigquery', 'airbyte', 'dbtCloud', 'looker', 'metabase', 'otlp'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface SandboxUrls {
  issuer: string;
  sts: string;
  bigquery: string;
  airbyte: string;
  dbtCloud: string;
  looker: string;
  metabase: string;
  /** The OTLP/HTTP logs receiver (POST /v1/logs), standing in for an organisation's collector. */
  otlp: string;
}

export interface SandboxOptions {
  ports?: Partial<Record<ServiceName | 'idp', number>>;
  /** Start only these services (the IdP always starts). Default: all. */
  services?: readonly ServiceName[];
  /** Rows in the large events table (default 1,000,000; tests of other things may ask for fewer). */
  largeTableRows?: number;
  /** DuckDB file shared with real dbt (see warehouse/dbtFile.ts). */
  dbtFile?: string;
  log?: (line: string) => void;
  /** Hostile display strings in every service's answers (see hostile.ts). Default: GATEHOUSE_SANDBOX_HOSTILE=1, else off. */
  hostile?: boolean;
}

export interface Sandbox {
  urls: SandboxUrls;
  idp: RunningIdp;
  ctx: SandboxContext;
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
    const ctx: SandboxContext = { directory, idp, googleTokens: new GoogleTokenStore(), faults, warehouse, log };

    const starters: Record<ServiceName, (c: SandboxContext, o: { port?: number }) => Promise<RunningService>> = {
      sts: startGoogleTokenService,
      bigquery: startBigQuery,
      airbyte: startAirbyte,
      dbtCloud: startDbtCloud,
      looker: startLooker,
      metabase: startMetabase,
      otlp: (c, o) => startOtlpReceiver({ faults: c.faults, port: o.port, log: c.log }),
    };
    const urls: SandboxUrls = { issuer: idp.issuer, sts: '', bigquery: '', airbyte: '', dbtCloud: '', looker: '', metabase: '', otlp: '' };
    for (const name of SERVICE_NAMES) {
      if (!wanted.has(name)) continue;
      const svc = await starters[name](ctx, { port: opts.ports?.[name] });
      started.push(svc);
      urls[name] = svc.url;
    }
    return {
      urls,
      idp,
      ctx,
      close: async () => {
        for (const s of started.reverse()) await s.close().catch(() => undefined);
      },
    };
  } catch (err) {
    for (const s of started.reverse()) await s.close().catch(() => undefined);
    throw err;
  }
}
