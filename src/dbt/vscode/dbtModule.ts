// dbt feature module: finds the workspace's dbt projects (dbt_project.yml), loads their manifests
// in a worker and reloads them on change (debounced), the dbt view (models tree + dbt Cloud jobs),
// the lineage panel, dbt tasks, and the dbt Cloud client on the credential gatehouse.dbtCloud.credential
// names: a personal token (default) or a service token from SecretStorage, or the IdP token for its
// audience through an identity-aware proxy.
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LazyClient } from '../../core/lazyClient';
import { ServiceConnection } from '../../vscode/serviceConnection';
import type { FeatureModule, ModuleDeps } from '../../vscode/moduleDeps';
import { DBT_CLOUD_SERVICE_TOKEN_KEY, DBT_CLOUD_TOKEN_KEY, DbtCommands, vscodeDbtUi, type DbtUi } from './dbtCommands';
import { LINEAGE_VIEW_TYPE, LineagePanelManager } from './lineagePanel';
import type { ResultsPresenter } from '../../results/resultsPresenter';
import { DbtCloudActions } from '../cloud/dbtCloudActions';
import { IdentityProxyCredentials } from '../../auth/serviceCredentials';
import { credentialMode, type CredentialMode } from '../../auth/credentialModes';
import { explicitSetting } from '../../vscode/connectionSettings';
import { DbtCloudClient, PersonalTokenCredentials } from '../cloud/dbtCloudClient';
import { DbtCloudError, toDbtCloudError } from '../cloud/dbtCloudErrors';
import { DbtCloudJobsModel } from '../cloud/dbtCloudJobsModel';
import type { RunFollowerOptions } from '../cloud/dbtCloudRunFollower';
import type { DbtGroupKey } from '../manifest';
import { loadManifestInWorker } from '../manifestWorker';
import type { DbtPreviewRunner } from '../modelPreview';
import { DbtProjectsModel } from '../projectsModel';
import { DbtExplorerModel } from '../explorerModel';
import { COMPILED_SQL_SCHEME, DbtCompiledSqlProvider } from './compiledSqlProvider';
import { DbtProblems } from './dbtProblems';
import { DbtTreeDataProvider, type DbtCloudAvailability } from './dbtTreeDataProvider';
import { DBT_TASK_TYPE, DbtTaskProvider, dbtExecutable } from './dbtTasks';
import { showServiceIdentity, type ServiceIdentityView } from '../../vscode/serviceIdentityView';

export interface DbtModuleOptions {
  /** The BigQuery preview (runner + results panel), once the BigQuery module provides it. */
  preview?: () => { runner: DbtPreviewRunner; presenter: ResultsPresenter } | undefined;
}

interface CloudSettings {
  baseUrl?: string;
  accountId?: string;
  audience?: string;
  credential?: string;
  projectId?: number;
}

function readCloudSettings(): CloudSettings {
  const c = vscode.workspace.getConfiguration('gatehouse.dbtCloud');
  const text = (k: string) => {
    const v = c.get<unknown>(k);
    return typeof v === 'string' && v.trim() ? v.trim() : typeof v === 'number' ? String(v) : undefined;
  };
  const project = Number(text('projectId'));
  return { baseUrl: text('baseUrl'), accountId: text('accountId'), audience: text('audience'), credential: explicitSetting(c, 'credential'), projectId: Number.isSafeInteger(project) && project > 0 ? project : undefined };
}

const EXCLUDE = '**/{node_modules,dbt_packages,dbt_modules,.git}/**';

export function createDbtModule(deps: ModuleDeps, options: DbtModuleOptions = {}): FeatureModule {
  const { context, logger: rootLogger, secrets, auth, roles, audit, sessionScope, identities } = deps;
  const logger = rootLogger.child('dbt');
  const disposables: vscode.Disposable[] = [];
  const workerScript = path.join(context.extensionPath, 'dist', 'dbtManifestWorker.js');
  let ui: DbtUi = vscodeDbtUi;
  const followerOptions: RunFollowerOptions = {};
  let executableOverride: string | undefined;

  // ---- local projects ----
  const projects = new DbtProjectsModel({
    loadManifest: (p, o) => loadManifestInWorker(workerScript, p, { ...o, locale: vscode.env.language }),
    readText: (p) => readFile(p, 'utf8'),
    env: { DBT_TARGET_PATH: process.env.DBT_TARGET_PATH },
    logger,
  });
  const discover = async () => {
    const files = await vscode.workspace.findFiles('**/dbt_project.yml', EXCLUDE, 200);
    await projects.setProjectFiles(files.filter((u) => u.scheme === 'file').map((u) => u.fsPath));
  };
  let discovered = discover().catch((err) => logger.error('dbt project discovery failed', err));
  const watcher = vscode.workspace.createFileSystemWatcher('**/{dbt_project.yml,manifest.json,run_results.json}');
  const onFile = (uri: vscode.Uri, created: boolean) => {
    if (uri.scheme !== 'file') return;
    if (path.basename(uri.fsPath) === 'dbt_project.yml' && (created || !projects.get(path.dirname(uri.fsPath)))) discovered = discover().catch((err) => logger.error('dbt project discovery failed', err));
    projects.fileChanged(uri.fsPath);
  };
  disposables.push(
    watcher,
    watcher.onDidChange((u) => onFile(u, false)),
    watcher.onDidCreate((u) => onFile(u, true)),
    watcher.onDidDelete((u) => {
      if (path.basename(u.fsPath) === 'dbt_project.yml') discovered = discover().catch((err) => logger.error('dbt project discovery failed', err));
      else projects.fileChanged(u.fsPath);
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => void (discovered = discover().catch((err) => logger.error('dbt project discovery failed', err)))),
    { dispose: () => projects.dispose() },
  );

  // ---- dbt Cloud ----
  // Tests cannot write machine-scoped settings under code-server (the write replaces the user settings file).
  let cloudOverride: Partial<CloudSettings> = {};
  let cloudSettings = readCloudSettings();
  const readCloud = () => (cloudSettings = { ...readCloudSettings(), ...cloudOverride });
  readCloud();
  const mode = (): CredentialMode<'dbtCloud'> => credentialMode('dbtCloud', cloudSettings.credential, cloudSettings.audience);
  let hasToken = false;
  const cloudLogger = logger.child('cloud');
  const service = new ServiceConnection({
    context,
    logger: cloudLogger,
    setting: 'gatehouse.dbtCloud.baseUrl',
    baseUrl: () => cloudSettings.baseUrl,
    notConfigured: (e) => (e ? new DbtCloudError('notConfigured', e.message, undefined, [], undefined, { cause: e, nextStep: e.nextStep }) : new DbtCloudError('notConfigured')),
  });
  // A personal token belongs to the dbt Cloud instance that issued it.
  const tokens = service.secret([DBT_CLOUD_TOKEN_KEY], vscode.l10n.t('dbt Cloud token'));
  const serviceTokens = service.secret([DBT_CLOUD_SERVICE_TOKEN_KEY], vscode.l10n.t('dbt Cloud service token'));
  const tokenOf = (m: CredentialMode<'dbtCloud'>) => (m === 'serviceToken' ? { secret: serviceTokens, key: DBT_CLOUD_SERVICE_TOKEN_KEY } : { secret: tokens, key: DBT_CLOUD_TOKEN_KEY });
  const connection = new LazyClient<DbtCloudClient>({
    key: () => {
      const s = cloudSettings;
      if (!s.baseUrl || !s.accountId) throw new DbtCloudError('notConfigured');
      return `${service.url().href}|${s.accountId}|${s.audience ?? ''}|${mode()}`;
    },
    build: () => {
      const s = cloudSettings;
      const at = service.url().origin;
      const m = mode();
      const { secret, key } = tokenOf(m);
      const credentials =
        m === 'proxy'
          ? new IdentityProxyCredentials(auth.broker, 'dbtCloud', toDbtCloudError)
          : new PersonalTokenCredentials(async () => (await secret.read(at))?.[key], secrets, m === 'serviceToken' ? 'service-token' : 'personal-token');
      return new DbtCloudClient({ http: service.http(), baseUrl: s.baseUrl!, accountId: s.accountId!, credentials, logger: cloudLogger });
    },
  });
  const cloudClient = (): DbtCloudClient => connection.get();
  const signedIn = () => !!auth.broker.currentIdentity();
  const availability = (): DbtCloudAvailability => {
    if (!cloudSettings.baseUrl || !cloudSettings.accountId) return 'hidden';
    const m = mode();
    if (m === 'proxy') return !cloudSettings.audience ? 'audience' : signedIn() ? 'ready' : 'signIn';
    return hasToken ? 'ready' : m === 'serviceToken' ? 'serviceToken' : 'token';
  };
  const cloud = new DbtCloudJobsModel(cloudClient, () => cloudSettings.projectId, undefined, { audit, actor: () => auth.broker.currentIdentity(), logger });
  // Who dbt Cloud sees, on the dbt view's title (set once the view exists).
  let cloudIdentity: ServiceIdentityView | undefined;
  const refreshCloud = () => {
    cloudIdentity?.refresh();
    if (availability() === 'ready') void cloud.refresh();
    else cloud.reset();
  };
  const actor = () => {
    const id = auth.broker.currentIdentity();
    return id && { subject: id.subject, email: id.email, issuer: id.issuer, label: id.label };
  };
  const cloudActions = new DbtCloudActions({
    client: cloudClient,
    audit,
    roles,
    logger,
    actor,
    get follower() {
      return followerOptions;
    },
  });

  // ---- view, panel, commands, tasks ----
  const grouping = (): DbtGroupKey => {
    const v = vscode.workspace.getConfiguration('gatehouse.dbt').get<string>('treeGrouping', 'folder');
    return v === 'package' || v === 'tag' || v === 'materialization' ? v : 'folder';
  };
  const explorer = new DbtExplorerModel({ projects, cloud, cloudAvailability: availability, grouping });
  const tree = new DbtTreeDataProvider(explorer);
  const view = vscode.window.createTreeView('gatehouse.dbt', { treeDataProvider: tree, showCollapseAll: true });
  cloudIdentity = showServiceIdentity(view, identities, 'dbtCloud', () => auth.broker.currentIdentity()?.label);
  const lineage = new LineagePanelManager({
    extensionUri: context.extensionUri,
    logger,
    index: (key) => projects.get(key)?.index,
    openNode: async (t) => void (await commands.openFile(t)),
    onDidChangeProjects: projects.onDidChange,
  });
  const problems = new DbtProblems();
  const compiledSql = new DbtCompiledSqlProvider(projects);
  const commands: DbtCommands = new DbtCommands({
    projects,
    discover: () => (discovered = discover().catch((err) => logger.error('dbt project discovery failed', err))),
    tree,
    view,
    lineage,
    cloud,
    cloudActions,
    ui: () => ui,
    secrets: tokens.scoped(() => service.url().origin, serviceTokens.scoped(() => service.url().origin)),
    tokenKind: () => (mode() === 'serviceToken' ? 'serviceToken' : 'personalToken'),
    // Not only SecretStorage's change event: the view follows the command that stored the token at once.
    tokenChanged: async () => {
      connection.invalidate();
      await updateTokenState();
      refreshCloud();
    },
    logger,
    audit,
    actor,
    can: (a) => roles.can(a),
    refusal: (a) => roles.refusal(a),
    executable: () => executableOverride ?? dbtExecutable(),
    preview: () => options.preview?.(),
    refreshCloud,
    problems,
    readText: (p) => readFile(p, 'utf8').catch(() => undefined),
    onSessionEnd: (stop) => sessionScope.add({ dispose: stop }),
  });

  /** What was last set, for tests that evaluate `when` clauses. */
  const contextKeys = new Map<string, unknown>();
  const setContext = (key: string, value: unknown) => {
    contextKeys.set(key, value);
    void vscode.commands.executeCommand('setContext', key, value);
  };
  let tokenReads = 0;
  const updateTokenState = async () => {
    const read = ++tokenReads;
    const at = service.origin();
    const m = mode();
    const { secret, key } = tokenOf(m);
    const present = m !== 'proxy' && !!at && (await secret.presence(at)) !== 'none';
    // The logger must never print it, even inside an error's cause.
    const token = at && m !== 'proxy' && (await secret.peek(at, key));
    if (token) secrets.add(token.trim());
    // A later read (another mode, a new token) decides; this one is stale.
    if (read !== tokenReads) return;
    hasToken = present;
    setContext('gatehouse.dbtCloud.configured', availability() !== 'hidden');
    setContext('gatehouse.dbtCloud.credential', m);
    setContext('gatehouse.dbtCloud.hasToken', hasToken);
  };
  disposables.push(
    identities.register({ service: 'dbtCloud', credential: () => (availability() === 'ready' ? cloudClient().credentialOrigin : undefined) }),
    cloudIdentity,
    view,
    tree,
    explorer,
    problems,
    compiledSql,
    vscode.workspace.registerTextDocumentContentProvider(COMPILED_SQL_SCHEME, compiledSql),
    lineage,
    vscode.window.registerWebviewPanelSerializer(LINEAGE_VIEW_TYPE, { deserializeWebviewPanel: async (panel, state) => lineage.restore(panel, state) }),
    { dispose: () => cloud.dispose() },
    vscode.tasks.registerTaskProvider(DBT_TASK_TYPE, new DbtTaskProvider()),
    ...commands.register(),
    projects.onDidChange(() => setContext('gatehouse.dbt.hasProject', projects.projects().length > 0)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('gatehouse.dbt.treeGrouping')) tree.refresh();
      if (e.affectsConfiguration('gatehouse.dbtCloud')) {
        readCloud();
        void updateTokenState().then(refreshCloud);
      }
    }),
    context.secrets.onDidChange((e) => {
      if (!tokens.owns(e.key) && !serviceTokens.owns(e.key)) return;
      connection.invalidate();
      void updateTokenState().then(refreshCloud);
    }),
    {
      dispose: auth.broker.onDidChangeSession((e) => {
        if (e.reason === 'refreshed') return;
        connection.invalidate();
        refreshCloud();
      }).dispose,
    },
    vscode.workspace.onDidGrantWorkspaceTrust(() => tree.refresh()),
  );
  setContext('gatehouse.dbt.hasProject', false);
  void updateTokenState().then(refreshCloud);

  const testing =
    context.extensionMode === vscode.ExtensionMode.Test
      ? {
          projects,
          tree,
          view,
          commands,
          problems,
          lineage,
          /** Restores a lineage panel as after a window reload, from a webview state as VS Code would hand it back. */
          restoreLineage: (state: unknown) => {
            const panel = vscode.window.createWebviewPanel(LINEAGE_VIEW_TYPE, vscode.l10n.t('dbt Lineage'), { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, lineage.webviewOptions());
            lineage.restore(panel, state);
          },
          cloud,
          /** Resolves once discovery ran and every scheduled reload finished. */
          settled: async () => {
            await discovered;
            await projects.whenIdle();
          },
          setUi: (next: DbtUi | undefined) => (ui = next ?? vscodeDbtUi),
          setFollowerOptions: (o: RunFollowerOptions) => Object.assign(followerOptions, o),
          /**
           * Points runs at a stand-in dbt. Tests cannot write the machine-scoped
           * gatehouse.dbt.executablePath: under code-server that write replaces the user settings
           * file the sandbox configuration lives in.
           */
          setExecutable: (exe: string | undefined) => (executableOverride = exe),
          /** Overrides dbt Cloud connection settings (credential, baseUrl...) for the same reason; {} restores them. */
          contextKeys: contextKeys as ReadonlyMap<string, unknown>,
          setCloudSettings: async (next: Partial<CloudSettings>) => {
            cloudOverride = next;
            readCloud();
            connection.invalidate();
            await updateTokenState();
            refreshCloud();
          },
        }
      : undefined;

  return {
    testing,
    dispose: () => {
      for (const d of disposables.reverse()) d.dispose();
    },
  };
}
