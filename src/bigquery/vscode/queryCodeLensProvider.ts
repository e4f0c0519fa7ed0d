// "Run" and "Estimate" above every statement of a .sql/.bqsql file, and "Run File" on top when
// the file holds more than one statement (it then runs as one script).
import * as vscode from 'vscode';
import { splitStatements } from '../sql';

/** Beyond this size a file is data, not a query: no lenses (splitting it would cost every keystroke). */
const MAX_TEXT = 1_000_000;

export class QueryCodeLensProvider implements vscode.CodeLensProvider {
  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const text = document.getText();
    if (text.length > MAX_TEXT) return [];
    const spans = splitStatements(text);
    const lenses: vscode.CodeLens[] = [];
    if (spans.length > 1) {
      const top = new vscode.Range(0, 0, 0, 0);
      lenses.push(new vscode.CodeLens(top, { title: vscode.l10n.t('$(run-all) Run File as Script'), command: 'gatehouse.bigquery.runFile', arguments: [document.uri] }));
    }
    for (const s of spans) {
      const at = document.positionAt(s.start);
      const range = new vscode.Range(at, at);
      lenses.push(
        new vscode.CodeLens(range, { title: vscode.l10n.t('$(play) Run'), tooltip: vscode.l10n.t('Run this statement in BigQuery (Ctrl+Enter)'), command: 'gatehouse.bigquery.runStatement', arguments: [document.uri, s.start] }),
        new vscode.CodeLens(range, { title: vscode.l10n.t('Estimate'), tooltip: vscode.l10n.t('Dry run: bytes this statement will process (not billed)'), command: 'gatehouse.bigquery.estimate', arguments: [document.uri, s.start] }),
      );
    }
    return lenses;
  }
}
