// What the Metabase tree shows, without VS Code: collections (shared ones first, then personal),
// their questions, models and dashboards, and a dashboard's cards. Answers that are not data
// (nothing shared, no access, not configured) are message nodes. Keys are stable ids.
import { auditedRead, type AccessAuditDeps } from '../audit/recordAccess';
import { Emitter } from '../core/event';
import type { Logger } from '../core/logger';
import type { MetabaseClient } from './client';
import { toMetabaseError, type MetabaseError } from './errors';
import type { CollectionItem, CollectionTreeNode, Dashboard, DashboardCard } from './types';
import { lookup } from '../core/lookup';
import { t } from '../core/l10n';

export interface CollectionNode {
  kind: 'collection';
  key: string;
  collection: CollectionTreeNode;
}

/** A question, model or metric (Metabase calls them all cards). */
export interface CardNode {
  kind: 'card';
  key: string;
  item: CollectionItem;
  cardType: 'question' | 'model' | 'metric';
}

export interface DashboardNode {
  kind: 'dashboard';
  key: string;
  item: CollectionItem;
}

export interface DashcardNode {
  kind: 'dashcard';
  key: string;
  dashboard: Pick<Dashboard, 'id' | 'name'>;
  dashcard: DashboardCard & { card_id: number };
  title: string;
}

export interface MessageNode {
  kind: 'message';
  key: string;
  text: string;
  detail?: string;
  severity: 'info' | 'error';
  error?: MetabaseError;
}

export type MetabaseNode = CollectionNode | CardNode | DashboardNode | DashcardNode | MessageNode;

export interface MetabaseExplorerModelOptions {
  client: () => MetabaseClient;
  logger?: Logger;
  /** One audit record per listing (collections, a collection's items, a dashboard's cards), not per row. */
  audit?: AccessAuditDeps;
}

const CARD_TYPES: Record<string, CardNode['cardType']> = { card: 'question', dataset: 'model', metric: 'metric' };

export class MetabaseExplorerModel {
  private readonly changed = new Emitter<string | undefined>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly opts: MetabaseExplorerModelOptions) {}

  async children(parent?: MetabaseNode): Promise<MetabaseNode[]> {
    try {
      if (!parent) return await this.roots();
      if (parent.kind === 'collection') return await this.collectionChildren(parent);
      if (parent.kind === 'dashboard') return await this.dashcards(parent);
      return [];
    } catch (err) {
      return [errorNode(`${parent?.key ?? 'metabase'}:error`, err)];
    }
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  dispose(): void {
    this.changed.dispose();
  }

  private read<T>(client: MetabaseClient, action: string, resource: string, resourceName: string | undefined, read: () => Promise<T>): Promise<T> {
    return auditedRead(this.opts.audit, { credential: client.credentialOrigin, service: 'metabase', action, resource, resourceName }, read);
  }

  private async roots(): Promise<MetabaseNode[]> {
    const client = this.opts.client();
    const [tree, rootItems] = await this.read(client, 'list-collections', 'collections', undefined, () => Promise.all([client.collectionTree(), client.collectionItems('root')]));
    const shared = tree.filter((c) => !c.is_personal).sort(byName);
    const personal = tree.filter((c) => c.is_personal).sort(byName);
    const nodes: MetabaseNode[] = [...shared, ...personal].map(collectionNode);
    nodes.push(...itemNodes(rootItems));
    if (!shared.length && !rootItems.length) {
      nodes.unshift(message('metabase:noShared', 'info', t('No Metabase collections are shared with you.'), t('Ask a Metabase admin to give one of your groups access to a collection.')));
    }
    return nodes;
  }

  private async collectionChildren(parent: CollectionNode): Promise<MetabaseNode[]> {
    const id = parent.collection.id;
    const client = this.opts.client();
    const items = await this.read(client, 'list-collection', `collection/${id}`, parent.collection.name, () => client.collectionItems(typeof id === 'number' ? id : 'root'));
    const nodes: MetabaseNode[] = [...(parent.collection.children ?? []).filter((c) => !c.archived).sort(byName).map(collectionNode), ...itemNodes(items)];
    return nodes.length ? nodes : [message(`${parent.key}:empty`, 'info', t('This collection is empty.'))];
  }

  private async dashcards(parent: DashboardNode): Promise<MetabaseNode[]> {
    const client = this.opts.client();
    const { dashboard, cards } = await this.read(client, 'list-dashboard-cards', `dashboard/${parent.item.id}`, parent.item.name, () => client.dashboardCards(parent.item.id));
    const nodes = cards.map(
      (dc) =>
        ({
          kind: 'dashcard',
          key: `metabase:dashcard:${dashboard.id}:${dc.id}`,
          dashboard: { id: dashboard.id, name: dashboard.name },
          dashcard: dc as DashboardCard & { card_id: number },
          title: dc.card?.name ?? t('Card {0}', String(dc.card_id)),
        }) satisfies DashcardNode,
    );
    return nodes.length ? nodes : [message(`${parent.key}:empty`, 'info', t('No questions on this dashboard.'))];
  }
}

function byName(a: { name: string }, b: { name: string }): number {
  return a.name.localeCompare(b.name);
}

function itemNodes(items: CollectionItem[]): MetabaseNode[] {
  const dashboards = items.filter((i) => i.model === 'dashboard').sort(byName);
  const cards = items.filter((i) => lookup(CARD_TYPES, i.model)).sort(byName);
  return [
    ...dashboards.map((item) => ({ kind: 'dashboard', key: `metabase:dashboard:${item.id}`, item }) satisfies DashboardNode),
    ...cards.map((item) => ({ kind: 'card', key: `metabase:card:${item.id}`, item, cardType: lookup(CARD_TYPES, item.model) ?? 'question' }) satisfies CardNode),
  ];
}

function collectionNode(collection: CollectionTreeNode): CollectionNode {
  return { kind: 'collection', key: `metabase:collection:${collection.id}`, collection };
}

function message(key: string, severity: 'info' | 'error', text: string, detail?: string): MessageNode {
  return { kind: 'message', key, severity, text, detail };
}

function errorNode(key: string, err: unknown): MessageNode {
  const e = toMetabaseError(err);
  const text = e.reason === 'forbidden' ? t('You may not read this in Metabase.') : e.message;
  return { kind: 'message', key, severity: 'error', text, detail: e.nextStep, error: e };
}
