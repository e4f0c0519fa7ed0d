// The VS Code side of the results panel, kept thin: a vscode.WebviewPanel wired to a
// ResultsController (which holds the logic), VS Code's clipboard, save dialog, progress and
// notifications as the controller's ResultsHostUi, and the presenter that opens panels per query
// or reuses one per owner (gatehouse.results.panelMode).
import * as vscode from 'vscode';
import * as os from 'node:os';
import * as path from 'node:path';
import { Formatter } from '../../core/format';
import type { Logger } from '../../core/logger';
import type { ExportResult } from '../export';
import { DEFAULT_MAX_CACHED_ROWS, ResultsController, type ResultsHostUi, type ResultsSession, type ResultsSettings } from '../resultsController';
import type { ResultRestoreKey, ResultRestorer, ResultRestorers, ResultsPanelHandle, ResultsPanelRequest, ResultsPresenter, TilesPanelHandle, TilesPresenter } from '../resultsPresenter';
import { validateRestoreState, type ExportFormat, type HostMessage } from '../resultsProtocol';
import { webviewHtml } from '../../core/webviewHtml';
import { webviewL10n } from '../../vscode/l10n';
import { plain, safe } from '../../core/displayText';

export const RESULTS_VIEW_TYPE = 'gatehouse.results';

const EXPORT_FILTERS: Record<ExportFormat, Record<string, string[]>> = {
  csv: { CSV: ['csv'] },
  jsonl: { 'JSON Lines': ['jsonl', 'ndjson'] },
  json: { JSON: ['json'] },
};

/** VS Code's clipboard, dialogs and notifications for the controller. */
export class VsCodeResultsUi implements ResultsHostUi {
  private readonly fmt = new Formatter({ locale: vscode.env.language });

  writeClipboard(text: string): Promise<void> {
    return Promise.resolve(vscode.env.clipboard.writeText(text));
  }

  async pickExportPath(format: ExportFormat, suggestedName: string): Promise<string | undefined> {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? os.homedir();
    const uri = await vscode.window.showSaveDialog({
      title: vscode.l10n.t('Export result'),
      saveLabel: vscode.l10n.t('Export'),
      defaultUri: vscode.Uri.file(path.join(folder, suggestedName)),
      filters: EXPORT_FILTERS[format],
    });
    // Exports stream to the local file system; a virtual file system would need another writer.
    if (uri && uri.scheme !== 'file') {
      void vscode.window.showWarningMessage(vscode.l10n.t('Gatehouse exports to files on this machine only. Pick a local folder.'));
      return undefined;
    }
    return uri?.fsPath;
  }

  withExportProgress<T>(title: string, task: (report: (message: string, fraction?: number) => void, signal: AbortSignal) => Promise<T>): Promise<T> {
    return Promise.resolve(
      vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: plain(title), cancellable: true }, (progress, token) => {
        const controller = new AbortController();
        const sub = token.onCancellationRequested(() => controller.abort());
        let reported = 0;
        const report = (message: string, fraction?: number) => {
          // withProgress takes increments; convert the fraction done into one.
          const percent = fraction === undefined ? undefined : Math.min(100, fraction * 100);
          const increment = percent === undefined ? undefined : Math.max(0, percent - reported);
          if (percent !== undefined) reported = percent;
          progress.report({ message: plain(message), increment });
        };
        return task(report, controller.signal).finally(() => sub.dispose());
      }),
    );
  }

  exportFinished(result: ExportResult): void {
    const name = path.basename(result.path);
    void vscode.window
      .showInformationMessage(safe`Exported ${this.fmt.count(result.rowsWritten)} rows to ${name}.`, vscode.l10n.t('Open File'), vscode.l10n.t('Reveal in File Explorer'))
      .then((choice) => {
        if (choice === vscode.l10n.t('Open File')) void vscode.commands.executeCommand('vscode.open', vscode.Uri.file(result.path));
        if (choice === vscode.l10n.t('Reveal in File Explorer')) void vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(result.path));
      });
  }

  openExternal(url: string): void {
    void vscode.env.openExternal(vscode.Uri.parse(url, true));
  }

  showWarning(message: string): void {
    void vscode.window.showWarningMessage(plain(message));
  }
}

/** One webview panel and its controller. */
export class ResultsPanel implements vscode.Disposable {
  readonly controller: ResultsController;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly disposeListeners = new Set<() => void>();
  private disposed = false;

  constructor(
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    ui: ResultsHostUi,
    logger: Logger,
    settings: () => ResultsSettings,
    readonly ownerKey: string | undefined,
    recordExport?: ConstructorParameters<typeof ResultsController>[6],
  ) {
    const webview = panel.webview;
    const media = vscode.Uri.joinPath(extensionUri, 'dist', 'media');
    this.controller = new ResultsController(
      {
        postMessage: (message: HostMessage) => void webview.postMessage(message),
        onDidReceiveMessage: (listener) => webview.onDidReceiveMessage(listener),
      },
      ui,
      logger,
      settings,
      Date.now,
      new Formatter({ locale: vscode.env.language }),
      recordExport,
    );
    webview.html = webviewHtml({
      title: vscode.l10n.t('Results'),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'results.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'results.css')).toString(),
      cspSource: webview.cspSource,
      lang: vscode.env.language,
      l10n: webviewL10n('results'),
    });
    this.disposables.push(
      panel.onDidChangeViewState(() => {
        // retainContextWhenHidden is off: a hidden webview is destroyed and says ready again when shown.
        if (!panel.visible) this.controller.webviewGone();
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  get active(): boolean {
    return !this.disposed && this.panel.active;
  }

  get viewColumn(): vscode.ViewColumn | undefined {
    return this.disposed ? undefined : this.panel.viewColumn;
  }

  get onDidChangeViewState(): vscode.Event<vscode.WebviewPanelOnDidChangeViewStateEvent> {
    return this.panel.onDidChangeViewState;
  }

  show(request: ResultsPanelRequest): ResultsSession {
    this.panel.title = plain(request.title);
    this.panel.reveal(undefined, true);
    return this.controller.open(request);
  }

  /** A dashboard: one tab of the panel, its tiles picked inside it. */
  showTiles(request: ResultsPanelRequest, tiles: ReadonlyArray<{ title: string }>): TilesPanelHandle {
    this.panel.title = plain(request.title);
    this.panel.reveal(undefined, true);
    return this.controller.openTiles(request, tiles);
  }

  onDidDispose(listener: () => void): vscode.Disposable {
    this.disposeListeners.add(listener);
    return { dispose: () => this.disposeListeners.delete(listener) };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.controller.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
    for (const listener of [...this.disposeListeners]) listener();
    this.disposeListeners.clear();
  }
}

export interface ResultsPanelManagerOptions {
  extensionUri: vscode.Uri;
  logger: Logger;
  ui?: ResultsHostUi;
  /** Writes the audit record of an export. */
  recordExport?: ConstructorParameters<typeof ResultsController>[6];
}

/** The ResultsPresenter services receive: opens panels per query, or reuses one per owner. */
export class ResultsPanelManager implements ResultsPresenter, TilesPresenter, ResultRestorers, vscode.Disposable {
  private readonly panels = new Set<ResultsPanel>();
  private readonly restorers = new Map<string, ResultRestorer>();
  private readonly byOwner = new Map<string, ResultsPanel>();
  private lastActive: ResultsPanel | undefined;
  private readonly ui: ResultsHostUi;

  constructor(private readonly options: ResultsPanelManagerOptions) {
    this.ui = options.ui ?? new VsCodeResultsUi();
  }

  open(request: ResultsPanelRequest): ResultsPanelHandle {
    return this.openPanel(request).session;
  }

  openTiles(request: ResultsPanelRequest, tiles: ReadonlyArray<{ title: string }>): TilesPanelHandle {
    const panel = this.panelFor(request);
    this.lastActive = panel;
    return panel.showTiles(request, tiles);
  }

  /** open() with the panel, for the commands and tests that act on it. */
  openPanel(request: ResultsPanelRequest): { panel: ResultsPanel; session: ResultsSession } {
    const panel = this.panelFor(request);
    const session = panel.show(request);
    this.lastActive = panel;
    return { panel, session };
  }

  private panelFor(request: ResultsPanelRequest): ResultsPanel {
    const config = vscode.workspace.getConfiguration('gatehouse.results');
    const reuse = config.get<string>('panelMode', 'reuse') === 'reuse';
    const owner = request.ownerKey ?? '';
    return (reuse ? this.byOwner.get(owner) : undefined) ?? this.create(reuse ? owner : undefined);
  }

  /** The results panel the user looked at last (for commands run from the palette). */
  get activePanel(): ResultsPanel | undefined {
    for (const p of this.panels) if (p.active) return p;
    return this.lastActive;
  }

  dispose(): void {
    for (const p of [...this.panels]) p.dispose();
  }

  /** The webview options of every results panel, new or restored after a reload. */
  webviewOptions(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      // Off on purpose: a hidden panel costs no memory; the webview restores from its state.
      retainContextWhenHidden: false,
      enableFindWidget: false,
      enableCommandUris: false,
      localResourceRoots: [vscode.Uri.joinPath(this.options.extensionUri, 'dist', 'media')],
    };
  }

  /**
   * A panel VS Code brings back after a window reload: its saved state names how to fetch the
   * result again (checked: it is the webview's word); without a restorer for it, the panel says so.
   */
  async restore(webviewPanel: vscode.WebviewPanel, state: unknown): Promise<ResultsSession> {
    webviewPanel.webview.options = this.webviewOptions();
    const key = validateRestoreState(state);
    const panel = this.create(key ? `restored:${key.kind}:${JSON.stringify(key.data)}` : undefined, webviewPanel);
    const session = panel.show({ title: key ? plain(key.title) : vscode.l10n.t('Results'), origin: key?.origin ?? 'Gatehouse' });
    const restorer = key && this.restorers.get(key.kind);
    if (!key || !restorer) {
      session.setCancelled(vscode.l10n.t('This result was not kept across the window reload. Run it again to see it.'));
      return session;
    }
    try {
      await restorer.restore(key.data, session);
    } catch (err) {
      this.options.logger.warn(`could not restore a ${key.kind} result: ${err instanceof Error ? err.name : 'error'}`);
      session.setError(vscode.l10n.t('Could not fetch this result again.'), vscode.l10n.t('Run it again to see it.'));
    }
    return session;
  }

  /** The restore key of the result in the panel looked at last (tests). */
  lastRestoreKey(): ResultRestoreKey | undefined {
    const phase = this.activePanel?.controller.current?.phase;
    return phase?.kind === 'result' ? phase.restore : undefined;
  }

  register(kind: string, restorer: ResultRestorer): vscode.Disposable {
    this.restorers.set(kind, restorer);
    return new vscode.Disposable(() => this.restorers.get(kind) === restorer && this.restorers.delete(kind));
  }

  private create(ownerKey: string | undefined, restored?: vscode.WebviewPanel): ResultsPanel {
    // A new panel joins the group the results already use, as a tab: opening each "Beside" the
    // active editor would add a group per query until every panel is a sliver.
    const existing = [...this.panels].map((p) => p.viewColumn).find((c) => c !== undefined);
    const webviewPanel =
      restored ??
      vscode.window.createWebviewPanel(RESULTS_VIEW_TYPE, vscode.l10n.t('Results'), { viewColumn: existing ?? vscode.ViewColumn.Beside, preserveFocus: true }, this.webviewOptions());
    const panel = new ResultsPanel(webviewPanel, this.options.extensionUri, this.ui, this.options.logger, readResultsSettings, ownerKey, this.options.recordExport);
    this.panels.add(panel);
    if (ownerKey !== undefined) this.byOwner.set(ownerKey, panel);
    panel.onDidChangeViewState((e) => {
      if (e.webviewPanel.active) this.lastActive = panel;
    });
    panel.onDidDispose(() => {
      this.panels.delete(panel);
      if (ownerKey !== undefined && this.byOwner.get(ownerKey) === panel) this.byOwner.delete(ownerKey);
      if (this.lastActive === panel) this.lastActive = undefined;
    });
    return panel;
  }
}

function readResultsSettings(): ResultsSettings {
  const config = vscode.workspace.getConfiguration('gatehouse.results');
  return { escapeFormulasInCsv: config.get<boolean>('escapeFormulasInCsv', true), maxCachedRows: DEFAULT_MAX_CACHED_ROWS };
}
