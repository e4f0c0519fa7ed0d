// Metabase feature module: settings → credentials strategy → client, the explorer tree, the runner
// into the shared results panel, commands, and context keys for menus and welcome views.
// Credentials, as gatehouse.metabase.credential names: the person's own session (opened with their
// password; default), an API key, which acts as its group rather than the person (the view says so),
// or `proxy`: the IdP token for the Metabase audience, sent to an identity-aware proxy in front of it.
import * as vscode from 'vscode';
import { readConnectionSettings, watchConnection, type ConnectionSettings } from '../../vscode/connectionSettings';
import { IdentityProxyCredentials } from '../../auth/serviceCredentials';
import { credentialMode, type CredentialMode } from '../../auth/credentialModes';
import { Formatter } from '../../core/format';
import { LazyClient } from '../../core/lazyClient';
import type { OriginBoundSecrets } from '../../core/originSecrets';
import { ServiceConnection } from '../../vscode/serviceConnection';
import type { FeatureModule, ModuleDeps } from '../../vscode/moduleDeps';
import type { ResultsPresenter } from '../../results/resultsPresenter';
import { MetabaseClient } from '../client';
import { ApiKeyCredentials, SessionCredentials, type MetabaseCredentials, type StoredSecret } from '../credentials';
import { MetabaseError, toMetabaseError } from '../errors';
import { MetabaseExplorerModel } from '../explorerModel';
import { QuestionRunner } from '../questionRunner';
import { MetabaseTreeDataProvider } from './metabaseTreeDataProvider';
import { METABASE_API_KEY_KEY, METABASE_SESSION_KEY, MetabaseCommands } from './metabaseCommands';
import { vscodeServiceUi, type ServiceUi } from '../../vscode/serviceUi';
import { showServiceIdentity } from '../../vscode/serviceIdentityView';

type Strategy = CredentialMode<'metabase'>;

export interface MetabaseTestingApi {
  model: MetabaseExplorerModel;
  tree: MetabaseTreeDataProvider;
  commands: MetabaseCommands;
  setUi(ui: ServiceUi | undefined): void;
  /**
   * Overrides connection settings (credential, baseUrl): tests cannot write machine-scoped settings
   * under code-server, the write replaces the user settings file. {} restores them.
   */
  setConnectionSettings(next: Partial<ConnectionSettings>): Promise<void>;
  /** The context keys this module set, as last set. */
  readonly contextKeys: ReadonlyMap<string, unknown>;
}

export function createMetabaseModule(deps: ModuleDeps, presenter: ResultsPresenter): FeatureModule {
  const { context, logger: rootLogger, secrets, auth, roles, audit, identities } = deps;
  const logger = rootLogger.child('metabase');
  const disposables: vscode.Disposable[] = [];
  let override: Partial<ConnectionSettings> = {};
  let settings = readConnectionSettings('metabase');
  let stored = { session: false, apiKey: false };
  let ui: ServiceUi = vscodeServiceUi;

  const service = new ServiceConnection({
    context,
    logger,
    setting: 'gatehouse.metabase.baseUrl',
    baseUrl: () => settings.baseUrl,
    notConfigured: (e) => (e ? new MetabaseError('notConfigured', e.message, undefined, undefined, undefined, { cause: e, nextStep: e.nextStep }) : new MetabaseError('notConfigured')),
  });
  // A session and an API key belong to the Metabase instance that issued them.
  const sessions = service.secret([METABASE_SESSION_KEY], vscode.l10n.t('Metabase session'));
  const apiKeys = service.secret([METABASE_API_KEY_KEY], vscode.l10n.t('Metabase API key'));
  const storedSecret = (secret: OriginBoundSecrets, at: string): StoredSecret => ({
    get: async () => (await secret.read(at))?.[secret.keys[0]],
    delete: async () => secret.remove(at),
  });
  const strategy = (): Strategy => credentialMode('metabase', settings.credential, settings.audience);

  const connection = new LazyClient<MetabaseClient>({
    key: () => `${service.url().href}|${settings.audience ?? ''}|${strategy()}`,
    build: () => {
      const at = service.url().origin;
      const mode = strategy();
      const credentials: MetabaseCredentials =
        mode === 'proxy'
          ? new IdentityProxyCredentials(auth.broker, 'metabase', toMetabaseError)
          : mode === 'session'
            ? new SessionCredentials(storedSecret(sessions, at), secrets)
            : new ApiKeyCredentials(storedSecret(apiKeys, at), secrets);
      return new MetabaseClient({ http: service.http(), baseUrl: settings.baseUrl!, credentials, logger, format: new Formatter({ locale: vscode.env.language }) });
    },
  });
  const client = (): MetabaseClient => connection.get();

  const model = new MetabaseExplorerModel({ client, logger, audit: { audit, actor: () => auth.broker.currentIdentity(), logger } });
  const signedIn = () => !!auth.broker.currentIdentity();
  const ready = () => {
    const mode = strategy();
    return signedIn() && !!settings.baseUrl && (mode === 'proxy' ? !!settings.audience : mode === 'session' ? stored.session : stored.apiKey);
  };
  const tree = new MetabaseTreeDataProvider(model, ready);
  const view = vscode.window.createTreeView('gatehouse.metabase', { treeDataProvider: tree, showCollapseAll: true });
  const runner = new QuestionRunner({
    client,
    presenter,
    audit,
    roles,
    logger,
    actor: () => auth.broker.currentIdentity(),
    pageSize: () => vscode.workspace.getConfiguration('gatehouse.results').get<number>('pageSize', 5000),
  });
  const commands = new MetabaseCommands({
    runner,
    client,
    baseUrl: () => settings.baseUrl,
    http: service.lazyHttp,
    ui: () => ui,
    secrets: sessions.scoped(() => service.url().origin, apiKeys.scoped(() => service.url().origin)),
    redactions: secrets,
    email: () => auth.broker.currentIdentity()?.email,
    logger,
    refresh: () => model.refresh(),
  });

  /** What was last set, for tests that evaluate the welcome views' `when` clauses. */
  const contextKeys = new Map<string, unknown>();
  const setContext = (key: string, value: unknown) => {
    contextKeys.set(key, value);
    void vscode.commands.executeCommand('setContext', key, value);
  };
  const updateContext = async () => {
    const at = service.origin();
    const [session, apiKey] = at ? await Promise.all([sessions.presence(at), apiKeys.presence(at)]) : ['none', 'none'];
    stored = { session: session !== 'none', apiKey: apiKey !== 'none' };
    setContext('gatehouse.metabase.configured', !!settings.baseUrl);
    const mode = strategy();
    setContext('gatehouse.metabase.credential', mode);
    setContext('gatehouse.metabase.needsCredentials', !!settings.baseUrl && ((mode === 'session' && !stored.session) || (mode === 'apiKey' && !stored.apiKey)));
    setContext('gatehouse.metabase.needsAudience', !!settings.baseUrl && mode === 'proxy' && !settings.audience);
    setContext('gatehouse.metabase.hasOwnCredentials', mode !== 'proxy' && (stored.session || stored.apiKey));
    // An API key shows Metabase through its group's eyes: say so where the tree is.
    view.message = mode === 'apiKey' && stored.apiKey ? vscode.l10n.t('Using a Metabase API key: you see and run what its group may, not what you may.') : undefined;
  };
  // Who Metabase sees: the credential in words and the user (or API key) Metabase reports.
  const identity = showServiceIdentity(view, identities, 'metabase', () => auth.broker.currentIdentity()?.label);
  const reload = () => void updateContext().then(() => (identity.refresh(), model.refresh()));

  disposables.push(
    identities.register({
      service: 'metabase',
      credential: () => (ready() ? client().credentialOrigin : undefined),
      // An API key's pseudo-user carries the key's name.
      principal: async (signal) => ({ name: (await client().currentUser(signal)).common_name }),
    }),
    identity,
    view,
    tree,
    { dispose: () => model.dispose() },
    ...commands.register(),
    ...watchConnection({
      service: 'metabase',
      ownsSecret: (key) => sessions.owns(key) || apiKeys.owns(key),
      secrets: context.secrets,
      broker: auth.broker,
      roles,
      onChange: (change) => {
        if (change.kind === 'settings') settings = { ...change.settings, ...override };
        // New secrets: new credentials (an API key refused before may have been replaced).
        if (change.kind === 'secrets') connection.invalidate();
        // A Metabase session acts as the person who opened it: it ends with their Gatehouse session.
        if (change.kind === 'session' && (change.reason === 'signedOut' || change.reason === 'expired')) {
          void commands.endSession().catch((err: unknown) => logger.warn('could not end the Metabase session', err));
        }
        reload();
      },
    }),
  );
  reload();

  const testing: MetabaseTestingApi | undefined =
    context.extensionMode === vscode.ExtensionMode.Test
      ? {
          model,
          tree,
          commands,
          setUi: (next) => (ui = next ?? vscodeServiceUi),
          contextKeys,
          setConnectionSettings: async (next) => {
            override = next;
            settings = { ...readConnectionSettings('metabase'), ...override };
            connection.invalidate();
            await updateContext();
            await model.refresh();
          },
        }
      : undefined;

  return {
    testing: testing as Record<string, unknown> | undefined,
    dispose: () => {
      for (const d of disposables.reverse()) d.dispose();
    },
  };
}
