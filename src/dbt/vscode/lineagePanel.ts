// The lineage webview host: one panel, reused, showing a node's upstream and downstream. Posts only
// after the webview said `ready`; accepts only protocol messages, and opens files only of nodes it
// sent (by id). Redraws when the project's manifest reloads.
import * as vscode from 'vscode';
import type { Logger } from '../../core/logger';
import type { DbtProjectIndex } from '../manifest';
import { buildLineageGraph } from '../lineageGraph';
import { parseLineageToHost, type HostToLineage, type LineageGraphMessage } from '../lineageProtocol';
import { webviewHtml } from '../../core/webviewHtml';
import { safe } from '../../core/displayText';

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

  show(target: LineageTarget, depth?: { upstream: number; downstream: number }): void {
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
    const mediaRoot = vscode.Uri.joinPath(this.deps.extensionUri, 'dist', 'media');
    const panel = vscode.window.createWebviewPanel('gatehouse.dbtLineage', 'dbt Lineage', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false }, {
      enableScripts: true,
      localResourceRoots: [mediaRoot],
      retainContextWhenHidden: false,
    });
    this.ready = false;
    panel.webview.html = webviewHtml({
      title: vscode.l10n.t('dbt Lineage'),
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(mediaRoot, 'lineage.js')).toString(),
      styleUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(mediaRoot, 'lineage.css')).toString(),
      cspSource: panel.webview.cspSource,
      lang: vscode.env.language,
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

  private render(): void {
    const panel = this.panel;
    const target = this.target;
    if (!panel || !target) return;
    const index = this.deps.index(target.projectKey);
    const node = index?.getNode(target.uniqueId);
    panel.title = node ? safe`Lineage: ${node.name}` : vscode.l10n.t('dbt Lineage');
    let message: HostToLineage;
    if (!index) message = { type: 'error', message: 'The dbt manifest of this project is not loaded.' };
    else if (!node) message = { type: 'error', message: `${target.uniqueId} is not in the manifest any more.` };
    else {
      const started = Date.now();
      const graph = buildLineageGraph(index, { focusId: node.uniqueId, upstreamDepth: this.depth.upstream, downstreamDepth: this.depth.downstream });
      message = graph ?? { type: 'error', message: `${target.uniqueId} is not in the manifest.` };
      if (graph) {
        this.lastGraph = graph;
        this.deps.logger.debug(`lineage of ${node.uniqueId}: ${graph.nodes.length} nodes, ${graph.edges.length} edges in ${Date.now() - started} ms`);
      }
    }
    if (!this.ready) return;
    void panel.webview.postMessage(message).then((ok) => ok && this.posted.fire(message));
  }
}
