// Looker tree: the Shared folder and the person's own folder, subfolders, dashboards (expanding to
// their tiles) and looks. Loading and "no access" answers live in LookerExplorerModel; this maps
// nodes to TreeItems.
import * as vscode from 'vscode';
import { ExplorerTreeDataProvider, messageTreeItem } from '../../vscode/explorerTree';
import { shortDate } from '../../vscode/serviceUi';
import type { LookerExplorerModel, LookerNode } from '../explorerModel';
import { plain, safe } from '../../core/displayText';

export class LookerTreeDataProvider extends ExplorerTreeDataProvider<LookerNode> {
  constructor(model: LookerExplorerModel, ready: () => boolean) {
    super(model, ready);
  }

  protected item(n: LookerNode): vscode.TreeItem {
    switch (n.kind) {
      case 'folder': {
        const item = new vscode.TreeItem(n.personal ? safe`${n.folder.name} (my folder)` : plain(n.folder.name), vscode.TreeItemCollapsibleState.Collapsed);
        item.iconPath = new vscode.ThemeIcon(n.personal ? 'account' : n.folder.is_shared_root ? 'folder-library' : 'folder');
        item.tooltip = n.personal ? vscode.l10n.t('Your personal Looker folder') : safe`Looker folder ${n.folder.name}`;
        item.contextValue = 'lookerFolder';
        return item;
      }
      case 'look': {
        const look = n.look;
        const item = new vscode.TreeItem(plain(look.title), vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon('graph-line');
        item.description = plain(look.model?.label ?? look.model?.id);
        item.tooltip = tooltip(look.title, look.description, look.user_name, look.updated_at, vscode.l10n.t('Look'));
        item.contextValue = 'lookerLook';
        return item;
      }
      case 'dashboard': {
        const d = n.dashboard;
        const item = new vscode.TreeItem(plain(d.title), vscode.TreeItemCollapsibleState.Collapsed);
        item.iconPath = new vscode.ThemeIcon('dashboard');
        item.tooltip = tooltip(d.title, d.description, d.user_name, d.updated_at, vscode.l10n.t('Dashboard'));
        item.contextValue = 'lookerDashboard';
        return item;
      }
      case 'element': {
        const item = new vscode.TreeItem(plain(n.title), vscode.TreeItemCollapsibleState.None);
        item.iconPath = new vscode.ThemeIcon(n.target.kind === 'look' ? 'graph-line' : 'graph');
        item.description = n.target.kind === 'look' ? vscode.l10n.t('look') : vscode.l10n.t('query');
        item.tooltip = n.target.kind === 'look' ? safe`Tile "${n.title}" of dashboard "${n.dashboard.title}" (look ${n.target.lookId})` : safe`Tile "${n.title}" of dashboard "${n.dashboard.title}" (query ${n.target.queryId})`;
        item.contextValue = 'lookerElement';
        return item;
      }
      case 'message':
        return messageTreeItem(n, 'lookerMessage');
    }
  }
}

function tooltip(title: string, description: string | null | undefined, owner: string | undefined, updated: string | null | undefined, kind: string): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, false);
  md.isTrusted = false;
  md.supportHtml = false;
  md.appendMarkdown('**').appendText(plain(title)).appendMarkdown('**').appendText(safe` · ${kind}`).appendMarkdown('\n\n');
  if (description) md.appendText(plain(description)).appendMarkdown('\n\n');
  const date = updated ? shortDate(updated) : '';
  if (owner && date) md.appendText(safe`Owner: ${owner} · Updated ${date}`);
  else if (owner) md.appendText(safe`Owner: ${owner}`);
  else if (date) md.appendText(safe`Updated ${date}`);
  return md;
}
