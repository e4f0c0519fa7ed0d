// The lineage webview host: one panel, reused, showing a node's upstream and downstream. Posts only
// after the webview said `ready`; accepts only protocol messages, and opens files only of nodes it
// sent (by id). Redraws when the project's manifest reloads. After a window reload VS Code hands
// the panel back (WebviewPanelSerializer) with the state its page kept: the node is read again
// from the current manifest, or the panel says why it cannot be shown.
import * as vscode from 'vscode';
import type { Logger } from '../../core/logger';
import type { DbtProjectIndex } from '../manifest';
import { buildLineageGraph } from '../lineageGraph';
import { parseLineageRestoreState, parseLineageToHost, type HostToLineage, type LineageGraphMessage } from '../lineageProtocol';
import { webviewHtml } from '../../core/webviewHtml';
import { webviewL10n } from '../../vscode/l10n';
import { safe } from '../../core/displayText';

export const LINEAGE_VIEW_TYPE = 'gatehouse.dbtLineage';

export interface LineageTarget {
  projectKey: string;
  uniqueId: string;
}

export interface LineagePanelDeps {
  extensionUri: vscode.Uri;
  logger: Logger;
  index: (projectKey: string) => DbtProjectIndex | undefined;
  openNode: (target: LineageTarget) => Promise<void>;
  /** Fires when a project's manifest changed. */
  onDidChangeProjects: vscode.Event<void> | ((listener: () => void) => { dispose(): unknown });
}

export class LineagePanelManager implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private ready = false;
  /** A restored panel whose saved state could not be read. */
  private unrestorable = false;
  private target: LineageTarget | undefined;
  private depth = { upstream: 2, downstream: 2 };
  private lastGraph: LineageGraphMessage | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly posted = new vscode.EventEmitter<HostToLineage>();
  /** Every message posted to the webview (tests wait on it). */
  readonly onDidPost = this.posted.event;

  constructor(private readonly deps: LineagePanelDeps) {
    const sub = deps.onDidChangeProjects(() => {
      if (this.panel && this.target) this.render();
    });
    this.disposables.push({ dispose: () => void sub.dispose() });
  }

  get current(): { target?: LineageTarget; graph?: LineageGraphMessage; visible: boolean } {
    return { target: this.target, graph: this.lastGraph, visible: !!this.panel };
  }

  /**
   * A panel VS Code brought back after a window reload, with the state its page saved. The panel
   * is adopted (or closed when another lineage panel is already open) and shows the node from
   * the manifest loaded now; an unreadable state says to open the lineage again.
   */
  restore(panel: vscode.WebviewPanel, state: unknown): void {
    if (this.panel) {
      panel.dispose();
      return;
    }
    const saved = parseLineageRestoreState(state);
    this.adopt(panel);
    if (!saved) {
      this.target = undefined;
      this.unrestorable = true;
      return;
    }
    this.target = { projectKey: saved.projectKey, uniqueId: saved.uniqueId };
    this.depth = { upstream: saved.upstream, downstream: saved.downstream };
    this.render();
  }

  /** The webview options of the lineage panel, new or restored. */
  webviewOptions(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(this.deps.extensionUri, 'dist', 'media')], retainContextWhenHidden: false };
  }

  show(target: LineageTarget, depth?: { upstream: number; downstream: number }): void {
    this.unrestorable = false;
    this.target = target;
    if (depth) this.depth = depth;
    if (!this.panel) this.create();
    else this.panel.reveal(this.panel.viewColumn ?? vscode.ViewColumn.Beside, false);
    this.render();
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.posted.dispose();
  }

  private create(): void {
    this.adopt(vscode.window.createWebviewPanel(LINEAGE_VIEW_TYPE, vscode.l10n.t('dbt Lineage'), { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false }, this.webviewOptions()));
  }

  private adopt(panel: vscode.WebviewPanel): void {
    const mediaRoot = vscode.Uri.joinPath(this.deps.extensionUri, 'dist', 'media');
    panel.webview.options = this.webviewOptions();
    this.ready = false;
    panel.webview.html = webviewHtml({
      title: vscode.l10n.t('dbt Lineage'),
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(mediaRoot, 'lineage.js')).toString(),
      styleUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(mediaRoot, 'lineage.css')).toString(),
      cspSource: panel.webview.cspSource,
      lang: vscode.env.language,
      l10n: webviewL10n('lineage'),
    });
    panel.webview.onDidReceiveMessage((raw) => void this.onMessage(raw), undefined, this.disposables);
    // A hidden panel loses its page (no retainContext): the new page says `ready` again.
    panel.onDidChangeViewState(() => {
      if (!panel.visible) this.ready = false;
    });
    panel.onDidDispose(() => {
      this.panel = undefined;
      this.ready = false;
      this.lastGraph = undefined;
    });
    this.panel = panel;
  }

  private async onMessage(raw: unknown): Promise<void> {
    const msg = parseLineageToHost(raw);
    if (!msg) {
      this.deps.logger.warn('lineage webview sent a message that is not part of the protocol; ignored');
      return;
    }
    switch (msg.type) {
      case 'ready':
        this.ready = true;
        if (this.unrestorable) this.post({ type: 'error', message: vscode.l10n.t('This lineage was not kept across the window reload. Run Show Lineage on a model to open it again.') });
        this.render();
        return;
      case 'setDepth':
        this.depth = { upstream: msg.upstream, downstream: msg.downstream };
        this.render();
        return;
      case 'openNode':
      case 'focusNode': {
        // Only ids of the graph on screen: the page cannot name arbitrary nodes or paths.
        if (!this.target || !this.lastGraph?.nodes.some((n) => n.id === msg.id)) return;
        const target = { projectKey: this.target.projectKey, uniqueId: msg.id };
        if (msg.type === 'focusNode') this.show(target);
        else await this.deps.openNode(target).catch((err) => this.deps.logger.warn(`could not open ${msg.id}: ${String((err as Error)?.message ?? err)}`));
        return;
      }
    }
  }

  private post(message: HostToLineage): void {
    if (!this.panel || !this.ready) return;
    void this.panel.webview.postMessage(message).then((ok) => ok && this.posted.fire(message));
  }

  private render(): void {
    const panel = this.panel;
    const target = this.target;
    if (!panel || !target) return;
    // Ids and depths only: what the serializer needs to show the same node after a reload.
    this.post({ type: 'remember', state: { v: 1, projectKey: target.projectKey, uniqueId: target.uniqueId, upstream: this.depth.upstream, downstream: this.depth.downstream } });
    const index = this.deps.index(target.projectKey);
    const node = index?.getNode(target.uniqueId);
    panel.title = node ? safe`Lineage: ${node.name}` : vscode.l10n.t('dbt Lineage');
    let message: HostToLineage;
    if (!index) message = { type: 'error', message: vscode.l10n.t('The dbt manifest of this project is not loaded (yet): the lineage appears once it is. Open the project folder, or run dbt parse.') };
    else if (!node) message = { type: 'error', message: vscode.l10n.t('{0} is not in the manifest any more (renamed or removed). Run Show Lineage on a model to open another.', target.uniqueId) };
    else {
      const started = Date.now();
      const graph = buildLineageGraph(index, { focusId: node.uniqueId, upstreamDepth: this.depth.upstream, downstreamDepth: this.depth.downstream });
      message = graph ?? { type: 'error', message: vscode.l10n.t('{0} is not in the manifest.', target.uniqueId) };
      if (graph) {
        this.lastGraph = graph;
        this.deps.logger.debug(`lineage of ${node.uniqueId}: ${graph.nodes.length} nodes, ${graph.edges.length} edges in ${Date.now() - started} ms`);
      }
    }
    this.post(message);
  }
}
