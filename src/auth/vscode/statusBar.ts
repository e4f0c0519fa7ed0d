// "$(account) alice@example.com" in the status bar, or "$(sign-in) Sign in".
import * as vscode from 'vscode';
import { Formatter } from '../../core/format';
import { statusBarText, statusTooltip } from '../identityText';
import type { SessionManager } from '../sessionManager';

export class AuthStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('gatehouse.auth', vscode.StatusBarAlignment.Left, 50);
  private readonly subscription: { dispose(): unknown };
  // The tooltip's "until HH:MM" moves with every refresh; a minute timer keeps it honest.
  private readonly timer = setInterval(() => this.update(), 60_000);

  private reading = true;

  /** `settled` resolves once the sign-in settings being read are applied (read again on change). */
  constructor(
    private readonly sessions: SessionManager,
    private readonly settled: () => Promise<void>,
  ) {
    this.item.name = vscode.l10n.t('Gatehouse Account');
    this.subscription = sessions.onDidChangeSession(() => this.update());
    this.update();
    this.item.show();
    void this.whenSettled();
  }

  /** Until the settings are read the item says so, never "not configured". */
  private async whenSettled(): Promise<void> {
    try {
      // Asked after the constructor returns: the module starts reading settings right after.
      await Promise.resolve();
      await this.settled();
    } finally {
      this.reading = false;
      this.update();
    }
  }

  update(): void {
    if (this.reading) {
      this.item.text = vscode.l10n.t('$(loading~spin) Gatehouse');
      this.item.tooltip = vscode.l10n.t('Gatehouse: reading the sign-in settings…');
      this.item.command = 'gatehouse.auth.signIn';
      return;
    }
    const session = this.sessions.current();
    const configured = !!this.sessions.config;
    this.item.text = configured ? statusBarText(session?.identity) : '$(gear) Gatehouse';
    this.item.tooltip = statusTooltip(session, configured, new Formatter({ locale: vscode.env.language }));
    this.item.command = !configured ? 'gatehouse.auth.configure' : session ? 'gatehouse.auth.showIdentity' : 'gatehouse.auth.signIn';
  }

  dispose(): void {
    clearInterval(this.timer);
    this.subscription.dispose();
    this.item.dispose();
  }
}
