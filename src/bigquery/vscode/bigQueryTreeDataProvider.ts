// BigQuery explorer tree: maps BigQueryExplorerModel nodes to TreeItems (icons by type, tooltips
// with rows/size/last modified). Loading, paging and "no access" answers live in the model.
import * as vscode from 'vscode';
import type { BigQueryExplorerModel, ExplorerNode } from '../explorerModel';
import type { TableFieldSchema } from '../types';
import { Formatter } from '../../core/format';
import { lookup } from '../../core/lookup';
import { plain, plainLines, safe } from '../../core/displayText';

const TABLE_ICONS: Record<string, string> = {
  TABLE: 'table',
  VIEW: 'eye',
  MATERIALIZED_VIEW: 'layers',
  EXTERNAL: 'link-external',
  SNAPSHOT: 'device-camera',
};

export class BigQueryTreeDataProvider implements vscode.TreeDataProvider<ExplorerNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ExplorerNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly nodes = new Map<string, ExplorerNode>();
  private readonly subscription: { dispose(): unknown };
  private readonly fmt = new Formatter({ locale: vscode.env.language });

  constructor(private readonly model: BigQueryExplorerModel) {
    this.subscription = model.onDidChange((key) => this.changed.fire(key ? this.nodes.get(key) : undefined));
  }

  /** The node with this key, as last shown (for commands that receive only a key). */
  node(key: string): ExplorerNode | undefined {
    return this.nodes.get(key);
  }

  async getChildren(element?: ExplorerNode): Promise<ExplorerNode[]> {
    if (element && !(element.kind === 'project' || element.kind === 'dataset' || element.kind === 'table' || element.kind === 'column')) return [];
    const children = await this.model.children(element);
    for (const c of children) this.nodes.set(c.key, c);
    return children;
  }

  getParent(element: ExplorerNode): ExplorerNode | undefined {
    const i = element.key.lastIndexOf('/');
    return i > 0 ? this.nodes.get(element.key.slice(0, i)) : undefined;
  }

  async getTreeItem(n: ExplorerNode): Promise<vscode.TreeItem> {
    switch (n.kind) {
      case 'project': {
        const item = new vscode.TreeItem(plain(n.project.id), vscode.TreeItemCollapsibleState.Collapsed);
        item.iconPath = new vscode.ThemeIcon('project');
        item.description = n.project.friendlyName && n.project.friendlyName !== n.project.id ? plain(n.project.friendlyName) : undefined;
        item.contextValue = 'bigquery.project';
        return withId(item, n);
      }
      case 'dataset': {
        const item = new vscode.TreeItem(plain(n.dataset.datasetId), vscode.TreeItemCollapsibleState.Collapsed);
        item.iconPath = new vscode.ThemeIcon('database');
        item.description = plain(n.dataset.location);
        item.tooltip = safe`${n.dataset.projectId}.${n.dataset.datasetId}${n.dataset.location ? ` (${n.dataset.location})` : ''}`;
        item.accessibilityInformation = { label: safe`Dataset ${n.dataset.datasetId}` };
        item.contextValue = 'bigquery.dataset';
        return withId(item, n);
      }
      case 'table': {
        const item = new vscode.TreeItem(plain(n.table.tableId), vscode.TreeItemCollapsibleState.Collapsed);
        const type = n.table.type ?? 'TABLE';
        item.iconPath = new vscode.ThemeIcon(lookup(TABLE_ICONS, type) ?? 'table');
        item.description = type === 'TABLE' ? undefined : plain(type.toLowerCase().replace('_', ' '));
        item.contextValue = `bigquery.table.${type.toLowerCase()}`;
        const md = new vscode.MarkdownString();
        md.isTrusted = false;
        md.supportHtml = false;
        md.appendText(safe`${n.table.projectId}.${n.table.datasetId}.${n.table.tableId}`).appendMarkdown('\n\n_').appendText(plain(type.toLowerCase())).appendMarkdown('_');
        item.tooltip = md;
        return withId(item, n);
      }
      case 'routine': {
        const item = new vscode.TreeItem(plain(n.routine.routineId), vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon('symbol-function');
        item.description = plain([n.routine.routineType?.toLowerCase().replace('_', ' '), n.routine.language].filter(Boolean).join(' · '));
        item.contextValue = 'bigquery.routine';
        if (n.routine.description) item.tooltip = plainLines(n.routine.description);
        return withId(item, n);
      }
      case 'column': {
        const f = n.field;
        const nested = (f.fields?.length ?? 0) > 0;
        const item = new vscode.TreeItem(plain(f.name), nested ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon(columnIcon(f));
        item.description = safe`${f.type}${f.mode && f.mode !== 'NULLABLE' ? ` ${f.mode}` : ''}`;
        const md = new vscode.MarkdownString();
        md.isTrusted = false;
        md.supportHtml = false;
        md.appendMarkdown('**').appendText(plain(n.path.join('.'))).appendMarkdown('**  \n').appendText(safe`${f.type} · ${f.mode ?? 'NULLABLE'}`);
        if (f.description) md.appendMarkdown('\n\n').appendText(plain(f.description));
        item.tooltip = md;
        item.contextValue = 'bigquery.column';
        return withId(item, n);
      }
      case 'loadMore': {
        const item = new vscode.TreeItem(vscode.l10n.t('Load more…'), vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon('ellipsis');
        item.command = { command: 'gatehouse.bigquery.loadMore', title: vscode.l10n.t('Load more'), arguments: [n] };
        item.contextValue = 'bigquery.loadMore';
        return withId(item, n);
      }
      case 'message': {
        const item = new vscode.TreeItem(plain(n.text), vscode.TreeItemCollapsibleState.None);
        item.iconPath =
          n.severity === 'noAccess'
            ? new vscode.ThemeIcon('lock', new vscode.ThemeColor('list.warningForeground'))
            : n.severity === 'error'
              ? new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground'))
              : new vscode.ThemeIcon('info');
        item.contextValue = `bigquery.message.${n.severity}`;
        if (n.severity === 'noAccess') {
          // BigQuery said 403 here: a click explains it, with what BigQuery tests on the parent.
          const parent = this.nodes.get(n.parentKey);
          item.tooltip = vscode.l10n.t('BigQuery refused to list this. Click for Explain Access: who BigQuery saw and which permissions it reports.');
          item.command = {
            command: 'gatehouse.policy.explainAccess',
            title: vscode.l10n.t('Explain Access'),
            arguments: [parent, { service: 'BigQuery', what: listWhat(parent) }],
          };
        }
        return withId(item, n);
      }
    }
  }

  /** Fills in table tooltips lazily (rows, size, last modified) when the user hovers. */
  async resolveTreeItem(item: vscode.TreeItem, n: ExplorerNode): Promise<vscode.TreeItem> {
    if (n.kind !== 'table') return item;
    try {
      const meta = await this.model.table(n.table);
      const md = new vscode.MarkdownString();
      md.isTrusted = false;
      md.supportHtml = false;
      md.appendMarkdown('**').appendText(safe`${meta.projectId}.${meta.datasetId}.${meta.tableId}`).appendMarkdown('**\n\n');
      if (meta.description) md.appendText(plain(meta.description)).appendMarkdown('\n\n');
      const rows = meta.numRows !== undefined ? this.fmt.count(Number(meta.numRows)) || '—' : '—';
      md.appendMarkdown(`| | |\n|---|---|\n| ${esc(vscode.l10n.t('Type'))} | ${esc(meta.type ?? 'TABLE')} |\n| ${esc(vscode.l10n.t('Rows'))} | ${esc(rows)} |\n| ${esc(vscode.l10n.t('Size'))} | ${esc(this.fmt.bytes(Number(meta.numBytes ?? 0)))} |\n`);
      if (meta.lastModifiedTime) md.appendMarkdown(`| ${esc(vscode.l10n.t('Last modified'))} | ${esc(this.fmt.dateTime(Number(meta.lastModifiedTime)))} |\n`);
      if (meta.location) md.appendMarkdown(`| ${esc(vscode.l10n.t('Location'))} | ${esc(meta.location)} |\n`);
      item.tooltip = md;
    } catch {
      // Keep the short tooltip; the children show the reason when expanded.
    }
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

/** What a refused listing asked, for Explain Access: one message per kind of node, for translations. */
function listWhat(parent: ExplorerNode | undefined): string {
  if (!parent) return vscode.l10n.t('list this');
  const name = parent.key.replace(/^.*[:/]/, '');
  switch (parent.kind) {
    case 'project':
      return vscode.l10n.t('list what is in project {0}', name);
    case 'dataset':
      return vscode.l10n.t('list what is in dataset {0}', name);
    case 'table':
      return vscode.l10n.t('list what is in table {0}', name);
    default:
      // Not expected: BigQuery is asked to list projects, datasets and tables. The kind as a value.
      return vscode.l10n.t('list what is in {0} {1}', parent.kind, name);
  }
}

function withId(item: vscode.TreeItem, n: ExplorerNode): vscode.TreeItem {
  item.id = n.key;
  return item;
}

function columnIcon(f: TableFieldSchema): string {
  if (f.mode === 'REPEATED') return 'symbol-array';
  switch (f.type) {
    case 'RECORD':
    case 'STRUCT':
      return 'symbol-structure';
    case 'INTEGER':
    case 'INT64':
    case 'FLOAT':
    case 'FLOAT64':
    case 'NUMERIC':
    case 'BIGNUMERIC':
      return 'symbol-number';
    case 'BOOLEAN':
    case 'BOOL':
      return 'symbol-boolean';
    case 'TIMESTAMP':
    case 'DATE':
    case 'DATETIME':
    case 'TIME':
      return 'calendar';
    case 'JSON':
      return 'json';
    default:
      return 'symbol-string';
  }
}

/** Markdown table cells: escape the characters that would end or restyle a cell. */
function esc(s: string): string {
  return s.replace(/[\\|*_`[\]<>]/g, (c) => `\\${c}`);
}
