// Composition of sign-in for extension.ts: the core (SessionManager, TokenBroker) on VS Code's
// SecretStorage, the authentication provider, status bar, commands, settings and context keys.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { plain } from '../../core/displayText';
import type { DisposableStore } from '../../core/disposable';
import { FileLock } from '../../core/fileLock';
import type { Logger } from '../../core/logger';
import type { SecretRegistry } from '../../core/redact';
import { registerAuthCommands } from './authCommands';
import { AuthError } from '../authError';
import { parseAuthConfig, type AuthConfig } from '../config';
import type { Session } from '../session';
import { SessionManager } from '../sessionManager';
import { TokenBroker } from '../tokenBroker';
import { GatehouseAuthenticationProvider, PROVIDER_ID, PROVIDER_LABEL } from './authenticationProvider';
import { CLIENT_SECRET_KEY, affectsAuth, readAuthSettings } from './settings';
import { VsCodeSignInUi, type TestBrowser } from './signInUi';
import { AuthStatusBar } from './statusBar';
import { VsCodeConfigureAsk } from './configureUi';
import type { ConfigureAsk } from '../configureFlow';
import type { ServiceIdentities } from '../../audit/serviceIdentity';

export interface AuthDeps {
  context: vscode.ExtensionContext;
  logger: Logger;
  secrets: SecretRegistry;
  /** Cleared on sign-out and when the session expires: session-scoped disposables live here. */
  sessionScope: DisposableStore;
  /** Who each service sees, for Show Identity. */
  identities: ServiceIdentities;
}

/** Reachable by the integration tests only (exports in ExtensionMode.Test). */
export interface AuthTestingApi {
  /** Replaces the browser: receives each authorization URL; undefined restores the real one. */
  setBrowser(browser: TestBrowser | undefined): void;
  /** Resolves when settings changed so far have been applied. */
  settled(): Promise<void>;
  /** Replaces the questions of Configure Sign-In; undefined restores the quick inputs. */
  setConfigureAsk(ask: ConfigureAsk | undefined): void;
  /** The session as stored now (tests against a real IdP check its tokens there: renewal, revocation). */
  currentSession(): Session | undefined;
}

export interface AuthModule {
  broker: TokenBroker;
  sessions: SessionManager;
  provider: GatehouseAuthenticationProvider;
  /** Resolves once settings were read and the stored session restored. */
  ready: Promise<void>;
  /** Defined only when the extension runs in ExtensionMode.Test. */
  testing?: AuthTestingApi;
  dispose(): void;
}

export function createAuth(deps: AuthDeps): AuthModule {
  const { context, logger, secrets, sessionScope } = deps;
  const log = logger.child('auth');
  const disposables: vscode.Disposable[] = [];
  // Global storage is one folder for every window of this VS Code profile, like SecretStorage.
  // A refresh takes at most a few HTTP timeouts; a lock older than that was left by a dead window.
  const refreshLock = new FileLock(path.join(context.globalStorageUri.fsPath, 'session-refresh.lock'), { staleMs: 2 * 60_000 });
  const sessions = new SessionManager({ secretStore: context.secrets, secrets, logger: log, refreshLock });
  const broker = new TokenBroker({ sessions, secrets, logger: log.child('tokens') });
  const ui = new VsCodeSignInUi();
  const provider = new GatehouseAuthenticationProvider(sessions, ui, log);
  let configureAsk: ConfigureAsk | undefined;
  disposables.push(
    sessions,
    broker,
    provider,
    vscode.authentication.registerAuthenticationProvider(PROVIDER_ID, PROVIDER_LABEL, provider, { supportsMultipleAccounts: false }),
    new AuthStatusBar(sessions, () => applying),
    ...registerAuthCommands({ sessions, provider, ui, secrets: context.secrets, logger: log, identities: deps.identities, settled: () => applying, configureAsk: () => configureAsk ?? new VsCodeConfigureAsk() }),
  );

  const setContext = () => {
    void vscode.commands.executeCommand('setContext', 'gatehouse.auth.configured', !!sessions.config);
    void vscode.commands.executeCommand('setContext', 'gatehouse.signedIn', !!sessions.current());
  };
  let expiryPromptOpen = false;
  disposables.push({
    dispose: sessions.onDidChangeSession((e) => {
      setContext();
      if (!e.session) sessionScope.clear();
      // Asked once: the session is gone after the first invalid_grant (or refused renewal), so this fires once.
      if ((e.reason === 'expired' || e.reason === 'refused') && !expiryPromptOpen) {
        expiryPromptOpen = true;
        const message = e.reason === 'refused' && e.error ? e.error.message : vscode.l10n.t('Your Gatehouse session expired or was revoked by your identity provider.');
        void ui
          .confirm(plain(message), vscode.l10n.t('Sign In'))
          .then((yes) => yes && vscode.commands.executeCommand('gatehouse.auth.signIn'))
          .then(() => (expiryPromptOpen = false));
      }
    }).dispose,
  });

  let applying = Promise.resolve();
  const apply = () => {
    applying = applying.then(async () => {
      let config: AuthConfig | undefined;
      try {
        config = parseAuthConfig(await readAuthSettings(context.secrets));
      } catch (err) {
        if (!AuthError.is(err, 'notConfigured')) throw err;
        if (vscode.workspace.getConfiguration('gatehouse').get('auth.issuer')) log.warn(err.userMessage);
      }
      await sessions.configure(config);
      setContext();
    }).catch((err) => log.error('could not apply the sign-in settings', err));
    return applying;
  };
  disposables.push(
    vscode.workspace.onDidChangeConfiguration((e) => affectsAuth(e) && void apply()),
    context.secrets.onDidChange((e) => e.key === CLIENT_SECRET_KEY && void apply()),
  );
  const ready = apply();

  const testing: AuthTestingApi | undefined =
    context.extensionMode === vscode.ExtensionMode.Test
      ? { setBrowser: (browser) => (ui.testBrowser = browser), settled: () => applying, setConfigureAsk: (ask) => (configureAsk = ask), currentSession: () => sessions.current() }
      : undefined;

  return {
    broker,
    sessions,
    provider,
    ready,
    testing,
    dispose: () => {
      for (const d of disposables.reverse()) d.dispose();
    },
  };
}
