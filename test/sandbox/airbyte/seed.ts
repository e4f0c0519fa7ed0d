// What the sandbox Airbyte knows at start: two workspaces with group grants, their sources,
// destinations and connections, per-user applications, and a few days of job history.
import { GROUPS } from '../directory';

export type WorkspaceRole = 'edit' | 'read';

export interface Workspace {
  workspaceId: string;
  name: string;
  dataResidency: 'auto' | 'us' | 'eu';
  /** Group name → what its members may do. Groups absent here see nothing of the workspace. */
  grants: Record<string, WorkspaceRole>;
}

export interface Source {
  sourceId: string;
  name: string;
  sourceType: string;
  workspaceId: string;
  configuration: Record<string, unknown>;
}

export interface Destination {
  destinationId: string;
  name: string;
  destinationType: string;
  workspaceId: string;
  configuration: Record<string, unknown>;
}

export interface Connection {
  connectionId: string;
  name: string;
  sourceId: string;
  destinationId: string;
  workspaceId: string;
  status: 'active' | 'inactive' | 'deprecated';
  schedule: { scheduleType: 'manual' | 'cron' | 'basic'; cronExpression?: string; basicTiming?: string };
  namespaceFormat?: string;
  prefix?: string;
  streams: { name: string; syncMode: 'full_refresh_overwrite' | 'incremental_append' | 'incremental_deduped_history'; cursorField?: string[]; primaryKey?: string[][] }[];
  /** How a sync of this connection ends in the sandbox (the failing one shows errors in the tree). */
  outcome: 'succeeded' | 'failed';
  /** Typical volume of one sync. */
  rowsPerSync: number;
  bytesPerRow: number;
}

/** An attempt's failure as Airbyte's config API reports it (FailureReason in AttemptFailureSummary). */
export interface FailureReasonSeed {
  failureOrigin: 'source' | 'destination' | 'replication' | 'persistence' | 'normalization' | 'dbt' | 'airbyte_platform' | 'unknown';
  failureType: 'config_error' | 'system_error' | 'manual_cancellation' | 'refresh_schema' | 'transient_error';
  externalMessage: string;
  internalMessage: string;
  retryable: boolean;
}

/** Why a failed sync of this connection failed: Stripe's expired key; other failures hit BigQuery's quota. */
export function failureOf(connectionId: string): FailureReasonSeed {
  if (connectionId === CONNECTION_IDS.stripe) {
    return {
      failureOrigin: 'source',
      failureType: 'config_error',
      externalMessage: 'Stripe rejected the API key: Expired API Key provided: rk_live_****Xq2L. Update the secret key in the Stripe source.',
      internalMessage: 'io.airbyte.cdk.integrations.source.stripe: HTTPError 401 Client Error: Unauthorized for url: https://api.stripe.com/v1/charges?limit=100',
      retryable: false,
    };
  }
  return {
    failureOrigin: 'destination',
    failureType: 'system_error',
    externalMessage: 'BigQuery: Exceeded rate limits: too many table update operations for this table.',
    internalMessage: 'com.google.cloud.bigquery.BigQueryException: Exceeded rate limits: too many table update operations for this table',
    retryable: true,
  };
}

/** An Airbyte application (client credentials) tied to one demo user. */
export interface Application {
  clientId: string;
  clientSecret: string;
  userId: string;
}

export const WORKSPACE_IDS = {
  shop: '6b1f3c2e-4d5a-4e7b-9c8d-1a2b3c4d5e01',
  finance: '6b1f3c2e-4d5a-4e7b-9c8d-1a2b3c4d5e02',
} as const;

export const CONNECTION_IDS = {
  postgresShop: '9e2d7a10-1111-4c3b-8a5e-0f1e2d3c4b01',
  stripe: '9e2d7a10-1111-4c3b-8a5e-0f1e2d3c4b02',
  shopify: '9e2d7a10-1111-4c3b-8a5e-0f1e2d3c4b03',
  salesforce: '9e2d7a10-1111-4c3b-8a5e-0f1e2d3c4b04',
  financeLedger: '9e2d7a10-1111-4c3b-8a5e-0f1e2d3c4b05',
} as const;

/**
 * Per-user applications: `POST /applications/token` with these client credentials returns a
 * token acting as that user (the same grants as the user's IdP token).
 */
export const AIRBYTE_APPLICATIONS: readonly Application[] = [
  { clientId: 'gatehouse-demo-alice', clientSecret: 'alice-airbyte-secret', userId: 'alice' },
  { clientId: 'gatehouse-demo-bob', clientSecret: 'bob-airbyte-secret', userId: 'bob' },
  { clientId: 'gatehouse-demo-olivia', clientSecret: 'olivia-airbyte-secret', userId: 'olivia' },
];

export const WORKSPACES: readonly Workspace[] = [
  {
    workspaceId: WORKSPACE_IDS.shop,
    name: 'Shop Analytics',
    dataResidency: 'auto',
    grants: { [GROUPS.engineers]: 'edit', [GROUPS.analysts]: 'read' },
  },
  {
    workspaceId: WORKSPACE_IDS.finance,
    name: 'Finance Pipelines',
    dataResidency: 'eu',
    grants: { [GROUPS.engineers]: 'edit' },
  },
];

const bigquery = (dataset: string) => ({
  destinationType: 'bigquery',
  configuration: { destinationType: 'bigquery', project_id: 'gatehouse-demo', dataset_id: dataset, dataset_location: 'EU', loading_method: { method: 'Standard' } },
});

export const DESTINATIONS: readonly Destination[] = [
  { destinationId: 'c0ffee00-2222-4d6e-9f00-00000000d001', name: 'BigQuery raw', workspaceId: WORKSPACE_IDS.shop, ...bigquery('raw') },
  { destinationId: 'c0ffee00-2222-4d6e-9f00-00000000d002', name: 'BigQuery finance', workspaceId: WORKSPACE_IDS.finance, ...bigquery('finance') },
];

export const SOURCES: readonly Source[] = [
  {
    sourceId: 'a11ce000-3333-4f1a-8b2c-000000005001',
    name: 'Postgres (shop)',
    sourceType: 'postgres',
    workspaceId: WORKSPACE_IDS.shop,
    configuration: { sourceType: 'postgres', host: 'shop-db.internal', port: 5432, database: 'shop', schemas: ['public'], username: 'airbyte', ssl_mode: { mode: 'require' } },
  },
  {
    sourceId: 'a11ce000-3333-4f1a-8b2c-000000005002',
    name: 'Stripe',
    sourceType: 'stripe',
    workspaceId: WORKSPACE_IDS.shop,
    configuration: { sourceType: 'stripe', account_id: 'acct_1GatehouseDemo', start_date: '2024-01-01T00:00:00Z', lookback_window_days: 0 },
  },
  {
    sourceId: 'a11ce000-3333-4f1a-8b2c-000000005003',
    name: 'Shopify',
    sourceType: 'shopify',
    workspaceId: WORKSPACE_IDS.shop,
    configuration: { sourceType: 'shopify', shop: 'gatehouse-demo', start_date: '2024-01-01' },
  },
  {
    sourceId: 'a11ce000-3333-4f1a-8b2c-000000005004',
    name: 'Salesforce',
    sourceType: 'salesforce',
    workspaceId: WORKSPACE_IDS.shop,
    configuration: { sourceType: 'salesforce', is_sandbox: false, start_date: '2024-01-01T00:00:00Z' },
  },
  {
    sourceId: 'a11ce000-3333-4f1a-8b2c-000000005005',
    name: 'Finance ledger',
    sourceType: 'postgres',
    workspaceId: WORKSPACE_IDS.finance,
    configuration: { sourceType: 'postgres', host: 'ledger-db.internal', port: 5432, database: 'ledger', schemas: ['gl'], username: 'airbyte', ssl_mode: { mode: 'verify-full' } },
  },
];

const [pg, stripe, shopify, salesforce, ledger] = SOURCES.map((s) => s.sourceId);
const [rawDest, financeDest] = DESTINATIONS.map((d) => d.destinationId);

export const CONNECTIONS: readonly Connection[] = [
  {
    connectionId: CONNECTION_IDS.postgresShop,
    name: 'Postgres (shop) → BigQuery raw',
    sourceId: pg,
    destinationId: rawDest,
    workspaceId: WORKSPACE_IDS.shop,
    status: 'active',
    schedule: { scheduleType: 'cron', cronExpression: '0 0 */6 * * ? UTC' },
    namespaceFormat: 'raw',
    prefix: '',
    streams: [
      { name: 'orders_raw', syncMode: 'incremental_deduped_history', cursorField: ['updated_at'], primaryKey: [['id']] },
      { name: 'customers_raw', syncMode: 'incremental_deduped_history', cursorField: ['updated_at'], primaryKey: [['id']] },
      { name: 'payments_raw', syncMode: 'incremental_append', cursorField: ['created_at'] },
    ],
    outcome: 'succeeded',
    rowsPerSync: 48_200,
    bytesPerRow: 212,
  },
  {
    connectionId: CONNECTION_IDS.stripe,
    name: 'Stripe → BigQuery raw',
    sourceId: stripe,
    destinationId: rawDest,
    workspaceId: WORKSPACE_IDS.shop,
    status: 'active',
    schedule: { scheduleType: 'basic', basicTiming: 'Every 24 hours' },
    prefix: 'stripe_',
    streams: [
      { name: 'charges', syncMode: 'incremental_append', cursorField: ['created'] },
      { name: 'refunds', syncMode: 'incremental_append', cursorField: ['created'] },
      { name: 'customers', syncMode: 'full_refresh_overwrite' },
    ],
    outcome: 'failed',
    rowsPerSync: 9_800,
    bytesPerRow: 640,
  },
  {
    connectionId: CONNECTION_IDS.shopify,
    name: 'Shopify → BigQuery raw',
    sourceId: shopify,
    destinationId: rawDest,
    workspaceId: WORKSPACE_IDS.shop,
    status: 'active',
    schedule: { scheduleType: 'basic', basicTiming: 'Every 12 hours' },
    prefix: 'shopify_',
    streams: [
      { name: 'products', syncMode: 'full_refresh_overwrite' },
      { name: 'inventory_levels', syncMode: 'incremental_append', cursorField: ['updated_at'] },
    ],
    outcome: 'succeeded',
    rowsPerSync: 3_150,
    bytesPerRow: 1_024,
  },
  {
    connectionId: CONNECTION_IDS.salesforce,
    name: 'Salesforce → BigQuery',
    sourceId: salesforce,
    destinationId: rawDest,
    workspaceId: WORKSPACE_IDS.shop,
    status: 'inactive',
    schedule: { scheduleType: 'manual' },
    prefix: 'sfdc_',
    streams: [
      { name: 'Account', syncMode: 'incremental_deduped_history', cursorField: ['SystemModstamp'], primaryKey: [['Id']] },
      { name: 'Opportunity', syncMode: 'incremental_deduped_history', cursorField: ['SystemModstamp'], primaryKey: [['Id']] },
    ],
    outcome: 'succeeded',
    rowsPerSync: 21_400,
    bytesPerRow: 1_480,
  },
  {
    connectionId: CONNECTION_IDS.financeLedger,
    name: 'Finance ledger → BigQuery finance',
    sourceId: ledger,
    destinationId: financeDest,
    workspaceId: WORKSPACE_IDS.finance,
    status: 'active',
    schedule: { scheduleType: 'cron', cronExpression: '0 30 2 * * ? UTC' },
    namespaceFormat: 'finance',
    prefix: '',
    streams: [
      { name: 'journal_entries', syncMode: 'incremental_append', cursorField: ['posted_at'] },
      { name: 'accounts', syncMode: 'full_refresh_overwrite' },
    ],
    outcome: 'succeeded',
    rowsPerSync: 132_000,
    bytesPerRow: 180,
  },
];

export interface HistoricalJobSeed {
  connectionId: string;
  jobType: 'sync' | 'reset';
  createdAt: number;
  durationMs: number;
  status: 'succeeded' | 'failed' | 'cancelled';
  rows: number;
  bytes: number;
}

/** Deterministic pseudo-random numbers, so the seeded history is the same on every start. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const HOUR = 3_600_000;

/** Job history over the past days, oldest first, relative to `now`. */
export function historicalJobs(now: number): HistoricalJobSeed[] {
  const plans: { connectionId: string; everyHours: number; count: number; startHoursAgo: number; failEvery?: number }[] = [
    { connectionId: CONNECTION_IDS.postgresShop, everyHours: 6, count: 28, startHoursAgo: 3 },
    { connectionId: CONNECTION_IDS.stripe, everyHours: 24, count: 7, startHoursAgo: 5, failEvery: 3 },
    { connectionId: CONNECTION_IDS.shopify, everyHours: 12, count: 14, startHoursAgo: 8, failEvery: 9 },
    { connectionId: CONNECTION_IDS.salesforce, everyHours: 24, count: 5, startHoursAgo: 24 * 12 },
    { connectionId: CONNECTION_IDS.financeLedger, everyHours: 24, count: 7, startHoursAgo: 2, failEvery: 5 },
  ];
  const rand = lcg(20240611);
  const jobs: HistoricalJobSeed[] = [];
  for (const plan of plans) {
    const conn = CONNECTIONS.find((c) => c.connectionId === plan.connectionId)!;
    for (let i = 0; i < plan.count; i++) {
      const createdAt = now - (plan.startHoursAgo + i * plan.everyHours) * HOUR - Math.floor(rand() * 600_000);
      // The most recent Stripe sync failed (expired API key): the tree shows a red connection.
      const failed = (plan.failEvery !== undefined && i % plan.failEvery === 0) || (conn.outcome === 'failed' && i === 0);
      const scale = 0.6 + rand() * 0.8;
      const rows = failed ? Math.floor(conn.rowsPerSync * scale * 0.3) : Math.floor(conn.rowsPerSync * scale);
      jobs.push({
        connectionId: plan.connectionId,
        jobType: plan.connectionId === CONNECTION_IDS.postgresShop && i === 20 ? 'reset' : 'sync',
        createdAt,
        durationMs: Math.floor((90 + rand() * 600) * 1000),
        status: failed ? 'failed' : 'succeeded',
        rows,
        bytes: rows * conn.bytesPerRow,
      });
    }
  }
  return jobs.sort((a, b) => a.createdAt - b.createdAt);
}
