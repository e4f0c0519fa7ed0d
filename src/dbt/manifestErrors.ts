// Typed errors for dbt artifacts (manifest.json, run_results.json). Callers branch on `reason`.
import { GatehouseError } from '../core/errors';
import { markMessage } from '../core/l10n';

export type DbtManifestErrorReason =
  | 'notFound'
  | 'unreadable'
  | 'empty'
  | 'truncated'
  | 'invalidJson'
  | 'notAManifest'
  | 'notRunResults'
  | 'invalidShape'
  | 'unsupportedVersion'
  | 'tooLarge'
  | 'stale'
  | 'nodeNotFound'
  | 'worker';

export class DbtManifestError extends GatehouseError<DbtManifestErrorReason> {
  readonly service = 'dbt';

  constructor(
    reason: DbtManifestErrorReason,
    message: string,
    nextStep?: string,
    options?: { cause?: unknown },
  ) {
    super(reason, message, nextStep, options);
  }

  static is(value: unknown, reason?: DbtManifestErrorReason): value is DbtManifestError {
    return value instanceof DbtManifestError && (reason === undefined || value.reason === reason);
  }
}

/** Most reasons mean "dbt is still writing it or wrote something else": re-running dbt fixes them. */
export const RERUN_DBT = markMessage('Run `dbt parse` (or any dbt command) to regenerate target/manifest.json.');
