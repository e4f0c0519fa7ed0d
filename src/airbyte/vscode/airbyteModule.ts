// Airbyte feature module: settings → credentials strategy → client, the explorer tree, commands,
// context keys for menus and welcome views. Credentials: the IdP token for the Airbyte audience
// when gatehouse.airbyte.audience is set, else application client credentials from SecretStorage.
import * as vscode from 'vscode';
import { readConnectionSettings, watchConnection } from '../../vscode/connectionSettings';
import { LazyClient } from '../../core/lazyClient';
import { clientPair } from '../../core/originSecrets';
import { ServiceConnection } from '../../vscode/serviceConnection';
import type { FeatureModule, ModuleDeps } from '../../vscode/moduleDeps';
import { AirbyteClient } from '../client';
import { IdpServiceCredentials } from '../../auth/serviceCredentials';
import { ApplicationCredentials, type AirbyteCredentials } from '../credentials';
import { AirbyteError, toAirbyteError } from '../errors';
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
  let settings = readConnectionSettings('airbyte');
  let hasAppCredentials = false;
  let ui: AirbyteUi = vscodeAirbyteUi;
  const followerOptions: JobFollowerOptions = {};

  const service = new ServiceConnection({
    context,
    logger,
    setting: 'gatehouse.airbyte.baseUrl',
    baseUrl: () => settings.baseUrl,
    notConfigured: (e) => (e ? new AirbyteError('notConfigured', e.message, undefined, undefined, undefined, { cause: e, nextStep: e.nextStep }) : new AirbyteError('notConfigured')),
  });
  // Application credentials belong to the Airbyte instance that issued them.
  const app = service.secret([APP_CLIENT_ID_KEY, APP_CLIENT_SECRET_KEY], 'Airbyte application credentials');

  const connection = new LazyClient<{ client: AirbyteClient; credentials: AirbyteCredentials }>({
    key: () => `${service.url().href}|${settings.audience ?? ''}`,
    build: () => {
      const url = settings.baseUrl!;
      const credentials: AirbyteCredentials = settings.audience
        ? new IdpServiceCredentials(auth.broker, 'airbyte', toAirbyteError)
        : new ApplicationCredentials({
            http: service.http(),
            baseUrl: url,
            secrets,
            logger,
            read: clientPair(app, service.url().origin),
          });
      return { credentials, client: new AirbyteClient({ http: service.http(), baseUrl: url, credentials, logger }) };
    },
    // An application token belongs to the stored credentials and to whoever is signed in now.
    retire: ({ credentials }) => credentials instanceof ApplicationCredentials && credentials.clear(),
  });
  const client = (): AirbyteClient => connection.get().client;

  const model = new AirbyteExplorerModel({ client, logger, audit: { audit, actor: () => auth.broker.currentIdentity(), logger } });
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
    secrets: app.scoped(() => service.url().origin),
    logger,
    refresh: () => model.refresh(),
    onSessionEnd: (stop) => sessionScope.add({ dispose: stop }),
  });

  const setContext = (key: string, value: unknown) => void vscode.commands.executeCommand('setContext', key, value);
  const updateContext = async () => {
    const at = service.origin();
    hasAppCredentials = !!at && (await app.presence(at)) !== 'none';
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
      ownsSecret: (key) => app.owns(key),
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
