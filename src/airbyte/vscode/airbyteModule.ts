// Airbyte feature module: settings → credentials strategy → client, the explorer tree, commands,
// context keys for menus and welcome views. Credentials (gatehouse.airbyte.credential): the person's
// own application client credentials from SecretStorage (default), or `proxy`: the IdP token for the
// Airbyte audience, sent to an identity-aware proxy in front of Airbyte.
import * as vscode from 'vscode';
import { readConnectionSettings, watchConnection, type ConnectionSettings } from '../../vscode/connectionSettings';
import { credentialMode, type CredentialMode } from '../../auth/credentialModes';
import { LazyClient } from '../../core/lazyClient';
import { clientPair } from '../../core/originSecrets';
import { ServiceConnection } from '../../vscode/serviceConnection';
import type { FeatureModule, ModuleDeps } from '../../vscode/moduleDeps';
import { AirbyteClient } from '../client';
import { IdentityProxyCredentials } from '../../auth/serviceCredentials';
import { ApplicationCredentials, type AirbyteCredentials } from '../credentials';
import { AirbyteError, toAirbyteError } from '../errors';
import { AirbyteExplorerModel } from '../explorerModel';
import { AirbyteJobActions } from '../jobActions';
import type { JobFollowerOptions } from '../follower';
import { AirbyteTreeDataProvider } from './airbyteTreeDataProvider';
import { APP_CLIENT_ID_KEY, APP_CLIENT_SECRET_KEY, AirbyteCommands, vscodeAirbyteUi, type AirbyteUi } from './airbyteCommands';
import { showServiceIdentity } from '../../vscode/serviceIdentityView';

export interface AirbyteTestingApi {
  model: AirbyteExplorerModel;
  tree: AirbyteTreeDataProvider;
  commands: AirbyteCommands;
  /** Replaces the dialogs and notifications (undefined restores VS Code's). */
  setUi(ui: AirbyteUi | undefined): void;
  /** Poll faster than a person needs (the sandbox is sped up in tests). */
  setFollowerOptions(options: JobFollowerOptions): void;
  /**
   * Overrides connection settings (credential, baseUrl): tests cannot write machine-scoped settings
   * under code-server, the write replaces the user settings file. {} restores them.
   */
  setConnectionSettings(next: Partial<ConnectionSettings>): Promise<void>;
  /** The context keys this module set, as last set. */
  readonly contextKeys: ReadonlyMap<string, unknown>;
}

export function createAirbyteModule(deps: ModuleDeps): FeatureModule {
  const { context, logger: rootLogger, secrets, auth, roles, audit, sessionScope, identities } = deps;
  const logger = rootLogger.child('airbyte');
  const disposables: vscode.Disposable[] = [];
  let override: Partial<ConnectionSettings> = {};
  let settings = readConnectionSettings('airbyte');
  const mode = (): CredentialMode<'airbyte'> => credentialMode('airbyte', settings.credential, settings.audience);
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
  const app = service.secret([APP_CLIENT_ID_KEY, APP_CLIENT_SECRET_KEY], vscode.l10n.t('Airbyte application credentials'));

  const connection = new LazyClient<{ client: AirbyteClient; credentials: AirbyteCredentials }>({
    key: () => `${service.url().href}|${settings.audience ?? ''}|${mode()}`,
    build: () => {
      const url = settings.baseUrl!;
      const credentials: AirbyteCredentials =
        mode() === 'proxy'
          ? new IdentityProxyCredentials(auth.broker, 'airbyte', toAirbyteError)
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
  const ready = () => signedIn() && !!settings.baseUrl && (mode() === 'proxy' ? !!settings.audience : hasAppCredentials);
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

  /** What was last set, for tests that evaluate the welcome views' `when` clauses. */
  const contextKeys = new Map<string, unknown>();
  const setContext = (key: string, value: unknown) => {
    contextKeys.set(key, value);
    void vscode.commands.executeCommand('setContext', key, value);
  };
  const updateContext = async () => {
    const at = service.origin();
    hasAppCredentials = !!at && (await app.presence(at)) !== 'none';
    setContext('gatehouse.airbyte.configured', !!settings.baseUrl);
    setContext('gatehouse.airbyte.credential', mode());
    setContext('gatehouse.airbyte.needsCredentials', !!settings.baseUrl && mode() === 'application' && !hasAppCredentials);
    setContext('gatehouse.airbyte.needsAudience', !!settings.baseUrl && mode() === 'proxy' && !settings.audience);
  };
  // Who Airbyte sees: the credential in words, an application by its client id (shortened).
  const identity = showServiceIdentity(view, identities, 'airbyte', () => auth.broker.currentIdentity()?.label);
  const reload = () => {
    void updateContext().then(() => (identity.refresh(), model.refresh()));
  };

  disposables.push(
    identities.register({
      service: 'airbyte',
      credential: () => (ready() ? client().credentialOrigin : undefined),
      // Only a pair stored for this origin: showing the id must never ask to reuse one from elsewhere.
      principal: async () => {
        const at = service.url().origin;
        if (client().credentialOrigin !== 'application-credentials' || (await app.presence(at)) !== 'here') return undefined;
        return { clientId: (await clientPair(app, at)())?.clientId };
      },
    }),
    identity,
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
        if (change.kind === 'settings') settings = { ...change.settings, ...override };
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
          contextKeys,
          setConnectionSettings: async (next) => {
            override = next;
            settings = { ...readConnectionSettings('airbyte'), ...override };
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
