// What the sandbox dbt Cloud knows at start: one account, the jaffle_gatehouse project, two
// environments, three jobs, personal tokens per demo user, two service tokens, and a couple of weeks of runs.
import { GROUPS } from '../directory';

export const ACCOUNT = { id: 70403, name: 'Gatehouse Demo', identifier: 'act_gatehouse_demo', plan: 'enterprise' } as const;
export const PROJECT = { id: 270542, name: 'jaffle_gatehouse', description: 'Shop analytics: staging views and marts on BigQuery gatehouse-demo.analytics.' } as const;

export type AccountRole = 'developer' | 'analyst';
/** Group → role in the account: developers trigger and cancel runs, analysts only look. */
export const ACCOUNT_GRANTS: Record<string, AccountRole> = { [GROUPS.engineers]: 'developer', [GROUPS.analysts]: 'analyst' };

/** Personal access tokens (`Authorization: Token <token>`), one per demo user. */
export const DBT_CLOUD_TOKENS: Readonly<Record<string, string>> = {
  dbtu_alice_gatehouse_demo_3f9a1c: 'alice',
  dbtu_bob_gatehouse_demo_7b2e4d: 'bob',
  dbtu_olivia_gatehouse_demo_c81f05: 'olivia',
};

/** A service token's permission set (dbt Cloud's names; the sandbox models two of them). */
export type ServiceTokenPermission = 'Job Admin' | 'Analyst';
export interface ServiceToken {
  name: string;
  /** Service tokens are account-scoped. */
  accountId: number;
  permission: ServiceTokenPermission;
}
/** What a permission set allows, in the terms of the account roles above. */
export const SERVICE_TOKEN_ROLES: Record<ServiceTokenPermission, AccountRole> = { 'Job Admin': 'developer', Analyst: 'analyst' };

/** Service tokens (`dbtc_...`): a shared identity of the account, not a person. */
export const DBT_CLOUD_SERVICE_TOKENS: Readonly<Record<string, ServiceToken>> = {
  dbtc_sandbox_analyst_readonly_5d21e8: { name: 'Analyst (read-only)', accountId: ACCOUNT.id, permission: 'Analyst' },
  dbtc_sandbox_job_admin_9a47c3: { name: 'Orchestration (job admin)', accountId: ACCOUNT.id, permission: 'Job Admin' },
};

export interface Environment {
  id: number;
  name: string;
  type: 'deployment' | 'development';
  deploymentType: 'production' | 'staging' | null;
  dbtVersion: string;
  customBranch: string | null;
  credentialsId: number;
}

export const ENVIRONMENTS: readonly Environment[] = [
  { id: 218762, name: 'Production', type: 'deployment', deploymentType: 'production', dbtVersion: '1.9.0-latest', customBranch: null, credentialsId: 377120 },
  { id: 218763, name: 'CI', type: 'deployment', deploymentType: 'staging', dbtVersion: '1.9.0-latest', customBranch: null, credentialsId: 377121 },
];

export interface JobDefinition {
  id: number;
  name: string;
  description: string;
  environmentId: number;
  jobType: 'scheduled' | 'ci' | 'other';
  executeSteps: string[];
  generateDocs: boolean;
  threads: number;
  targetName: string;
  cron: string | null;
  /** Outcome of a run of this job in the sandbox (CI check fails a test, so errors have something to show). */
  outcome: 'success' | 'error';
  createdAt: number;
}

export const JOB_IDS = { nightly: 902131, hourlyMarts: 902132, ci: 902133 } as const;

const DAY = 86_400_000;
export function jobDefinitions(now: number): JobDefinition[] {
  return [
    {
      id: JOB_IDS.nightly,
      name: 'Nightly build',
      description: 'Builds and tests the whole project every night.',
      environmentId: 218762,
      jobType: 'scheduled',
      executeSteps: ['dbt build'],
      generateDocs: true,
      threads: 4,
      targetName: 'prod',
      cron: '0 3 * * *',
      outcome: 'success',
      createdAt: now - 120 * DAY,
    },
    {
      id: JOB_IDS.hourlyMarts,
      name: 'Hourly marts',
      description: 'Refreshes the marts every hour.',
      environmentId: 218762,
      jobType: 'scheduled',
      executeSteps: ['dbt run --select marts'],
      generateDocs: false,
      threads: 4,
      targetName: 'prod',
      cron: '0 * * * *',
      outcome: 'success',
      createdAt: now - 90 * DAY,
    },
    {
      id: JOB_IDS.ci,
      name: 'CI check',
      description: 'Runs on pull requests: builds what changed and its children.',
      environmentId: 218763,
      jobType: 'ci',
      executeSteps: ['dbt build --select state:modified+'],
      generateDocs: false,
      threads: 8,
      targetName: 'ci',
      cron: null,
      outcome: 'error',
      createdAt: now - 60 * DAY,
    },
  ];
}

export interface HistoricalRun {
  jobId: number;
  createdAt: number;
  queuedMs: number;
  runMs: number;
  status: 10 | 20 | 30;
  cause: string;
  causeCategory: 'scheduled' | 'ci' | 'api' | 'ui';
  gitBranch: string;
}

/** Runs over the past two weeks, oldest first: nightly builds (one error), hourly marts for two days, a few CI checks. */
export function historicalRuns(now: number): HistoricalRun[] {
  const runs: HistoricalRun[] = [];
  const HOUR = 3_600_000;
  const startOfHour = now - (now % HOUR);
  const startOfDay = now - (now % DAY);
  for (let d = 14; d >= 1; d--) {
    runs.push({ jobId: JOB_IDS.nightly, createdAt: startOfDay - d * DAY + 3 * HOUR, queuedMs: 4_000 + d * 300, runMs: 290_000 + (d % 4) * 31_000, status: d === 5 ? 20 : 10, cause: 'Triggered by schedule', causeCategory: 'scheduled', gitBranch: 'main' });
  }
  for (let h = 48; h >= 1; h--) {
    runs.push({ jobId: JOB_IDS.hourlyMarts, createdAt: startOfHour - h * HOUR, queuedMs: 2_000 + (h % 5) * 700, runMs: 61_000 + (h % 7) * 4_000, status: h === 30 ? 30 : h === 17 ? 20 : 10, cause: 'Triggered by schedule', causeCategory: 'scheduled', gitBranch: 'main' });
  }
  const prs = [
    { daysAgo: 6, branch: 'feature/daily-revenue-mv', status: 10 as const },
    { daysAgo: 4, branch: 'fix/payments-gift-cards', status: 20 as const },
    { daysAgo: 4, branch: 'fix/payments-gift-cards', status: 10 as const },
    { daysAgo: 1, branch: 'feature/customer-countries', status: 20 as const },
  ];
  prs.forEach((p, i) =>
    runs.push({ jobId: JOB_IDS.ci, createdAt: now - p.daysAgo * DAY + i * 3_600_000, queuedMs: 3_000, runMs: 140_000 + i * 9_000, status: p.status, cause: `Triggered by pull request #${41 + i}`, causeCategory: 'ci', gitBranch: p.branch }),
  );
  return runs.sort((a, b) => a.createdAt - b.createdAt);
}
