// SignInUi on VS Code: the browser through env.openExternal, the device code in a notification
// with a Copy & Open action, errors that say what to fix.
import * as vscode from 'vscode';
import type { AuthError } from '../authError';
import type { DeviceCodePrompt, SignInUi } from '../signInFlows';
import { plain, safe } from '../../core/displayText';

/** Test seam (ExtensionMode.Test only): plays the browser instead of opening one. */
export type TestBrowser = (url: string) => Promise<void>;

export class VsCodeSignInUi implements SignInUi {
  /** Set only by the integration tests, through the extension's test-mode exports. */
  testBrowser?: TestBrowser;

  async openExternal(url: string): Promise<boolean> {
    if (this.testBrowser) {
      // The test's browser runs on its own, like a real one; sign-in waits for the callback.
      this.testBrowser(url).catch(() => undefined);
      return true;
    }
    return vscode.env.openExternal(vscode.Uri.parse(url, true));
  }

  showDeviceCode(prompt: DeviceCodePrompt, signal: AbortSignal): void {
    const open = vscode.l10n.t('Copy & Open');
    void vscode.window
      .showInformationMessage(safe`To sign in to Gatehouse, enter the code ${prompt.userCode} at ${prompt.verificationUri}.`, open)
      .then(async (choice) => {
        if (choice !== open || signal.aborted) return;
        await vscode.env.clipboard.writeText(prompt.userCode);
        await vscode.env.openExternal(vscode.Uri.parse(prompt.verificationUriComplete ?? prompt.verificationUri, true));
      });
  }

  async confirm(message: string, action: string): Promise<boolean> {
    return (await vscode.window.showWarningMessage(plain(message), action)) === action;
  }

  showError(error: AuthError): void {
    if (error.reason === 'cancelled') return;
    if (error.reason === 'notConfigured') {
      void vscode.window.showErrorMessage(plain(error.userMessage), vscode.l10n.t('Configure')).then((c) => c && vscode.commands.executeCommand('gatehouse.auth.configure'));
      return;
    }
    void vscode.window.showErrorMessage(safe`Gatehouse sign-in: ${error.userMessage}`, vscode.l10n.t('Show Log')).then((c) => c && vscode.commands.executeCommand('gatehouse.showLog'));
  }
}
