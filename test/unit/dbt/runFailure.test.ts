import * as assert from 'node:assert/strict';
import { runFailureText } from '../../../src/dbt/cloud/runFailure';

describe('dbt Cloud run failure text', () => {
  const steps = [
    { index: 1, name: 'Clone git repository', status: 'success' as const },
    { index: 4, name: 'Invoke dbt build', status: 'error' as const },
    { index: 5, name: 'Invoke dbt docs generate', status: 'cancelled' as const },
  ];
  const cases: [string, Parameters<typeof runFailureText>[0], string | undefined][] = [
    ['the failing step and the message', { status: 'error', statusMessage: 'Failure in test not_null_orders', steps }, 'step 4 "Invoke dbt build" failed (Failure in test not_null_orders)'],
    ['the step alone', { status: 'error', steps }, 'step 4 "Invoke dbt build" failed'],
    ['the message alone (no steps fetched)', { status: 'error', statusMessage: 'Failure', steps: [] }, 'Failure'],
    ['nothing for a success', { status: 'success', statusMessage: 'x', steps }, undefined],
  ];
  for (const [name, run, expected] of cases) it(name, () => assert.equal(runFailureText(run), expected));
});
