// Compiled SQL of a dbt node as a read-only virtual document (gatehouse-dbt-compiled:), read from
// the loaded manifest and refreshed when the manifest reloads, so "Show Compiled SQL" always shows
// what dbt last compiled instead of a stale untitled copy.
import * as vscode from 'vscode';
import { DbtManifestError } from '../manifestErrors';
import type { DbtProjectsModel } from '../projectsModel';
import { sqlComment } from '../sqlComment';

export const COMPILED_SQL_SCHEME = 'gatehouse-dbt-compiled';

export class DbtCompiledSqlProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly subscription: { dispose(): unknown };

  constructor(private readonly projects: DbtProjectsModel) {
    // Every open compiled document re-reads on a manifest reload; VS Code asks only for open ones.
    this.subscription = projects.onDidChange(() => {
      for (const doc of vscode.workspace.textDocuments) if (doc.uri.scheme === COMPILED_SQL_SCHEME) this.changed.fire(doc.uri);
    });
  }

  /** `gatehouse-dbt-compiled:/<name>.sql?<query>`: the name reads well in the tab, the query says which node. */
  static uriOf(projectKey: string, uniqueId: string, name: string): vscode.Uri {
    const safeName = name.replace(/[^\w.-]/g, '_').slice(0, 100) || 'node';
    return vscode.Uri.from({ scheme: COMPILED_SQL_SCHEME, path: `/${safeName}.sql`, query: new URLSearchParams({ project: projectKey, id: uniqueId }).toString() });
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const q = new URLSearchParams(uri.query);
    const projectKey = q.get('project') ?? '';
    const uniqueId = q.get('id') ?? '';
    const index = this.projects.get(projectKey)?.index;
    const node = index?.getNode(uniqueId);
    if (!index || !node) return sqlComment(vscode.l10n.t('{0} is not in the loaded dbt manifest (any more). Run dbt parse or dbt compile.', uniqueId));
    try {
      const code = await index.readCode(node.uniqueId);
      return code.compiledCode ?? `${sqlComment(vscode.l10n.t('{0} is not compiled in this manifest: run `dbt compile --select {0}`. Its source:', node.name))}${code.rawCode ?? ''}`;
    } catch (err) {
      // The manifest changed under the index: the reload that follows fires onDidChange again.
      return sqlComment(
        DbtManifestError.is(err)
          ? vscode.l10n.t('The compiled SQL of {0} could not be read: {1}.', node.name, err.userMessage)
          : vscode.l10n.t('The compiled SQL of {0} could not be read: the manifest changed while reading.', node.name),
      );
    }
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
