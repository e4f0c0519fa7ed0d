// One run of a service's saved query (a Looker look or tile, a Metabase question or dashboard
// card) into the shared results panel: open at once in a running state, cancel from the panel (or
// by closing it, or the caller's signal), an overall time limit, all rows handed over as one
// source, and a refusal shown as the explanation the caller wrote. Services that answer with
// every row at once share this; they keep their own client, errors and audit wording.
import { GatehouseError, HttpError } from '../core/errors';
import type { ResultStats, ResultsPanelRequest, ResultsPresenter } from './resultsPresenter';
import { createArraySource } from './sources';
import type { ResultColumn, ResultRow } from './types';
import { t } from '../core/l10n';

/** Every row of a result, as one response brought them. */
export interface TableResult {
  columns: ResultColumn[];
  rows: ResultRow[];
  /** Facts about the run for the status line (e.g. running time, truncation). */
  stats?: ResultStats;
}

export type PanelRunStatus = 'succeeded' | 'failed' | 'cancelled' | 'denied';

export interface PanelRunOutcome<E extends GatehouseError> {
  status: PanelRunStatus;
  rowCount?: number;
  stats?: ResultStats;
  error?: E;
  /** What the panel said about a refusal. */
  message?: string;
}

export interface PanelRunOptions<E extends GatehouseError> {
  presenter: ResultsPresenter;
  request: ResultsPanelRequest;
  runningMessage: string;
  /** Rows per page of the source (gatehouse.results.pageSize). */
  pageSize: number;
  /** Overall limit for the run; past it the request is abandoned as a timeout. */
  timeoutMs: number;
  run(signal: AbortSignal): Promise<TableResult>;
  toError(err: unknown): E;
  /** The sentence for a refusal, or undefined when `e` is not one. */
  denial(e: E): string | undefined;
  /** Facts known before the run (e.g. which look), merged into the stats. */
  extra?: Record<string, string>;
  /** How the service draws this result. */
  chart?: ResultStats['chart'];
  signal?: AbortSignal;
}

export async function runIntoPanel<E extends GatehouseError>(o: PanelRunOptions<E>): Promise<PanelRunOutcome<E>> {
  const started = Date.now();
  const handle = o.presenter.open(o.request);
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, o.timeoutMs);
  const abort = () => controller.abort();
  const subscriptions = [handle.onDidRequestCancel(abort), handle.onDidDispose(abort)];
  o.signal?.addEventListener('abort', abort, { once: true });
  if (o.signal?.aborted) abort();
  try {
    handle.setRunning(o.runningMessage);
    const result = await o.run(controller.signal);
    // A cancel that arrived with the answer still means the person no longer wants it.
    if (controller.signal.aborted && !timedOut) throw new HttpError('cancelled', 'Cancelled.');
    const stats: ResultStats = {
      ...result.stats,
      timeToFirstRowMs: Date.now() - started,
      ...(o.chart ? { chart: o.chart } : {}),
      extra: { ...o.extra, ...result.stats?.extra },
    };
    handle.setResult(createArraySource(result.columns, result.rows, Math.max(1, o.pageSize)), stats);
    return { status: 'succeeded', rowCount: result.rows.length, stats };
  } catch (err) {
    const error = o.toError(timedOut ? new HttpError('timeout', 'The run took too long.') : err);
    if (error.reason === 'cancelled') {
      handle.setCancelled(t('Cancelled.'));
      return { status: 'cancelled', error };
    }
    const message = o.denial(error);
    if (message !== undefined) {
      handle.setError(message);
      return { status: 'denied', error, message };
    }
    handle.setError(error.message, error.nextStep);
    return { status: 'failed', error };
  } finally {
    clearTimeout(timer);
    o.signal?.removeEventListener('abort', abort);
    for (const s of subscriptions) s.dispose();
  }
}
