// What the Looker and Metabase trees share: a model that loads children and says when they
// changed, welcome content while the view is not ready, ids from node keys, and "message" nodes
// (empty, no access, an error with its next step). Each tree maps its own nodes to TreeItems.
import { plain, safe } from '../core/displayText';
import * as vscode from 'vscode';

export interface ExplorerTreeModel<N> {
  readonly onDidChange: (listener: () => unknown) => { dispose(): unknown };
  children(parent?: N): Promise<N[]>;
}

/** A node that tells the person something instead of showing an item. */
export interface MessageNode {
  readonly kind: 'message';
  readonly severity: 'info' | 'error';
  readonly text: string;
  readonly detail?: string;
}

export abstract class ExplorerTreeDataProvider<N extends { readonly key: string }> implements vscode.TreeDataProvider<N>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<N | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: { dispose(): unknown };

  constructor(
    private readonly model: ExplorerTreeModel<N>,
    /** False while the view should show its welcome content (signed out, not configured, no credentials). */
    private readonly ready: () => boolean,
  ) {
    this.subscription = model.onDidChange(() => this.changed.fire(undefined));
  }

  async getChildren(element?: N): Promise<N[]> {
    if (!element && !this.ready()) return [];
    return this.model.children(element);
  }

  getTreeItem(n: N): vscode.TreeItem {
    const item = this.item(n);
    item.id = n.key;
    return item;
  }

  protected abstract item(n: N): vscode.TreeItem;

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

/** A message node as a TreeItem: its text, a warning or info icon, the detail beside it. */
export function messageTreeItem(n: MessageNode, contextValue: string): vscode.TreeItem {
  // The text and detail are the service's words: shown inert (no links, icons or bidi tricks).
  const item = new vscode.TreeItem(plain(n.text), vscode.TreeItemCollapsibleState.None);
  item.iconPath = new vscode.ThemeIcon(n.severity === 'error' ? 'warning' : 'info');
  item.tooltip = n.detail ? safe`${n.text}\n${n.detail}` : plain(n.text);
  item.description = plain(n.detail);
  item.contextValue = contextValue;
  return item;
}
