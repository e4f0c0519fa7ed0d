// Looker commands (thin): Run Look, Run Tile, Run Dashboard (its filters asked first), Open in
// Looker, Refresh, Set API3 Credentials, Sign In to Looker / Sign Out of Looker (Looker OAuth).
// Decisions (roles, 403 explanations, audit) live in LookRunner.
import * as vscode from 'vscode';
import { offerExplainAccess } from '../../vscode/accessDenied';
import type { SecretStore } from '../../core/originSecrets';
import type { Logger } from '../../core/logger';
import { lookerContentUrl, type LookerClient, type LookerWebTarget } from '../client';
import { toLookerError, type LookerError } from '../errors';
import type { LookerOAuthCredentials } from '../oauthCredentials';
import type { LookerNode } from '../explorerModel';
import type { DashboardRunOutcome, LookRunner, LookerRunOutcome, LookerRunTarget } from '../lookRunner';
import { dashboardFilterDefaults, filterValueProblem, planDashboard, type FilterValue } from '../dashboard';
import type { QuerySummary } from '../types';
import type { ServiceUi } from '../../vscode/serviceUi';
import { plain, safe } from '../../core/displayText';

export const LOOKER_CLIENT_ID_KEY = 'gatehouse.looker.clientId';
export const LOOKER_CLIENT_SECRET_KEY = 'gatehouse.looker.clientSecret';

export interface LookerCommandDeps {
  runner: LookRunner;
  client: () => LookerClient;
  ui: () => ServiceUi;
  /** The service's own credentials, bound to its origin. */
  secrets: SecretStore;
  logger: Logger;
  /** Reloads the view (and what it depends on); settles when done. */
  refresh: () => void | Promise<void>;
  /** The Looker OAuth credentials when gatehouse.looker.credential is oauth; throws when Looker is not configured. */
  oauth: () => LookerOAuthCredentials | undefined;
  /** Writes the audit record of a Looker sign-in or sign-out. */
  auditSignIn: (action: 'sign-in' | 'sign-out', outcome: 'succeeded' | 'failed' | 'cancelled', reason?: string) => Promise<void>;
}

const signInLabel = () => vscode.l10n.t('Sign In to Looker');

export class LookerCommands {
  constructor(private readonly deps: LookerCommandDeps) {}

  register(): vscode.Disposable[] {
    const r = vscode.commands.registerCommand;
    return [
      r('gatehouse.looker.refresh', () => this.deps.refresh()),
      r('gatehouse.looker.runLook', (arg: LookerNode | string) => this.runLook(arg)),
      r('gatehouse.looker.runTile', (arg: LookerNode) => this.runTile(arg)),
      r('gatehouse.looker.runDashboard', (arg: LookerNode | string) => this.runDashboard(arg)),
      r('gatehouse.looker.openInLooker', (arg: LookerNode) => this.open(arg)),
      r('gatehouse.looker.setApi3Credentials', () => this.setApi3Credentials()),
      r('gatehouse.looker.signIn', () => this.signIn()),
      r('gatehouse.looker.signOut', () => this.signOut()),
    ];
  }

  /** A look node from the tree, or a look id (tests, links). */
  async runLook(arg: LookerNode | string | undefined): Promise<LookerRunOutcome | undefined> {
    let target: LookerRunTarget | undefined;
    if (arg && typeof arg === 'object' && arg.kind === 'look') {
      target = { kind: 'look', lookId: arg.look.id, title: plain(arg.look.title), fieldOrder: arg.look.query?.fields ?? undefined, visType: visTypeOf(arg.look.query) };
    } else if (typeof arg === 'string') {
      try {
        const look = await this.deps.client().look(arg);
        target = { kind: 'look', lookId: look.id, title: plain(look.title), fieldOrder: look.query?.fields ?? undefined, visType: visTypeOf(look.query) };
      } catch (err) {
        const e = toLookerError(err);
        // Looker answers 404, not 403, for content a person may not see: explained as a possible refusal.
        const message =
          e.reason === 'notFound'
            ? safe`Could not open look ${arg}: Looker answered "Not found", which it says both when the look does not exist and when your Looker account may not see it or run it.`
            : safe`Could not open look ${arg}: ${e.userMessage}`;
        if (e.reason === 'forbidden' || e.reason === 'notFound') void offerExplainAccess(this.deps.ui(), message, { service: 'Looker', what: vscode.l10n.t('open look {0}', arg), error: e });
        else void this.deps.ui().error(plain(message));
        return undefined;
      }
    } else if (arg && typeof arg === 'object' && arg.kind === 'element') {
      return this.runTile(arg);
    }
    if (!target) {
      void this.deps.ui().info(vscode.l10n.t('Choose a look in the Looker view.'));
      return undefined;
    }
    return this.tell(await this.deps.runner.run(target), vscode.l10n.t('run look "{0}"', target.title));
  }

  async runTile(arg: LookerNode | undefined): Promise<LookerRunOutcome | undefined> {
    if (arg?.kind !== 'element') {
      void this.deps.ui().info(vscode.l10n.t('Choose a dashboard tile in the Looker view.'));
      return undefined;
    }
    const target: LookerRunTarget = {
      kind: 'element',
      dashboardId: arg.dashboard.id,
      dashboardTitle: arg.dashboard.title,
      elementId: arg.element.id,
      title: plain(arg.title),
      run: arg.target,
      visType: visTypeOf(arg.element.look?.query ?? arg.element.query ?? arg.element.result_maker?.query),
    };
    return this.tell(await this.deps.runner.run(target), vscode.l10n.t('run tile "{0}" of dashboard "{1}"', target.title, target.dashboardTitle));
  }

  /**
   * A dashboard node (or a dashboard id): asks for each filter's value (its default offered;
   * Escape cancels the run), then runs every tile into one panel.
   */
  async runDashboard(arg: LookerNode | string | undefined): Promise<DashboardRunOutcome | { status: 'cancelled' | 'unavailable'; tiles: [] } | undefined> {
    const id = typeof arg === 'string' ? arg : arg?.kind === 'dashboard' || arg?.kind === 'element' ? arg.dashboard.id : undefined;
    if (!id) {
      void this.deps.ui().info(vscode.l10n.t('Choose a dashboard in the Looker view.'));
      return undefined;
    }
    let dashboard;
    try {
      dashboard = await this.deps.client().dashboard(id);
    } catch (err) {
      void this.deps.ui().error(safe`Could not open dashboard ${id}: ${toLookerError(err).userMessage}`);
      return { status: 'unavailable', tiles: [] };
    }
    const title = dashboard.title ? plain(dashboard.title) : safe`Dashboard ${id}`;
    const filters = await this.askFilters(title, dashboardFilterDefaults(dashboard));
    if (!filters) return { status: 'cancelled', tiles: [] };
    const tiles = planDashboard(dashboard, filters).map((t) => ({ ...t, title: plain(t.title) }));
    const outcome = await this.deps.runner.runDashboard({ dashboardId: String(dashboard.id), title, tiles, filters });
    const ui = this.deps.ui();
    if (outcome.status === 'notAllowed') void ui.warn(plain(outcome.message));
    else if (outcome.status === 'unavailable') void ui.error(plain(outcome.error.userMessage));
    else if (outcome.status === 'partial' || outcome.status === 'failed') {
      const failed = outcome.tiles.filter((t) => t.status === 'failed' || t.status === 'denied').length;
      void ui.warn(safe`${failed} of ${outcome.tiles.filter((t) => t.status !== 'text').length} tiles of "${title}" failed; the panel shows why.`);
    }
    return outcome;
  }

  /** One input per filter, keyboard only, its default filled in; undefined when the person pressed Escape. */
  private async askFilters(dashboardTitle: string, defaults: readonly FilterValue[]): Promise<FilterValue[] | undefined> {
    const out: FilterValue[] = [];
    for (const [i, f] of defaults.entries()) {
      const value = await this.deps.ui().input({
        title: safe`${dashboardTitle}: filter ${f.title} (${i + 1}/${defaults.length})`,
        prompt: vscode.l10n.t('A Looker filter expression (e.g. complete, -cancelled, >=100). Empty means any value. Enter runs, Escape cancels.'),
        value: f.value,
        ignoreFocusOut: true,
        validateInput: (v) => filterValueProblem(v),
      });
      if (value === undefined) return undefined;
      // The box validated it; a test's or another caller's answer is checked again.
      if (filterValueProblem(value)) return undefined;
      out.push({ ...f, value: value.trim() });
    }
    return out;
  }

  private tell(outcome: LookerRunOutcome, what: string): LookerRunOutcome {
    const ui = this.deps.ui();
    if (outcome.status === 'notAllowed') void ui.warn(plain(outcome.message));
    else if (outcome.status === 'denied') void offerExplainAccess(ui, outcome.message ?? vscode.l10n.t('Looker refused to run this.'), { service: 'Looker', what, error: outcome.error });
    // An expired Looker sign-in is announced by the module when it ends, with the same button.
    else if (outcome.status === 'failed' && outcome.error?.reason === 'lookerSignInExpired') return outcome;
    else if (outcome.status === 'failed' && outcome.error?.reason === 'lookerSignInRequired') this.offerSignIn(outcome.error);
    else if (outcome.status === 'failed' && outcome.error) {
      const needsKeys = outcome.error.reason === 'credentialsMissing' || outcome.error.reason === 'credentialsRejected';
      void ui.error(plain(outcome.error.userMessage), ...(needsKeys ? [vscode.l10n.t('Set API3 Credentials')] : [])).then((choice) => {
        if (choice) void this.setApi3Credentials();
      });
    }
    return outcome;
  }

  async open(arg: LookerNode | undefined): Promise<string | undefined> {
    const target = webTarget(arg);
    if (!target) {
      void this.deps.ui().info(vscode.l10n.t('Choose a folder, look or dashboard in the Looker view.'));
      return undefined;
    }
    let url: string;
    try {
      url = lookerContentUrl(this.deps.client().baseUrl, target);
    } catch (err) {
      void this.deps.ui().error(plain(toLookerError(err).userMessage));
      return undefined;
    }
    await this.deps.ui().openExternal(url);
    return url;
  }

  /** "Sign in to Looker again", with the button that does it. */
  offerSignIn(error: LookerError): void {
    void this.deps.ui().error(plain(error.userMessage), signInLabel()).then((choice) => {
      if (choice === signInLabel()) void this.signIn();
    });
  }

  async signIn(): Promise<boolean> {
    const ui = this.deps.ui();
    let oauth: LookerOAuthCredentials | undefined;
    try {
      oauth = this.deps.oauth();
    } catch (err) {
      void ui.error(plain(toLookerError(err).userMessage));
      return false;
    }
    if (!oauth) {
      void ui.info(vscode.l10n.t('Gatehouse does not use a Looker sign-in: gatehouse.looker.credential is api3 or proxy.'));
      return false;
    }
    const credentials = oauth;
    try {
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Signing in to Looker in your browser…'), cancellable: true }, (_progress, token) => {
        const abort = new AbortController();
        const cancel = token.onCancellationRequested(() => abort.abort());
        return credentials.signIn(abort.signal).finally(() => cancel.dispose());
      });
    } catch (err) {
      const e = toLookerError(err);
      await this.deps.auditSignIn('sign-in', e.reason === 'cancelled' ? 'cancelled' : 'failed', e.reason);
      this.deps.logger.warn(`Looker sign-in ended: ${e.reason}`);
      if (e.reason !== 'cancelled') void ui.error(safe`Looker sign-in: ${e.userMessage}`);
      return false;
    }
    await this.deps.auditSignIn('sign-in', 'succeeded');
    await this.deps.refresh();
    void ui.info(vscode.l10n.t('Signed in to Looker.'));
    return true;
  }

  async signOut(): Promise<boolean> {
    let oauth: LookerOAuthCredentials | undefined;
    try {
      oauth = this.deps.oauth();
    } catch {
      oauth = undefined;
    }
    if (!oauth || !(await oauth.signedIn())) {
      void this.deps.ui().info(vscode.l10n.t('You are not signed in to Looker.'));
      return false;
    }
    await oauth.signOut();
    await this.deps.auditSignIn('sign-out', 'succeeded');
    await this.deps.refresh();
    return true;
  }

  async setApi3Credentials(): Promise<boolean> {
    const ui = this.deps.ui();
    const clientId = await ui.input({
      title: vscode.l10n.t('Looker API3 client id'),
      prompt: vscode.l10n.t('From your Looker account (Admin > Users > Edit Keys, or ask an admin). Stored in the OS keychain (VS Code SecretStorage).'),
      value: (await this.deps.secrets.get(LOOKER_CLIENT_ID_KEY)) ?? '',
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('Enter the client id.')),
    });
    if (!clientId) return false;
    const clientSecret = await ui.input({ title: vscode.l10n.t('Looker API3 client secret'), password: true, ignoreFocusOut: true, validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('Enter the client secret.')) });
    if (!clientSecret) return false;
    await this.deps.secrets.store(LOOKER_CLIENT_ID_KEY, clientId.trim());
    await this.deps.secrets.store(LOOKER_CLIENT_SECRET_KEY, clientSecret.trim());
    this.deps.logger.info('Looker API3 credentials stored');
    return true;
  }
}

function webTarget(n: LookerNode | undefined): LookerWebTarget | undefined {
  switch (n?.kind) {
    case 'folder':
      return { kind: 'folder', id: n.folder.id };
    case 'look':
      return { kind: 'look', id: n.look.id };
    case 'dashboard':
      return { kind: 'dashboard', id: n.dashboard.id };
    case 'element':
      return { kind: 'dashboard', id: n.dashboard.id };
  }
  return undefined;
}

/** The visualization Looker draws a query with, when it names one. */
function visTypeOf(query: QuerySummary | undefined | null): string | undefined {
  const type = query?.vis_config?.type;
  return typeof type === 'string' ? type : undefined;
}
