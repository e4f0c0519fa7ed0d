// Airbyte tree: workspaces, connections with a status icon (last job succeeded, failed, running,
// disabled), last sync time and duration, schedule; recent jobs with status, rows and bytes.
// Loading and "no access" answers live in AirbyteExplorerModel; this maps nodes to TreeItems.
import * as vscode from 'vscode';
import type { AirbyteExplorerModel, AirbyteNode, ConnectionNode, JobNode } from '../explorerModel';
import { describeSchedule, formatAgo, formatBytes, formatCount, formatDuration, jobEndTime, parseIsoDuration, type ConnectionHealth } from '../present';
import type { JobStatus } from '../types';
import { lookup } from '../../core/lookup';
import { plain, plainLines, safe } from '../../core/displayText';

const HEALTH_ICON: Record<ConnectionHealth, [string, string | undefined]> = {
  succeeded: ['pass', 'testing.iconPassed'],
  failed: ['error', 'testing.iconFailed'],
  running: ['sync~spin', undefined],
  disabled: ['circle-slash', 'disabledForeground'],
  cancelled: ['debug-stop', 'testing.iconSkipped'],
  never: ['circle-outline', undefined],
};

const JOB_ICON: Record<JobStatus, [string, string | undefined]> = {
  succeeded: ['pass', 'testing.iconPassed'],
  failed: ['error', 'testing.iconFailed'],
  cancelled: ['debug-stop', 'testing.iconSkipped'],
  running: ['sync~spin', undefined],
  pending: ['clock', undefined],
  incomplete: ['warning', 'testing.iconQueued'],
};

const HEALTH_WORD: Record<ConnectionHealth, string> = {
  succeeded: 'succeeded',
  failed: 'failed',
  running: 'running',
  disabled: 'disabled',
  cancelled: 'cancelled',
  never: 'never synced',
};

export class AirbyteTreeDataProvider implements vscode.TreeDataProvider<AirbyteNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<AirbyteNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly nodes = new Map<string, AirbyteNode>();
  private readonly subscription: { dispose(): unknown };

  constructor(
    private readonly model: AirbyteExplorerModel,
    /** False while the view should show its welcome content (signed out, not configured). */
    private readonly ready: () => boolean,
    private readonly now: () => number = Date.now,
  ) {
    this.subscription = model.onDidChange((key) => this.changed.fire(key ? this.nodes.get(key) : undefined));
  }

  /** Everything again (settings, session or roles changed). */
  refresh(): void {
    this.changed.fire(undefined);
  }

  async getChildren(element?: AirbyteNode): Promise<AirbyteNode[]> {
    if (!element) {
      this.nodes.clear();
      if (!this.ready()) return [];
    }
    const children = await this.model.children(element);
    for (const c of children) this.nodes.set(c.key, c);
    return children;
  }

  getTreeItem(n: AirbyteNode): vscode.TreeItem {
    switch (n.kind) {
      case 'workspace': {
        const item = new vscode.TreeItem(plain(n.workspace.name), vscode.TreeItemCollapsibleState.Expanded);
        item.iconPath = new vscode.ThemeIcon('organization');
        item.contextValue = 'airbyteWorkspace';
        item.tooltip = safe`Airbyte workspace ${n.workspace.name}${n.workspace.dataResidency ? ` (data residency: ${n.workspace.dataResidency})` : ''}`;
        return withId(item, n.key);
      }
      case 'connection':
        return this.connectionItem(n);
      case 'job':
        return this.jobItem(n);
      case 'message': {
        const item = new vscode.TreeItem(plain(n.text), vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon(n.severity === 'error' ? 'warning' : 'info');
        item.tooltip = n.detail ? safe`${n.text}\n${n.detail}` : plain(n.text);
        item.description = plain(n.detail);
        item.contextValue = 'airbyteMessage';
        return withId(item, n.key);
      }
    }
  }

  private connectionItem(n: ConnectionNode): vscode.TreeItem {
    const item = new vscode.TreeItem(plain(n.connection.name), vscode.TreeItemCollapsibleState.Collapsed);
    const [icon, color] = lookup(HEALTH_ICON, n.health) ?? HEALTH_ICON.never;
    item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    const last = n.jobs[0];
    const schedule = describeSchedule(n.connection.schedule);
    const parts = [lookup(HEALTH_WORD, n.health) ?? ''];
    if (last) {
      parts.push(n.health === 'running' ? `started ${formatAgo(last.startTime, this.now())}` : formatAgo(jobEndTime(last), this.now()));
      if (n.health !== 'running') parts.push(formatDuration(parseIsoDuration(last.duration)));
    }
    parts.push(schedule);
    item.description = plain(parts.filter(Boolean).join(' · '));
    const md = new vscode.MarkdownString(undefined, false);
    md.isTrusted = false;
    md.supportHtml = false;
    md.appendMarkdown('**').appendText(plain(n.connection.name)).appendMarkdown('**\n\n');
    md.appendText(safe`From ${n.sourceName ?? n.connection.sourceId} to ${n.destinationName ?? n.connection.destinationId}`).appendMarkdown('\n\n');
    md.appendText(safe`Status: ${n.connection.status} · last job: ${last ? `${last.status} (#${last.jobId})` : 'none'}`).appendMarkdown('\n\n');
    if (last) {
      md.appendText(safe`Last sync: ${new Date(Date.parse(last.startTime)).toLocaleString()} · ${formatDuration(parseIsoDuration(last.duration))} · ${formatCount(last.rowsSynced)} rows · ${formatBytes(last.bytesSynced)}`);
      md.appendMarkdown('\n\n');
    }
    md.appendText(safe`Schedule: ${schedule}`);
    if (n.jobsError) md.appendMarkdown('\n\n').appendText(safe`Jobs could not be read: ${n.jobsError.message}`);
    item.tooltip = md;
    item.contextValue = `airbyteConnection.${n.connection.status === 'active' ? 'active' : 'disabled'}${n.health === 'running' ? '.running' : ''}`;
    return withId(item, n.key);
  }

  private jobItem(n: JobNode): vscode.TreeItem {
    const job = n.job;
    const item = new vscode.TreeItem(safe`${job.jobType} #${job.jobId}`, vscode.TreeItemCollapsibleState.None);
    const [icon, color] = lookup(JOB_ICON, job.status) ?? ['circle-outline', undefined];
    item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    const running = !['succeeded', 'failed', 'cancelled'].includes(job.status);
    const rows = job.rowsSynced !== undefined ? `${formatCount(job.rowsSynced)} rows` : '';
    item.description = plain([job.status, rows, formatBytes(job.bytesSynced), running ? `started ${formatAgo(job.startTime, this.now())}` : formatAgo(jobEndTime(job), this.now())]
      .filter(Boolean)
      .join(' · '));
    item.tooltip = plainLines([
      `${job.jobType} job ${job.jobId}: ${job.status}`,
      `Started ${new Date(Date.parse(job.startTime)).toLocaleString()}`,
      job.duration ? `Duration ${formatDuration(parseIsoDuration(job.duration))}` : '',
      `${formatCount(job.rowsSynced ?? 0)} rows, ${formatBytes(job.bytesSynced ?? 0)}`,
    ]
      .filter(Boolean)
      .join('\n'));
    item.contextValue = running ? 'airbyteJob.running' : 'airbyteJob.done';
    return withId(item, n.key);
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

function withId(item: vscode.TreeItem, id: string): vscode.TreeItem {
  item.id = id;
  return item;
}
