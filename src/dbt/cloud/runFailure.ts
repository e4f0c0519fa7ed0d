// Where a failed dbt Cloud run failed: its failing step (by number and name) and dbt Cloud's
// status message, as one sentence shown where the failure is (the notification, the job tooltip).
import type { DbtCloudRun } from './dbtCloudClient';
import { t } from '../../core/l10n';

export function runFailureText(run: Pick<DbtCloudRun, 'status' | 'statusMessage' | 'steps'>): string | undefined {
  if (run.status !== 'error') return undefined;
  const step = run.steps.find((s) => s.status === 'error');
  const what = run.statusMessage?.slice(0, 500);
  if (!step) return what;
  const name = step.name.slice(0, 200);
  return what ? t('step {0} "{1}" failed ({2})', step.index, name, what) : t('step {0} "{1}" failed', step.index, name);
}
