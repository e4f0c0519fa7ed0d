// The Activity view: the newest audit records, newest first. Thin: reads AuditTrail, maps to items.
import * as vscode from 'vscode';
import { Formatter } from '../../core/format';
import type { AuditOutcome, AuditRecord, AuditTrail } from '../auditTrail';
import { lookup } from '../../core/lookup';
import { safe } from '../../core/displayText';

const OUTCOME_ICONS: Record<AuditOutcome, [string, string]> = {
  started: ['debug-start', 'charts.blue'],
  succeeded: ['pass', 'testing.iconPassed'],
  failed: ['error', 'testing.iconFailed'],
  denied: ['shield', 'list.warningForeground'],
  cancelled: ['circle-slash', 'disabledForeground'],
};

export class ActivityTreeDataProvider implements vscode.TreeDataProvider<AuditRecord>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: { dispose(): unknown };
  private readonly fmt = new Formatter({ locale: vscode.env.language });

  constructor(private readonly trail: AuditTrail, private readonly limit = 200) {
    this.subscription = trail.onDidRecord(() => this.changed.fire());
  }

  refresh(): void {
    this.changed.fire();
  }

  async getChildren(element?: AuditRecord): Promise<AuditRecord[]> {
    if (element) return [];
    return (await this.trail.recent(this.limit)).reverse();
  }

  getTreeItem(r: AuditRecord): vscode.TreeItem {
    const item = new vscode.TreeItem(safe`${r.action} ${r.resource}`, vscode.TreeItemCollapsibleState.None);
    const [icon, color] = lookup(OUTCOME_ICONS, r.outcome) ?? ['circle-outline', 'foreground'];
    item.iconPath = new vscode.ThemeIcon(icon, new vscode.ThemeColor(color));
    item.description = safe`${r.service} · ${r.outcome} · ${this.fmt.time(r.time)}`;
    const md = new vscode.MarkdownString(undefined, false);
    md.isTrusted = false;
    md.supportHtml = false;
    md.appendMarkdown('**').appendText(safe`${r.service}: ${r.action}`).appendMarkdown('**\n\n');
    md.appendText(safe`Resource: ${r.resource}\n\nWho: ${r.actor.email ?? r.actor.subject}\n\nCredential: ${r.credential}\n\nOutcome: ${r.outcome}`);
    if (r.jobIds?.length) md.appendText(safe`\n\nJobs: ${r.jobIds.join(', ')}`);
    if (r.reason) md.appendText(safe`\n\nReason: ${r.reason}`);
    md.appendText(safe`\n\nTime: ${r.time}`);
    item.tooltip = md;
    item.contextValue = 'gatehouse.auditRecord';
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
