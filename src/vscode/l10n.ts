// VS Code's translations for plain code: `t()` and `safe` in src/core look their templates up in the
// bundle VS Code loaded for this extension (l10n/bundle.l10n.<language>.json; none in English).
// A message missing from the bundle stays as written, without the warning vscode.l10n.t logs for it
// (plain code also passes service text through `t`, which is in no bundle).
import * as vscode from 'vscode';
import { setTranslator } from '../core/l10n';

export function installTranslator(): vscode.Disposable {
  const bundle = vscode.l10n.bundle;
  setTranslator(bundle ? (message) => (Object.prototype.hasOwnProperty.call(bundle, message) && typeof bundle[message] === 'string' ? bundle[message] : message) : undefined);
  return { dispose: () => setTranslator(undefined) };
}
