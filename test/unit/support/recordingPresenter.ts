// A results presenter for plain Node tests: records what a runner told each panel and lets a test
// press the panel's Cancel button. Rows are read back through the source, as the panel would.
import { Emitter } from '../../../src/core/event';
import type { ResultStats, ResultsPanelRequest, ResultsPresenter, TileHandle, TilesPanelHandle, TilesPresenter } from '../../../src/results/resultsPresenter';
import type { ResultRow, ResultSource } from '../../../src/results/types';

export class RecordedPanel implements TileHandle {
  readonly events: string[] = [];
  source?: ResultSource;
  stats?: ResultStats;
  error?: { message: string; nextStep?: string };
  cancelled?: string;
  text?: string;
  readonly cancel = new Emitter<void>();
  readonly disposed = new Emitter<void>();
  readonly onDidRequestCancel = this.cancel.event;
  readonly onDidDispose = this.disposed.event;
  visible = true;

  constructor(readonly request: ResultsPanelRequest) {}

  setRunning(message: string): void {
    this.events.push(`running:${message}`);
  }
  setResult(source: ResultSource, stats?: ResultStats): void {
    this.events.push('result');
    this.source = source;
    this.stats = stats;
  }
  updateStats(stats: ResultStats): void {
    this.stats = { ...this.stats, ...stats };
  }
  setError(message: string, nextStep?: string): void {
    this.events.push('error');
    this.error = { message, nextStep };
  }
  setCancelled(message: string): void {
    this.events.push('cancelled');
    this.cancelled = message;
  }
  setText(text: string): void {
    this.events.push('text');
    this.text = text;
  }

  /** Every row of the result, page by page. */
  async rows(): Promise<ResultRow[]> {
    if (!this.source) throw new Error('no result was set');
    const out: ResultRow[] = [];
    for (let i = 0; ; i++) {
      const page = await this.source.fetchPage(i);
      out.push(...page.rows);
      if (page.last) return out;
    }
  }
}

/** A dashboard opened as tiles: a RecordedPanel per tile, and the panel's Cancel all. */
export class RecordedTiles implements TilesPanelHandle {
  readonly cancel = new Emitter<void>();
  readonly disposed = new Emitter<void>();
  readonly onDidRequestCancel = this.cancel.event;
  readonly onDidDispose = this.disposed.event;
  visible = true;
  readonly tiles: RecordedPanel[];

  constructor(
    readonly request: ResultsPanelRequest,
    titles: ReadonlyArray<{ title: string }>,
  ) {
    this.tiles = titles.map((t) => new RecordedPanel({ title: t.title, origin: request.origin }));
  }
}

export class RecordingPresenter implements ResultsPresenter, TilesPresenter {
  readonly panels: RecordedPanel[] = [];
  readonly dashboards: RecordedTiles[] = [];
  /** Called as each tile panel opens (tests press Cancel all from here). */
  onTiles?: (tiles: RecordedTiles) => void;
  openTiles(request: ResultsPanelRequest, tiles: ReadonlyArray<{ title: string }>): RecordedTiles {
    const panel = new RecordedTiles(request, tiles);
    this.dashboards.push(panel);
    this.onTiles?.(panel);
    return panel;
  }
  open(request: ResultsPanelRequest): RecordedPanel {
    const panel = new RecordedPanel(request);
    this.panels.push(panel);
    return panel;
  }
  get last(): RecordedPanel {
    const p = this.panels[this.panels.length - 1];
    if (!p) throw new Error('no panel was opened');
    return p;
  }
}
