// Metabase tree: collections (shared first, then personal), their dashboards (expanding to their
// questions), questions, models and metrics. Loading and "no access" answers live in
// MetabaseExplorerModel; this maps nodes to TreeItems.
import * as vscode from 'vscode';
import { ExplorerTreeDataProvider, messageTreeItem } from '../../vscode/explorerTree';
import { shortDate } from '../../vscode/serviceUi';
import type { MetabaseExplorerModel, MetabaseNode } from '../explorerModel';
import type { CollectionItem } from '../types';

const CARD_ICONS: Record<'question' | 'model' | 'metric', string> = { question: 'graph', model: 'symbol-class', metric: 'pulse' };

export class MetabaseTreeDataProvider extends ExplorerTreeDataProvider<MetabaseNode> {
  constructor(model: MetabaseExplorerModel, ready: () => boolean) {
    super(model, ready);
  }

  protected item(n: MetabaseNode): vscode.TreeItem {
    switch (n.kind) {
      case 'collection': {
        const c = n.collection;
        const item = new vscode.TreeItem(c.name, vscode.TreeItemCollapsibleState.Collapsed);
        item.iconPath = new vscode.ThemeIcon(c.is_personal ? 'account' : 'folder');
        item.tooltip = c.description ? `${c.name}\n${c.description}` : c.name;
        item.contextValue = 'metabaseCollection';
        return item;
      }
      case 'card': {
        const item = new vscode.TreeItem(n.item.name, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon(CARD_ICONS[n.cardType]);
        item.description = n.cardType === 'question' ? n.item.display : n.cardType;
        item.tooltip = tooltip(n.item, n.cardType === 'question' ? 'Question' : n.cardType === 'model' ? 'Model' : 'Metric');
        item.contextValue = `metabaseCard.${n.cardType}`;
        return item;
      }
      case 'dashboard': {
        const item = new vscode.TreeItem(n.item.name, vscode.TreeItemCollapsibleState.Collapsed);
        item.iconPath = new vscode.ThemeIcon('dashboard');
        item.tooltip = tooltip(n.item, 'Dashboard');
        item.contextValue = 'metabaseDashboard';
        return item;
      }
      case 'dashcard': {
        const item = new vscode.TreeItem(n.title, vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon('graph');
        item.description = n.dashcard.card?.display;
        item.tooltip = `"${n.title}" on dashboard "${n.dashboard.name}"`;
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
  md.appendMarkdown('**').appendText(item.name).appendMarkdown(`** · ${kind}\n\n`);
  if (item.description) md.appendText(item.description).appendMarkdown('\n\n');
  const edit = item['last-edit-info'];
  const who = edit ? [edit.first_name, edit.last_name].filter(Boolean).join(' ') || edit.email : undefined;
  const when = shortDate(edit?.timestamp);
  if (who || when) md.appendText(`Last edited${who ? ` by ${who}` : ''}${when ? ` on ${when}` : ''}`);
  return md;
}
