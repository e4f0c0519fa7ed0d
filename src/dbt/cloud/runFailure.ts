// Where a failed dbt Cloud run failed: its failing step (by number and name) and dbt Cloud's
// status message, as one sentence shown where the failure is (the notification, the job tooltip).
import type { DbtCloudRun } from './dbtCloudClient';

export function runFailureText(run: Pick<DbtCloudRun, 'status' | 'statusMessage' | 'steps'>): string | undefined {
  if (run.status !== 'error') return undefined;
  const step = run.steps.find((s) => s.status === 'error');
  const where = step ? `step ${step.index} "${step.name.slice(0, 200)}" failed` : undefined;
  const what = run.statusMessage?.slice(0, 500);
  if (where && what) return `${where} (${what})`;
  return where ?? what;
}
