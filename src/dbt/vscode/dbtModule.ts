// dbt feature module: finds the workspace's dbt projects (dbt_project.yml), loads their manifests
// in a worker and reloads them on change (debounced), the dbt view (models tree + dbt Cloud jobs),
// the lineage panel, dbt tasks, and the dbt Cloud client on the IdP token for its audience or a
// personal token from SecretStorage.
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LazyClient } from '../../core/lazyClient';
import { ServiceConnection } from '../../vscode/serviceConnection';
import type { FeatureModule, ModuleDeps } from '../../vscode/moduleDeps';
import { DBT_CLOUD_TOKEN_KEY, DbtCommands, vscodeDbtUi, type DbtUi } from './dbtCommands';
import { LineagePanelManager } from './lineagePanel';
import type { ResultsPresenter } from '../../results/resultsPresenter';
import { DbtCloudActions } from '../cloud/dbtCloudActions';
import { IdpServiceCredentials } from '../../auth/serviceCredentials';
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

export interface DbtModuleOptions {
  /** The BigQuery preview (runner + results panel), once the BigQuery module provides it. */
  preview?: () => { runner: DbtPreviewRunner; presenter: ResultsPresenter } | undefined;
}

interface CloudSettings {
  baseUrl?: string;
  accountId?: string;
  audience?: string;
  projectId?: number;
}

function readCloudSettings(): CloudSettings {
  const c = vscode.workspace.getConfiguration('gatehouse.dbtCloud');
  const text = (k: string) => {
    const v = c.get<unknown>(k);
    return typeof v === 'string' && v.trim() ? v.trim() : typeof v === 'number' ? String(v) : undefined;
  };
  const project = Number(text('projectId'));
  return { baseUrl: text('baseUrl'), accountId: text('accountId'), audience: text('audience'), projectId: Number.isSafeInteger(project) && project > 0 ? project : undefined };
}

const EXCLUDE = '**/{node_modules,dbt_packages,dbt_modules,.git}/**';

export function createDbtModule(deps: ModuleDeps, options: DbtModuleOptions = {}): FeatureModule {
  const { context, logger: rootLogger, secrets, auth, roles, audit, sessionScope } = deps;
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
  let cloudSettings = readCloudSettings();
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
  const tokens = service.secret([DBT_CLOUD_TOKEN_KEY], 'dbt Cloud token');
  const connection = new LazyClient<DbtCloudClient>({
    key: () => {
      const s = cloudSettings;
      if (!s.baseUrl || !s.accountId) throw new DbtCloudError('notConfigured');
      return `${service.url().href}|${s.accountId}|${s.audience ?? ''}`;
    },
    build: () => {
      const s = cloudSettings;
      const at = service.url().origin;
      const credentials = s.audience
        ? new IdpServiceCredentials(auth.broker, 'dbtCloud', toDbtCloudError)
        : new PersonalTokenCredentials(async () => (await tokens.read(at))?.[DBT_CLOUD_TOKEN_KEY], secrets);
      return new DbtCloudClient({ http: service.http(), baseUrl: s.baseUrl!, accountId: s.accountId!, credentials, logger: cloudLogger });
    },
  });
  const cloudClient = (): DbtCloudClient => connection.get();
  const signedIn = () => !!auth.broker.currentIdentity();
  const availability = (): DbtCloudAvailability => {
    if (!cloudSettings.baseUrl || !cloudSettings.accountId) return 'hidden';
    if (cloudSettings.audience) return signedIn() ? 'ready' : 'signIn';
    return hasToken ? 'ready' : 'token';
  };
  const cloud = new DbtCloudJobsModel(cloudClient, () => cloudSettings.projectId, undefined, { audit, actor: () => auth.broker.currentIdentity(), logger });
  const refreshCloud = () => {
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
    secrets: tokens.scoped(() => service.url().origin),
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

  const setContext = (key: string, value: unknown) => void vscode.commands.executeCommand('setContext', key, value);
  const updateTokenState = async () => {
    const at = service.origin();
    hasToken = !!at && (await tokens.presence(at)) !== 'none';
    // The logger must never print it, even inside an error's cause.
    const token = at && (await tokens.peek(at, DBT_CLOUD_TOKEN_KEY));
    if (token) secrets.add(token.trim());
    setContext('gatehouse.dbtCloud.configured', availability() !== 'hidden');
    setContext('gatehouse.dbtCloud.hasToken', hasToken);
  };
  disposables.push(
    view,
    tree,
    explorer,
    problems,
    compiledSql,
    vscode.workspace.registerTextDocumentContentProvider(COMPILED_SQL_SCHEME, compiledSql),
    lineage,
    { dispose: () => cloud.dispose() },
    vscode.tasks.registerTaskProvider(DBT_TASK_TYPE, new DbtTaskProvider()),
    ...commands.register(),
    projects.onDidChange(() => setContext('gatehouse.dbt.hasProject', projects.projects().length > 0)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('gatehouse.dbt.treeGrouping')) tree.refresh();
      if (e.affectsConfiguration('gatehouse.dbtCloud')) {
        cloudSettings = readCloudSettings();
        void updateTokenState().then(refreshCloud);
      }
    }),
    context.secrets.onDidChange((e) => {
      if (!tokens.owns(e.key)) return;
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
        }
      : undefined;

  return {
    testing,
    dispose: () => {
      for (const d of disposables.reverse()) d.dispose();
    },
  };
}
