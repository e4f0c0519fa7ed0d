// The state behind the BigQuery explorer tree, without VS Code: which children each node has
// loaded so far, the token for the next page ("Load more"), and nodes that stand for an answer
// rather than data ("no access", "failed to load"), so a dataset the user may not read shows a
// clear child instead of an error toast.
import { BigQueryError } from './errors';
import type { BigQueryClient } from './client';
import type { DatasetRef, ProjectRef, RoutineRef, TableFieldSchema, TableMetadata, TableRef } from './types';
import { Emitter } from '../core/event';
import { auditedRead, type AccessAuditDeps } from '../audit/recordAccess';
import { t } from '../core/l10n';

export type ExplorerNode =
  | { kind: 'project'; key: string; project: ProjectRef }
  | { kind: 'dataset'; key: string; dataset: DatasetRef }
  | { kind: 'table'; key: string; table: TableRef }
  | { kind: 'routine'; key: string; routine: RoutineRef }
  | { kind: 'column'; key: string; table: TableRef; field: TableFieldSchema; path: string[] }
  | { kind: 'loadMore'; key: string; parentKey: string }
  | { kind: 'message'; key: string; severity: 'noAccess' | 'error' | 'empty'; text: string; parentKey: string };

type ParentNode = Extract<ExplorerNode, { kind: 'project' | 'dataset' | 'table' | 'column' }> | undefined;

interface Listing {
  items: ExplorerNode[];
  nextPageToken?: string;
  /** Set when the listing ended in an answer (no access, failure) instead of items. */
  message?: ExplorerNode;
}

export interface ExplorerModelOptions {
  pageSize?: { datasets: number; tables: number; projects: number };
  /** One audit record per metadata read (a listing page, a table's schema), not per row. */
  audit?: AccessAuditDeps;
}

const ROOT = 'root';

export class BigQueryExplorerModel {
  private readonly listings = new Map<string, Listing>();
  private readonly tables = new Map<string, TableMetadata>();
  private readonly inflight = new Map<string, Promise<Listing>>();
  private filterText = '';
  /** Bumped by refresh(): a listing that was in flight across a refresh is not stored. */
  private generation = 0;
  private readonly changed = new Emitter<string | undefined>();
  /** Fires with the key of the node whose children changed (undefined: the whole tree). */
  readonly onDidChange = this.changed.event;
  private readonly pageSize: { datasets: number; tables: number; projects: number };
  private readonly auditDeps?: AccessAuditDeps;

  constructor(private readonly client: () => BigQueryClient | undefined, options: ExplorerModelOptions = {}) {
    this.pageSize = options.pageSize ?? { projects: 50, datasets: 50, tables: 100 };
    this.auditDeps = options.audit;
  }

  get filter(): string {
    return this.filterText;
  }

  /** Filters loaded datasets and tables by name (case-insensitive substring); '' clears. */
  setFilter(text: string): void {
    this.filterText = text.trim().toLowerCase();
    this.changed.fire(undefined);
  }

  async children(parent?: ParentNode): Promise<ExplorerNode[]> {
    const key = parent?.key ?? ROOT;
    if (parent?.kind === 'table' || parent?.kind === 'column') return this.columns(parent);
    let listing = this.listings.get(key);
    if (!listing) listing = await this.load(key, parent, undefined);
    const visible = listing.items.filter((n) => this.matches(n));
    const out: ExplorerNode[] = [...visible];
    if (listing.message) out.push(listing.message);
    if (listing.nextPageToken) out.push({ kind: 'loadMore', key: `${key}#more`, parentKey: key });
    if (out.length === 0 && listing.items.length > 0) {
      out.push({ kind: 'message', key: `${key}#filtered`, severity: 'empty', text: t('Nothing loaded here matches “{0}”.', this.filterText), parentKey: key });
    }
    return out;
  }

  /** Loads the next page under `parentKey` and appends it. */
  async loadMore(parentKey: string, parent: ParentNode): Promise<void> {
    const current = this.listings.get(parentKey);
    if (!current?.nextPageToken) return;
    const token = current.nextPageToken;
    const generation = this.generation;
    const next = await this.load(parentKey, parent, token);
    // A second click while the page was loading shares the same request: append it once.
    const now = this.listings.get(parentKey);
    if (generation !== this.generation || now?.nextPageToken !== token) return;
    this.listings.set(parentKey, { items: [...now.items, ...next.items], nextPageToken: next.nextPageToken, message: next.message });
    this.changed.fire(parentKey === ROOT ? undefined : parentKey);
  }

  /** Forgets what was loaded below a node (or everything) so the next expand asks again. */
  refresh(key?: string): void {
    this.generation++;
    if (!key) {
      this.listings.clear();
      this.tables.clear();
    } else {
      for (const k of [...this.listings.keys()]) if (k === key || k.startsWith(`${key}/`)) this.listings.delete(k);
      for (const k of [...this.tables.keys()]) if (k === key || k.startsWith(`${key}/`)) this.tables.delete(k);
    }
    this.changed.fire(key);
  }

  /** Table metadata (schema, rows, size), cached until refresh. */
  async table(ref: TableRef): Promise<TableMetadata> {
    const key = tableKey(ref);
    const cached = this.tables.get(key);
    if (cached) return cached;
    const client = this.requireClient();
    const meta = await this.audited(client, 'read-table-metadata', `${ref.projectId}.${ref.datasetId}.${ref.tableId}`, undefined, () => client.getTable(ref));
    this.tables.set(key, meta);
    return meta;
  }

  dispose(): void {
    this.changed.dispose();
  }

  private matches(n: ExplorerNode): boolean {
    if (!this.filterText) return true;
    if (n.kind === 'dataset') return true; // keep datasets so their matching tables stay reachable
    if (n.kind === 'table') return n.table.tableId.toLowerCase().includes(this.filterText);
    if (n.kind === 'routine') return n.routine.routineId.toLowerCase().includes(this.filterText);
    return true;
  }

  private async columns(parent: Extract<ExplorerNode, { kind: 'table' | 'column' }>): Promise<ExplorerNode[]> {
    if (parent.kind === 'column') return fieldNodes(parent.table, parent.field.fields ?? [], parent.path);
    try {
      const meta = await this.table(parent.table);
      return fieldNodes(parent.table, meta.schema, []);
    } catch (err) {
      return [this.answerFor(err, parent.key)];
    }
  }

  private load(key: string, parent: ParentNode, pageToken: string | undefined): Promise<Listing> {
    const flightKey = `${this.generation}|${key}|${pageToken ?? ''}`;
    const existing = this.inflight.get(flightKey);
    if (existing) return existing;
    const generation = this.generation;
    const p = this.fetch(key, parent, pageToken)
      .then((listing) => {
        // Answers that are not data (failures) are not cached: expanding again asks again.
        const failed = listing.message?.kind === 'message' && listing.message.severity === 'error';
        if (!pageToken && generation === this.generation && !failed) this.listings.set(key, listing);
        return listing;
      })
      .finally(() => this.inflight.delete(flightKey));
    this.inflight.set(flightKey, p);
    return p;
  }

  private async fetch(key: string, parent: ParentNode, pageToken: string | undefined): Promise<Listing> {
    let client: BigQueryClient;
    try {
      // Signed out, the root stays empty so the view's welcome (Sign in) shows instead of an error.
      if (!parent && !this.client()) return { items: [] };
      client = this.requireClient();
    } catch (err) {
      return { items: [], message: this.answerFor(err, key) };
    }
    try {
      if (!parent) {
        const page = await this.audited(client, 'list-projects', 'projects', undefined, () => client.listProjects({ pageToken, maxResults: this.pageSize.projects }));
        const items: ExplorerNode[] = page.items.map((p) => ({ kind: 'project', key: `p:${p.id}`, project: p }));
        const message = items.length || pageToken
          ? undefined
          : ({ kind: 'message', key: `${key}#empty`, severity: 'empty', text: t('No BigQuery project is shared with you.'), parentKey: key } as const);
        return { items, nextPageToken: page.nextPageToken, message };
      }
      if (parent.kind === 'project') {
        const page = await this.audited(client, 'list-datasets', parent.project.id, parent.project.friendlyName, () => client.listDatasets(parent.project.id, { pageToken, maxResults: this.pageSize.datasets }));
        const items: ExplorerNode[] = page.items.map((d) => ({ kind: 'dataset', key: `${key}/d:${d.datasetId}`, dataset: d }));
        const message = items.length || pageToken
          ? undefined
          : ({ kind: 'message', key: `${key}#empty`, severity: 'empty', text: t('No datasets in this project.'), parentKey: key } as const);
        return { items, nextPageToken: page.nextPageToken, message };
      }
      if (parent.kind !== 'dataset') return { items: [] };
      // Dataset: tables page by page; routines with the first page (datasets rarely hold many).
      const { projectId, datasetId, friendlyName } = parent.dataset;
      const page = await this.audited(client, 'list-tables', `${projectId}.${datasetId}`, friendlyName, () => client.listTables(parent.dataset, { pageToken, maxResults: this.pageSize.tables }));
      const items: ExplorerNode[] = page.items.map((t) => ({ kind: 'table', key: `${key}/t:${t.tableId}`, table: t }));
      if (!pageToken) {
        const routines = await client.listRoutines(parent.dataset, { maxResults: 100 }).catch(() => ({ items: [] as RoutineRef[] }));
        items.push(...routines.items.map((r) => ({ kind: 'routine' as const, key: `${key}/r:${r.routineId}`, routine: r })));
      }
      const message = items.length || pageToken
        ? undefined
        : ({ kind: 'message', key: `${key}#empty`, severity: 'empty', text: t('This dataset has no tables.'), parentKey: key } as const);
      return { items, nextPageToken: page.nextPageToken, message };
    } catch (err) {
      return { items: [], message: this.answerFor(err, key) };
    }
  }

  private audited<T>(client: BigQueryClient, action: string, resource: string, resourceName: string | undefined, read: () => Promise<T>): Promise<T> {
    return auditedRead(this.auditDeps, { credential: client.credentialOrigin, service: 'bigquery', action, resource, resourceName }, read);
  }

  private answerFor(err: unknown, parentKey: string): ExplorerNode {
    if (BigQueryError.is(err, 'accessDenied')) {
      return { kind: 'message', key: `${parentKey}#noaccess`, severity: 'noAccess', text: t('No access: your account may not read this.'), parentKey };
    }
    const text = err instanceof BigQueryError ? err.message : t('Could not load this part of BigQuery.');
    return { kind: 'message', key: `${parentKey}#error`, severity: 'error', text, parentKey };
  }

  private requireClient(): BigQueryClient {
    const c = this.client();
    if (!c) throw new BigQueryError('notConfigured', 'Sign in to see BigQuery.');
    return c;
  }
}

function fieldNodes(table: TableRef, fields: TableFieldSchema[], path: string[]): ExplorerNode[] {
  return fields.map((field) => ({
    kind: 'column' as const,
    key: `${tableKey(table)}/c:${[...path, field.name].join('.')}`,
    table,
    field,
    path: [...path, field.name],
  }));
}

export function tableKey(t: TableRef): string {
  return `p:${t.projectId}/d:${t.datasetId}/t:${t.tableId}`;
}

/** `project.dataset.table`, quoted with backticks when a part needs it (hyphenated project ids). */
export function qualifiedName(t: TableRef): string {
  return `\`${t.projectId}.${t.datasetId}.${t.tableId}\``;
}
