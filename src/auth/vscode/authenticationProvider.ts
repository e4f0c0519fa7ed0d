// The "Gatehouse (OIDC)" authentication provider: VS Code's view of the SessionManager. Sign-in
// runs with a cancellable progress notification; sign-out revokes when it can.
import * as vscode from 'vscode';
import type { Logger } from '../../core/logger';
import { AuthError } from '../authError';
import type { AuthorizationOptions } from '../authorizationParams';
import type { Session } from '../session';
import type { SessionChange, SessionManager, SignInEnvironment } from '../sessionManager';
import type { VsCodeSignInUi } from './signInUi';

export const PROVIDER_ID = 'gatehouse-oidc';
export const PROVIDER_LABEL = 'Gatehouse (OIDC)';

export function toAuthenticationSession(session: Session): vscode.AuthenticationSession {
  return {
    id: session.id,
    accessToken: session.accessToken,
    account: { id: session.identity.subject, label: session.identity.label },
    scopes: session.scopes,
  };
}

/** Where the extension host runs decides the flow: a remote or web host cannot receive a loopback redirect from the user's browser. */
export function signInEnvironment(): SignInEnvironment {
  return { isRemoteOrWeb: !!vscode.env.remoteName || vscode.env.uiKind === vscode.UIKind.Web };
}

export class GatehouseAuthenticationProvider implements vscode.AuthenticationProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.AuthenticationProviderAuthenticationSessionsChangeEvent>();
  readonly onDidChangeSessions = this.changed.event;
  private readonly subscription: { dispose(): unknown };

  constructor(
    private readonly sessions: SessionManager,
    private readonly ui: VsCodeSignInUi,
    private readonly logger: Logger,
  ) {
    this.subscription = sessions.onDidChangeSession((e) => this.changed.fire(toChangeEvent(e)));
  }

  async getSessions(scopes?: readonly string[]): Promise<vscode.AuthenticationSession[]> {
    const session = this.sessions.current();
    if (!session) return [];
    // One account, one session: it serves every request whose scopes it was granted.
    if (scopes && !scopes.every((s) => session.scopes.includes(s))) return [];
    return [toAuthenticationSession(session)];
  }

  async createSession(scopes: readonly string[]): Promise<vscode.AuthenticationSession> {
    const configured = this.sessions.config?.scopes ?? [];
    const missing = scopes.filter((s) => !configured.includes(s));
    if (missing.length) {
      throw new AuthError('notConfigured', vscode.l10n.t('Gatehouse does not request the scope(s) {0}.', missing.join(', ')), 'Add them to gatehouse.auth.scopes if your identity provider allows them.');
    }
    return this.signIn();
  }

  /**
   * Signs in with the IdP told to ask who signs in (gatehouse.auth.switchAccountPrompt): its own
   * browser session outlives a Gatehouse sign-out and would otherwise sign the same person in.
   */
  async switchAccount(): Promise<vscode.AuthenticationSession> {
    const prompt = this.sessions.config?.switchAccountPrompt ?? 'login';
    return this.signIn({ prompt });
  }

  private async signIn(authorization?: AuthorizationOptions): Promise<vscode.AuthenticationSession> {
    try {
      const session = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Signing in to Gatehouse… finish in your browser'), cancellable: true },
        (_progress, token) => {
          const abort = new AbortController();
          const onCancel = token.onCancellationRequested(() => abort.abort());
          return this.sessions.signIn(this.ui, signInEnvironment(), abort.signal, authorization).finally(() => onCancel.dispose());
        },
      );
      return toAuthenticationSession(session);
    } catch (err) {
      const error = AuthError.is(err) ? err : new AuthError('idpRejected', 'Signing in failed unexpectedly.', 'The log has details.', { cause: err });
      this.logger.warn(`sign-in failed: ${error.reason}`, err);
      this.ui.showError(error);
      throw error;
    }
  }

  async removeSession(sessionId: string): Promise<void> {
    if (this.sessions.current()?.id !== sessionId) return;
    const { revoked } = await this.sessions.signOut();
    if (!revoked) this.logger.info('signed out locally; the identity provider could not be told');
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

function toChangeEvent(e: SessionChange): vscode.AuthenticationProviderAuthenticationSessionsChangeEvent {
  const now = e.session ? [toAuthenticationSession(e.session)] : [];
  const before = e.previous ? [toAuthenticationSession(e.previous)] : [];
  if (e.reason === 'refreshed') return { added: [], removed: [], changed: now };
  const sameId = e.session && e.previous && e.session.id === e.previous.id;
  if (sameId) return { added: [], removed: [], changed: now };
  return { added: now, removed: before, changed: [] };
}
