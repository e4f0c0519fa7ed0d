// The bytes the statement under the cursor will process, from a dry run (free), in the status
// bar of .sql/.bqsql editors. Debounced while typing; a newer edit cancels the older estimate.
import * as vscode from 'vscode';
import type { BigQueryError } from '../errors';
import { Formatter } from '../../core/format';
import { approximateCost } from '../queryRunner';
import { plainLines, safe } from '../../core/displayText';

export type Estimate = { kind: 'bytes'; bytes: number } | { kind: 'needsParameters' } | { kind: 'unavailable' } | { kind: 'error'; error: BigQueryError };

export interface EstimateTarget {
  document: vscode.TextDocument;
  sql: string;
  /** Offset of `sql` in the document (for diagnostics). */
  base: number;
}

const DEBOUNCE_MS = 800;
const ESTIMATE_TIMEOUT_MS = 20_000;

export class CostEstimateStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('gatehouse.bigquery.estimate', vscode.StatusBarAlignment.Right, 90);
  private timer: NodeJS.Timeout | undefined;
  private inflight: AbortController | undefined;
  private readonly subscriptions: vscode.Disposable[];
  private readonly fmt = new Formatter({ locale: vscode.env.language });

  constructor(
    private readonly target: (editor: vscode.TextEditor) => EstimateTarget | undefined,
    private readonly estimate: (target: EstimateTarget, signal: AbortSignal) => Promise<Estimate>,
    private readonly onResult: (target: EstimateTarget, estimate: Estimate) => void,
  ) {
    this.item.name = vscode.l10n.t('BigQuery estimate');
    this.item.command = 'gatehouse.bigquery.estimate';
    this.subscriptions = [
      vscode.window.onDidChangeActiveTextEditor(() => this.schedule(0)),
      vscode.window.onDidChangeTextEditorSelection((e) => e.textEditor === vscode.window.activeTextEditor && this.schedule(DEBOUNCE_MS)),
      vscode.workspace.onDidChangeTextDocument((e) => e.document === vscode.window.activeTextEditor?.document && this.schedule(DEBOUNCE_MS)),
    ];
    this.schedule(0);
  }

  /** Re-estimates now (sign-in or settings changed, or the user asked). */
  refresh(): void {
    this.schedule(0);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.inflight?.abort();
    for (const s of this.subscriptions) s.dispose();
    this.item.dispose();
  }

  private schedule(delay: number): void {
    clearTimeout(this.timer);
    this.inflight?.abort();
    this.timer = setTimeout(() => void this.run(), delay);
  }

  private async run(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    const target = editor && this.target(editor);
    if (!target) {
      this.item.hide();
      return;
    }
    const controller = new AbortController();
    this.inflight = controller;
    const signal = AbortSignal.any([controller.signal, AbortSignal.timeout(ESTIMATE_TIMEOUT_MS)]);
    this.item.text = vscode.l10n.t('$(loading~spin) BigQuery');
    this.item.tooltip = vscode.l10n.t('Estimating the bytes this statement will process (dry run)…');
    this.item.show();
    let result: Estimate;
    try {
      result = await this.estimate(target, signal);
    } catch {
      result = { kind: 'unavailable' };
    }
    if (controller.signal.aborted) return;
    this.onResult(target, result);
    switch (result.kind) {
      case 'bytes':
        this.item.text = safe`$(database) ${this.fmt.bytes(result.bytes)}`;
        this.item.tooltip = safe`This statement will process ${this.fmt.bytes(result.bytes)} (${approximateCost(result.bytes, this.fmt)} on demand) when run.\nDry run: not billed. Click to estimate again.`;
        break;
      case 'needsParameters':
        this.item.text = vscode.l10n.t('$(database) needs parameters');
        this.item.tooltip = vscode.l10n.t('Run the statement once to enter its @parameters; the estimate uses the last values.');
        break;
      case 'error':
        this.item.text = safe`$(warning) ${result.error.reason}`;
        this.item.tooltip = plainLines(result.error.message);
        break;
      default:
        this.item.hide();
    }
  }
}
