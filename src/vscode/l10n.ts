// VS Code's translations for plain code: `t()` and `safe` in src/core look their templates up in the
// bundle VS Code loaded for this extension (l10n/bundle.l10n.<language>.json; none in English).
// A message missing from the bundle stays as written, without the warning vscode.l10n.t logs for it
// (plain code also passes service text through `t`, which is in no bundle).
import * as vscode from 'vscode';
import { setTranslator, useBundle } from '../core/l10n';

export function installTranslator(): vscode.Disposable {
  useBundle(vscode.l10n.bundle);
  return { dispose: () => setTranslator(undefined) };
}
