// The dbt view: maps DbtExplorerModel (src/dbt/explorerModel.ts: sections, grouping, filter, run
// outcomes, dbt Cloud jobs) to TreeItems. Thin: icons, collapsible states and tooltips only.
import * as vscode from 'vscode';
import { Formatter } from '../../core/format';
import { lookup } from '../../core/lookup';
import { plain, plainLines, safe } from '../../core/displayText';
import type { DbtCloudJob, DbtCloudRun } from '../cloud/dbtCloudClient';
import { DBT_SECTIONS, RUN_ICONS, type DbtExplorerModel, type DbtIcon, type DbtTreeElement } from '../explorerModel';
import type { DbtNode } from '../manifestTypes';
import type { DbtRunStatus } from '../runResults';

export type { DbtCloudAvailability, DbtTreeElement } from '../explorerModel';

const themeIcon = (icon: DbtIcon) => new vscode.ThemeIcon(icon.id, icon.color ? new vscode.ThemeColor(icon.color) : undefined);

export class DbtTreeDataProvider implements vscode.TreeDataProvider<DbtTreeElement>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<DbtTreeElement | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: { dispose(): unknown };
  private readonly fmt = new Formatter({ locale: vscode.env.language });

  constructor(readonly model: DbtExplorerModel) {
    this.subscription = model.onDidChange(() => this.changed.fire(undefined));
  }

  get filter(): string {
    return this.model.filter;
  }

  setFilter(text: string): void {
    this.model.setFilter(text);
  }

  refresh(): void {
    this.model.refresh();
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }

  getParent(element: DbtTreeElement): DbtTreeElement | undefined {
    return element.parent;
  }

  getChildren(element?: DbtTreeElement): DbtTreeElement[] {
    return this.model.children(element);
  }

  /** The tree element of a node (for reveal), in the first group that holds it. */
  elementOf(projectKey: string, uniqueId: string): DbtTreeElement | undefined {
    return this.model.elementOf(projectKey, uniqueId);
  }

  /** Run status of a node in the project's latest run_results.json. */
  runStatus(projectKey: string, uniqueId: string): DbtRunStatus | undefined {
    return this.model.runStatus(projectKey, uniqueId);
  }

  getTreeItem(element: DbtTreeElement): vscode.TreeItem {
    switch (element.kind) {
      case 'project': {
        const p = this.model.project(element.projectKey);
        const item = new vscode.TreeItem(plain(p?.name ?? element.projectKey), vscode.TreeItemCollapsibleState.Expanded);
        item.id = element.id;
        item.iconPath = new vscode.ThemeIcon(p?.loading ? 'loading~spin' : 'package');
        item.description = plain(vscode.workspace.asRelativePath(element.projectKey));
        item.contextValue = 'dbtProject';
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(plain(element.text), vscode.TreeItemCollapsibleState.None);
        item.id = element.id;
        item.iconPath = new vscode.ThemeIcon(element.severity === 'error' ? 'warning' : 'info', element.severity === 'error' ? new vscode.ThemeColor('list.warningForeground') : undefined);
        item.tooltip = element.detail ? plainLines(element.detail) : plain(element.text);
        item.command = element.command;
        item.contextValue = `dbtMessage:${element.severity}`;
        return item;
      }
      case 'section': {
        const meta = DBT_SECTIONS.find((s) => s.section === element.section)!;
        const item = new vscode.TreeItem(vscode.l10n.t(meta.label), element.section === 'models' ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
        item.id = element.id;
        item.iconPath = new vscode.ThemeIcon(meta.icon);
        item.description = plain(String(this.model.sectionCount(element.projectKey, element.section)));
        item.contextValue = `dbtSection:${element.section}`;
        return item;
      }
      case 'group': {
        const item = new vscode.TreeItem(plain(element.label), this.model.filter ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
        item.id = element.id;
        item.iconPath = new vscode.ThemeIcon(element.section === 'sources' ? 'database' : this.model.grouping === 'tag' && element.section === 'models' ? 'tag' : 'folder');
        item.contextValue = 'dbtGroup';
        return item;
      }
      case 'node':
        return this.nodeItem(element);
      case 'cloud': {
        const item = new vscode.TreeItem(vscode.l10n.t('dbt Cloud'), vscode.TreeItemCollapsibleState.Expanded);
        item.id = element.id;
        item.iconPath = new vscode.ThemeIcon('cloud');
        item.contextValue = 'dbtCloud';
        const s = this.model.cloudState;
        item.description = s.kind === 'loading' ? vscode.l10n.t('loading…') : s.kind === 'loaded' ? safe`${s.jobs.length} job${s.jobs.length === 1 ? '' : 's'}` : undefined;
        return item;
      }
      case 'cloudJob':
        return this.jobItem(element);
    }
  }

  private nodeItem(el: Extract<DbtTreeElement, { kind: 'node' }>): vscode.TreeItem {
    const view = this.model.nodeView(el);
    const item = new vscode.TreeItem(plain(view?.label ?? el.uniqueId), vscode.TreeItemCollapsibleState.None);
    item.id = el.id;
    if (!view) return item;
    const { node, result } = view;
    item.iconPath = themeIcon(view.icon);
    item.description = plain(view.description);
    item.tooltip = tooltipOf(node, result?.rawStatus, result?.message, view.failingRows);
    item.contextValue = view.contextValue;
    if (node.originalFilePath) item.command = { command: 'gatehouse.dbt.openFile', title: vscode.l10n.t('Open File'), arguments: [el] };
    item.accessibilityInformation = { label: safe`${node.name}, ${node.resourceType}${item.description ? `, ${item.description}` : ''}` };
    return item;
  }

  private jobItem(el: Extract<DbtTreeElement, { kind: 'cloudJob' }>): vscode.TreeItem {
    const found = this.model.cloudJob(el.jobId);
    const item = new vscode.TreeItem(found ? plain(found.job.name) : safe`Job ${el.jobId}`, vscode.TreeItemCollapsibleState.None);
    item.id = el.id;
    if (!found) return item;
    const { job, run } = found;
    item.iconPath = themeIcon(lookup(RUN_ICONS, run?.status) ?? { id: 'circle-outline' });
    item.description = run ? safe`#${run.id} ${run.statusLabel}${run.finishedAt ? ` · ${relativeTime(run.finishedAt, this.fmt)}` : ''}` : vscode.l10n.t('never run');
    item.tooltip = jobTooltip(job, run);
    const running = run && (run.status === 'queued' || run.status === 'starting' || run.status === 'running');
    item.contextValue = `dbtCloudJob${running ? ':running' : ''}${run?.href ? ':hasRun' : ''}`;
    return item;
  }
}

/** Markdown built with appendText for everything from the manifest: descriptions stay text. */
function tooltipOf(node: DbtNode, status?: string, message?: string, failingRows?: string): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, false);
  md.isTrusted = false;
  md.supportHtml = false;
  md.appendMarkdown('**');
  md.appendText(plain(node.name));
  md.appendMarkdown('**');
  md.appendText(safe` (${node.resourceType}${node.materialization ? `, ${node.materialization}` : ''})`);
  if (node.relationName) {
    md.appendMarkdown('\n\n');
    md.appendText(plain(node.relationName));
  }
  if (node.description) {
    md.appendMarkdown('\n\n');
    md.appendText(plainLines(node.description, 600));
  }
  if (status) {
    md.appendMarkdown('\n\n');
    md.appendText(safe`Last run: ${status}${failingRows ? `, ${failingRows}` : ''}${message ? ` (${message.slice(0, 200)})` : ''}`);
  }
  if (node.columns.length) {
    md.appendMarkdown('\n\n---\n\n');
    for (const c of node.columns.slice(0, 30)) {
      md.appendMarkdown('- ');
      md.appendText(safe`${c.name}${c.dataType ? `: ${c.dataType}` : ''}${c.description ? ` (${c.description.slice(0, 120)})` : ''}`);
      md.appendMarkdown('\n');
    }
    if (node.columns.length > 30) md.appendText(safe`and ${node.columns.length - 30} more columns`);
  }
  return md;
}

function jobTooltip(job: DbtCloudJob, run: DbtCloudRun | undefined): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, false);
  md.isTrusted = false;
  md.appendMarkdown('**');
  md.appendText(plain(job.name));
  md.appendMarkdown('**\n\n');
  if (job.description) md.appendText(plain(job.description));
  if (job.executeSteps.length) {
    md.appendMarkdown('\n\n');
    md.appendText(plain(job.executeSteps.join(' ; ')));
  }
  if (run) {
    md.appendMarkdown('\n\n');
    md.appendText(safe`Latest run #${run.id}: ${run.statusLabel}${run.durationHumanized ? ` (${run.durationHumanized})` : ''}${run.statusMessage ? `: ${run.statusMessage}` : ''}`);
  }
  return md;
}

function relativeTime(dbtTime: string, fmt: Formatter): string {
  return fmt.ago(dbtTime.replace(' ', 'T').replace(/(\.\d{3})\d*/, '$1'), Date.now());
}
