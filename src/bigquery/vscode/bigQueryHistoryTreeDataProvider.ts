// BigQuery history: queries run from Gatehouse on this machine (any outcome, re-runnable) and the
// signed-in user's recent jobs as BigQuery lists them (jobs.list, own jobs only).
import * as vscode from 'vscode';
import type { BigQueryClient } from '../client';
import { BigQueryError } from '../errors';
import type { HistoryEntry, QueryHistory } from '../queryHistory';
import { Formatter } from '../../core/format';
import type { JobSummary } from '../types';
import { plain, safe } from '../../core/displayText';

export type HistoryNode =
  | { kind: 'group'; group: 'local' | 'jobs' }
  | { kind: 'local'; entry: HistoryEntry }
  | { kind: 'job'; job: JobSummary }
  | { kind: 'message'; text: string; error?: boolean };

const JOBS_SHOWN = 30;

export class BigQueryHistoryTreeDataProvider implements vscode.TreeDataProvider<HistoryNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<HistoryNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private jobs: Promise<HistoryNode[]> | undefined;
  private readonly subscription: { dispose(): unknown };
  private readonly fmt = new Formatter({ locale: vscode.env.language });

  constructor(
    private readonly history: QueryHistory,
    private readonly client: () => BigQueryClient | undefined,
  ) {
    this.subscription = history.onDidChange(() => this.refresh());
  }

  /** Forgets the listed jobs, so the next expand asks BigQuery again. */
  refresh(): void {
    this.jobs = undefined;
    this.changed.fire(undefined);
  }

  getChildren(node?: HistoryNode): HistoryNode[] | Promise<HistoryNode[]> {
    if (!node) return [{ kind: 'group', group: 'local' }, { kind: 'group', group: 'jobs' }];
    if (node.kind !== 'group') return [];
    if (node.group === 'local') {
      const entries = this.history.entries();
      return entries.length ? entries.map((entry) => ({ kind: 'local', entry })) : [{ kind: 'message', text: vscode.l10n.t('Queries you run appear here.') }];
    }
    this.jobs ??= this.loadJobs();
    return this.jobs;
  }

  getTreeItem(node: HistoryNode): vscode.TreeItem {
    switch (node.kind) {
      case 'group': {
        const item = new vscode.TreeItem(node.group === 'local' ? vscode.l10n.t('Run from Gatehouse') : vscode.l10n.t('My recent BigQuery jobs'), vscode.TreeItemCollapsibleState.Expanded);
        item.id = `group:${node.group}`;
        item.contextValue = `bigquery.history.group.${node.group}`;
        return item;
      }
      case 'local': {
        const e = node.entry;
        const item = new vscode.TreeItem(plain(firstLine(e.sql)), vscode.TreeItemCollapsibleState.None);
        item.id = `local:${e.at}:${e.job?.jobId ?? ''}`;
        item.description = plain([timeAgo(e.at, this.fmt), e.status === 'succeeded' ? (e.bytesProcessed !== undefined ? this.fmt.bytes(e.bytesProcessed) : undefined) : e.status].filter(Boolean).join(' · '));
        item.iconPath = statusIcon(e.status === 'succeeded' ? 'ok' : e.status === 'failed' ? 'error' : 'stopped');
        item.tooltip = sqlTooltip(e.sql, e.job?.jobId);
        item.contextValue = e.job ? 'bigquery.history.local.job' : 'bigquery.history.local';
        item.command = { command: 'gatehouse.bigquery.history.open', title: vscode.l10n.t('Open SQL'), arguments: [node] };
        return item;
      }
      case 'job': {
        const j = node.job;
        const item = new vscode.TreeItem(plain(firstLine(j.query ?? j.ref.jobId)), vscode.TreeItemCollapsibleState.None);
        item.id = `job:${j.ref.projectId}:${j.ref.jobId}`;
        const created = Number(j.statistics.creationTime);
        const bytes = Number(j.statistics.totalBytesProcessed);
        item.description = plain([Number.isFinite(created) ? timeAgo(created, this.fmt) : undefined, j.state !== 'DONE' ? j.state.toLowerCase() : j.error ? j.error.reason : Number.isFinite(bytes) ? this.fmt.bytes(bytes) : undefined, j.statistics.cacheHit ? 'cached' : undefined]
          .filter(Boolean)
          .join(' · '));
        item.iconPath = statusIcon(j.state !== 'DONE' ? 'running' : j.error ? (j.error.reason === 'stopped' ? 'stopped' : 'error') : 'ok');
        item.tooltip = sqlTooltip(j.query ?? '', j.ref.jobId);
        item.contextValue = j.query ? 'bigquery.history.job' : 'bigquery.history.job.noQuery';
        if (j.query) item.command = { command: 'gatehouse.bigquery.history.open', title: vscode.l10n.t('Open SQL'), arguments: [node] };
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(plain(node.text), vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon(node.error ? 'warning' : 'info');
        return item;
      }
    }
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }

  private async loadJobs(): Promise<HistoryNode[]> {
    let client: BigQueryClient | undefined;
    try {
      client = this.client();
    } catch (err) {
      return [{ kind: 'message', text: BigQueryError.is(err) ? err.message : vscode.l10n.t('BigQuery is not configured.'), error: true }];
    }
    if (!client) return [{ kind: 'message', text: vscode.l10n.t('Sign in to see your BigQuery jobs.') }];
    try {
      const page = await client.listJobs({ maxResults: JOBS_SHOWN, signal: AbortSignal.timeout(30_000) });
      return page.items.length ? page.items.map((job) => ({ kind: 'job', job })) : [{ kind: 'message', text: vscode.l10n.t('No jobs of yours in the billing project yet.') }];
    } catch (err) {
      // Listing jobs needs bigquery.jobs.list; many users lack it. Say so instead of failing loudly.
      const e = BigQueryError.is(err) ? err : undefined;
      this.jobs = undefined;
      return [{ kind: 'message', text: e?.reason === 'accessDenied' ? vscode.l10n.t('No access to the job list of the billing project.') : (e?.message ?? vscode.l10n.t('Could not list your jobs.')), error: true }];
    }
  }
}

function firstLine(sql: string): string {
  const line = sql.split('\n').map((l) => l.trim()).find((l) => l && !l.startsWith('--') && !l.startsWith('#')) ?? sql.trim();
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}

function sqlTooltip(sql: string, jobId?: string): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.isTrusted = false;
  md.supportHtml = false;
  md.appendCodeblock(sql.length > 2_000 ? `${sql.slice(0, 2_000)}\n…` : sql, 'sql');
  if (jobId) md.appendMarkdown('\n\n').appendText(safe`Job ${jobId}`);
  return md;
}

function statusIcon(state: 'ok' | 'error' | 'stopped' | 'running'): vscode.ThemeIcon {
  switch (state) {
    case 'ok':
      return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
    case 'error':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
    case 'stopped':
      return new vscode.ThemeIcon('circle-slash');
    case 'running':
      return new vscode.ThemeIcon('loading~spin');
  }
}

/** Within a day: how long ago; older: the date. */
function timeAgo(ms: number, fmt: Formatter): string {
  const now = Date.now();
  return now - ms < 86_400_000 ? fmt.ago(ms, now) : fmt.date(ms);
}
