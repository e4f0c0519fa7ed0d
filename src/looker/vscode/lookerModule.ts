// Looker feature module: settings → credentials strategy → client, the explorer tree, the runner
// into the shared results panel, commands, and context keys for menus and welcome views.
// Credentials by gatehouse.looker.credential: `oauth` (default) the person's Looker account by
// Looker's OAuth sign-in, tokens in SecretStorage bound to the Looker origin and to the Gatehouse
// identity that signed in; `api3` their API3 keys; `proxy` the sign-in's token for
// gatehouse.looker.audience to an identity-aware proxy. Not set explicitly with an audience: proxy.
import * as vscode from 'vscode';
import { readConnectionSettings, watchConnection } from '../../vscode/connectionSettings';
import { IdpServiceCredentials } from '../../auth/serviceCredentials';
import { LazyClient } from '../../core/lazyClient';
import { clientPair } from '../../core/originSecrets';
import { ServiceConnection } from '../../vscode/serviceConnection';
import type { FeatureModule, ModuleDeps } from '../../vscode/moduleDeps';
import type { ResultsPresenter, TilesPresenter } from '../../results/resultsPresenter';
import { LookerClient, lookerApiUrl } from '../client';
import { Api3Credentials, type LookerCredentials } from '../credentials';
import { lookerCredentialMode, type LookerCredentialMode } from '../credentialMode';
import { DEFAULT_LOOKER_OAUTH_REDIRECT_PORT, LookerOAuthCredentials, parseLookerOAuthTokens, type LookerOAuthStore } from '../oauthCredentials';
import { recordAccess } from '../../audit/recordAccess';
import { LookerError, toLookerError } from '../errors';
import { LookerExplorerModel } from '../explorerModel';
import { LookRunner } from '../lookRunner';
import { LookerTreeDataProvider } from './lookerTreeDataProvider';
import { LOOKER_CLIENT_ID_KEY, LOOKER_CLIENT_SECRET_KEY, LookerCommands } from './lookerCommands';
import { vscodeServiceUi, type ServiceUi } from '../../vscode/serviceUi';
import { showServiceIdentity } from '../../vscode/serviceIdentityView';

export interface LookerTestingApi {
  model: LookerExplorerModel;
  tree: LookerTreeDataProvider;
  /** The view itself: its description is the identity line. */
  view: vscode.TreeView<unknown>;
  commands: LookerCommands;
  /** Replaces the notifications and input boxes (undefined restores VS Code's). */
  setUi(ui: ServiceUi | undefined): void;
  /** Plays the browser of the Looker sign-in instead of opening one (undefined restores it). */
  setBrowser(browser: ((url: string) => Promise<void>) | undefined): void;
}

const LOOKER_OAUTH_KEY = 'gatehouse.looker.oauthSession';

interface LookerAuthSettings {
  mode: LookerCredentialMode;
  clientId: string;
  redirectPort: number;
}

function readAuthSettings(audience: string | undefined): LookerAuthSettings {
  const c = vscode.workspace.getConfiguration('gatehouse.looker');
  // Machine-scoped: only the user (or remote machine) value counts; inspect() tells an explicit one from the default.
  const explicit = c.inspect<string>('credential')?.globalValue;
  const clientId = c.get<string>('oauthClientId')?.trim();
  const port = c.get<number>('oauthRedirectPort');
  return {
    mode: lookerCredentialMode(explicit, audience),
    clientId: clientId || 'gatehouse-vscode',
    redirectPort: Number.isInteger(port) && port! > 0 && port! < 65536 ? port! : DEFAULT_LOOKER_OAUTH_REDIRECT_PORT,
  };
}

export function createLookerModule(deps: ModuleDeps, presenter: ResultsPresenter & TilesPresenter): FeatureModule {
  const { context, logger: rootLogger, secrets, auth, roles, audit, identities } = deps;
  const logger = rootLogger.child('looker');
  const disposables: vscode.Disposable[] = [];
  let settings = readConnectionSettings('looker');
  let authSettings = readAuthSettings(settings.audience);
  let hasKeys = false;
  /** Who (issuer|subject) is signed in to Looker here, as last read: ready only for that person. */
  let lookerSignedInFor: string | undefined;
  let ui: ServiceUi = vscodeServiceUi;
  let testBrowser: ((url: string) => Promise<void>) | undefined;

  const service = new ServiceConnection({
    context,
    logger,
    setting: 'gatehouse.looker.baseUrl',
    baseUrl: () => settings.baseUrl,
    notConfigured: (e) => (e ? new LookerError('notConfigured', e.message, undefined, undefined, undefined, { cause: e, nextStep: e.nextStep }) : new LookerError('notConfigured')),
  });
  // API3 keys belong to the Looker instance that issued them.
  const keys = service.secret([LOOKER_CLIENT_ID_KEY, LOOKER_CLIENT_SECRET_KEY], vscode.l10n.t('Looker API3 credentials'));
  // Looker OAuth tokens: read only for the origin they were issued by (never offered elsewhere).
  const oauthSecret = service.secret([LOOKER_OAUTH_KEY], vscode.l10n.t('Looker sign-in'));
  const owner = () => {
    const id = auth.broker.currentIdentity();
    return id ? `${id.issuer}|${id.subject}` : undefined;
  };
  const oauthStore = (origin: string): LookerOAuthStore => ({
    read: async () => {
      const raw = await oauthSecret.peek(origin, LOOKER_OAUTH_KEY);
      let stored: { owner?: unknown; tokens?: string } = {};
      try {
        stored = raw ? (JSON.parse(raw) as typeof stored) : {};
      } catch {
        stored = {};
      }
      // Tokens of another Gatehouse identity on this machine act as that person: not ours to use.
      return stored.owner === owner() && owner() ? parseLookerOAuthTokens(stored.tokens) : undefined;
    },
    write: async (tokens) => {
      const who = owner();
      if (!who) throw new LookerError('signIn', 'Sign in to Gatehouse first.');
      await oauthSecret.write(origin, { [LOOKER_OAUTH_KEY]: JSON.stringify({ owner: who, tokens: JSON.stringify(tokens) }) });
    },
    clear: () => oauthSecret.remove(origin),
  });
  const openBrowser = async (url: string): Promise<boolean> => {
    if (testBrowser) {
      // The test's browser runs on its own, like a real one; the sign-in waits for the callback.
      testBrowser(url).catch(() => undefined);
      return true;
    }
    return vscode.env.openExternal(vscode.Uri.parse(url, true));
  };

  const connection = new LazyClient<{ client: LookerClient; credentials: LookerCredentials; changes?: vscode.Disposable }>({
    key: () => `${service.url().href}|${authSettings.mode}|${settings.audience ?? ''}|${authSettings.clientId}|${authSettings.redirectPort}|${owner() ?? ''}`,
    build: () => {
      const url = settings.baseUrl!;
      let credentials: LookerCredentials;
      let changes: vscode.Disposable | undefined;
      if (authSettings.mode === 'proxy') {
        if (!settings.audience) throw new LookerError('notConfigured', 'Looker through an identity-aware proxy needs gatehouse.looker.audience.', undefined, undefined, undefined, { nextStep: vscode.l10n.t('Set gatehouse.looker.audience, or set gatehouse.looker.credential to oauth.') });
        const idp = new IdpServiceCredentials(auth.broker, 'looker', toLookerError);
        credentials = { origin: 'identity-proxy', token: (signal) => idp.token(signal), invalidate: (t) => idp.invalidate(t) };
      } else if (authSettings.mode === 'api3') {
        credentials = new Api3Credentials({ http: service.http(), apiUrl: lookerApiUrl(url), secrets, logger, read: clientPair(keys, service.url().origin) });
      } else {
        const oauth = new LookerOAuthCredentials({
          http: service.http(),
          baseUrl: url,
          clientId: authSettings.clientId,
          redirectPort: authSettings.redirectPort,
          store: oauthStore(service.url().origin),
          openBrowser,
          secrets,
          logger,
        });
        changes = oauth.onDidChange((change) => {
          reload();
          // Said once here, for the tree and every run alike.
          if (change === 'expired') commands.offerSignIn(new LookerError('lookerSignInExpired'));
        });
        credentials = oauth;
      }
      return { credentials, changes, client: new LookerClient({ http: service.http(), baseUrl: url, credentials, logger }) };
    },
    // New keys, or a token obtained while someone else was signed in: start again.
    retire: ({ credentials, changes }) => {
      changes?.dispose();
      if (credentials instanceof Api3Credentials) credentials.clear();
      if (credentials instanceof LookerOAuthCredentials) credentials.dispose();
    },
  });
  const client = (): LookerClient => connection.get().client;
  const oauth = (): LookerOAuthCredentials | undefined => {
    const { credentials } = connection.get();
    return credentials instanceof LookerOAuthCredentials ? credentials : undefined;
  };

  const model = new LookerExplorerModel({ client, logger, audit: { audit, actor: () => auth.broker.currentIdentity(), logger } });
  const signedIn = () => !!auth.broker.currentIdentity();
  const ready = () => {
    if (!signedIn() || !settings.baseUrl) return false;
    if (authSettings.mode === 'proxy') return !!settings.audience;
    return authSettings.mode === 'api3' ? hasKeys : !!lookerSignedInFor && lookerSignedInFor === owner();
  };
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
  const commands = new LookerCommands({
    runner,
    client,
    ui: () => ui,
    secrets: keys.scoped(() => service.url().origin),
    logger,
    refresh: () => reloadNow(),
    oauth,
    auditSignIn: (action, outcome, reason) =>
      recordAccess(
        { audit, actor: () => auth.broker.currentIdentity(), logger },
        { credential: 'service-oauth', service: 'looker', action, resource: `looker:${service.origin() ?? 'unconfigured'}`, outcome, reason },
      ),
  });

  const setContext = (key: string, value: unknown) => void vscode.commands.executeCommand('setContext', key, value);
  const updateContext = async () => {
    const at = service.origin();
    hasKeys = !!at && (await keys.presence(at)) !== 'none';
    const who = owner();
    // From the store, not the credentials: nothing is built (no HTTP client) just to show the view.
    const signedInNow = authSettings.mode === 'oauth' && !!at && !!who && !!(await oauthStore(at).read());
    lookerSignedInFor = signedInNow ? who : undefined;
    const configured = !!settings.baseUrl;
    setContext('gatehouse.looker.configured', configured);
    setContext('gatehouse.looker.credential', authSettings.mode);
    setContext('gatehouse.looker.needsCredentials', configured && authSettings.mode === 'api3' && !hasKeys);
    setContext('gatehouse.looker.needsSignIn', configured && authSettings.mode === 'oauth' && !signedInNow);
    setContext('gatehouse.looker.signedInToLooker', signedInNow);
  };
  // Who Looker sees: the credential in words and the account Looker reports (GET /user).
  const identity = showServiceIdentity(view, identities, 'looker', () => auth.broker.currentIdentity()?.label);
  const reloadNow = () => updateContext().then(() => (identity.refresh(), model.refresh()));
  const reload = () => void reloadNow();

  disposables.push(
    identities.register({
      service: 'looker',
      credential: () => (ready() ? client().credentialOrigin : undefined),
      principal: async (signal) => ({ name: (await client().me(signal)).display_name }),
    }),
    identity,
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
        if (change.kind === 'settings') {
          settings = change.settings;
          authSettings = readAuthSettings(settings.audience);
        }
        if (change.kind === 'secrets' || change.kind === 'session') connection.invalidate();
        reload();
      },
    }),
  );
  reload();

  const testing: LookerTestingApi | undefined =
    context.extensionMode === vscode.ExtensionMode.Test ? { model, tree, view, commands, setUi: (next) => (ui = next ?? vscodeServiceUi), setBrowser: (next) => (testBrowser = next) } : undefined;

  return {
    testing: testing as Record<string, unknown> | undefined,
    dispose: () => {
      for (const d of disposables.reverse()) d.dispose();
    },
  };
}
