// What the dbt tree shows, without VS Code: per project, models grouped by folder/package/tag/
// materialization, then sources, seeds, snapshots, exposures, metrics and semantic models,
// analyses and tests; the name filter; the last run's outcome per node (failing rows of a failed
// test); a manifest problem shown above the last good tree; then the dbt Cloud jobs. Element ids
// are stable paths, so a reload keeps what was expanded. The TreeDataProvider maps these to items.
import { lookup } from '../core/lookup';
import { Emitter, type Event } from '../core/event';
import type { DbtCloudJob, DbtCloudRun } from './cloud/dbtCloudClient';
import type { DbtCloudJobsState } from './cloud/dbtCloudJobsModel';
import type { DbtGroupKey, DbtProjectIndex } from './manifest';
import type { DbtNode, DbtResourceType } from './manifestTypes';
import type { DbtProjectState } from './projectsModel';
import type { DbtRunResult, DbtRunStatus } from './runResults';
import { markMessage, t } from '../core/l10n';

export type DbtSection = 'models' | 'sources' | 'seeds' | 'snapshots' | 'exposures' | 'metrics' | 'analyses' | 'tests';

export const DBT_SECTIONS: readonly { section: DbtSection; label: string; types: readonly DbtResourceType[]; icon: string }[] = [
  { section: 'models', label: markMessage('Models'), types: ['model'], icon: 'symbol-class' },
  { section: 'sources', label: markMessage('Sources'), types: ['source'], icon: 'database' },
  { section: 'seeds', label: markMessage('Seeds'), types: ['seed'], icon: 'file-binary' },
  { section: 'snapshots', label: markMessage('Snapshots'), types: ['snapshot'], icon: 'history' },
  { section: 'exposures', label: markMessage('Exposures'), types: ['exposure'], icon: 'dashboard' },
  { section: 'metrics', label: markMessage('Metrics and semantic models'), types: ['metric', 'semantic_model', 'saved_query'], icon: 'graph-line' },
  { section: 'analyses', label: markMessage('Analyses'), types: ['analysis'], icon: 'beaker' },
  { section: 'tests', label: markMessage('Tests'), types: ['test', 'unit_test'], icon: 'beaker' },
];

/** A command as the tree runs it (structurally a vscode.Command). */
export interface DbtTreeCommand {
  command: string;
  title: string;
}

interface Base {
  readonly id: string;
  readonly parent?: DbtTreeElement;
}
export type DbtTreeElement =
  | (Base & { kind: 'project'; projectKey: string })
  | (Base & { kind: 'message'; text: string; severity: 'error' | 'info'; detail?: string; command?: DbtTreeCommand })
  | (Base & { kind: 'section'; projectKey: string; section: DbtSection })
  | (Base & { kind: 'group'; projectKey: string; section: DbtSection; label: string; path: string })
  | (Base & { kind: 'node'; projectKey: string; uniqueId: string })
  | (Base & { kind: 'cloud' })
  | (Base & { kind: 'cloudJob'; jobId: number });

export type DbtCloudAvailability = 'hidden' | 'signIn' | 'token' | 'serviceToken' | 'audience' | 'ready';

/** A theme icon id and an optional theme colour id. */
export interface DbtIcon {
  id: string;
  color?: string;
}

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

export const STATUS_ICONS: Record<DbtRunStatus, DbtIcon | undefined> = {
  success: { id: 'pass', color: 'testing.iconPassed' },
  pass: { id: 'pass', color: 'testing.iconPassed' },
  error: { id: 'error', color: 'testing.iconFailed' },
  fail: { id: 'error', color: 'testing.iconFailed' },
  runtimeError: { id: 'error', color: 'testing.iconFailed' },
  warn: { id: 'warning', color: 'list.warningForeground' },
  skipped: { id: 'circle-slash', color: 'disabledForeground' },
  other: undefined,
};

export const RUN_ICONS: Record<string, DbtIcon> = {
  queued: { id: 'clock' },
  starting: { id: 'loading~spin' },
  running: { id: 'loading~spin' },
  success: { id: 'pass', color: 'testing.iconPassed' },
  error: { id: 'error', color: 'testing.iconFailed' },
  cancelled: { id: 'circle-slash', color: 'disabledForeground' },
  unknown: { id: 'question' },
};

/** What a node row shows, ready to become a TreeItem. */
export interface DbtNodeView {
  node: DbtNode;
  label: string;
  description: string;
  icon: DbtIcon;
  contextValue: string;
  result?: DbtRunResult;
  /** "3 failing rows" for a failed or warning test. */
  failingRows?: string;
}

/** The parts of DbtProjectsModel the tree reads. */
export interface DbtExplorerProjects {
  projects(): readonly DbtProjectState[];
  get(key: string): DbtProjectState | undefined;
  readonly onDidChange: Event<void>;
}

/** The parts of DbtCloudJobsModel the tree reads. */
export interface DbtExplorerCloud {
  readonly state: DbtCloudJobsState;
  job(jobId: number): DbtCloudJob | undefined;
  latestRun(job: DbtCloudJob): DbtCloudRun | undefined;
  readonly onDidChange: Event<void>;
}

export interface DbtExplorerOptions {
  projects: DbtExplorerProjects;
  cloud: DbtExplorerCloud;
  cloudAvailability: () => DbtCloudAvailability;
  grouping: () => DbtGroupKey;
}

export class DbtExplorerModel {
  private readonly changed = new Emitter<void>();
  /** Fires when anything shown may have changed (projects, run results, dbt Cloud, the filter). */
  readonly onDidChange = this.changed.event;
  private filterText = '';
  private readonly subscriptions: { dispose(): unknown }[];

  constructor(private readonly o: DbtExplorerOptions) {
    this.subscriptions = [o.projects.onDidChange(() => this.changed.fire()), o.cloud.onDidChange(() => this.changed.fire())];
  }

  get filter(): string {
    return this.filterText;
  }

  get grouping(): DbtGroupKey {
    return this.o.grouping();
  }

  setFilter(text: string): void {
    this.filterText = text.trim().toLowerCase();
    this.changed.fire();
  }

  /** For changes the model does not see itself (a setting, workspace trust). */
  refresh(): void {
    this.changed.fire();
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }

  project(key: string): DbtProjectState | undefined {
    return this.o.projects.get(key);
  }

  get cloudState(): DbtCloudJobsState {
    return this.o.cloud.state;
  }

  cloudJob(jobId: number): { job: DbtCloudJob; run?: DbtCloudRun } | undefined {
    const job = this.o.cloud.job(jobId);
    return job ? { job, run: this.o.cloud.latestRun(job) } : undefined;
  }

  children(element?: DbtTreeElement): DbtTreeElement[] {
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

  /** Nodes counted under a section (after the filter). */
  sectionCount(projectKey: string, section: DbtSection): number {
    return this.nodesOf(projectKey, section).length;
  }

  /** The tree element of a node (for reveal), in the first group that holds it. */
  elementOf(projectKey: string, uniqueId: string): DbtTreeElement | undefined {
    const p = this.o.projects.get(projectKey);
    const node = p?.index?.getNode(uniqueId);
    if (!p || !node) return undefined;
    const section = DBT_SECTIONS.find((s) => s.types.includes(node.resourceType));
    if (!section) return undefined;
    const projectEl = this.multiProject() ? projectElement(projectKey) : undefined;
    let parent: DbtTreeElement = sectionElement(projectKey, section.section, projectEl);
    for (const [label, path] of this.groupPathOf(node, section.section)) parent = groupElement(parent, projectKey, section.section, label, path);
    return nodeElement(parent, projectKey, node.uniqueId);
  }

  /** Run status of a node in the project's latest run_results.json. */
  runStatus(projectKey: string, uniqueId: string): DbtRunStatus | undefined {
    return this.o.projects.get(projectKey)?.runResults?.results.get(uniqueId)?.status;
  }

  /** What a node row shows; undefined when the node is gone from the manifest. */
  nodeView(el: Extract<DbtTreeElement, { kind: 'node' }>): DbtNodeView | undefined {
    const p = this.o.projects.get(el.projectKey);
    const node = p?.index?.getNode(el.uniqueId);
    if (!p || !node) return undefined;
    const result = p.runResults?.results.get(node.uniqueId);
    // Keys come from the manifest and run results: only the tables' own entries answer.
    const icon = (result && lookup(STATUS_ICONS, result.status)) || { id: (node.resourceType === 'model' && lookup(MATERIALIZATION_ICONS, node.materialization)) || lookup(TYPE_ICONS, node.resourceType) || 'symbol-class' };
    const failures = result && (result.status === 'fail' || result.status === 'warn') && result.failures !== undefined && result.failures > 0 ? result.failures : undefined;
    const failingRows = failures === undefined ? undefined : failures === 1 ? t('{0} failing row', failures) : t('{0} failing rows', failures);
    const parts = [node.resourceType === 'model' ? node.materialization : undefined, node.version !== undefined ? `v${node.version}` : undefined, result?.rawStatus, failingRows, node.disabled ? 'disabled' : undefined];
    return {
      node,
      label: node.name,
      description: parts.filter(Boolean).join(' · '),
      icon,
      contextValue: `dbtNode:${node.resourceType}${node.hasCompiledCode ? ':compiled' : ''}`,
      result,
      failingRows,
    };
  }

  private multiProject(): boolean {
    return this.o.projects.projects().length > 1;
  }

  private roots(): DbtTreeElement[] {
    const projects = this.o.projects.projects();
    const out: DbtTreeElement[] = projects.length === 1 ? this.projectChildren(projects[0].key, undefined) : projects.map((p) => projectElement(p.key));
    if (this.o.cloudAvailability() !== 'hidden') out.push({ kind: 'cloud', id: 'cloud' });
    return out;
  }

  private projectChildren(key: string, parent: DbtTreeElement | undefined): DbtTreeElement[] {
    const p = this.o.projects.get(key);
    if (!p) return [];
    const out: DbtTreeElement[] = [];
    const error = describeError(p);
    if (error) out.push({ kind: 'message', id: `p:${key}|error`, text: error.text, detail: error.detail, severity: 'error', parent, command: { command: 'gatehouse.dbt.refresh', title: t('Reload') } });
    if (!p.index) {
      if (!error) out.push({ kind: 'message', id: `p:${key}|loading`, text: p.loading ? t('Loading the manifest…') : t('No manifest yet.'), severity: 'info', parent });
      return out;
    }
    if (this.filterText) out.push({ kind: 'message', id: `p:${key}|filter`, text: t('Filter: "{0}"', this.filterText), severity: 'info', parent, command: { command: 'gatehouse.dbt.clearFilter', title: t('Clear filter') } });
    for (const s of DBT_SECTIONS) if (this.nodesOf(key, s.section).length > 0) out.push(sectionElement(key, s.section, parent));
    return out;
  }

  private nodesOf(key: string, section: DbtSection): DbtNode[] {
    const index = this.o.projects.get(key)?.index;
    if (!index) return [];
    const types = DBT_SECTIONS.find((s) => s.section === section)!.types;
    const nodes = types.flatMap((t) => index.nodesByType(t));
    return this.filterText ? nodes.filter((n) => n.name.toLowerCase().includes(this.filterText)) : [...nodes];
  }

  /** Group labels and keys from the section down to the node (folders nest; other groupings are one level). */
  private groupPathOf(node: DbtNode, section: DbtSection): [string, string][] {
    if (section === 'sources') return [[node.sourceName ?? t('(no source name)'), node.sourceName ?? '']];
    if (section !== 'models') return [];
    const grouping = this.o.grouping();
    if (grouping === 'folder') {
      const parts = node.folder.split('/').filter(Boolean);
      return parts.map((label, i) => [label, parts.slice(0, i + 1).join('/')]);
    }
    const key = grouping === 'package' ? node.packageName : grouping === 'materialization' ? (node.materialization ?? '') : (node.tags[0] ?? '');
    return [[key || t('(no {0})', grouping), key]];
  }

  private sectionChildren(el: Extract<DbtTreeElement, { kind: 'section' }>): DbtTreeElement[] {
    const nodes = this.nodesOf(el.projectKey, el.section);
    const grouping = this.o.grouping();
    if (el.section === 'models' && grouping !== 'folder') {
      const index = this.o.projects.get(el.projectKey)?.index;
      if (!index) return [];
      const groups = groupModels(index, grouping, this.filterText);
      return [...groups.keys()].sort(compareGroupKeys).map((k) => groupElement(el, el.projectKey, el.section, k || `(no ${grouping})`, k));
    }
    return this.level(el, nodes, '');
  }

  private groupChildren(el: Extract<DbtTreeElement, { kind: 'group' }>): DbtTreeElement[] {
    if (el.section === 'models' && this.o.grouping() !== 'folder') {
      const index = this.o.projects.get(el.projectKey)?.index;
      if (!index) return [];
      const nodes = groupModels(index, this.o.grouping(), this.filterText).get(el.path) ?? [];
      return sortNodes(nodes).map((n) => nodeElement(el, el.projectKey, n.uniqueId));
    }
    if (el.section === 'sources') return sortNodes(this.nodesOf(el.projectKey, 'sources').filter((n) => (n.sourceName ?? '') === el.path)).map((n) => nodeElement(el, el.projectKey, n.uniqueId));
    return this.level(el, this.nodesOf(el.projectKey, el.section), el.path);
  }

  /** Folder level `path` of a section: subfolders first, then the nodes that live directly in it. */
  private level(parent: DbtTreeElement & { projectKey: string; section: DbtSection }, nodes: DbtNode[], path: string): DbtTreeElement[] {
    if (parent.section === 'sources') {
      const names = [...new Set(nodes.map((n) => n.sourceName ?? ''))].sort(compareGroupKeys);
      return names.map((s) => groupElement(parent, parent.projectKey, 'sources', s || '(no source name)', s));
    }
    if (parent.section !== 'models') return sortNodes(nodes).map((n) => nodeElement(parent, parent.projectKey, n.uniqueId));
    const prefix = path ? `${path}/` : '';
    const folders = new Set<string>();
    const here: DbtNode[] = [];
    for (const n of nodes) {
      if (n.folder === path) here.push(n);
      else if (path === '' || n.folder.startsWith(prefix)) folders.add(n.folder.slice(prefix.length).split('/')[0]);
    }
    return [
      ...[...folders].sort(compareGroupKeys).map((f) => groupElement(parent, parent.projectKey, 'models', f, prefix + f)),
      ...sortNodes(here).map((n) => nodeElement(parent, parent.projectKey, n.uniqueId)),
    ];
  }

  private cloudChildren(parent: DbtTreeElement): DbtTreeElement[] {
    const availability = this.o.cloudAvailability();
    if (availability === 'signIn') return [{ kind: 'message', id: 'cloud|signin', text: t('Sign in to see dbt Cloud jobs'), severity: 'info', parent, command: { command: 'gatehouse.auth.signIn', title: t('Sign In') } }];
    if (availability === 'token') return [{ kind: 'message', id: 'cloud|token', text: t('Set a dbt Cloud token…'), severity: 'info', parent, command: { command: 'gatehouse.dbtCloud.setToken', title: t('Set dbt Cloud Token') } }];
    if (availability === 'serviceToken') return [{ kind: 'message', id: 'cloud|serviceToken', text: t('Set a dbt Cloud service token (a shared identity, not you)…'), severity: 'info', parent, command: { command: 'gatehouse.dbtCloud.setToken', title: t('Set dbt Cloud Token') } }];
    if (availability === 'audience') return [{ kind: 'message', id: 'cloud|audience', text: t('Set gatehouse.dbtCloud.audience for the identity-aware proxy'), severity: 'info', parent }];
    const s = this.o.cloud.state;
    if (s.kind === 'failed') return [{ kind: 'message', id: 'cloud|error', text: s.error.message, detail: s.error.userMessage, severity: 'error', parent, command: { command: 'gatehouse.dbtCloud.refresh', title: t('Retry') } }];
    if (s.kind !== 'loaded') return [{ kind: 'message', id: 'cloud|loading', text: t('Loading jobs…'), severity: 'info', parent }];
    if (s.jobs.length === 0) return [{ kind: 'message', id: 'cloud|empty', text: t('No jobs in this account or project.'), severity: 'info', parent }];
    return s.jobs.map((j) => ({ kind: 'cloudJob', id: `cloud|job:${j.id}`, jobId: j.id, parent }));
  }
}

function projectElement(projectKey: string): DbtTreeElement {
  return { kind: 'project', id: `p:${projectKey}`, projectKey };
}

function sectionElement(projectKey: string, section: DbtSection, parent: DbtTreeElement | undefined): DbtTreeElement {
  return { kind: 'section', id: `p:${projectKey}|s:${section}`, projectKey, section, parent };
}

function groupElement(parent: DbtTreeElement, projectKey: string, section: DbtSection, label: string, path: string): DbtTreeElement {
  return { kind: 'group', id: `${parent.id}|g:${label}`, projectKey, section, label, path, parent };
}

function nodeElement(parent: DbtTreeElement, projectKey: string, uniqueId: string): DbtTreeElement {
  return { kind: 'node', id: `${parent.id}|n:${uniqueId}`, projectKey, uniqueId, parent };
}

function describeError(p: DbtProjectState): { text: string; detail: string } | undefined {
  const err = p.error as { message?: string; userMessage?: string } | undefined;
  if (!err) return undefined;
  const text = err.message !== undefined ? t('Manifest problem: {0}', err.message) : t('Manifest problem: it could not be read.');
  const detail = err.userMessage ?? err.message ?? '';
  return { text, detail: p.index ? t('{0} Showing the last good manifest.', detail) : detail };
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
