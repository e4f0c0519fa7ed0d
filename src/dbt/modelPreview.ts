// "Preview" of a dbt model: its compiled SQL wrapped in a LIMIT and run on BigQuery, the rows handed
// to the results panel as a ResultSource. The BigQuery client is injected (the BigQuery module owns
// credentials and settings), so this stays a few lines of wiring and a pure SQL helper.
//
// The compiled SQL comes from a manifest in the workspace: hostile until shown otherwise. Wrapping
// it in text cannot stop it from closing the wrapper and appending `; DELETE ...` (BigQuery would
// run the whole thing as a script), so the wrapper is not the guard. The guard is BigQuery's own
// reading of the exact text: a dry run first, and the job runs only if that says one SELECT
// (not a script, not DML or DDL). Only in a trusted workspace, within the cost settings, with the
// SQL's SHA-256 and the job id for the audit trail.
import { createHash } from 'node:crypto';
import type { ResultStats, ResultsPanelHandle } from '../results/resultsPresenter';
import type { AuditOutcome, AuditRecord, CredentialOrigin } from '../audit/auditTrail';
import { BigQueryResultSource } from '../bigquery/rows';
import type { ResultSource } from '../results/types';
import { newJobId, type BigQueryClient } from '../bigquery/client';
import type { JobRef } from '../bigquery/types';
import { decideCost } from '../bigquery/sql';
import type { CostSettings } from '../bigquery/queryRunner';
import { Formatter } from '../core/format';

// Sizes in the preview's refusals (the results panel shows them in the display language).
const fmt = new Formatter();
import { GatehouseError } from '../core/errors';
import { t } from '../core/l10n';

export const DEFAULT_PREVIEW_LIMIT = 500;
export const MAX_PREVIEW_LIMIT = 10_000;

/**
 * The compiled SQL as a subquery with a row limit. Trailing semicolons would end the statement
 * inside the parentheses; the newline before `)` keeps a trailing `-- comment` from eating it.
 * This is for the row limit only: what BigQuery makes of the text is checked by a dry run.
 */
export function previewSql(compiledSql: string, limit = DEFAULT_PREVIEW_LIMIT): string {
  const body = compiledSql.replace(/[\s;]+$/u, '');
  if (!body.trim()) throw new RangeError('The compiled SQL is empty.');
  const n = Math.max(1, Math.min(MAX_PREVIEW_LIMIT, Math.floor(limit)));
  return `select * from (\n${body}\n) as gatehouse_preview\nlimit ${n}`;
}

/** Hex SHA-256 of the exact SQL text sent, for the audit trail (the text itself is not logged). */
export function sqlSha256(sql: string): string {
  return createHash('sha256').update(sql, 'utf8').digest('hex');
}

export type DbtPreviewErrorReason = 'untrustedWorkspace' | 'notASelect' | 'overByteLimit' | 'declined';

const NEXT_STEPS: Record<DbtPreviewErrorReason, string | undefined> = {
  untrustedWorkspace: 'Trust the workspace (Workspaces: Manage Workspace Trust) if you know where its manifest comes from.',
  notASelect: 'Look at it with "Show Compiled SQL", and compile the project again (dbt compile) if it is not what the model should be.',
  overByteLimit: 'Preview a narrower model, or raise gatehouse.bigquery.maximumBytesBilled.',
  declined: undefined,
};

/** A preview that was not run, and why. */
export class DbtPreviewError extends GatehouseError<DbtPreviewErrorReason> {
  readonly service = 'dbt';
  constructor(reason: DbtPreviewErrorReason, message: string) {
    super(reason, message, NEXT_STEPS[reason]);
  }
  static is(value: unknown, reason?: DbtPreviewErrorReason): value is DbtPreviewError {
    return value instanceof DbtPreviewError && (reason === undefined || value.reason === reason);
  }
}

/** BigQuery's statement type, as shown to the user (it is service data: only an enum-like word). */
function shownType(type: string | undefined): string {
  return type && /^[A-Z_]{1,40}$/.test(type) ? type : t('an unknown statement');
}

export interface DbtPreview {
  source: ResultSource;
  stats: ResultStats;
  jobId: string;
}

export interface DbtPreviewOptions {
  signal?: AbortSignal;
  labels?: Record<string, string>;
  timeoutMs?: number;
  /** Whether the workspace the manifest came from is trusted (the glue passes vscode.workspace.isTrusted). */
  trusted: boolean;
  /** gatehouse.bigquery.maximumBytesBilled and confirmAboveBytes. */
  cost: CostSettings;
  /** Asked when the dry run is above confirmAboveBytes; false: not run. */
  confirmCost(bytes: number): Promise<boolean>;
  /** Called with the job id just before the job is inserted (so a failure after it is audited with it). */
  onJobStart?(jobId: string): void;
}

/** Runs a preview query; the dbt module receives one of these (or none, when BigQuery is not wired). */
export interface DbtPreviewRunner {
  readonly origin: string;
  /** Runs `sql` only if it is one SELECT; throws DbtPreviewError (nothing run) otherwise. */
  run(sql: string, options: DbtPreviewOptions): Promise<DbtPreview>;
}

/** The preview runner over a BigQuery client (the one line that wires it: `bigQueryPreviewRunner(() => bigquery.client())`). */
export function bigQueryPreviewRunner(client: () => Promise<BigQueryClient> | BigQueryClient, pageSize = 500): DbtPreviewRunner {
  return {
    origin: 'BigQuery',
    async run(sql, options) {
      if (!options.trusted) {
        throw new DbtPreviewError('untrustedWorkspace', "Not run: previewing runs SQL from this workspace's dbt manifest, and the workspace is not trusted.");
      }
      const started = Date.now();
      const bq = await client();
      // BigQuery parses the exact text we would run; a dry run runs nothing and bills nothing.
      const dry = await bq.dryRun(sql, { signal: options.signal, labels: options.labels });
      if (dry.statementType !== 'SELECT') {
        throw new DbtPreviewError('notASelect', t('Not run: the compiled SQL of this model is not a single SELECT (BigQuery reads it as {0}).', shownType(dry.statementType)));
      }
      const maximumBytesBilled = options.cost.maximumBytesBilled > 0 ? options.cost.maximumBytesBilled : undefined;
      const decision = decideCost(dry.totalBytesProcessed, options.cost);
      if (decision.action === 'block') {
        throw new DbtPreviewError('overByteLimit', t('Not run: this preview would process {0}, more than the {1} allowed by gatehouse.bigquery.maximumBytesBilled.', fmt.bytes(decision.bytes), fmt.bytes(decision.limit)));
      }
      if (decision.action === 'confirm' && !(await options.confirmCost(decision.bytes))) {
        throw new DbtPreviewError('declined', t('Not run: you declined to process {0}.', fmt.bytes(decision.bytes)));
      }
      const jobId = newJobId();
      options.onJobStart?.(jobId);
      const ref: JobRef = await bq.startQuery(sql, { signal: options.signal, labels: options.labels, jobId, maximumBytesBilled });
      const done = await bq.waitForQuery(ref, { signal: options.signal, timeoutMs: options.timeoutMs ?? 300_000, firstPageSize: pageSize });
      const s = done.statistics;
      const source = await BigQueryResultSource.open({
        pageSize,
        first: done.firstPage ? { schema: { fields: done.schema }, rows: done.firstPage.rows, pageToken: done.firstPage.pageToken, totalRows: done.totalRows } : undefined,
        schema: done.schema,
        fetchPage: (params, signal) => bq.getQueryResultsPage(done.ref, params, signal).then((p) => ({ rows: p.rows, pageToken: p.pageToken, totalRows: p.totalRows, schema: p.schema ? { fields: p.schema } : undefined })),
        signal: options.signal,
      });
      return {
        source,
        jobId: done.ref.jobId,
        stats: {
          jobId: done.ref.jobId,
          location: done.ref.location,
          statementType: s.statementType,
          bytesProcessed: s.totalBytesProcessed !== undefined ? Number(s.totalBytesProcessed) : undefined,
          bytesBilled: s.totalBytesBilled !== undefined ? Number(s.totalBytesBilled) : undefined,
          cacheHit: s.cacheHit,
          slotMs: s.totalSlotMs !== undefined ? Number(s.totalSlotMs) : undefined,
          timeToFirstRowMs: Date.now() - started,
        },
      };
    },
  };
}

export interface ModelPreviewRequest {
  /** The model's compiled_code from the manifest (untrusted text). */
  compiledCode: string;
  /** What the audit record names (the model's relation or unique id). */
  resource: string;
  actor: AuditRecord['actor'];
  credential: CredentialOrigin;
  options: Omit<DbtPreviewOptions, 'onJobStart'>;
}

export interface ModelPreviewOutcome {
  outcome: AuditOutcome;
  reason?: string;
  sqlSha256: string;
  /** Set once a job was inserted. */
  jobId?: string;
}

/**
 * One preview from compiled code to panel, and one audit record however it ends, carrying the
 * SHA-256 of the exact SQL and the job id (when a job was started). The command only gathers the
 * inputs (trust, settings, a confirmation dialog) and opens the panel.
 */
export async function previewModel(
  runner: DbtPreviewRunner,
  request: ModelPreviewRequest,
  panel: Pick<ResultsPanelHandle, 'setResult' | 'setError'>,
  audit: { record(entry: Omit<AuditRecord, 'time'>): Promise<unknown> },
): Promise<ModelPreviewOutcome> {
  const sql = previewSql(request.compiledCode);
  const sha = sqlSha256(sql);
  let jobId: string | undefined;
  let result: ModelPreviewOutcome;
  try {
    const preview = await runner.run(sql, { ...request.options, onJobStart: (id) => (jobId = id) });
    panel.setResult(preview.source, preview.stats);
    result = { outcome: 'succeeded', sqlSha256: sha, jobId: preview.jobId };
  } catch (err) {
    const reason = (GatehouseError.isGatehouseError(err) ? err.reason : undefined) ?? 'error';
    const outcome: AuditOutcome = reason === 'cancelled' || reason === 'declined' ? 'cancelled' : reason === 'accessDenied' || DbtPreviewError.is(err) ? 'denied' : 'failed';
    const e = err as { message?: string; nextStep?: string };
    panel.setError(GatehouseError.isGatehouseError(err) ? err.message : t('The preview failed.'), e.nextStep);
    result = { outcome, reason, sqlSha256: sha, jobId };
  }
  await audit
    .record({
      actor: request.actor,
      credential: request.credential,
      service: 'bigquery',
      action: 'preview-dbt-model',
      resource: request.resource,
      ...(result.jobId ? { jobIds: [result.jobId] } : {}),
      outcome: result.outcome,
      ...(result.reason ? { reason: result.reason } : {}),
      sqlSha256: sha,
    })
    .catch(() => undefined);
  return result;
}
