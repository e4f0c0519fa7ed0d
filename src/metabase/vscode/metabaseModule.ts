// Metabase feature module: settings → credentials strategy → client, the explorer tree, the runner
// into the shared results panel, commands, and context keys for menus and welcome views.
// Credentials, in order: the IdP token for the Metabase audience when gatehouse.metabase.audience
// is set; else the person's own session (opened with their password); else an API key, which
// acts as its group rather than the person (the view says so).
import * as vscode from 'vscode';
import { readConnectionSettings, watchConnection } from '../../vscode/connectionSettings';
import { IdpServiceCredentials } from '../../auth/serviceCredentials';
import { AxiosHttpClient } from '../../core/http';
import type { FeatureModule, ModuleDeps } from '../../vscode/moduleDeps';
import type { ResultsPresenter } from '../../results/resultsPresenter';
import { MetabaseClient } from '../client';
import { ApiKeyCredentials, BearerCredentials, SessionCredentials, type MetabaseCredentials, type StoredSecret } from '../credentials';
import { MetabaseError, toMetabaseError } from '../errors';
import { MetabaseExplorerModel } from '../explorerModel';
import { QuestionRunner } from '../questionRunner';
import { MetabaseTreeDataProvider } from './metabaseTreeDataProvider';
import { METABASE_API_KEY_KEY, METABASE_SESSION_KEY, MetabaseCommands } from './metabaseCommands';
import { vscodeServiceUi, type ServiceUi } from '../../vscode/serviceUi';

type Strategy = 'idp' | 'session' | 'apiKey';

export interface MetabaseTestingApi {
  model: MetabaseExplorerModel;
  tree: MetabaseTreeDataProvider;
  commands: MetabaseCommands;
  setUi(ui: ServiceUi | undefined): void;
}

export function createMetabaseModule(deps: ModuleDeps, presenter: ResultsPresenter): FeatureModule {
  const { context, logger: rootLogger, secrets, auth, roles, audit } = deps;
  const logger = rootLogger.child('metabase');
  const disposables: vscode.Disposable[] = [];
  const http = new AxiosHttpClient({ logger, userAgent: `gatehouse-vscode/${context.extension.packageJSON.version}` });
  let settings = readConnectionSettings('metabase');
  let stored = { session: false, apiKey: false };
  let current: { key: string; client: MetabaseClient } | undefined;
  let ui: ServiceUi = vscodeServiceUi;

  const storedSecret = (key: string): StoredSecret => ({ get: async () => context.secrets.get(key), delete: async () => context.secrets.delete(key) });
  const strategy = (): Strategy => (settings.audience ? 'idp' : stored.session || !stored.apiKey ? 'session' : 'apiKey');

  const client = (): MetabaseClient => {
    if (!settings.baseUrl) throw new MetabaseError('notConfigured');
    try {
      new URL(settings.baseUrl);
    } catch {
      throw new MetabaseError('notConfigured', `gatehouse.metabase.baseUrl "${settings.baseUrl}" is not a URL.`);
    }
    const mode = strategy();
    const key = `${settings.baseUrl}|${settings.audience ?? ''}|${mode}`;
    if (current?.key !== key) {
      const credentials: MetabaseCredentials =
        mode === 'idp'
          ? new BearerCredentials(new IdpServiceCredentials(auth.broker, 'metabase', toMetabaseError))
          : mode === 'session'
            ? new SessionCredentials(storedSecret(METABASE_SESSION_KEY), secrets)
            : new ApiKeyCredentials(storedSecret(METABASE_API_KEY_KEY), secrets);
      current = { key, client: new MetabaseClient({ http, baseUrl: settings.baseUrl, credentials, logger }) };
    }
    return current.client;
  };

  const model = new MetabaseExplorerModel({ client, logger });
  const signedIn = () => !!auth.broker.currentIdentity();
  const ready = () => signedIn() && !!settings.baseUrl && (!!settings.audience || stored.session || stored.apiKey);
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
    http,
    ui: () => ui,
    secrets: context.secrets,
    redactions: secrets,
    email: () => auth.broker.currentIdentity()?.email,
    logger,
    refresh: () => model.refresh(),
  });

  const setContext = (key: string, value: unknown) => void vscode.commands.executeCommand('setContext', key, value);
  const updateContext = async () => {
    const [session, apiKey] = await Promise.all([context.secrets.get(METABASE_SESSION_KEY), context.secrets.get(METABASE_API_KEY_KEY)]);
    stored = { session: !!session, apiKey: !!apiKey };
    setContext('gatehouse.metabase.configured', !!settings.baseUrl);
    setContext('gatehouse.metabase.needsCredentials', !!settings.baseUrl && !settings.audience && !stored.session && !stored.apiKey);
    setContext('gatehouse.metabase.hasOwnCredentials', !settings.audience && (stored.session || stored.apiKey));
    // An API key shows Metabase through its group's eyes: say so where the tree is.
    view.message = strategy() === 'apiKey' && stored.apiKey ? 'Using a Metabase API key: you see and run what its group may, not what you may.' : undefined;
  };
  const reload = () => void updateContext().then(() => model.refresh());

  disposables.push(
    view,
    tree,
    { dispose: () => model.dispose() },
    ...commands.register(),
    ...watchConnection({
      service: 'metabase',
      secretKeys: [METABASE_SESSION_KEY, METABASE_API_KEY_KEY],
      secrets: context.secrets,
      broker: auth.broker,
      roles,
      onChange: (change) => {
        if (change.kind === 'settings') settings = change.settings;
        // New secrets: new credentials (an API key refused before may have been replaced).
        if (change.kind === 'secrets') current = undefined;
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
    context.extensionMode === vscode.ExtensionMode.Test ? { model, tree, commands, setUi: (next) => (ui = next ?? vscodeServiceUi) } : undefined;

  return {
    testing: testing as Record<string, unknown> | undefined,
    dispose: () => {
      for (const d of disposables.reverse()) d.dispose();
    },
  };
}
