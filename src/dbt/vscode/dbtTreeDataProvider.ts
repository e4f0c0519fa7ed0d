// The dbt view: per project, models grouped by folder/package/tag/materialization (a setting),
// sources, seeds, snapshots, exposures, metrics and semantic models, tests; the last run's outcome
// from run_results.json as icons; a manifest error shown above the last good tree; then a
// "dbt Cloud" node with the jobs and their latest run. Thin: it maps models to TreeItems.
import * as vscode from 'vscode';
import { Formatter } from '../../core/format';
import type { DbtCloudJob, DbtCloudRun } from '../cloud/dbtCloudClient';
import type { DbtCloudJobsModel } from '../cloud/dbtCloudJobsModel';
import type { DbtGroupKey, DbtProjectIndex } from '../manifest';
import type { DbtNode, DbtResourceType } from '../manifestTypes';
import type { DbtProjectState, DbtProjectsModel } from '../projectsModel';
import type { DbtRunStatus } from '../runResults';
import { lookup } from '../../core/lookup';
import { plain, plainLines, safe } from '../../core/displayText';

type Section = 'models' | 'sources' | 'seeds' | 'snapshots' | 'exposures' | 'metrics' | 'analyses' | 'tests';

const SECTIONS: readonly { section: Section; label: string; types: readonly DbtResourceType[]; icon: string }[] = [
  { section: 'models', label: 'Models', types: ['model'], icon: 'symbol-class' },
  { section: 'sources', label: 'Sources', types: ['source'], icon: 'database' },
  { section: 'seeds', label: 'Seeds', types: ['seed'], icon: 'file-binary' },
  { section: 'snapshots', label: 'Snapshots', types: ['snapshot'], icon: 'history' },
  { section: 'exposures', label: 'Exposures', types: ['exposure'], icon: 'dashboard' },
  { section: 'metrics', label: 'Metrics and semantic models', types: ['metric', 'semantic_model', 'saved_query'], icon: 'graph-line' },
  { section: 'analyses', label: 'Analyses', types: ['analysis'], icon: 'beaker' },
  { section: 'tests', label: 'Tests', types: ['test', 'unit_test'], icon: 'beaker' },
];

interface Base {
  readonly id: string;
  readonly parent?: DbtTreeElement;
}
export type DbtTreeElement =
  | (Base & { kind: 'project'; projectKey: string })
  | (Base & { kind: 'message'; text: string; severity: 'error' | 'info'; detail?: string; command?: vscode.Command })
  | (Base & { kind: 'section'; projectKey: string; section: Section })
  | (Base & { kind: 'group'; projectKey: string; section: Section; label: string; path: string })
  | (Base & { kind: 'node'; projectKey: string; uniqueId: string })
  | (Base & { kind: 'cloud' })
  | (Base & { kind: 'cloudJob'; jobId: number });

export type DbtCloudAvailability = 'hidden' | 'signIn' | 'token' | 'ready';

const MATERIALIZATION_ICONS: Record<string, string> = {
  table: 'table',
  view: 'eye',
  incremental: 'diff-added',
  ephemeral: 'symbol-constant',
  materialized_view: 'layers',
  dynamic_table: 'layers',
  snapshot: 'history',
  seed: 'file-binary',
};

const TYPE_ICONS: Partial<Record<DbtResourceType, string>> = {
  source: 'database',
  seed: 'file-binary',
  snapshot: 'history',
  exposure: 'dashboard',
  metric: 'graph-line',
  semantic_model: 'symbol-interface',
  saved_query: 'symbol-event',
  test: 'beaker',
  unit_test: 'beaker',
  analysis: 'notebook',
};

const STATUS_ICONS: Record<DbtRunStatus, [string, string] | undefined> = {
  success: ['pass', 'testing.iconPassed'],
  pass: ['pass', 'testing.iconPassed'],
  error: ['error', 'testing.iconFailed'],
  fail: ['error', 'testing.iconFailed'],
  runtimeError: ['error', 'testing.iconFailed'],
  warn: ['warning', 'list.warningForeground'],
  skipped: ['circle-slash', 'disabledForeground'],
  other: undefined,
};

const RUN_ICONS: Record<string, [string, string?]> = {
  queued: ['clock'],
  starting: ['loading~spin'],
  running: ['loading~spin'],
  success: ['pass', 'testing.iconPassed'],
  error: ['error', 'testing.iconFailed'],
  cancelled: ['circle-slash', 'disabledForeground'],
  unknown: ['question'],
};

export interface DbtTreeOptions {
  projects: DbtProjectsModel;
  cloud: DbtCloudJobsModel;
  cloudAvailability: () => DbtCloudAvailability;
  grouping: () => DbtGroupKey;
}

export class DbtTreeDataProvider implements vscode.TreeDataProvider<DbtTreeElement>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<DbtTreeElement | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private filterText = '';
  private readonly subscriptions: { dispose(): unknown }[];
  private readonly fmt = new Formatter({ locale: vscode.env.language });

  constructor(private readonly o: DbtTreeOptions) {
    this.subscriptions = [o.projects.onDidChange(() => this.refresh()), o.cloud.onDidChange(() => this.refresh())];
  }

  get filter(): string {
    return this.filterText;
  }

  setFilter(text: string): void {
    this.filterText = text.trim().toLowerCase();
    this.refresh();
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }

  getParent(element: DbtTreeElement): DbtTreeElement | undefined {
    return element.parent;
  }

  getChildren(element?: DbtTreeElement): DbtTreeElement[] {
    if (!element) return this.roots();
    switch (element.kind) {
      case 'project':
        return this.projectChildren(element.projectKey, element);
      case 'section':
        return this.sectionChildren(element);
      case 'group':
        return this.groupChildren(element);
      case 'cloud':
        return this.cloudChildren(element);
      default:
        return [];
    }
  }

  getTreeItem(element: DbtTreeElement): vscode.TreeItem {
    switch (element.kind) {
      case 'project': {
        const p = this.o.projects.get(element.projectKey);
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
        item.tooltip = plainLines(element.detail ?? element.text);
        item.command = element.command;
        item.contextValue = `dbtMessage:${element.severity}`;
        return item;
      }
      case 'section': {
        const meta = SECTIONS.find((s) => s.section === element.section)!;
        const count = this.nodesOf(element.projectKey, element.section).length;
        const item = new vscode.TreeItem(plain(meta.label), element.section === 'models' ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
        item.id = element.id;
        item.iconPath = new vscode.ThemeIcon(meta.icon);
        item.description = plain(String(count));
        item.contextValue = `dbtSection:${element.section}`;
        return item;
      }
      case 'group': {
        const item = new vscode.TreeItem(plain(element.label), vscode.TreeItemCollapsibleState.Collapsed);
        item.id = element.id;
        item.iconPath = new vscode.ThemeIcon(element.section === 'sources' ? 'database' : this.o.grouping() === 'tag' && element.section === 'models' ? 'tag' : 'folder');
        item.contextValue = 'dbtGroup';
        if (this.filterText) item.collapsibleState = vscode.TreeItemCollapsibleState.Expanded;
        return item;
      }
      case 'node':
        return this.nodeItem(element);
      case 'cloud': {
        const item = new vscode.TreeItem('dbt Cloud', vscode.TreeItemCollapsibleState.Expanded);
        item.id = element.id;
        item.iconPath = new vscode.ThemeIcon('cloud');
        item.contextValue = 'dbtCloud';
        const s = this.o.cloud.state;
        item.description = s.kind === 'loading' ? 'loading…' : s.kind === 'loaded' ? safe`${s.jobs.length} job${s.jobs.length === 1 ? '' : 's'}` : undefined;
        return item;
      }
      case 'cloudJob':
        return this.jobItem(element);
    }
  }

  /** The tree element of a node (for reveal), in the first group that holds it. */
  elementOf(projectKey: string, uniqueId: string): DbtTreeElement | undefined {
    const p = this.o.projects.get(projectKey);
    const node = p?.index?.getNode(uniqueId);
    if (!p || !node) return undefined;
    const section = SECTIONS.find((s) => s.types.includes(node.resourceType));
    if (!section) return undefined;
    const projectEl = this.multiProject() ? this.projectElement(projectKey) : undefined;
    let parent: DbtTreeElement = this.sectionElement(projectKey, section.section, projectEl);
    for (const [label, path] of this.groupPathOf(node, section.section)) parent = this.groupElement(parent, projectKey, section.section, label, path);
    return this.nodeElement(parent, projectKey, node.uniqueId);
  }

  /** Run status of a node in the project's latest run_results.json. */
  runStatus(projectKey: string, uniqueId: string): DbtRunStatus | undefined {
    return this.o.projects.get(projectKey)?.runResults?.results.get(uniqueId)?.status;
  }

  private multiProject(): boolean {
    return this.o.projects.projects().length > 1;
  }

  private roots(): DbtTreeElement[] {
    const projects = this.o.projects.projects();
    const out: DbtTreeElement[] = projects.length === 1 ? this.projectChildren(projects[0].key, undefined) : projects.map((p) => this.projectElement(p.key));
    if (this.o.cloudAvailability() !== 'hidden') out.push({ kind: 'cloud', id: 'cloud' });
    return out;
  }

  private projectElement(projectKey: string): DbtTreeElement {
    return { kind: 'project', id: `p:${projectKey}`, projectKey };
  }

  private sectionElement(projectKey: string, section: Section, parent: DbtTreeElement | undefined): DbtTreeElement {
    return { kind: 'section', id: `p:${projectKey}|s:${section}`, projectKey, section, parent };
  }

  private groupElement(parent: DbtTreeElement, projectKey: string, section: Section, label: string, path: string): DbtTreeElement {
    return { kind: 'group', id: `${parent.id}|g:${label}`, projectKey, section, label, path, parent };
  }

  private nodeElement(parent: DbtTreeElement, projectKey: string, uniqueId: string): DbtTreeElement {
    return { kind: 'node', id: `${parent.id}|n:${uniqueId}`, projectKey, uniqueId, parent };
  }

  private projectChildren(key: string, parent: DbtTreeElement | undefined): DbtTreeElement[] {
    const p = this.o.projects.get(key);
    if (!p) return [];
    const out: DbtTreeElement[] = [];
    const error = describeError(p);
    if (error) out.push({ kind: 'message', id: `p:${key}|error`, text: error.text, detail: plainLines(error.detail), severity: 'error', parent, command: { command: 'gatehouse.dbt.refresh', title: 'Reload' } });
    if (!p.index) {
      if (!error) out.push({ kind: 'message', id: `p:${key}|loading`, text: p.loading ? 'Loading the manifest…' : 'No manifest yet.', severity: 'info', parent });
      return out;
    }
    if (this.filterText) out.push({ kind: 'message', id: `p:${key}|filter`, text: `Filter: "${this.filterText}"`, severity: 'info', parent, command: { command: 'gatehouse.dbt.clearFilter', title: 'Clear filter' } });
    for (const s of SECTIONS) if (this.nodesOf(key, s.section).length > 0) out.push(this.sectionElement(key, s.section, parent));
    return out;
  }

  private nodesOf(key: string, section: Section): DbtNode[] {
    const index = this.o.projects.get(key)?.index;
    if (!index) return [];
    const types = SECTIONS.find((s) => s.section === section)!.types;
    const nodes = types.flatMap((t) => index.nodesByType(t));
    return this.filterText ? nodes.filter((n) => n.name.toLowerCase().includes(this.filterText)) : [...nodes];
  }

  /** Group labels and keys from the section down to the node (folders nest; other groupings are one level). */
  private groupPathOf(node: DbtNode, section: Section): [string, string][] {
    if (section === 'sources') return [[node.sourceName ?? '(no source name)', node.sourceName ?? '']];
    if (section === 'tests' || section === 'seeds' || section === 'snapshots' || section === 'analyses') return [];
    if (section !== 'models') return [];
    const grouping = this.o.grouping();
    if (grouping === 'folder') {
      const parts = node.folder.split('/').filter(Boolean);
      return parts.map((label, i) => [label, parts.slice(0, i + 1).join('/')]);
    }
    const key = grouping === 'package' ? node.packageName : grouping === 'materialization' ? (node.materialization ?? '') : (node.tags[0] ?? '');
    return [[key || `(no ${grouping})`, key]];
  }

  private sectionChildren(el: Extract<DbtTreeElement, { kind: 'section' }>): DbtTreeElement[] {
    const nodes = this.nodesOf(el.projectKey, el.section);
    if (el.section === 'models' && this.o.grouping() !== 'folder') {
      const index = this.o.projects.get(el.projectKey)!.index!;
      const groups = groupModels(index, this.o.grouping(), this.filterText);
      return [...groups.keys()].sort(compareGroupKeys).map((k) => this.groupElement(el, el.projectKey, el.section, k || `(no ${this.o.grouping()})`, k));
    }
    return this.level(el, nodes, '');
  }

  private groupChildren(el: Extract<DbtTreeElement, { kind: 'group' }>): DbtTreeElement[] {
    if (el.section === 'models' && this.o.grouping() !== 'folder') {
      const index = this.o.projects.get(el.projectKey)?.index;
      if (!index) return [];
      const nodes = groupModels(index, this.o.grouping(), this.filterText).get(el.path) ?? [];
      return sortNodes(nodes).map((n) => this.nodeElement(el, el.projectKey, n.uniqueId));
    }
    if (el.section === 'sources') return sortNodes(this.nodesOf(el.projectKey, 'sources').filter((n) => (n.sourceName ?? '') === el.path)).map((n) => this.nodeElement(el, el.projectKey, n.uniqueId));
    return this.level(el, this.nodesOf(el.projectKey, el.section), el.path);
  }

  /** Folder level `path` of a section: subfolders first, then the nodes that live directly in it. */
  private level(parent: DbtTreeElement & { projectKey: string; section: Section }, nodes: DbtNode[], path: string): DbtTreeElement[] {
    if (parent.section === 'sources') {
      const names = [...new Set(nodes.map((n) => n.sourceName ?? ''))].sort(compareGroupKeys);
      return names.map((s) => this.groupElement(parent, parent.projectKey, 'sources', s || '(no source name)', s));
    }
    if (parent.section !== 'models') return sortNodes(nodes).map((n) => this.nodeElement(parent, parent.projectKey, n.uniqueId));
    const prefix = path ? `${path}/` : '';
    const folders = new Set<string>();
    const here: DbtNode[] = [];
    for (const n of nodes) {
      if (n.folder === path) here.push(n);
      else if (path === '' || n.folder.startsWith(prefix)) {
        const rest = n.folder.slice(prefix.length);
        folders.add(rest.split('/')[0]);
      }
    }
    return [
      ...[...folders].sort(compareGroupKeys).map((f) => this.groupElement(parent, parent.projectKey, 'models', f, prefix + f)),
      ...sortNodes(here).map((n) => this.nodeElement(parent, parent.projectKey, n.uniqueId)),
    ];
  }

  private nodeItem(el: Extract<DbtTreeElement, { kind: 'node' }>): vscode.TreeItem {
    const p = this.o.projects.get(el.projectKey);
    const node = p?.index?.getNode(el.uniqueId);
    const item = new vscode.TreeItem(plain(node?.name ?? el.uniqueId), vscode.TreeItemCollapsibleState.None);
    item.id = el.id;
    if (!p || !node) return item;
    const result = p.runResults?.results.get(node.uniqueId);
    const statusIcon = result ? lookup(STATUS_ICONS, result.status) : undefined;
    item.iconPath = statusIcon
      ? new vscode.ThemeIcon(statusIcon[0], new vscode.ThemeColor(statusIcon[1]))
      : new vscode.ThemeIcon((node.resourceType === 'model' && lookup(MATERIALIZATION_ICONS, node.materialization)) || lookup(TYPE_ICONS, node.resourceType) || 'symbol-class');
    const parts = [node.resourceType === 'model' ? node.materialization : undefined, node.version !== undefined ? `v${node.version}` : undefined, result ? result.rawStatus : undefined, node.disabled ? 'disabled' : undefined];
    item.description = plain(parts.filter(Boolean).join(' · '));
    item.tooltip = tooltipOf(node, result?.rawStatus, result?.message);
    item.contextValue = `dbtNode:${node.resourceType}${node.hasCompiledCode ? ':compiled' : ''}`;
    if (node.originalFilePath) item.command = { command: 'gatehouse.dbt.openFile', title: 'Open File', arguments: [el] };
    item.accessibilityInformation = { label: safe`${node.name}, ${node.resourceType}${item.description ? `, ${item.description}` : ''}` };
    return item;
  }

  private cloudChildren(parent: DbtTreeElement): DbtTreeElement[] {
    const availability = this.o.cloudAvailability();
    if (availability === 'signIn') return [{ kind: 'message', id: 'cloud|signin', text: 'Sign in to see dbt Cloud jobs', severity: 'info', parent, command: { command: 'gatehouse.auth.signIn', title: 'Sign In' } }];
    if (availability === 'token') return [{ kind: 'message', id: 'cloud|token', text: 'Set a dbt Cloud token…', severity: 'info', parent, command: { command: 'gatehouse.dbtCloud.setToken', title: 'Set dbt Cloud Token' } }];
    const s = this.o.cloud.state;
    if (s.kind === 'failed') return [{ kind: 'message', id: 'cloud|error', text: s.error.message, detail: plainLines(s.error.userMessage), severity: 'error', parent, command: { command: 'gatehouse.dbtCloud.refresh', title: 'Retry' } }];
    if (s.kind !== 'loaded') return [{ kind: 'message', id: 'cloud|loading', text: 'Loading jobs…', severity: 'info', parent }];
    if (s.jobs.length === 0) return [{ kind: 'message', id: 'cloud|empty', text: 'No jobs in this account or project.', severity: 'info', parent }];
    return s.jobs.map((j) => ({ kind: 'cloudJob', id: `cloud|job:${j.id}`, jobId: j.id, parent }));
  }

  private jobItem(el: Extract<DbtTreeElement, { kind: 'cloudJob' }>): vscode.TreeItem {
    const job = this.o.cloud.job(el.jobId);
    const item = new vscode.TreeItem(job ? plain(job.name) : safe`Job ${el.jobId}`, vscode.TreeItemCollapsibleState.None);
    item.id = el.id;
    if (!job) return item;
    const run = this.o.cloud.latestRun(job);
    const [icon, colour] = lookup(RUN_ICONS, run?.status) ?? ['circle-outline'];
    item.iconPath = new vscode.ThemeIcon(icon, colour ? new vscode.ThemeColor(colour) : undefined);
    item.description = run ? safe`#${run.id} ${run.statusLabel}${run.finishedAt ? ` · ${relativeTime(run.finishedAt, this.fmt)}` : ''}` : 'never run';
    item.tooltip = jobTooltip(job, run);
    const running = run && (run.status === 'queued' || run.status === 'starting' || run.status === 'running');
    item.contextValue = `dbtCloudJob${running ? ':running' : ''}${run?.href ? ':hasRun' : ''}`;
    return item;
  }
}

function describeError(p: DbtProjectState): { text: string; detail: string } | undefined {
  const err = p.error as { message?: string; userMessage?: string } | undefined;
  if (!err) return undefined;
  const kept = p.index ? ' Showing the last good manifest.' : '';
  return { text: `Manifest problem: ${err.message ?? 'it could not be read.'}`, detail: safe`${err.userMessage ?? err.message ?? ''}${kept}` };
}

function groupModels(index: DbtProjectIndex, key: DbtGroupKey, filter: string): Map<string, DbtNode[]> {
  const groups = index.groupBy(key);
  if (!filter) return groups;
  const out = new Map<string, DbtNode[]>();
  for (const [k, nodes] of groups) {
    const kept = nodes.filter((n) => n.name.toLowerCase().includes(filter));
    if (kept.length) out.set(k, kept);
  }
  return out;
}

function compareGroupKeys(a: string, b: string): number {
  // "(none)" groups last.
  return (a === '' ? 1 : 0) - (b === '' ? 1 : 0) || a.localeCompare(b);
}

function sortNodes(nodes: DbtNode[]): DbtNode[] {
  return [...nodes].sort((a, b) => a.name.localeCompare(b.name) || a.uniqueId.localeCompare(b.uniqueId));
}

/** Markdown built with appendText for everything from the manifest: descriptions stay text. */
function tooltipOf(node: DbtNode, status?: string, message?: string): vscode.MarkdownString {
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
    md.appendText(safe`Last run: ${status}${message ? ` (${message.slice(0, 200)})` : ''}`);
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
