// VS Code's translations for plain code: `t()` and `safe` in src/core look their templates up in the
// bundle VS Code loaded for this extension (l10n/bundle.l10n.<language>.json; none in English).
// A message missing from the bundle stays as written, without the warning vscode.l10n.t logs for it
// (plain code also passes service text through `t`, which is in no bundle). A webview has no
// vscode.l10n: its panel hands it the translations of its own messages (`webviewL10n`).
import * as vscode from 'vscode';
import { setTranslator, useBundle, webviewTranslations } from '../core/l10n';
import { WEBVIEW_MESSAGES, type WebviewEntry } from '../core/webviewMessages';

export function installTranslator(): vscode.Disposable {
  useBundle(vscode.l10n.bundle);
  return { dispose: () => setTranslator(undefined) };
}

/** The translations for the page media/<entry>.ts, for webviewHtml's `l10n`; undefined in English. */
export function webviewL10n(entry: WebviewEntry): Record<string, string> | undefined {
  return webviewTranslations(WEBVIEW_MESSAGES[entry], vscode.l10n.bundle);
}
