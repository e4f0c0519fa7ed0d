// Sign In, Switch Account, Sign Out, Show Identity, Configure Sign-In, Set Client Secret: thin handlers over the
// authentication provider and the session manager.
import * as vscode from 'vscode';
import { Formatter } from '../../core/format';
import type { Logger } from '../../core/logger';
import { identityReportLines, identityRows } from '../identityText';
import type { SessionManager } from '../sessionManager';
import type { GatehouseAuthenticationProvider } from './authenticationProvider';
import { CLIENT_SECRET_KEY } from './settings';
import type { VsCodeSignInUi } from './signInUi';
import { AuthError } from '../authError';
import type { ConfigureAsk } from '../configureFlow';
import { runConfigure } from './configureUi';
import { plain, safe } from '../../core/displayText';
import type { ServiceIdentities } from '../../audit/serviceIdentity';

export interface AuthCommandDeps {
  sessions: SessionManager;
  provider: GatehouseAuthenticationProvider;
  ui: VsCodeSignInUi;
  secrets: vscode.SecretStorage;
  logger: Logger;
  /** Who each service sees: listed by Show Identity. */
  identities: ServiceIdentities;
  /** Resolves once the sign-in settings being read (at start or after a change) are applied. */
  settled: () => Promise<void>;
  /** Asks the guided Configure Sign-In's questions (tests pass a scripted one). */
  configureAsk: () => ConfigureAsk;
}

export function registerAuthCommands(deps: AuthCommandDeps): vscode.Disposable[] {
  const { sessions, provider, ui, secrets, logger, identities, settled, configureAsk } = deps;
  return [
    vscode.commands.registerCommand('gatehouse.auth.signIn', async () => {
      // Right after start the settings may still be being read: a quick click must not be told
      // that sign-in is not configured.
      await settled();
      if (!sessions.config) {
        ui.showError(new AuthError('notConfigured', 'Sign-in is not configured yet.', 'Set the issuer URL and client id your identity team gave you.'));
        return;
      }
      try {
        // The provider's own sign-in: VS Code's "extension wants to sign in" consent is for other
        // extensions. The Accounts menu follows through onDidChangeSessions.
        await provider.createSession(sessions.config.scopes);
      } catch (err) {
        // The provider already told the user what went wrong.
        if (!AuthError.is(err)) logger.error('sign-in command failed', err);
      }
    }),
    vscode.commands.registerCommand('gatehouse.auth.switchAccount', async () => {
      await settled();
      if (!sessions.config) {
        ui.showError(new AuthError('notConfigured', 'Sign-in is not configured yet.', 'Set the issuer URL and client id your identity team gave you.'));
        return;
      }
      try {
        await provider.switchAccount();
      } catch (err) {
        if (!AuthError.is(err)) logger.error('switch-account command failed', err);
      }
    }),
    vscode.commands.registerCommand('gatehouse.auth.signOut', async () => {
      if (!sessions.current()) {
        void vscode.window.showInformationMessage(vscode.l10n.t('You are not signed in to Gatehouse.'));
        return;
      }
      const { revoked } = await sessions.signOut();
      // The identity provider's own browser session may outlive this: the next sign-in would be
      // the same person again without a question, hence the offer.
      void vscode.window
        .showInformationMessage(
          revoked ? vscode.l10n.t('Signed out of Gatehouse.') : vscode.l10n.t('Signed out of Gatehouse on this machine. The identity provider could not be reached to end the session there.'),
          vscode.l10n.t('Sign In as Someone Else'),
        )
        .then((choice) => choice && vscode.commands.executeCommand('gatehouse.auth.switchAccount'));
    }),
    vscode.commands.registerCommand('gatehouse.auth.showIdentity', async () => {
      const identity = sessions.current()?.identity;
      // Every configured service with its credential in words; signed in, also whom the service reports.
      const services = await identities.report(identity?.label, !!identity);
      const serviceItems: vscode.QuickPickItem[] = [
        { label: vscode.l10n.t('Services'), kind: vscode.QuickPickItemKind.Separator },
        ...services.map((s) => ({ label: plain(s.text), description: plain(s.title) })),
      ];
      // The pick is not awaited: the command answers with what it shows (the integration test reads it).
      if (!identity) {
        void vscode.window
          .showQuickPick([{ label: vscode.l10n.t('Sign In'), description: vscode.l10n.t('You are not signed in to Gatehouse') }, ...serviceItems], { title: vscode.l10n.t('Gatehouse identity'), placeHolder: vscode.l10n.t('Not signed in: no service call runs as you') })
          .then((pick) => pick?.label === vscode.l10n.t('Sign In') && vscode.commands.executeCommand('gatehouse.auth.signIn'));
        return identityReportLines(undefined, services);
      }
      const rows = identityRows(identity, new Formatter({ locale: vscode.env.language }));
      void vscode.window.showQuickPick([...rows.map((r) => ({ label: plain(r.value), description: plain(r.label) })), ...serviceItems], {
        title: vscode.l10n.t('Gatehouse identity'),
        placeHolder: vscode.l10n.t('What the services see of you (no tokens are shown)'),
      });
      return identityReportLines(rows, services);
    }),
    // A guided set-up that writes the settings itself works in every host (desktop, remote, web),
    // where the Settings editor would hide machine settings on a tab of their own.
    vscode.commands.registerCommand('gatehouse.auth.configure', async () => {
      const written = await runConfigure(configureAsk(), (err) => ui.showError(err));
      if (!written) return undefined;
      await settled();
      void vscode.window
        .showInformationMessage(safe`Gatehouse will sign in with ${new URL(written.issuer).host}.`, vscode.l10n.t('Sign In'))
        .then((choice) => choice === vscode.l10n.t('Sign In') && vscode.commands.executeCommand('gatehouse.auth.signIn'));
      return written;
    }),
    vscode.commands.registerCommand('gatehouse.auth.setClientSecret', async () => {
      const value = await vscode.window.showInputBox({
        title: vscode.l10n.t('Gatehouse client secret'),
        prompt: vscode.l10n.t('Only for confidential clients. Stored in the OS keychain (VS Code SecretStorage). Leave empty to remove it.'),
        password: true,
        ignoreFocusOut: true,
      });
      if (value === undefined) return;
      if (value.trim()) await secrets.store(CLIENT_SECRET_KEY, value.trim());
      else await secrets.delete(CLIENT_SECRET_KEY);
      void vscode.window.showInformationMessage(value.trim() ? vscode.l10n.t('Client secret saved.') : vscode.l10n.t('Client secret removed.'));
    }),
  ];
}
