// Metabase commands (thin): Run Question, Open in Metabase, Refresh, Sign In to Metabase
// (username and password, used once), Set Metabase API Key, Sign Out of Metabase. Decisions
// (roles, refusals, failed queries, audit) live in QuestionRunner.
import * as vscode from 'vscode';
import { offerExplainAccess } from '../../vscode/accessDenied';
import type { SecretStore } from '../../core/originSecrets';
import type { Logger } from '../../core/logger';
import type { SecretRegistry } from '../../core/redact';
import type { HttpClient } from '../../core/http';
import { metabaseApiUrl, metabaseContentUrl, type MetabaseClient, type MetabaseWebTarget } from '../client';
import { closeMetabaseSession, openMetabaseSession } from '../credentials';
import { toMetabaseError } from '../errors';
import type { MetabaseNode } from '../explorerModel';
import type { MetabaseRunOutcome, MetabaseRunTarget, QuestionRunner } from '../questionRunner';
import type { ServiceUi } from '../../vscode/serviceUi';
import { plain, safe } from '../../core/displayText';
import { encodeParameters, parameterDefault, parameterKind, parameterValueProblem, questionParameters, type ParameterValue } from '../parameters';

export const METABASE_SESSION_KEY = 'gatehouse.metabase.session';
export const METABASE_API_KEY_KEY = 'gatehouse.metabase.apiKey';

const signInLabel = () => vscode.l10n.t('Sign In to Metabase');

export interface MetabaseCommandDeps {
  runner: QuestionRunner;
  client: () => MetabaseClient;
  /** The configured Metabase URL, for signing in before a client exists. */
  baseUrl: () => string | undefined;
  http: HttpClient;
  ui: () => ServiceUi;
  /** The service's own credentials, bound to its origin. */
  secrets: SecretStore;
  redactions: SecretRegistry;
  /** Who is signed in to Gatehouse (offered as the Metabase username). */
  email: () => string | undefined;
  logger: Logger;
  refresh: () => void;
}

export class MetabaseCommands {
  constructor(private readonly deps: MetabaseCommandDeps) {}

  register(): vscode.Disposable[] {
    const r = vscode.commands.registerCommand;
    return [
      r('gatehouse.metabase.refresh', () => this.deps.refresh()),
      r('gatehouse.metabase.runQuestion', (arg: MetabaseNode | number) => this.runQuestion(arg)),
      r('gatehouse.metabase.openInMetabase', (arg: MetabaseNode) => this.open(arg)),
      r('gatehouse.metabase.signIn', () => this.signIn()),
      r('gatehouse.metabase.setApiKey', () => this.setApiKey()),
      r('gatehouse.metabase.signOut', () => this.signOut()),
    ];
  }

  /** A question/model node or a dashboard card node from the tree, or a card id (tests, links). */
  async runQuestion(arg: MetabaseNode | number | undefined): Promise<MetabaseRunOutcome | undefined> {
    let target: MetabaseRunTarget | undefined;
    if (typeof arg === 'number') target = { kind: 'card', cardId: arg, name: vscode.l10n.t('Question {0}', arg) };
    else if (arg?.kind === 'card') target = { kind: 'card', cardId: arg.item.id, name: arg.item.name, cardType: arg.cardType, display: arg.item.display };
    else if (arg?.kind === 'dashcard') {
      target = { kind: 'dashcard', dashboardId: arg.dashboard.id, dashboardName: arg.dashboard.name, dashcardId: arg.dashcard.id, cardId: arg.dashcard.card_id, name: arg.title, display: arg.dashcard.card?.display };
    }
    if (!target) {
      void this.deps.ui().info(vscode.l10n.t('Choose a question in the Metabase view.'));
      return undefined;
    }
    if (target.kind === 'card') {
      const asked = await this.askParameters(target.cardId, target.name);
      if (asked === 'cancelled') return { status: 'cancelled' };
      if (asked) target = { ...target, name: asked.name, parameters: asked.values, parameterFacts: asked.facts };
    }
    const outcome = await this.deps.runner.run(target);
    const ui = this.deps.ui();
    if (outcome.status === 'notAllowed') void ui.warn(plain(outcome.message));
    else if (outcome.status === 'denied')
      void offerExplainAccess(ui, outcome.message ?? vscode.l10n.t('Metabase refused to run this.'), {
        service: 'Metabase',
        what: target.kind === 'card' ? vscode.l10n.t('run question "{0}" (card {1})', target.name, target.cardId) : vscode.l10n.t('run tile "{0}" of dashboard "{1}"', target.name, target.dashboardName),
        error: outcome.error,
      });
    else if (outcome.status === 'failed' && outcome.error) {
      const reason = outcome.error.reason;
      const askAgain = reason === 'sessionExpired' || reason === 'credentialsMissing' || reason === 'credentialsRejected';
      void ui.error(plain(outcome.error.userMessage), ...(askAgain ? [signInLabel()] : [])).then((choice) => {
        if (choice === signInLabel()) void this.signIn();
      });
    }
    return outcome;
  }

  /**
   * The question's parameters, each asked with its default (keyboard only; Escape cancels the
   * run); undefined when it has none, or when the question could not be read (the run then says why).
   */
  private async askParameters(cardId: number, fallbackName: string): Promise<{ name: string; values: ParameterValue[]; facts: Record<string, string> } | 'cancelled' | undefined> {
    let card;
    try {
      card = await this.deps.client().card(cardId);
    } catch (err) {
      this.deps.logger.debug(`could not read Metabase question ${cardId} for its parameters: ${toMetabaseError(err).reason}`);
      return undefined;
    }
    const params = questionParameters(card);
    const name = typeof card.name === 'string' && card.name ? plain(card.name) : fallbackName;
    if (!params.length) return { name, values: [], facts: {} };
    const values = new Map<string, string>();
    const facts: Record<string, string> = {};
    for (const [i, p] of params.entries()) {
      const kind = parameterKind(p.type);
      const label = plain(p.name || p.slug || p.id, { max: 100 });
      const value = await this.deps.ui().input({
        title: safe`${name}: ${label} (${i + 1}/${params.length})`,
        prompt: kind === 'date' ? vscode.l10n.t('A date (YYYY-MM-DD). Empty: the question’s default. Enter runs, Escape cancels.') : kind === 'number' ? vscode.l10n.t('A number. Empty: the question’s default. Enter runs, Escape cancels.') : vscode.l10n.t('Text. Empty: the question’s default. Enter runs, Escape cancels.'),
        value: parameterDefault(p),
        ignoreFocusOut: true,
        validateInput: (v) => parameterValueProblem(kind, p.type, v),
      });
      if (value === undefined || parameterValueProblem(kind, p.type, value)) return 'cancelled';
      values.set(p.id, value);
      if (value.trim()) facts[vscode.l10n.t('Parameter {0}', label).slice(0, 200)] = value.trim();
    }
    return { name, values: encodeParameters(params, values), facts };
  }

  async open(arg: MetabaseNode | undefined): Promise<string | undefined> {
    const target = webTarget(arg);
    const base = this.deps.baseUrl();
    if (!target || !base) {
      void this.deps.ui().info(vscode.l10n.t('Choose a collection, question or dashboard in the Metabase view.'));
      return undefined;
    }
    const url = metabaseContentUrl(base, target);
    await this.deps.ui().openExternal(url);
    return url;
  }

  /** Opens a Metabase session with a username and password; only the session id is kept. */
  async signIn(): Promise<boolean> {
    const ui = this.deps.ui();
    const base = this.deps.baseUrl();
    if (!base) {
      void ui.warn(vscode.l10n.t('Set gatehouse.metabase.baseUrl first.'));
      return false;
    }
    const username = await ui.input({ title: vscode.l10n.t('Metabase email'), value: this.deps.email() ?? '', ignoreFocusOut: true, validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('Enter your Metabase email.')) });
    if (!username) return false;
    const password = await ui.input({
      title: vscode.l10n.t('Metabase password'),
      prompt: vscode.l10n.t('Used once to open a session; Gatehouse keeps only the session (in the OS keychain), never the password.'),
      password: true,
      ignoreFocusOut: true,
      validateInput: (v) => (v ? undefined : vscode.l10n.t('Enter your password.')),
    });
    if (!password) return false;
    try {
      const session = await openMetabaseSession(this.deps.http, metabaseApiUrl(base), { username: username.trim(), password }, { secrets: this.deps.redactions });
      await this.deps.secrets.store(METABASE_SESSION_KEY, session);
      this.deps.logger.info('opened a Metabase session');
      return true;
    } catch (err) {
      void ui.error(plain(toMetabaseError(err).userMessage));
      return false;
    }
  }

  async setApiKey(): Promise<boolean> {
    const ui = this.deps.ui();
    const key = await ui.input({
      title: vscode.l10n.t('Metabase API key'),
      prompt: vscode.l10n.t('An API key acts as the group it belongs to, not as you: Metabase will show and run what that group may. Stored in the OS keychain.'),
      password: true,
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('Enter the API key.')),
    });
    if (!key) return false;
    await this.deps.secrets.store(METABASE_API_KEY_KEY, key.trim());
    this.deps.logger.info('Metabase API key stored');
    return true;
  }

  /** Ends the Metabase session (at Metabase too) and forgets the API key. */
  async signOut(): Promise<void> {
    await this.endSession();
    await this.deps.secrets.delete(METABASE_API_KEY_KEY);
    this.deps.logger.info('signed out of Metabase');
  }

  /** Ends the person's own Metabase session: at Metabase (best effort) and in SecretStorage. */
  async endSession(): Promise<void> {
    const session = await this.deps.secrets.get(METABASE_SESSION_KEY);
    if (!session) return;
    const base = this.deps.baseUrl();
    if (base) await closeMetabaseSession(this.deps.http, metabaseApiUrl(base), session, AbortSignal.timeout(10_000));
    await this.deps.secrets.delete(METABASE_SESSION_KEY);
  }
}

function webTarget(n: MetabaseNode | undefined): MetabaseWebTarget | undefined {
  switch (n?.kind) {
    case 'collection':
      return { kind: 'collection', id: n.collection.id };
    case 'card':
      return { kind: n.cardType === 'model' ? 'model' : 'question', id: n.item.id };
    case 'dashboard':
      return { kind: 'dashboard', id: n.item.id };
    case 'dashcard':
      return { kind: 'question', id: n.dashcard.card_id };
  }
  return undefined;
}
