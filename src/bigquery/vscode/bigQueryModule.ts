// The BigQuery feature module: the session's client (BigQueryConnection), the explorer and
// history views, queries from editors (commands, keybindings, CodeLens, cost estimate in the
// status bar, error markers) and table previews into the shared results panel.
import * as vscode from 'vscode';
import type { FeatureModule, ModuleDeps } from '../../vscode/moduleDeps';
import type { ResultRestorers, ResultsPresenter } from '../../results/resultsPresenter';
import { BigQueryConnection } from '../connection';
import { maxResponseBytesSetting } from '../../vscode/httpSettings';
import { BigQueryExplorerModel, qualifiedName, type ExplorerNode } from '../explorerModel';
import { QueryHistory } from '../queryHistory';
import { BIGQUERY_JOB_RESTORE, type QueryOutcome } from '../queryRunner';
import { BIGQUERY_SECTION, readBigQuerySettings } from '../settings';
import { datasetConsoleUrl, jobConsoleUrl, projectConsoleUrl, tableConsoleUrl } from '../consoleLinks';
import type { BigQueryClient } from '../client';
import { registerBigQueryCommands } from './bigQueryCommands';
import { BigQueryTreeDataProvider } from './bigQueryTreeDataProvider';
import { BigQueryHistoryTreeDataProvider, type HistoryNode } from './bigQueryHistoryTreeDataProvider';
import { CostEstimateStatusBar } from './costEstimateStatusBar';
import { ParameterPrompt } from './parameterPrompt';
import { QueryCodeLensProvider } from './queryCodeLensProvider';
import { QUERY_LANGUAGES, QueryEditorController, queryIn } from './queryEditorController';
import { showServiceIdentity } from '../../vscode/serviceIdentityView';
import { safe } from '../../core/displayText';
import { bigQueryTargetOf, checkBigQueryAccess } from '../accessCheck';
import type { DeniedUi } from '../../vscode/accessDenied';
import { vscodeServiceUi } from '../../vscode/serviceUi';

export const EXPLORER_VIEW = 'gatehouse.bigquery';
export const HISTORY_VIEW = 'gatehouse.bigqueryHistory';

/** Reachable by the integration tests only (exports in ExtensionMode.Test). */
export interface BigQueryTestingApi {
  /** Labels of the explorer's children under a path of labels ([] = the root), loading as a user would. */
  treeChildren(path: string[]): Promise<{ label: string; kind: ExplorerNode['kind']; description?: string }[]>;
  /** Reveals and expands the node at the path (for screenshots). */
  reveal(path: string[]): Promise<void>;
  client(): BigQueryClient | undefined;
  runningQueries(): number;
  lastOutcome(): QueryOutcome | undefined;
  /** Replaces where refusals are told (undefined: VS Code's notifications again). */
  setUi(ui: DeniedUi | undefined): void;
  history: QueryHistory;
}

export interface BigQueryModule extends FeatureModule {
  /** The signed-in session's client (undefined when signed out or not configured). */
  client(): BigQueryClient | undefined;
  readonly testing?: BigQueryTestingApi & Record<string, unknown>;
}

type ParentNode = Parameters<BigQueryExplorerModel['children']>[0];

export function createBigQueryModule(deps: ModuleDeps, presenter: ResultsPresenter, restorers: ResultRestorers): BigQueryModule {
  const logger = deps.logger.child('bigquery');
  const broker = deps.auth.broker;
  const settings = () => readBigQuerySettings((key, fallback) => vscode.workspace.getConfiguration(BIGQUERY_SECTION).get(key, fallback));
  const connection = new BigQueryConnection({
    settings,
    idTokens: { getIdToken: async (signal) => (await broker.getToken({ kind: 'idToken' }, signal)).token },
    subject: () => broker.currentIdentity()?.subject,
    sessionScope: deps.sessionScope,
    logger,
    maxResponseBytes: maxResponseBytesSetting,
    audit: { audit: deps.audit, actor: () => broker.currentIdentity(), logger },
  });
  const model = new BigQueryExplorerModel(() => connection.client(), { audit: { audit: deps.audit, actor: () => broker.currentIdentity(), logger } });
  const tree = new BigQueryTreeDataProvider(model);
  const treeView = vscode.window.createTreeView(EXPLORER_VIEW, { treeDataProvider: tree, showCollapseAll: true });
  const history = new QueryHistory(deps.context.globalState, () => broker.currentIdentity()?.subject);
  const historyTree = new BigQueryHistoryTreeDataProvider(history, () => connection.client());
  const diagnostics = vscode.languages.createDiagnosticCollection('bigquery');
  let ui: DeniedUi = vscodeServiceUi;
  const parameters = new ParameterPrompt();
  const queries = new QueryEditorController({
    connection,
    presenter,
    audit: deps.audit,
    broker,
    roles: deps.roles,
    history,
    parameters,
    diagnostics,
    costSettings: () => settings().cost,
    logger,
    ui: () => ui,
    onDidRun: () => {
      historyTree.refresh();
      estimateBar.refresh();
    },
  });
  // After a window reload VS Code restores results panels; a BigQuery result is read again from its
  // job once the stored session is back (no re-run, nothing billed).
  const restorer = restorers.register(BIGQUERY_JOB_RESTORE, {
    restore: async (key, handle) => {
      await deps.auth.ready;
      await queries.reopen(key, handle);
    },
  });
  const estimateBar = new CostEstimateStatusBar(
    (editor) => (queries.estimatesAutomatically(editor.document) ? queryIn(editor.document, 'statement', editor.selection) : undefined),
    (target, signal) => queries.estimate(target, signal),
    (target, estimate) => queries.showEstimate(target, estimate),
  );

  // Who BigQuery sees: federated as the person, or a shared service account / gcloud ADC.
  const identity = showServiceIdentity(treeView, deps.identities, 'bigquery', () => broker.currentIdentity()?.label);
  const reload = () => {
    identity.refresh();
    model.refresh();
    historyTree.refresh();
    estimateBar.refresh();
  };
  const setFilter = (text: string) => {
    model.setFilter(text);
    treeView.message = model.filter ? safe`Filtered by “${model.filter}” (loaded tables and routines)` : undefined;
    void vscode.commands.executeCommand('setContext', 'gatehouse.bigquery.filtered', !!model.filter);
  };

  const handlers = {
    runStatement: (uri?: vscode.Uri, offset?: number) => queries.runFromEditor('statement', asUri(uri), typeof offset === 'number' ? offset : undefined),
    runSelection: () => queries.runFromEditor('selection'),
    runFile: (uri?: vscode.Uri) => queries.runFromEditor('file', asUri(uri)),
    estimate: (uri?: vscode.Uri, offset?: number) => queries.estimateFromEditor(asUri(uri), typeof offset === 'number' ? offset : undefined),
    cancel: () => queries.cancelAll(),
    refresh: (node?: ExplorerNode) => model.refresh(node?.key),
    filter: async () => {
      const text = await vscode.window.showInputBox({ title: vscode.l10n.t('Filter BigQuery tables'), prompt: vscode.l10n.t('Part of a table or routine name (empty: show all)'), value: model.filter });
      if (text !== undefined) setFilter(text);
    },
    clearFilter: () => setFilter(''),
    loadMore: (node?: ExplorerNode) => node?.kind === 'loadMore' && model.loadMore(node.parentKey, tree.node(node.parentKey) as ParentNode),
    copyName: (node?: ExplorerNode) => {
      const name = node && nameOf(node);
      if (name) void vscode.env.clipboard.writeText(name).then(() => vscode.window.setStatusBarMessage(safe`Copied ${name}`, 3000));
    },
    openInConsole: (node?: ExplorerNode) => {
      const url = node && consoleUrlOf(node);
      if (url) void vscode.env.openExternal(vscode.Uri.parse(url));
    },
    previewTable: (node?: ExplorerNode) => node?.kind === 'table' && queries.previewTable(node.table),
    queryTable: async (node?: ExplorerNode) => {
      if (node?.kind !== 'table') return;
      const meta = await model.table(node.table).catch(() => undefined);
      const columns = meta?.schema.length ? meta.schema.map((c) => `  ${c.name}`).join(',\n') : '  *';
      const content = `-- LIMIT does not lower the bytes billed; "Preview Rows" in the BigQuery view is free.\nselect\n${columns}\nfrom ${qualifiedName(node.table)}\nlimit 100;\n`;
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument({ language: 'bqsql', content }));
    },
    'history.refresh': () => historyTree.refresh(),
    'history.open': async (node?: HistoryNode) => {
      const sql = node && historySql(node);
      if (sql) await vscode.window.showTextDocument(await vscode.workspace.openTextDocument({ language: 'bqsql', content: sql }));
    },
    'history.rerun': (node?: HistoryNode) => {
      if (node?.kind === 'local') return queries.runSql(node.entry.sql, node.entry.params, node.entry.ownerKey);
      if (node?.kind === 'job' && node.job.query) return queries.runSql(node.job.query);
      return undefined;
    },
    'history.openJob': (node?: HistoryNode) => {
      const job = node?.kind === 'local' ? node.entry.job : node?.kind === 'job' ? node.job.ref : undefined;
      if (job) void vscode.env.openExternal(vscode.Uri.parse(jobConsoleUrl(job)));
    },
    'history.copyJobId': (node?: HistoryNode) => {
      const job = node?.kind === 'local' ? node.entry.job : node?.kind === 'job' ? node.job.ref : undefined;
      if (job) void vscode.env.clipboard.writeText(`${job.projectId}:${job.location ?? 'US'}.${job.jobId}`);
    },
    'history.clear': () => history.clear(),
  };

  const disposables: vscode.Disposable[] = [
    deps.identities.register({
      service: 'bigquery',
      credential: () => (broker.currentIdentity() ? connection.client()?.credentialOrigin : undefined),
      // An impersonated service account is named by its impersonation URL (…/serviceAccounts/EMAIL:generateAccessToken).
      principal: async () => ({ name: serviceAccountOf(settings().federation.serviceAccountImpersonationUrl) }),
    }),
    identity,
    treeView,
    tree,
    historyTree,
    diagnostics,
    queries,
    estimateBar,
    restorer,
    { dispose: () => model.dispose() },
    { dispose: () => history.dispose() },
    connection,
    // Explain Access on a project, dataset or table (or the one a refusal named): BigQuery's own permission tests.
    deps.explainers.add(async (target, signal) => {
      const t = bigQueryTargetOf(target);
      const client = t && connection.client();
      return t && client ? checkBigQueryAccess(client, t, signal) : undefined;
    }),
    vscode.window.registerTreeDataProvider(HISTORY_VIEW, historyTree),
    vscode.languages.registerCodeLensProvider(QUERY_LANGUAGES.map((language) => ({ language })), new QueryCodeLensProvider()),
    ...registerBigQueryCommands(handlers),
    // Another person signed in, or the session ended: nothing loaded for the previous one may stay.
    { dispose: broker.onDidChangeSession((e) => e.reason !== 'refreshed' && (connection.reset(), reload())).dispose },
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(BIGQUERY_SECTION)) reload();
    }),
  ];
  void vscode.commands.executeCommand('setContext', 'gatehouse.bigquery.filtered', false);

  const testing: BigQueryTestingApi | undefined =
    deps.context.extensionMode === vscode.ExtensionMode.Test
      ? {
          treeChildren: async (path) => {
            const children = await childrenAt(tree, path);
            return Promise.all(
              children.map(async (n) => {
                const item = await tree.getTreeItem(n);
                return { label: String(typeof item.label === 'object' ? item.label.label : item.label), kind: n.kind, description: typeof item.description === 'string' ? item.description : undefined };
              }),
            );
          },
          reveal: async (path) => {
            let parent: ExplorerNode | undefined;
            for (const label of path) {
              const children = await tree.getChildren(parent);
              const next = await findByLabel(tree, children, label);
              if (!next) throw new Error(`no node ${label}`);
              await treeView.reveal(next, { expand: true, focus: false, select: false });
              parent = next;
            }
          },
          client: () => connection.client(),
          runningQueries: () => queries.runningCount,
          lastOutcome: () => queries.lastOutcome,
          setUi: (next) => (ui = next ?? vscodeServiceUi),
          history,
        }
      : undefined;

  return {
    client: () => connection.client(),
    ...(testing ? { testing: testing as BigQueryTestingApi & Record<string, unknown> } : {}),
    dispose: () => {
      for (const d of disposables.splice(0).reverse()) d.dispose();
    },
  };
}

/** CodeLens and keybindings pass a Uri; a menu on an explorer file passes one too; others nothing. */
function asUri(value: unknown): vscode.Uri | undefined {
  return value instanceof vscode.Uri ? value : undefined;
}

async function childrenAt(tree: BigQueryTreeDataProvider, path: string[]): Promise<ExplorerNode[]> {
  let parent: ExplorerNode | undefined;
  for (const label of path) {
    const next = await findByLabel(tree, await tree.getChildren(parent), label);
    if (!next) throw new Error(`no node ${label} under ${parent?.key ?? 'the root'}`);
    parent = next;
  }
  return tree.getChildren(parent);
}

async function findByLabel(tree: BigQueryTreeDataProvider, nodes: ExplorerNode[], label: string): Promise<ExplorerNode | undefined> {
  for (const n of nodes) {
    const item = await tree.getTreeItem(n);
    if ((typeof item.label === 'object' ? item.label.label : item.label) === label) return n;
  }
  return undefined;
}

function nameOf(n: ExplorerNode): string | undefined {
  switch (n.kind) {
    case 'project':
      return n.project.id;
    case 'dataset':
      return `${n.dataset.projectId}.${n.dataset.datasetId}`;
    case 'table':
      return qualifiedName(n.table);
    case 'routine':
      return `\`${n.routine.projectId}.${n.routine.datasetId}.${n.routine.routineId}\``;
    case 'column':
      return n.path.join('.');
    default:
      return undefined;
  }
}

function consoleUrlOf(n: ExplorerNode): string | undefined {
  switch (n.kind) {
    case 'project':
      return projectConsoleUrl(n.project.id);
    case 'dataset':
      return datasetConsoleUrl(n.dataset);
    case 'table':
      return tableConsoleUrl(n.table);
    default:
      return undefined;
  }
}

function historySql(n: HistoryNode): string | undefined {
  return n.kind === 'local' ? n.entry.sql : n.kind === 'job' ? n.job.query : undefined;
}

function serviceAccountOf(url: string | undefined): string | undefined {
  const m = url && /\/serviceAccounts\/([^/:]+):generateAccessToken/.exec(url);
  return m ? decodeURIComponent(m[1]) : undefined;
}
