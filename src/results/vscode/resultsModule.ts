// The results feature module: the presenter other modules hand their results to, and the
// commands that act on the active results panel.
import * as vscode from 'vscode';
import { recordAccess } from '../../audit/recordAccess';
import type { FeatureModule, ModuleDeps } from '../../vscode/moduleDeps';
import type { ExportResult } from '../export';
import type { ResultSource } from '../types';
import { RESULTS_VIEW_TYPE, ResultsPanelManager } from './resultsPanel';
import type { ResultRestorers, ResultStats, ResultsPanelHandle, ResultsPresenter, TilesPresenter } from '../resultsPresenter';
import type { ExportFormat } from '../resultsProtocol';

export interface ResultsModule extends FeatureModule {
  readonly presenter: ResultsPresenter & TilesPresenter;
  /** Services register how to fetch their results again after a window reload. */
  readonly restorers: ResultRestorers;
  readonly testing?: ResultsTestingApi & Record<string, unknown>;
}

/** Reachable by the integration tests only (exports in ExtensionMode.Test). */
export interface ResultsTestingApi {
  presenter: ResultsPresenter;
  /** Restores a panel as after a window reload, from a webview state as VS Code would hand it back. */
  restoreFromState(state: unknown): Promise<RestoreProbe>;
  /** The state the panel's webview saved last (what VS Code keeps across a reload). */
  lastRestoreKey(): { kind: string; data: Record<string, string> } | undefined;
  /** Exports the result of the panel looked at last (as the Export command does, without the save dialog). */
  exportActive(format: ExportFormat, path: string): Promise<ExportResult | undefined>;
  /** Opens a panel on a source built by the test (no service module involved). */
  openSource(options: { title: string; source: ResultSource; stats?: ResultStats; origin?: string; ownerKey?: string }): ResultsPanelProbe;
}

export interface ResultsPanelProbe {
  handle: ResultsPanelHandle;
  /** Milliseconds from setResult to the webview's first painted rows. */
  firstPaintMs(): Promise<number>;
  revealRow(row: number): void;
  /** Export without the save dialog (the rest of the path, progress included, is the real one). */
  exportTo(format: ExportFormat, path: string): Promise<ExportResult | undefined>;
  /** Rows in the host's cache now, and the most it held. */
  cachedRows(): { now: number; peak: number };
  /** The editor column the panel sits in. */
  viewColumn(): vscode.ViewColumn | undefined;
}

/** What a restored panel did with the state VS Code handed back (tests). */
export interface RestoreProbe {
  handle: ResultsPanelHandle;
  firstPaintMs(): Promise<number>;
}

const FORMAT_PICKS: Array<vscode.QuickPickItem & { format: ExportFormat }> = [
  { label: vscode.l10n.t('CSV'), description: vscode.l10n.t('.csv, formulas escaped unless turned off in settings'), format: 'csv' },
  { label: vscode.l10n.t('JSON Lines'), description: vscode.l10n.t('.jsonl, one object per row'), format: 'jsonl' },
  { label: vscode.l10n.t('JSON'), description: vscode.l10n.t('.json, an array of objects'), format: 'json' },
];

export function createResultsModule(deps: ModuleDeps): ResultsModule {
  const logger = deps.logger.child('results');
  const auditDeps = { audit: deps.audit, actor: () => deps.auth.broker.currentIdentity(), logger };
  const manager = new ResultsPanelManager({ extensionUri: deps.context.extensionUri, logger, recordExport: (entry) => void recordAccess(auditDeps, entry) });
  const disposables: vscode.Disposable[] = [
    manager,
    vscode.window.registerWebviewPanelSerializer(RESULTS_VIEW_TYPE, { deserializeWebviewPanel: (panel, state) => manager.restore(panel, state).then(() => undefined) }),
    vscode.commands.registerCommand('gatehouse.results.export', async (format?: ExportFormat) => {
      const panel = manager.activePanel;
      if (!panel?.controller.current?.window) {
        void vscode.window.showInformationMessage(vscode.l10n.t('Open a query result first: there is no result to export.'));
        return;
      }
      const chosen = format ?? (await vscode.window.showQuickPick(FORMAT_PICKS, { title: vscode.l10n.t('Export result as') }))?.format;
      if (chosen) await panel.controller.exportWithDialog(chosen);
    }),
  ];

  const testing: ResultsTestingApi | undefined =
    deps.context.extensionMode === vscode.ExtensionMode.Test
      ? {
          presenter: manager,
          restoreFromState: async (state) => {
            const panel = vscode.window.createWebviewPanel(RESULTS_VIEW_TYPE, vscode.l10n.t('Results'), { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, manager.webviewOptions());
            const session = await manager.restore(panel, state);
            return { handle: session, firstPaintMs: () => session.firstPaint() };
          },
          lastRestoreKey: () => manager.lastRestoreKey(),
          exportActive: async (format, path) => manager.activePanel?.controller.exportTo(format, path),
          openSource: ({ title, source, stats, origin, ownerKey }) => {
            const { panel, session } = manager.openPanel({ title, origin: origin ?? 'Test', ownerKey });
            session.setResult(source, stats);
            return {
              handle: session,
              firstPaintMs: () => session.firstPaint(),
              revealRow: (row) => panel.controller.revealRow(row),
              exportTo: (format, path) => panel.controller.exportTo(format, path),
              cachedRows: () => ({ now: session.window?.cachedRows ?? 0, peak: session.window?.peakCachedRows ?? 0 }),
              viewColumn: () => panel.viewColumn,
            };
          },
        }
      : undefined;

  return {
    presenter: manager,
    restorers: manager,
    ...(testing ? { testing: testing as ResultsTestingApi & Record<string, unknown> } : {}),
    dispose: () => {
      for (const d of disposables.splice(0)) d.dispose();
    },
  };
}
