// Airbyte tree: workspaces, connections with a status icon (last job succeeded, failed, running,
// disabled), last sync time and duration, schedule; recent jobs with status, rows and bytes.
// Loading and "no access" answers live in AirbyteExplorerModel; this maps nodes to TreeItems.
import * as vscode from 'vscode';
import { messageTreeItem } from '../../vscode/explorerTree';
import type { AirbyteExplorerModel, AirbyteNode, ConnectionNode, JobNode } from '../explorerModel';
import { Formatter } from '../../core/format';
import { describeSchedule, jobEndTime, parseIsoDuration, type ConnectionHealth } from '../present';
import type { JobStatus } from '../types';
import { lookup } from '../../core/lookup';
import { plain, plainLines, safe } from '../../core/displayText';
import { l10nTable, translatedEntry } from '../../core/l10n';

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

const HEALTH_WORD: Record<ConnectionHealth, string> = l10nTable({
  succeeded: 'succeeded',
  failed: 'failed',
  running: 'running',
  disabled: 'disabled',
  cancelled: 'cancelled',
  never: 'never synced',
});

export class AirbyteTreeDataProvider implements vscode.TreeDataProvider<AirbyteNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<AirbyteNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly nodes = new Map<string, AirbyteNode>();
  private readonly subscription: { dispose(): unknown };
  private readonly fmt = new Formatter({ locale: vscode.env.language });

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
        item.tooltip = n.workspace.dataResidency ? safe`Airbyte workspace ${n.workspace.name} (data residency: ${n.workspace.dataResidency})` : safe`Airbyte workspace ${n.workspace.name}`;
        return withId(item, n.key);
      }
      case 'connection':
        return this.connectionItem(n);
      case 'job':
        return this.jobItem(n);
      case 'message':
        return withId(messageTreeItem(n, 'airbyteMessage'), n.key);
    }
  }

  private connectionItem(n: ConnectionNode): vscode.TreeItem {
    const item = new vscode.TreeItem(plain(n.connection.name), vscode.TreeItemCollapsibleState.Collapsed);
    const [icon, color] = lookup(HEALTH_ICON, n.health) ?? HEALTH_ICON.never;
    item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    const last = n.jobs[0];
    const schedule = describeSchedule(n.connection.schedule);
    const origin = n.health === 'failed' && n.failure ? /^(\w+)[ :]/.exec(n.failure)?.[1] : undefined;
    // (origin is set only for a failed connection)
    const parts = [origin ? vscode.l10n.t('failed in {0}', origin) : (translatedEntry(HEALTH_WORD, n.health) ?? '')];
    if (last) {
      parts.push(n.health === 'running' ? vscode.l10n.t('started {0}', this.fmt.ago(last.startTime, this.now())) : this.fmt.ago(jobEndTime(last), this.now()));
      if (n.health !== 'running') parts.push(this.fmt.duration(parseIsoDuration(last.duration)));
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
      md.appendText(safe`Last sync: ${this.fmt.dateTime(last.startTime)} · ${this.fmt.duration(parseIsoDuration(last.duration))} · ${this.fmt.count(last.rowsSynced)} rows · ${this.fmt.bytes(last.bytesSynced)}`);
      md.appendMarkdown('\n\n');
    }
    if (n.health === 'failed' && n.failure) md.appendText(safe`Why it failed: ${n.failure}`).appendMarkdown('\n\n');
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
    const rows = job.rowsSynced !== undefined ? vscode.l10n.t('{0} rows', this.fmt.count(job.rowsSynced)) : '';
    item.description = plain([job.status, rows, this.fmt.bytes(job.bytesSynced), running ? vscode.l10n.t('started {0}', this.fmt.ago(job.startTime, this.now())) : this.fmt.ago(jobEndTime(job), this.now())]
      .filter(Boolean)
      .join(' · '));
    item.tooltip = plainLines([
      vscode.l10n.t('{0} job {1}: {2}', job.jobType, job.jobId, job.status),
      vscode.l10n.t('Started {0}', this.fmt.dateTime(job.startTime)),
      job.duration ? vscode.l10n.t('Duration {0}', this.fmt.duration(parseIsoDuration(job.duration))) : '',
      vscode.l10n.t('{0} rows, {1}', this.fmt.count(job.rowsSynced ?? 0), this.fmt.bytes(job.bytesSynced ?? 0)),
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
