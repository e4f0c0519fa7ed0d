// The Activity view: the signed-in person's audit records (everyone's on a shared machine), by
// local day, newest first, names beside ids, words instead of codes. Thin: decisions live in
// ../activity.ts.
import * as vscode from 'vscode';
import { isSharedIdentity } from '../credentialText';
import { Formatter } from '../../core/format';
import type { AuditOutcome, AuditRecord, AuditTrail } from '../auditTrail';
import { lookup } from '../../core/lookup';
import { plain, safe } from '../../core/displayText';
import type { Event } from '../../core/event';
import {
  actionWords,
  credentialLabel,
  dayLabel,
  groupByDay,
  matchesFilter,
  outcomeWords,
  reasonWords,
  resourceLabel,
  serviceName,
  visibleTo,
  type Viewer,
} from '../activity';

const OUTCOME_ICONS: Record<AuditOutcome, [string, string]> = {
  started: ['debug-start', 'charts.blue'],
  succeeded: ['pass', 'testing.iconPassed'],
  failed: ['error', 'testing.iconFailed'],
  denied: ['shield', 'list.warningForeground'],
  cancelled: ['circle-slash', 'disabledForeground'],
};

export type ActivityNode = { kind: 'day'; day: string; records: AuditRecord[] } | { kind: 'record'; record: AuditRecord };

export interface ActivityViewDeps {
  trail: AuditTrail;
  viewer: () => Viewer | undefined;
  onDidChangeViewer: Event<unknown>;
  sharedMachine: () => boolean;
  limit?: number;
  now?: () => Date;
}

export class ActivityTreeDataProvider implements vscode.TreeDataProvider<ActivityNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscriptions: { dispose(): unknown }[];
  private filterText = '';
  private readonly fmt = new Formatter({ locale: vscode.env.language });

  constructor(private readonly deps: ActivityViewDeps) {
    this.subscriptions = [deps.trail.onDidRecord(() => this.changed.fire()), deps.onDidChangeViewer(() => this.changed.fire())];
  }

  get filter(): string {
    return this.filterText;
  }

  setFilter(text: string): void {
    this.filterText = text.trim().slice(0, 200);
    void vscode.commands.executeCommand('setContext', 'gatehouse.activity.filtered', this.filterText !== '');
    this.changed.fire();
  }

  refresh(): void {
    this.changed.fire();
  }

  /** The records this viewer may see, filtered, newest first. */
  async visibleRecords(): Promise<AuditRecord[]> {
    const all = await this.deps.trail.recent(this.deps.limit ?? 1000);
    return visibleTo(all, this.deps.viewer(), this.deps.sharedMachine())
      .filter((r) => matchesFilter(r, this.filterText))
      .reverse();
  }

  async getChildren(element?: ActivityNode): Promise<ActivityNode[]> {
    if (element?.kind === 'day') return element.records.map((record) => ({ kind: 'record', record }));
    if (element) return [];
    return groupByDay(await this.visibleRecords()).map((g) => ({ kind: 'day', day: g.day, records: g.records }));
  }

  getTreeItem(node: ActivityNode): vscode.TreeItem {
    if (node.kind === 'day') {
      const item = new vscode.TreeItem(plain(dayLabel(node.day, this.deps.now?.() ?? new Date())), vscode.TreeItemCollapsibleState.Expanded);
      item.id = `day:${node.day}`;
      item.description = safe`${node.records.length} ${node.records.length === 1 ? 'entry' : 'entries'}`;
      item.iconPath = new vscode.ThemeIcon('calendar');
      item.contextValue = 'gatehouse.auditDay';
      return item;
    }
    const r = node.record;
    const item = new vscode.TreeItem(safe`${actionWords(r.action)} · ${r.resourceName ?? r.resource}`, vscode.TreeItemCollapsibleState.None);
    const [icon, color] = lookup(OUTCOME_ICONS, r.outcome) ?? ['circle-outline', 'foreground'];
    item.iconPath = new vscode.ThemeIcon(icon, new vscode.ThemeColor(color));
    // A shared identity (API key, service token, service account) is said at a glance, not only in the tooltip.
    item.description = isSharedIdentity(r.credential)
      ? safe`${serviceName(r.service)} · ${outcomeWords(r.outcome)} · ${this.fmt.time(r.time)} · shared identity`
      : safe`${serviceName(r.service)} · ${outcomeWords(r.outcome)} · ${this.fmt.time(r.time)}`;
    const md = new vscode.MarkdownString(undefined, false);
    md.isTrusted = false;
    md.supportHtml = false;
    md.appendMarkdown('**').appendText(safe`${serviceName(r.service)}: ${actionWords(r.action)}`).appendMarkdown('**\n\n');
    md.appendText(safe`Resource: ${resourceLabel(r)}\n\nWho: ${r.actor.email ?? r.actor.subject}\n\nWith: ${credentialLabel(r)}\n\nOutcome: ${outcomeWords(r.outcome)}`);
    if (r.jobIds?.length) md.appendText(safe`\n\nJobs: ${r.jobIds.join(', ')}`);
    if (r.reason) md.appendText(safe`\n\nWhy: ${reasonWords(r.reason)}`);
    md.appendText(safe`\n\nWhen: ${this.fmt.dateTime(r.time)}`);
    item.tooltip = md;
    item.contextValue = r.link ? 'gatehouse.auditRecord.link' : 'gatehouse.auditRecord';
    if (r.link) item.command = { command: 'gatehouse.activity.open', title: vscode.l10n.t('Open'), arguments: [node] };
    return item;
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}
