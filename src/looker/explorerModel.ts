// What the Looker tree shows, without VS Code: the Shared folder and the person's own folder,
// subfolders, looks and dashboards, and a dashboard's tiles that run a look or a query (text
// tiles are left out). Answers that are not data (nothing shared, no access, not configured)
// are message nodes. Keys are stable ids, so a refresh keeps what was expanded.
import { auditedRead, type AccessAuditDeps } from '../audit/recordAccess';
import { Emitter } from '../core/event';
import type { Logger } from '../core/logger';
import type { LookerClient } from './client';
import { toLookerError, type LookerError } from './errors';
import type { DashboardElement, DashboardSummary, Folder, Look } from './types';
import { t } from '../core/l10n';

export interface FolderNode {
  kind: 'folder';
  key: string;
  folder: Folder;
  /** The person's own folder (shown as "My folder"). */
  personal: boolean;
}

export interface LookNode {
  kind: 'look';
  key: string;
  look: Look;
}

export interface DashboardNode {
  kind: 'dashboard';
  key: string;
  dashboard: DashboardSummary;
}

export interface ElementNode {
  kind: 'element';
  key: string;
  dashboard: DashboardSummary;
  element: DashboardElement;
  /** What running the tile runs. */
  target: { kind: 'look'; lookId: string } | { kind: 'query'; queryId: string };
  title: string;
}

export interface MessageNode {
  kind: 'message';
  key: string;
  text: string;
  detail?: string;
  severity: 'info' | 'error';
  error?: LookerError;
}

export type LookerNode = FolderNode | LookNode | DashboardNode | ElementNode | MessageNode;

export interface LookerExplorerModelOptions {
  /** The current client, or throws a LookerError (not configured, no credentials). */
  client: () => LookerClient;
  logger?: Logger;
  /** One audit record per listing (root folders, a folder, a dashboard's tiles), not per row. */
  audit?: AccessAuditDeps;
}

export class LookerExplorerModel {
  private readonly changed = new Emitter<string | undefined>();
  /** Fires with a node key whose children changed, or undefined for everything. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly opts: LookerExplorerModelOptions) {}

  async children(parent?: LookerNode): Promise<LookerNode[]> {
    try {
      if (!parent) return await this.roots();
      if (parent.kind === 'folder') return await this.folderChildren(parent);
      if (parent.kind === 'dashboard') return await this.elements(parent);
      return [];
    } catch (err) {
      return [errorNode(`${parent?.key ?? 'looker'}:error`, err)];
    }
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  dispose(): void {
    this.changed.dispose();
  }

  private read<T>(client: LookerClient, action: string, resource: string, resourceName: string | undefined, read: () => Promise<T>): Promise<T> {
    return auditedRead(this.opts.audit, { credential: client.credentialOrigin, service: 'looker', action, resource, resourceName }, read);
  }

  private async roots(): Promise<LookerNode[]> {
    const client = this.opts.client();
    const [shared, me] = await this.read(client, 'list-folders', 'folders', undefined, () => Promise.all([client.sharedRootFolders(), client.me()]));
    const nodes: LookerNode[] = shared.map((folder) => folderNode(folder, false));
    if (me.personal_folder_id) {
      // The personal folder may be gone (a disabled user, an admin cleanup); the tree still shows Shared.
      const personal = await client.folder(me.personal_folder_id).catch((err: unknown) => {
        this.opts.logger?.debug(`could not read the Looker personal folder: ${toLookerError(err).reason}`);
        return undefined;
      });
      if (personal) nodes.push(folderNode(personal, true));
    }
    if (!shared.length) {
      nodes.unshift(message('looker:noShared', 'info', t('No shared Looker folders are visible to you.'), t('Ask a Looker admin for a role that includes the content you need.')));
    }
    return nodes;
  }

  private async folderChildren(parent: FolderNode): Promise<LookerNode[]> {
    const client = this.opts.client();
    const id = parent.folder.id;
    const [folders, looks, dashboards] = await this.read(client, 'list-folder', `folder/${id}`, parent.folder.name, () =>
      Promise.all([client.folderChildren(id), client.folderLooks(id), client.folderDashboards(id)]),
    );
    const byTitle = <T extends { title: string }>(a: T, b: T) => a.title.localeCompare(b.title);
    const nodes: LookerNode[] = [
      ...folders.sort((a, b) => a.name.localeCompare(b.name)).map((f) => folderNode(f, false)),
      ...dashboards.sort(byTitle).map((dashboard) => ({ kind: 'dashboard', key: `looker:dashboard:${dashboard.id}`, dashboard }) satisfies DashboardNode),
      ...looks.sort(byTitle).map((look) => ({ kind: 'look', key: `looker:look:${look.id}`, look }) satisfies LookNode),
    ];
    return nodes.length ? nodes : [message(`${parent.key}:empty`, 'info', t('This folder is empty.'))];
  }

  private async elements(parent: DashboardNode): Promise<LookerNode[]> {
    const client = this.opts.client();
    const elements = await this.read(client, 'list-dashboard-tiles', `dashboard/${parent.dashboard.id}`, parent.dashboard.title, () => client.dashboardElements(parent.dashboard.id));
    const nodes: ElementNode[] = [];
    for (const element of elements) {
      const target = elementTarget(element);
      if (!target) continue;
      const title = element.title || element.look?.title || t('Tile {0}', element.id);
      nodes.push({ kind: 'element', key: `looker:element:${parent.dashboard.id}:${element.id}`, dashboard: parent.dashboard, element, target, title });
    }
    return nodes.length ? nodes : [message(`${parent.key}:empty`, 'info', t('No tiles with data on this dashboard.'))];
  }
}

/** A tile runs its look when it has one, else its own query (or its result maker's). Text tiles run nothing. */
export function elementTarget(e: DashboardElement): ElementNode['target'] | undefined {
  if (e.look_id) return { kind: 'look', lookId: String(e.look_id) };
  const queryId = e.query_id ?? e.result_maker?.query_id;
  if (queryId) return { kind: 'query', queryId: String(queryId) };
  return undefined;
}

function folderNode(folder: Folder, personal: boolean): FolderNode {
  return { kind: 'folder', key: `looker:folder:${folder.id}`, folder, personal };
}

function message(key: string, severity: 'info' | 'error', text: string, detail?: string): MessageNode {
  return { kind: 'message', key, severity, text, detail };
}

function errorNode(key: string, err: unknown): MessageNode {
  const e = toLookerError(err);
  const text = e.reason === 'forbidden' ? t('You may not read this in Looker.') : e.message;
  return { kind: 'message', key, severity: 'error', text, detail: e.nextStep, error: e };
}
