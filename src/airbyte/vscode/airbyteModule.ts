// Airbyte feature module: settings → credentials strategy → client, the explorer tree, commands,
// context keys for menus and welcome views. Credentials: the IdP token for the Airbyte audience
// when gatehouse.airbyte.audience is set, else application client credentials from SecretStorage.
import * as vscode from 'vscode';
import { readConnectionSettings, watchConnection } from '../../vscode/connectionSettings';
import { AxiosHttpClient } from '../../core/http';
import type { FeatureModule, ModuleDeps } from '../../vscode/moduleDeps';
import { AirbyteClient } from '../client';
import { ApplicationCredentials, IdpTokenCredentials, type AirbyteCredentials } from '../credentials';
import { AirbyteError } from '../errors';
import { AirbyteExplorerModel } from '../explorerModel';
import { AirbyteJobActions } from '../jobActions';
import type { JobFollowerOptions } from '../follower';
import { AirbyteTreeDataProvider } from './airbyteTreeDataProvider';
import { APP_CLIENT_ID_KEY, APP_CLIENT_SECRET_KEY, AirbyteCommands, vscodeAirbyteUi, type AirbyteUi } from './airbyteCommands';

export interface AirbyteTestingApi {
  model: AirbyteExplorerModel;
  tree: AirbyteTreeDataProvider;
  commands: AirbyteCommands;
  /** Replaces the dialogs and notifications (undefined restores VS Code's). */
  setUi(ui: AirbyteUi | undefined): void;
  /** Poll faster than a person needs (the sandbox is sped up in tests). */
  setFollowerOptions(options: JobFollowerOptions): void;
}

export function createAirbyteModule(deps: ModuleDeps): FeatureModule {
  const { context, logger: rootLogger, secrets, auth, roles, audit, sessionScope } = deps;
  const logger = rootLogger.child('airbyte');
  const disposables: vscode.Disposable[] = [];
  const http = new AxiosHttpClient({ logger, userAgent: `gatehouse-vscode/${context.extension.packageJSON.version}` });
  let settings = readConnectionSettings('airbyte');
  let hasAppCredentials = false;
  let current: { key: string; client: AirbyteClient; credentials: AirbyteCredentials } | undefined;
  let ui: AirbyteUi = vscodeAirbyteUi;
  const followerOptions: JobFollowerOptions = {};

  const client = (): AirbyteClient => {
    if (!settings.baseUrl) throw new AirbyteError('notConfigured');
    try {
      new URL(settings.baseUrl);
    } catch {
      throw new AirbyteError('notConfigured', `gatehouse.airbyte.baseUrl "${settings.baseUrl}" is not a URL.`);
    }
    const key = `${settings.baseUrl}|${settings.audience ?? ''}`;
    if (current?.key !== key) {
      const baseUrl = settings.baseUrl;
      const credentials: AirbyteCredentials = settings.audience
        ? new IdpTokenCredentials(auth.broker)
        : new ApplicationCredentials({
            http,
            baseUrl,
            secrets,
            logger,
            read: async () => {
              const [clientId, clientSecret] = await Promise.all([context.secrets.get(APP_CLIENT_ID_KEY), context.secrets.get(APP_CLIENT_SECRET_KEY)]);
              return clientId && clientSecret ? { clientId, clientSecret } : undefined;
            },
          });
      current = { key, credentials, client: new AirbyteClient({ http, baseUrl, credentials, logger }) };
    }
    return current.client;
  };

  const model = new AirbyteExplorerModel({ client, logger });
  const signedIn = () => !!auth.broker.currentIdentity();
  const ready = () => signedIn() && !!settings.baseUrl && (!!settings.audience || hasAppCredentials);
  const tree = new AirbyteTreeDataProvider(model, ready);
  const view = vscode.window.createTreeView('gatehouse.airbyte', { treeDataProvider: tree, showCollapseAll: true });

  const actions = new AirbyteJobActions({
    client,
    audit,
    roles,
    logger,
    actor: () => {
      const id = auth.broker.currentIdentity();
      return id && { subject: id.subject, email: id.email, issuer: id.issuer, label: id.label };
    },
    get follower() {
      return followerOptions;
    },
  });
  const commands = new AirbyteCommands({
    model,
    actions,
    client,
    ui: () => ui,
    secrets: context.secrets,
    logger,
    refresh: () => model.refresh(),
    onSessionEnd: (stop) => sessionScope.add({ dispose: stop }),
  });

  const setContext = (key: string, value: unknown) => void vscode.commands.executeCommand('setContext', key, value);
  const updateContext = async () => {
    const [id, secret] = await Promise.all([context.secrets.get(APP_CLIENT_ID_KEY), context.secrets.get(APP_CLIENT_SECRET_KEY)]);
    hasAppCredentials = !!id && !!secret;
    setContext('gatehouse.airbyte.configured', !!settings.baseUrl);
    setContext('gatehouse.airbyte.needsCredentials', !!settings.baseUrl && !settings.audience && !hasAppCredentials);
  };
  const reload = () => {
    void updateContext().then(() => model.refresh());
  };

  disposables.push(
    view,
    tree,
    { dispose: () => model.dispose() },
    ...commands.register(),
    ...watchConnection({
      service: 'airbyte',
      secretKeys: [APP_CLIENT_ID_KEY, APP_CLIENT_SECRET_KEY],
      secrets: context.secrets,
      broker: auth.broker,
      roles,
      onChange: (change) => {
        if (change.kind === 'settings') settings = change.settings;
        // An application token belongs to the stored credentials and to whoever is signed in now.
        if ((change.kind === 'secrets' || change.kind === 'session') && current?.credentials instanceof ApplicationCredentials) current.credentials.clear();
        reload();
      },
    }),
  );
  reload();

  const testing: AirbyteTestingApi | undefined =
    context.extensionMode === vscode.ExtensionMode.Test
      ? {
          model,
          tree,
          commands,
          setUi: (next) => (ui = next ?? vscodeAirbyteUi),
          setFollowerOptions: (o) => Object.assign(followerOptions, o),
        }
      : undefined;

  return {
    testing: testing as Record<string, unknown> | undefined,
    dispose: () => {
      for (const d of disposables.reverse()) d.dispose();
    },
  };
}
