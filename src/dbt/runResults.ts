// target/run_results.json: the outcome of the last dbt invocation, per unique_id. Tolerant like the
// manifest reader: file-level damage is a typed error, a bad result entry is skipped with a warning.
import { readFile } from 'node:fs/promises';
import { CancelledError } from '../core/errors';
import { DbtManifestError } from './manifestErrors';
import { classifyJsonFailure, statManifest } from './manifestLoader';
import { isObject, schemaVersionOf, WarningSink } from './manifestNormalize';
import type { DbtManifestWarning } from './manifestTypes';
import { lookup } from '../core/lookup';
import { t } from '../core/l10n';

/** dbt's RunStatus, TestStatus and FreshnessStatus; `runtimeError` is freshness's "runtime error". */
export type DbtRunStatus = 'success' | 'error' | 'fail' | 'warn' | 'skipped' | 'pass' | 'runtimeError' | 'other';

const STATUSES: Readonly<Record<string, DbtRunStatus>> = {
  success: 'success',
  error: 'error',
  fail: 'fail',
  warn: 'warn',
  skipped: 'skipped',
  pass: 'pass',
  'runtime error': 'runtimeError',
  // dbt < 0.20 wrote these for `dbt run`/`dbt test`
  'no-op': 'skipped',
};

export interface DbtRunTiming {
  readonly name: string;
  readonly startedAt?: string;
  readonly completedAt?: string;
}

export interface DbtRunResult {
  readonly uniqueId: string;
  readonly status: DbtRunStatus;
  readonly rawStatus: string;
  /** Seconds. */
  readonly executionTime?: number;
  readonly message?: string;
  /** Failing rows of a test. */
  readonly failures?: number;
  readonly timing: readonly DbtRunTiming[];
}

export interface DbtRunResults {
  readonly schemaVersion?: number;
  readonly dbtVersion?: string;
  readonly generatedAt?: string;
  readonly invocationId?: string;
  /** Seconds. */
  readonly elapsedTime?: number;
  /** The dbt subcommand (`run`, `build`, `test`...), when recorded. */
  readonly command?: string;
  readonly results: ReadonlyMap<string, DbtRunResult>;
  readonly warnings: readonly DbtManifestWarning[];
}

const DEFAULT_MAX_BYTES = 512 * 1024 ** 2;

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export async function parseRunResults(path: string, options: { signal?: AbortSignal; maxBytes?: number } = {}): Promise<DbtRunResults> {
  const file = await statManifest(path, 'run results file', options.maxBytes ?? DEFAULT_MAX_BYTES);
  let buf: Buffer;
  try {
    buf = await readFile(file.path, { signal: options.signal });
  } catch (error) {
    if (options.signal?.aborted) throw new CancelledError(t('Reading dbt run results was cancelled.'));
    throw new DbtManifestError('unreadable', 'The dbt run results file cannot be read.', undefined, { cause: error });
  }
  let root: unknown;
  try {
    root = JSON.parse(buf.toString('utf8').replace(/^\uFEFF/, ''));
  } catch (error) {
    throw classifyJsonFailure(buf, 'run results file', error);
  }
  const notRunResults = () => new DbtManifestError('notRunResults', 'The file is JSON but not dbt run results.', 'Open target/run_results.json.');
  if (!isObject(root) || !Array.isArray(root.results)) throw notRunResults();
  const metadata = isObject(root.metadata) ? root.metadata : {};
  if (typeof metadata.dbt_schema_version === 'string' && schemaVersionOf(metadata.dbt_schema_version, 'run-results') === undefined) throw notRunResults();

  const sink = new WarningSink();
  const results = new Map<string, DbtRunResult>();
  root.results.forEach((entry: unknown, i: number) => {
    // dbt < 0.19 nests the node: results[i].node.unique_id
    const id = isObject(entry) ? (str(entry.unique_id) ?? (isObject(entry.node) ? str(entry.node.unique_id) : undefined)) : undefined;
    if (!isObject(entry) || id === undefined) {
      sink.add({ reason: 'invalidNode', section: 'results', message: t('Result #{0} has no unique_id; skipped.', i) });
      return;
    }
    const rawStatus = str(entry.status) ?? (entry.status === null ? 'null' : String(entry.status));
    const timing = Array.isArray(entry.timing)
      ? entry.timing.filter(isObject).map((t) => ({ name: str(t.name) ?? '', startedAt: str(t.started_at), completedAt: str(t.completed_at) }))
      : [];
    results.set(id, {
      uniqueId: id,
      status: lookup(STATUSES, rawStatus.toLowerCase()) ?? 'other',
      rawStatus,
      executionTime: num(entry.execution_time),
      message: str(entry.message),
      failures: num(entry.failures),
      timing,
    });
  });
  const args = isObject(root.args) ? root.args : {};
  return {
    schemaVersion: schemaVersionOf(metadata.dbt_schema_version, 'run-results'),
    dbtVersion: str(metadata.dbt_version),
    generatedAt: str(metadata.generated_at),
    invocationId: str(metadata.invocation_id),
    elapsedTime: num(root.elapsed_time),
    command: str(args.which) ?? str(args.rpc_method),
    results,
    warnings: sink.warnings,
  };
}
