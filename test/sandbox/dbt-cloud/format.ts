// dbt Cloud's JSON: the response envelope, its timestamps and humanized durations, and the
// Run / Job / Environment / Project objects as the Administrative API v2/v3 writes them.
import { ACCOUNT, ENVIRONMENTS, PROJECT, type Environment, type JobDefinition } from './seed';
import { STATUS_HUMANIZED, type RunRecord, type RunState } from './runs';

/** The data test the CI check job fails on (its runs end in Error with this in logs and run_results). */
export const CI_FAILING_TEST = 'not_null_orders_amount';

export interface Envelope {
  data: unknown;
  status: { code: number; is_success: boolean; user_message: string; developer_message: string };
  extra?: { filters: Record<string, unknown>; order_by: string | null; pagination: { count: number; total_count: number } };
}

export function envelope(data: unknown, code = 200, userMessage = 'Success!'): Envelope {
  return { data, status: { code, is_success: code < 400, user_message: userMessage, developer_message: '' } };
}

/** "2021-11-26 16:48:41.431645+00:00", dbt Cloud's timestamp format. */
export function dbtTime(ms: number | null | undefined): string | null {
  if (ms === null || ms === undefined) return null;
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '000+00:00');
}

/** "00:01:05" */
export function hms(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}

/** "1 minute, 5 seconds" (the two largest units, as dbt Cloud shows them). */
export function humanize(ms: number): string {
  let s = Math.max(0, Math.round(ms / 1000));
  const units: [string, number][] = [['day', 86_400], ['hour', 3_600], ['minute', 60], ['second', 1]];
  const parts: string[] = [];
  for (const [name, size] of units) {
    const n = Math.floor(s / size);
    s -= n * size;
    if (n) parts.push(`${n} ${name}${n === 1 ? '' : 's'}`);
  }
  return parts.slice(0, 2).join(', ') || '0 seconds';
}

export function environmentV2(env: Environment) {
  return {
    id: env.id,
    account_id: ACCOUNT.id,
    project_id: PROJECT.id,
    name: env.name,
    connection_id: 155021,
    credentials_id: env.credentialsId,
    repository_id: 183311,
    extended_attributes_id: null,
    custom_branch: env.customBranch,
    use_custom_branch: env.customBranch !== null,
    dbt_project_subdirectory: null,
    dbt_version: env.dbtVersion,
    raw_dbt_version: env.dbtVersion,
    supports_docs: env.deploymentType === 'production',
    deployment_type: env.deploymentType,
    type: env.type,
    created_by_id: null,
    state: 1,
    created_at: '2025-07-01 09:12:44.120398+00:00',
    updated_at: '2026-10-12 14:03:19.556021+00:00',
  };
}

export function projectResponse(baseUrl: string) {
  return {
    id: PROJECT.id,
    name: PROJECT.name,
    account_id: ACCOUNT.id,
    description: PROJECT.description,
    connection_id: 155021,
    repository_id: 183311,
    semantic_layer_config_id: null,
    state: 1,
    dbt_project_subdirectory: null,
    docs_job_id: null,
    freshness_job_id: null,
    type: 0,
    created_at: '2025-07-01 09:10:02.731902+00:00',
    updated_at: '2026-10-12 14:03:19.556021+00:00',
    connection: { id: 155021, account_id: ACCOUNT.id, name: 'BigQuery gatehouse-demo', type: 'adapter', adapter_version: 'bigquery_v0', state: 1 },
    environments: ENVIRONMENTS.map((e) => environmentV2(e)),
    repository: { id: 183311, account_id: ACCOUNT.id, remote_url: 'git@github.example.com:gatehouse/jaffle_gatehouse.git', git_clone_strategy: 'deploy_key', state: 1 },
    group_permissions: [],
    docs_job: null,
    freshness_job: null,
    fusion_readiness: null,
    default_version: '1.9.0-latest',
    href: `${baseUrl}/deploy/${ACCOUNT.id}/projects/${PROJECT.id}`,
  };
}

export function accountResponse() {
  return {
    id: ACCOUNT.id,
    name: ACCOUNT.name,
    plan: ACCOUNT.plan,
    run_slots: 5,
    developer_seats: 10,
    it_seats: 1,
    explorer_seats: 0,
    analyst_seats: 5,
    read_only_seats: 20,
    locked: false,
    lock_reason: null,
    lock_cause: null,
    unlocked_at: null,
    pending_cancel: false,
    billing_email_address: 'billing@example.com',
    pod_memory_request_mebibytes: 600,
    develop_pod_memory_request_mebibytes: 0,
    run_duration_limit_seconds: 86_400,
    queue_limit: 50,
    enterprise_login_slug: 'gatehouse-demo',
    business_critical: false,
    starter_repo_url: null,
    git_auth_level: 'personal',
    identifier: ACCOUNT.identifier,
    trial_end_date: null,
    static_subdomain: null,
    vanity_subdomain: null,
    run_locked_until: null,
    state: 1,
    docs_job_id: null,
    freshness_job_id: null,
    copilot_locked_until: null,
    agent_credit_locked: false,
    account_migration_events: [],
    groups: [],
    created_at: '2025-07-01 09:00:00.000000+00:00',
    updated_at: '2026-10-12 14:03:19.556021+00:00',
  };
}

function schedule(job: JobDefinition) {
  if (!job.cron) return { cron: '', date: { type: 'every_day', days: [] }, time: { type: 'every_hour', interval: 1 } };
  return job.cron.startsWith('0 *')
    ? { cron: job.cron, date: { type: 'every_day', days: [] }, time: { type: 'every_hour', interval: 1 } }
    : { cron: job.cron, date: { type: 'custom_cron', cron: job.cron }, time: { type: 'every_hour', interval: 1 } };
}

/** The Job object (HumanReadableJobDefinitionResponse); `extra` adds include_related parts. */
export function jobResponse(job: JobDefinition, runFailureCount: number, extra: Record<string, unknown> = {}) {
  const env = ENVIRONMENTS.find((e) => e.id === job.environmentId)!;
  return {
    id: job.id,
    account_id: ACCOUNT.id,
    project_id: PROJECT.id,
    environment_id: job.environmentId,
    name: job.name,
    description: job.description,
    dbt_version: null,
    raw_dbt_version: env.dbtVersion,
    deferring_environment_id: job.jobType === 'ci' ? 218762 : null,
    deferring_job_definition_id: null,
    execute_steps: job.executeSteps,
    execution: { timeout_seconds: 0 },
    generate_docs: job.generateDocs,
    is_deferrable: job.jobType !== 'ci',
    job_type: job.jobType,
    lifecycle_webhooks: false,
    lifecycle_webhooks_url: '',
    run_compare_changes: false,
    compare_changes_flags: '--select state:modified',
    run_failure_count: runFailureCount,
    run_generate_sources: false,
    run_lint: false,
    errors_on_lint_failure: true,
    cost_optimization_features: [],
    settings: { threads: job.threads, target_name: job.targetName },
    state: 1,
    triggers_on_draft_pr: false,
    triggers: { github_webhook: job.jobType === 'ci', schedule: job.cron !== null, git_provider_webhook: job.jobType === 'ci', on_merge: false, custom_branch_only: false },
    job_completion_trigger_condition: null,
    created_at: dbtTime(job.createdAt),
    updated_at: dbtTime(job.createdAt + 3_600_000),
    account: { name: ACCOUNT.name, state: 1, docs_job_id: null, freshness_job_id: null },
    project: { name: PROJECT.name, account_id: ACCOUNT.id, description: PROJECT.description, connection_id: 155021, repository_id: 183311, state: 1, type: 0 },
    environment: environmentV2(env),
    fusion_readiness: null,
    schedule: schedule(job),
    generate_sources: false,
    ...extra,
  };
}

/** The job as embedded in a run (`include_related=job`): InternalJobDefinition, whose schedule is flat. */
export function internalJobResponse(job: JobDefinition, runFailureCount: number) {
  const full = jobResponse(job, runFailureCount);
  return { ...full, schedule: { cron: full.schedule.cron, date: full.schedule.date.type, time: full.schedule.time.type } };
}

export interface RunStepInfo {
  index: number;
  name: string;
  status: number;
  logs: string;
}

/** Steps of a run: checkout and profile set-up, `dbt deps`, then each command; each gets a slice of the Running phase. */
export function runSteps(run: RunRecord, state: RunState, now: number): RunStepInfo[] {
  const names = ['Clone git repository', 'Create profile from connection BigQuery', 'Invoke dbt deps', ...run.steps.map((s) => `Invoke ${s}`)];
  if (run.generateDocs) names.push('Invoke dbt docs generate');
  if (run.startedAt === undefined) return names.map((name, i) => ({ index: i + 1, name, status: state.status === 30 ? 30 : 1, logs: '' }));
  const end = state.finishedAt ?? run.final.at;
  const span = (run.final.status === 30 ? Math.max(end, run.final.at) : run.final.at) - run.startedAt;
  const weights = names.map((_, i) => (i < 3 ? 1 : 4));
  const total = weights.reduce((a, b) => a + b, 0);
  let t = run.startedAt;
  const failIndex = run.final.status === 20 ? 3 + run.steps.length - 1 : -1;
  return names.map((name, i) => {
    const from = t;
    t += (span * weights[i]) / total;
    const to = t;
    let status: number;
    if (run.final.status === 30 && from >= run.final.at) status = 30;
    else if (run.final.status === 30 && to > run.final.at) status = 30;
    else if (now >= to || (state.finishedAt !== null && run.final.status !== 30)) status = i === failIndex ? 20 : i > failIndex && failIndex >= 0 ? 30 : 10;
    else if (now >= from) status = 3;
    else status = 1;
    return { index: i + 1, name, status, logs: status === 1 ? '' : stepLog(name, status, run) };
  });
}

function stepLog(name: string, status: number, run: RunRecord): string {
  const lines = [`${name}`];
  if (name.startsWith('Invoke dbt') && name !== 'Invoke dbt deps') {
    lines.push('Running with dbt=1.9.4', 'Registered adapter: bigquery=1.9.1', 'Found 6 models, 1 snapshot, 1 seed, 23 data tests, 3 sources, 1 exposure, 481 macros');
    if (run.trigger.schemaOverride) lines.push(`Using schema override: ${run.trigger.schemaOverride}`);
    if (status === 20) lines.push(`Failure in test ${CI_FAILING_TEST} (models/marts/_marts.yml)`, '  Got 3 results, configured to fail if != 0', 'Done. PASS=27 WARN=0 ERROR=1 SKIP=1 TOTAL=29');
    else if (status === 10) lines.push('Completed successfully', 'Done. PASS=29 WARN=0 ERROR=0 SKIP=0 TOTAL=29');
  }
  if (status === 30) lines.push('Run cancelled.');
  return lines.join('\n');
}

export function runResponse(
  run: RunRecord,
  state: RunState,
  now: number,
  baseUrl: string,
  related: { trigger?: boolean; job?: unknown; environment?: boolean; runSteps?: RunStepInfo[] },
) {
  const complete = state.status >= 10;
  const end = state.finishedAt ?? now;
  const queuedEnd = state.startedAt ?? state.dequeuedAt ?? end;
  const env = ENVIRONMENTS.find((e) => e.id === run.environmentId)!;
  return {
    id: run.id,
    trigger_id: run.triggerId,
    account_id: ACCOUNT.id,
    environment_id: run.environmentId,
    project_id: PROJECT.id,
    job_definition_id: run.jobId,
    status: state.status,
    dbt_version: env.dbtVersion,
    git_branch: run.trigger.gitBranch ?? 'main',
    git_sha: state.status >= 2 ? run.gitSha : null,
    status_message: state.status === 20 ? `Failure in test ${CI_FAILING_TEST}` : state.status === 30 ? 'Cancelled by user' : null,
    owner_thread_id: null,
    executed_by_thread_id: state.status >= 2 ? `dbt-run-${run.id}-sandbox` : null,
    deferring_run_id: null,
    artifacts_saved: complete && state.status !== 30,
    artifact_s3_path: complete && state.status !== 30 ? `prod-us-c1/runs/${run.id}/artifacts/target` : null,
    has_docs_generated: complete && state.status === 10 && run.generateDocs,
    has_sources_generated: false,
    notifications_sent: complete,
    blocked_by: [],
    created_at: dbtTime(run.createdAt),
    updated_at: dbtTime(state.finishedAt ?? Math.max(run.createdAt, state.startedAt ?? state.dequeuedAt ?? run.createdAt)),
    dequeued_at: dbtTime(state.dequeuedAt),
    started_at: dbtTime(state.startedAt),
    finished_at: dbtTime(state.finishedAt),
    last_checked_at: complete ? dbtTime(state.finishedAt) : dbtTime(now),
    last_heartbeat_at: state.status >= 2 ? dbtTime(complete ? state.finishedAt : now) : null,
    should_start_at: null,
    trigger: related.trigger ? triggerResponse(run) : null,
    job: related.job ?? null,
    environment: related.environment ? environmentV2(env) : null,
    run_steps: related.runSteps?.map((s) => ({ id: run.id * 10 + s.index, run_id: run.id, account_id: ACCOUNT.id, ...s, debug_logs: '', log_path: null, debug_log_path: null })) ?? [],
    status_humanized: STATUS_HUMANIZED[state.status],
    in_progress: !complete,
    is_complete: complete,
    is_success: state.status === 10,
    is_error: state.status === 20,
    is_cancelled: state.status === 30,
    is_running: state.status === 3,
    duration: hms(end - run.createdAt),
    queued_duration: hms(queuedEnd - run.createdAt),
    run_duration: hms(state.startedAt ? end - state.startedAt : 0),
    duration_humanized: humanize(end - run.createdAt),
    queued_duration_humanized: humanize(queuedEnd - run.createdAt),
    run_duration_humanized: humanize(state.startedAt ? end - state.startedAt : 0),
    created_at_humanized: `${humanize(now - run.createdAt)} ago`,
    finished_at_humanized: state.finishedAt ? `${humanize(now - state.finishedAt)} ago` : '0 minutes from now',
    retrying_run_id: null,
    can_retry: state.status === 20,
    retry_not_supported_reason: state.status === 20 ? null : 'RETRY_NOT_FAILED_RUN',
    job_id: run.jobId,
    href: `${baseUrl}/deploy/${ACCOUNT.id}/projects/${PROJECT.id}/runs/${run.id}/`,
    used_repo_cache: null,
  };
}

function triggerResponse(run: RunRecord) {
  const t = run.trigger;
  return {
    id: run.triggerId,
    cause: t.cause,
    job_definition_id: run.jobId,
    git_branch: t.gitBranch,
    git_sha: t.gitSha,
    azure_pull_request_id: null,
    github_pull_request_id: t.causeCategory === 'ci' ? 41 : null,
    gitlab_merge_request_id: null,
    non_native_pull_request_id: null,
    schema_override: t.schemaOverride,
    dbt_version_override: null,
    threads_override: t.threadsOverride,
    target_name_override: t.targetNameOverride,
    generate_docs_override: t.generateDocsOverride,
    timeout_seconds_override: null,
    steps_override: t.stepsOverride,
    cause_category: t.causeCategory,
    created_at: dbtTime(run.createdAt),
  };
}
