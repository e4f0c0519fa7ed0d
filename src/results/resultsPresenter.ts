// The contract between services that produce results (BigQuery queries and previews, dbt
// previews, Looker looks, Metabase questions) and the results panel that shows them. A panel
// opens at once in a "running" state (with a cancel button), then receives a ResultSource to
// page through, or an error. Services never touch the webview.
import type { Event } from '../core/event';
import type { WireChartHint } from './resultsProtocol';
import type { ResultSource } from './types';
import type { AuditRecord } from '../audit/auditTrail';

/** How the service itself draws the result (see each service's mapping of its chart types). */
export type ChartHint = WireChartHint;

export interface ResultStats {
  jobId?: string;
  /** Link to the job in the service's own console (shown as a link, opened by the host). */
  jobUrl?: string;
  location?: string;
  statementType?: string;
  bytesProcessed?: number;
  bytesBilled?: number;
  cacheHit?: boolean;
  slotMs?: number;
  /** Milliseconds from the user's request to the first page of rows. */
  timeToFirstRowMs?: number;
  /** Free-form extra facts, shown as label: value (e.g. "Look": "Orders by day"). */
  extra?: Record<string, string>;
  chart?: ChartHint;
}

export interface ResultsPanelRequest {
  title: string;
  /** Panels are reused per owner when `gatehouse.results.panelMode` is `reuse` (e.g. the editor's URI). */
  ownerKey?: string;
  /** What produced the result, shown in the panel's header (e.g. "BigQuery · gatehouse-demo"). */
  origin: string;
  /** What the rows are, for the audit record of an export (read when the export ends: a job id may come late). */
  exportAudit?: () => ResultExportSubject;
}

export type ResultExportSubject = Pick<AuditRecord, 'service' | 'resource' | 'resourceName' | 'jobIds' | 'credential'>;

export interface ResultsPanelHandle {
  /** Shows a running state with elapsed time; the panel's Cancel button fires onDidRequestCancel. */
  setRunning(message: string): void;
  /**
   * Hands over the rows. The panel owns the source from now on (it disposes its window/spool).
   * `restore` says how to fetch the same result again after a window reload (see ResultRestorer).
   */
  setResult(source: ResultSource, stats?: ResultStats, restore?: ResultRestoreKey): void;
  /** Merges late statistics (e.g. bytes billed) into the status line. */
  updateStats(stats: ResultStats): void;
  /** Shows an error (message and next step as text; never HTML). */
  setError(message: string, nextStep?: string): void;
  /** Shows that the run was cancelled or not started by the person (not a failure). */
  setCancelled(message: string): void;
  readonly onDidRequestCancel: Event<void>;
  readonly onDidDispose: Event<void>;
  /** True until the user closed the panel. */
  readonly visible: boolean;
}

export interface ResultsPresenter {
  open(request: ResultsPanelRequest): ResultsPanelHandle;
}

/** How to show a result again after a reload: a restorer kind and its data (ids, never secrets). */
export interface ResultRestoreKey {
  kind: string;
  data: Record<string, string>;
}

/** Shows a result again in a restored panel, from the data its setResult saved. */
export interface ResultRestorer {
  /** `data` comes back through the webview's saved state: check it before using it. */
  restore(data: Readonly<Record<string, string>>, handle: ResultsPanelHandle): Promise<void>;
}

export interface ResultRestorers {
  register(kind: string, restorer: ResultRestorer): { dispose(): void };
}

/** One tile of a dashboard run: a result of its own, or a text tile's words. */
export interface TileHandle extends ResultsPanelHandle {
  /** Shows a text tile's words (as text, never as HTML). */
  setText(text: string): void;
}

/** A dashboard shown in one panel as its tiles, each with its own result (a tile picker). */
export interface TilesPanelHandle {
  readonly tiles: readonly TileHandle[];
  /** The panel's "Cancel all" (closing the panel fires onDidDispose). */
  readonly onDidRequestCancel: Event<void>;
  readonly onDidDispose: Event<void>;
  readonly visible: boolean;
}

export interface TilesPresenter {
  /** Opens one panel for a dashboard with a tile per entry of `tiles`, all queued. */
  openTiles(request: ResultsPanelRequest, tiles: ReadonlyArray<{ title: string }>): TilesPanelHandle;
}
