// Looker feature module: settings → credentials strategy → client, the explorer tree, the runner
// into the shared results panel, commands, and context keys for menus and welcome views.
// Credentials: the IdP token for the Looker audience when gatehouse.looker.audience is set, else
// the person's API3 keys from SecretStorage.
import * as vscode from 'vscode';
import { readConnectionSettings, watchConnection } from '../../vscode/connectionSettings';
import { IdpServiceCredentials } from '../../auth/serviceCredentials';
import { AxiosHttpClient } from '../../core/http';
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
  const http = new AxiosHttpClient({ logger, userAgent: `gatehouse-vscode/${context.extension.packageJSON.version}` });
  let settings = readConnectionSettings('looker');
  let hasKeys = false;
  let current: { key: string; client: LookerClient; credentials: LookerCredentials } | undefined;
  let ui: ServiceUi = vscodeServiceUi;

  const client = (): LookerClient => {
    if (!settings.baseUrl) throw new LookerError('notConfigured');
    try {
      new URL(settings.baseUrl);
    } catch {
      throw new LookerError('notConfigured', `gatehouse.looker.baseUrl "${settings.baseUrl}" is not a URL.`);
    }
    const key = `${settings.baseUrl}|${settings.audience ?? ''}`;
    if (current?.key !== key) {
      const baseUrl = settings.baseUrl;
      const credentials: LookerCredentials = settings.audience
        ? new IdpServiceCredentials(auth.broker, 'looker', toLookerError)
        : new Api3Credentials({
            http,
            apiUrl: lookerApiUrl(baseUrl),
            secrets,
            logger,
            read: async () => {
              const [clientId, clientSecret] = await Promise.all([context.secrets.get(LOOKER_CLIENT_ID_KEY), context.secrets.get(LOOKER_CLIENT_SECRET_KEY)]);
              return clientId && clientSecret ? { clientId, clientSecret } : undefined;
            },
          });
      current = { key, credentials, client: new LookerClient({ http, baseUrl, credentials, logger }) };
    }
    return current.client;
  };
  const forgetToken = () => {
    if (current?.credentials instanceof Api3Credentials) current.credentials.clear();
  };

  const model = new LookerExplorerModel({ client, logger });
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
  const commands = new LookerCommands({ runner, client, ui: () => ui, secrets: context.secrets, logger, refresh: () => model.refresh() });

  const setContext = (key: string, value: unknown) => void vscode.commands.executeCommand('setContext', key, value);
  const updateContext = async () => {
    const [id, secret] = await Promise.all([context.secrets.get(LOOKER_CLIENT_ID_KEY), context.secrets.get(LOOKER_CLIENT_SECRET_KEY)]);
    hasKeys = !!id && !!secret;
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
      secretKeys: [LOOKER_CLIENT_ID_KEY, LOOKER_CLIENT_SECRET_KEY],
      secrets: context.secrets,
      broker: auth.broker,
      roles,
      onChange: (change) => {
        if (change.kind === 'settings') settings = change.settings;
        // New keys, or a token obtained while someone else was signed in: start again.
        if (change.kind === 'secrets' || change.kind === 'session') forgetToken();
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
