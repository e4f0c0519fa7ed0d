// One sandbox (IdP, Google STS, BigQuery on DuckDB) per test file, and BigQuery clients built the
// way the extension builds them: federated credentials from a real id token of a demo user.
import { startSandbox, type Sandbox } from '../../sandbox/sandbox';
import { GOOGLE_WORKFORCE_AUDIENCE, GOOGLE_WORKFORCE_USER_PROJECT } from '../../sandbox/constants';
import { BigQueryClient, jobLabelsFor, type BigQueryClientOptions } from '../../../src/bigquery/client';
import { createGoogleCredentials, type FederationConfig, type MintedCredentials } from '../../../src/bigquery/credentials';
import { MemoryLogSink, RedactingLogger } from '../../../src/core/logger';

export interface BigQueryFixture {
  sandbox: Sandbox;
  /** Sandbox log lines (the STS logs each exchange). */
  log: string[];
  stsExchanges(userId: string): number;
  idToken(userId: string): Promise<string>;
  client(userId: string, options?: Partial<BigQueryClientOptions> & { federation?: Partial<FederationConfig> }): Promise<ClientUnderTest>;
  close(): Promise<void>;
}

export interface ClientUnderTest {
  client: BigQueryClient;
  /** How often the credentials asked for the id token (the token broker in the extension). */
  idTokenCalls: () => number;
  logLines: string[];
  /** The exchanges that minted new Google credentials, as the audit trail sees them. */
  minted: MintedCredentials[];
}

/** Registers before/after hooks of the calling suite: one sandbox for its tests, closed after. */
export function useBigQueryFixture(): () => BigQueryFixture {
  let fixture: BigQueryFixture | undefined;
  before(async function () {
    this.timeout(120_000);
    fixture = await startBigQueryFixture();
  });
  after(async () => fixture?.close());
  return () => {
    if (!fixture) throw new Error('the BigQuery sandbox did not start');
    return fixture;
  };
}

export async function startBigQueryFixture(): Promise<BigQueryFixture> {
  const log: string[] = [];
  const sandbox = await startSandbox({ services: ['sts', 'bigquery'], largeTableRows: 20_000, log: (l) => log.push(l) });
  const tokens = new Map<string, string>();
  const idToken = async (userId: string) => {
    let t = tokens.get(userId);
    if (!t) {
      t = (await sandbox.idp.login(userId)).id_token;
      if (!t) throw new Error('the sandbox IdP returned no id token');
      tokens.set(userId, t);
    }
    return t;
  };
  return {
    sandbox,
    log,
    stsExchanges: (userId) => log.filter((l) => l.startsWith(`[sts] exchanged an id token of ${userId} `)).length,
    idToken,
    async client(userId, options = {}) {
      const token = await idToken(userId);
      let calls = 0;
      const minted: MintedCredentials[] = [];
      const credentials = createGoogleCredentials(
        {
          audience: GOOGLE_WORKFORCE_AUDIENCE,
          workforcePoolUserProject: GOOGLE_WORKFORCE_USER_PROJECT,
          stsUrl: `${sandbox.urls.sts}/v1/token`,
          ...options.federation,
        },
        {
          getIdToken: async () => {
            calls++;
            return token;
          },
        },
        (m) => minted.push(m),
      );
      const sink = new MemoryLogSink();
      const client = new BigQueryClient({
        billingProject: 'gatehouse-demo',
        location: 'US',
        apiEndpoint: sandbox.urls.bigquery,
        resourceManagerEndpoint: sandbox.urls.bigquery,
        credentials,
        jobLabels: jobLabelsFor(userId),
        logger: new RedactingLogger(sink),
        retry: { baseDelayMs: 5, maxDelayMs: 20 },
        ...options,
      });
      return { client, idTokenCalls: () => calls, logLines: sink.lines, minted };
    },
    close: () => sandbox.close(),
  };
}
