// What the Looker and Metabase commands ask of the person, as an interface: tests replace it
// (no dialogs in an unattended run), VS Code's implementation is below.
import * as vscode from 'vscode';
import { Formatter } from '../core/format';
import { plain } from '../core/displayText';

export interface ServiceUi {
  info(message: string, ...actions: string[]): Thenable<string | undefined>;
  warn(message: string, ...actions: string[]): Thenable<string | undefined>;
  error(message: string, ...actions: string[]): Thenable<string | undefined>;
  input(options: vscode.InputBoxOptions): Thenable<string | undefined>;
  openExternal(url: string): Thenable<boolean>;
}

export const vscodeServiceUi: ServiceUi = {
  info: (m, ...a) => vscode.window.showInformationMessage(plain(m), ...a),
  warn: (m, ...a) => vscode.window.showWarningMessage(plain(m), ...a),
  error: (m, ...a) => vscode.window.showErrorMessage(plain(m), ...a),
  input: (o) => vscode.window.showInputBox(o),
  openExternal: (url) => vscode.env.openExternal(vscode.Uri.parse(url)),
};

/** "Feb 2, 2026" in the display language, for tooltips; empty when the date is missing or unreadable. */
export function shortDate(iso: string | null | undefined): string {
  return new Formatter({ locale: vscode.env.language }).date(iso);
}
