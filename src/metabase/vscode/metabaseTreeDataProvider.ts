// Metabase tree: collections (shared first, then personal), their dashboards (expanding to their
// questions), questions, models and metrics. Loading and "no access" answers live in
// MetabaseExplorerModel; this maps nodes to TreeItems.
import * as vscode from 'vscode';
import { ExplorerTreeDataProvider, messageTreeItem } from '../../vscode/explorerTree';
import { shortDate } from '../../vscode/serviceUi';
import type { MetabaseExplorerModel, MetabaseNode } from '../explorerModel';
import type { CollectionItem } from '../types';
import { plain, safe } from '../../core/displayText';

const CARD_ICONS: Record<'question' | 'model' | 'metric', string> = { question: 'graph', model: 'symbol-class', metric: 'pulse' };

export class MetabaseTreeDataProvider extends ExplorerTreeDataProvider<MetabaseNode> {
  constructor(model: MetabaseExplorerModel, ready: () => boolean) {
    super(model, ready);
  }

  protected item(n: MetabaseNode): vscode.TreeItem {
    switch (n.kind) {
      case 'collection': {
        const c = n.collection;
        const item = new vscode.TreeItem(plain(c.name), vscode.TreeItemCollapsibleState.Collapsed);
        item.iconPath = new vscode.ThemeIcon(c.is_personal ? 'account' : 'folder');
        item.tooltip = c.description ? safe`${c.name}\n${c.description}` : plain(c.name);
        item.contextValue = 'metabaseCollection';
        return item;
      }
      case 'card': {
        const item = new vscode.TreeItem(plain(n.item.name), vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon(CARD_ICONS[n.cardType]);
        item.description = plain(n.cardType === 'question' ? n.item.display : n.cardType);
        item.tooltip = tooltip(n.item, n.cardType === 'question' ? vscode.l10n.t('Question') : n.cardType === 'model' ? vscode.l10n.t('Model') : vscode.l10n.t('Metric'));
        item.contextValue = `metabaseCard.${n.cardType}`;
        return item;
      }
      case 'dashboard': {
        const item = new vscode.TreeItem(plain(n.item.name), vscode.TreeItemCollapsibleState.Collapsed);
        item.iconPath = new vscode.ThemeIcon('dashboard');
        item.tooltip = tooltip(n.item, vscode.l10n.t('Dashboard'));
        item.contextValue = 'metabaseDashboard';
        return item;
      }
      case 'dashcard': {
        const item = new vscode.TreeItem(plain(n.title), vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon('graph');
        item.description = plain(n.dashcard.card?.display);
        item.tooltip = safe`"${n.title}" on dashboard "${n.dashboard.name}"`;
        item.contextValue = 'metabaseDashcard';
        return item;
      }
      case 'message':
        return messageTreeItem(n, 'metabaseMessage');
    }
  }
}

function tooltip(item: CollectionItem, kind: string): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, false);
  md.isTrusted = false;
  md.supportHtml = false;
  md.appendMarkdown('**').appendText(plain(item.name)).appendMarkdown('**').appendText(safe` · ${kind}`).appendMarkdown('\n\n');
  if (item.description) md.appendText(plain(item.description)).appendMarkdown('\n\n');
  const edit = item['last-edit-info'];
  const who = edit ? [edit.first_name, edit.last_name].filter(Boolean).join(' ') || edit.email : undefined;
  const when = shortDate(edit?.timestamp);
  if (who && when) md.appendText(safe`Last edited by ${who} on ${when}`);
  else if (who) md.appendText(safe`Last edited by ${who}`);
  else if (when) md.appendText(safe`Last edited on ${when}`);
  return md;
}
