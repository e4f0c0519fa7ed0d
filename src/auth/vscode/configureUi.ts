// The guided Configure Sign-In in VS Code: quick inputs for the plain flow (configureFlow.ts), then
// the settings written to the user's settings, which VS Code keeps with the machine (the remote
// machine's settings when the window is remote: these settings are machine-scoped).
import * as vscode from 'vscode';
import { plain } from '../../core/displayText';
import { AuthError } from '../authError';
import { configureSignIn, discoverIssuer, type ConfigureAsk, type IdpPreset, type SignInSettings } from '../configureFlow';

export class VsCodeConfigureAsk implements ConfigureAsk {
  async pickProvider(presets: readonly IdpPreset[]): Promise<IdpPreset | undefined> {
    const picked = await vscode.window.showQuickPick(
      presets.map((p) => ({ label: vscode.l10n.t(p.label), detail: plain(p.issuerExample), preset: p })),
      { title: vscode.l10n.t('Configure Gatehouse sign-in: your identity provider'), placeHolder: vscode.l10n.t('Which identity provider does your company use?'), ignoreFocusOut: true },
    );
    return picked?.preset;
  }

  input(o: { title: string; prompt: string; placeholder: string; value?: string; validate(value: string): string | undefined }): Promise<string | undefined> {
    return Promise.resolve(
      vscode.window.showInputBox({ title: plain(o.title), prompt: plain(o.prompt), placeHolder: plain(o.placeholder), value: o.value, ignoreFocusOut: true, validateInput: (v) => o.validate(v) }),
    );
  }

  async confirm(message: string, keep: string): Promise<boolean> {
    return (await vscode.window.showWarningMessage(plain(message), { modal: true }, keep)) === keep;
  }

  discover(issuer: string): Promise<string> {
    return Promise.resolve(
      vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Checking the identity provider…') }, () => discoverIssuer(issuer)),
    );
  }
}

/** Runs the guided flow and writes what it returns; the settings it wrote, or undefined. */
export async function runConfigure(ask: ConfigureAsk, showError: (err: AuthError) => void): Promise<SignInSettings | undefined> {
  const config = vscode.workspace.getConfiguration('gatehouse');
  let settings: SignInSettings | undefined;
  try {
    settings = await configureSignIn(ask, {
      issuer: config.get<string>('auth.issuer') || undefined,
      clientId: config.get<string>('auth.clientId') || undefined,
      groupsClaim: config.get<string>('auth.groupsClaim') || undefined,
    });
  } catch (err) {
    if (AuthError.is(err)) {
      showError(err);
      return undefined;
    }
    throw err;
  }
  if (!settings) return undefined;
  // Global is the user's settings; VS Code writes machine-scoped ones to the machine they apply on.
  await config.update('auth.issuer', settings.issuer, vscode.ConfigurationTarget.Global);
  await config.update('auth.clientId', settings.clientId, vscode.ConfigurationTarget.Global);
  await config.update('auth.groupsClaim', settings.groupsClaim, vscode.ConfigurationTarget.Global);
  return settings;
}
