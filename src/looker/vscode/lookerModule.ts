// Looker feature module: settings → credentials strategy → client, the explorer tree, the runner
// into the shared results panel, commands, and context keys for menus and welcome views.
// Credentials: the IdP token for the Looker audience when gatehouse.looker.audience is set, else
// the person's API3 keys from SecretStorage.
import * as vscode from 'vscode';
import { readConnectionSettings, watchConnection } from '../../vscode/connectionSettings';
import { IdpServiceCredentials } from '../../auth/serviceCredentials';
import { LazyClient } from '../../core/lazyClient';
import { clientPair } from '../../core/originSecrets';
import { ServiceConnection } from '../../vscode/serviceConnection';
import type { FeatureModule, ModuleDeps } from '../../vscode/moduleDeps';
import type { ResultsPresenter } from '../../results/resultsPresenter';
import { LookerClient, lookerApiUrl } from '../client';
import { Api3Credentials, type LookerCredentials } from '../credentials';
import { LookerError, toLookerError } from '../errors';
import { LookerExplorerModel } from '../explorerModel';
import { LookRunner } from '../lookRunner';
import { LookerTreeDataProvider } from './lookerTreeDataProvider';
import { LOOKER_CLIENT_ID_KEY, LOOKER_CLIENT_SECRET_KEY, LookerCommands } from './lookerCommands';
import { vscodeServiceUi, type ServiceUi } from '../../vscode/serviceUi';

export interface LookerTestingApi {
  model: LookerExplorerModel;
  tree: LookerTreeDataProvider;
  commands: LookerCommands;
  /** Replaces the notifications and input boxes (undefined restores VS Code's). */
  setUi(ui: ServiceUi | undefined): void;
}

export function createLookerModule(deps: ModuleDeps, presenter: ResultsPresenter): FeatureModule {
  const { context, logger: rootLogger, secrets, auth, roles, audit } = deps;
  const logger = rootLogger.child('looker');
  const disposables: vscode.Disposable[] = [];
  let settings = readConnectionSettings('looker');
  let hasKeys = false;
  let ui: ServiceUi = vscodeServiceUi;

  const service = new ServiceConnection({
    context,
    logger,
    setting: 'gatehouse.looker.baseUrl',
    baseUrl: () => settings.baseUrl,
    notConfigured: (e) => (e ? new LookerError('notConfigured', e.message, undefined, undefined, undefined, { cause: e, nextStep: e.nextStep }) : new LookerError('notConfigured')),
  });
  // API3 keys belong to the Looker instance that issued them.
  const keys = service.secret([LOOKER_CLIENT_ID_KEY, LOOKER_CLIENT_SECRET_KEY], 'Looker API3 credentials');

  const connection = new LazyClient<{ client: LookerClient; credentials: LookerCredentials }>({
    key: () => `${service.url().href}|${settings.audience ?? ''}`,
    build: () => {
      const url = settings.baseUrl!;
      const credentials: LookerCredentials = settings.audience
        ? new IdpServiceCredentials(auth.broker, 'looker', toLookerError)
        : new Api3Credentials({
            http: service.http(),
            apiUrl: lookerApiUrl(url),
            secrets,
            logger,
            read: clientPair(keys, service.url().origin),
          });
      return { credentials, client: new LookerClient({ http: service.http(), baseUrl: url, credentials, logger }) };
    },
    // New keys, or a token obtained while someone else was signed in: start again.
    retire: ({ credentials }) => credentials instanceof Api3Credentials && credentials.clear(),
  });
  const client = (): LookerClient => connection.get().client;

  const model = new LookerExplorerModel({ client, logger, audit: { audit, actor: () => auth.broker.currentIdentity(), logger } });
  const signedIn = () => !!auth.broker.currentIdentity();
  const ready = () => signedIn() && !!settings.baseUrl && (!!settings.audience || hasKeys);
  const tree = new LookerTreeDataProvider(model, ready);
  const view = vscode.window.createTreeView('gatehouse.looker', { treeDataProvider: tree, showCollapseAll: true });
  const runner = new LookRunner({
    client,
    presenter,
    audit,
    roles,
    logger,
    actor: () => auth.broker.currentIdentity(),
    pageSize: () => vscode.workspace.getConfiguration('gatehouse.results').get<number>('pageSize', 5000),
  });
  const commands = new LookerCommands({ runner, client, ui: () => ui, secrets: keys.scoped(() => service.url().origin), logger, refresh: () => model.refresh() });

  const setContext = (key: string, value: unknown) => void vscode.commands.executeCommand('setContext', key, value);
  const updateContext = async () => {
    const at = service.origin();
    hasKeys = !!at && (await keys.presence(at)) !== 'none';
    setContext('gatehouse.looker.configured', !!settings.baseUrl);
    setContext('gatehouse.looker.needsCredentials', !!settings.baseUrl && !settings.audience && !hasKeys);
  };
  const reload = () => void updateContext().then(() => model.refresh());

  disposables.push(
    view,
    tree,
    { dispose: () => model.dispose() },
    ...commands.register(),
    ...watchConnection({
      service: 'looker',
      ownsSecret: (key) => keys.owns(key),
      secrets: context.secrets,
      broker: auth.broker,
      roles,
      onChange: (change) => {
        if (change.kind === 'settings') settings = change.settings;
        if (change.kind === 'secrets' || change.kind === 'session') connection.invalidate();
        reload();
      },
    }),
  );
  reload();

  const testing: LookerTestingApi | undefined =
    context.extensionMode === vscode.ExtensionMode.Test ? { model, tree, commands, setUi: (next) => (ui = next ?? vscodeServiceUi) } : undefined;

  return {
    testing: testing as Record<string, unknown> | undefined,
    dispose: () => {
      for (const d of disposables.reverse()) d.dispose();
    },
  };
}
