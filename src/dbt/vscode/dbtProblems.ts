// dbt problems in the Problems view: one DiagnosticCollection, replaced per project after each
// run from dbt's JSON log and run_results.json (src/dbt/dbtDiagnostics.ts decides file and line).
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DbtDiagnostic } from '../dbtDiagnostics';

export class DbtProblems implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('dbt');
  private readonly filesOf = new Map<string, vscode.Uri[]>();

  /** Replaces the project's problems; paths outside the project are dropped. */
  set(projectDir: string, problems: readonly DbtDiagnostic[]): void {
    for (const uri of this.filesOf.get(projectDir) ?? []) this.collection.delete(uri);
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const p of problems) {
      const file = path.resolve(projectDir, p.file);
      if (!file.startsWith(projectDir + path.sep)) continue;
      const d = new vscode.Diagnostic(new vscode.Range(p.line, 0, p.line, Number.MAX_SAFE_INTEGER), p.message, p.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Error);
      d.source = 'dbt';
      if (p.uniqueId) d.code = p.uniqueId;
      let list = byFile.get(file);
      if (!list) byFile.set(file, (list = []));
      list.push(d);
    }
    const uris = [...byFile.keys()].map((f) => vscode.Uri.file(f));
    for (const uri of uris) this.collection.set(uri, byFile.get(uri.fsPath) ?? []);
    this.filesOf.set(projectDir, uris);
  }

  /** What is shown for a file (tests read it). */
  get(uri: vscode.Uri): readonly vscode.Diagnostic[] {
    return this.collection.get(uri) ?? [];
  }

  dispose(): void {
    this.collection.dispose();
  }
}
