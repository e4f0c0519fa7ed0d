// Looker commands (thin): Run Look, Run Tile, Open in Looker, Refresh, Set API3 Credentials.
// Decisions (roles, 403 explanations, audit) live in LookRunner.
import * as vscode from 'vscode';
import type { SecretStore } from '../../core/originSecrets';
import type { Logger } from '../../core/logger';
import { lookerContentUrl, type LookerClient, type LookerWebTarget } from '../client';
import { toLookerError } from '../errors';
import type { LookerNode } from '../explorerModel';
import type { LookRunner, LookerRunOutcome, LookerRunTarget } from '../lookRunner';
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
  refresh: () => void;
}

export class LookerCommands {
  constructor(private readonly deps: LookerCommandDeps) {}

  register(): vscode.Disposable[] {
    const r = vscode.commands.registerCommand;
    return [
      r('gatehouse.looker.refresh', () => this.deps.refresh()),
      r('gatehouse.looker.runLook', (arg: LookerNode | string) => this.runLook(arg)),
      r('gatehouse.looker.runTile', (arg: LookerNode) => this.runTile(arg)),
      r('gatehouse.looker.openInLooker', (arg: LookerNode) => this.open(arg)),
      r('gatehouse.looker.setApi3Credentials', () => this.setApi3Credentials()),
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
        void this.deps.ui().error(safe`Could not open look ${arg}: ${toLookerError(err).userMessage}`);
        return undefined;
      }
    } else if (arg && typeof arg === 'object' && arg.kind === 'element') {
      return this.runTile(arg);
    }
    if (!target) {
      void this.deps.ui().info(vscode.l10n.t('Choose a look in the Looker view.'));
      return undefined;
    }
    return this.tell(await this.deps.runner.run(target));
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
    return this.tell(await this.deps.runner.run(target));
  }

  private tell(outcome: LookerRunOutcome): LookerRunOutcome {
    const ui = this.deps.ui();
    if (outcome.status === 'notAllowed') void ui.warn(plain(outcome.message));
    else if (outcome.status === 'denied') void ui.error(plain(outcome.message ?? 'Looker refused to run this.'));
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

  async setApi3Credentials(): Promise<boolean> {
    const ui = this.deps.ui();
    const clientId = await ui.input({
      title: vscode.l10n.t('Looker API3 client id'),
      prompt: vscode.l10n.t('From your Looker account (Admin > Users > Edit Keys, or ask an admin). Stored in the OS keychain (VS Code SecretStorage).'),
      value: (await this.deps.secrets.get(LOOKER_CLIENT_ID_KEY)) ?? '',
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() ? undefined : 'Enter the client id.'),
    });
    if (!clientId) return false;
    const clientSecret = await ui.input({ title: vscode.l10n.t('Looker API3 client secret'), password: true, ignoreFocusOut: true, validateInput: (v) => (v.trim() ? undefined : 'Enter the client secret.') });
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
