// Client for the Metabase API endpoints Gatehouse uses: the current user, the collection tree and
// a collection's items, dashboards with their cards, and running a question or a dashboard card.
// A query endpoint answers 202 whether or not the query worked: `status` decides. A rejected
// credential gets one renewal and one more try; errors become MetabaseError.
import type { Formatter } from '../core/format';
import type { HttpClient, HttpRequest, HttpResponse } from '../core/http';
import type { Logger } from '../core/logger';
import { sendWithRenewal } from '../core/renewableCredential';
import type { TableResult } from '../results/panelRun';
import type { MetabaseCredentials } from './credentials';
import { MetabaseError, queryFailure, toMetabaseError } from './errors';
import { datasetToTable } from './resultTable';
import type { Card, CollectionItem, CollectionTreeNode, Dashboard, DashboardCard, Dataset, MetabaseUser } from './types';
import type { ParameterValue } from './parameters';
import { t } from '../core/l10n';

export interface MetabaseClientOptions {
  http: HttpClient;
  /** gatehouse.metabase.baseUrl: the Metabase URL (`https://metabase.acme.com`); `/api` is added. */
  baseUrl: string;
  credentials: MetabaseCredentials;
  logger?: Logger;
  /** Items per page of collection listings (default 200). */
  pageSize?: number;
  maxPages?: number;
  /** Time limit of one query request (default 5 minutes). */
  runTimeoutMs?: number;
  /** Counts and durations in result statistics; the glue passes one in the display language. */
  format?: Formatter;
}

export function metabaseSiteUrl(baseUrl: string): string {
  return baseUrl.trim().replace(/\/+$/, '').replace(/\/api$/, '');
}

export function metabaseApiUrl(baseUrl: string): string {
  return `${metabaseSiteUrl(baseUrl)}/api`;
}

export type MetabaseWebTarget = { kind: 'question' | 'model' | 'dashboard' | 'collection'; id: number | string };

export function metabaseContentUrl(baseUrl: string, target: MetabaseWebTarget): string {
  return `${metabaseSiteUrl(baseUrl)}/${target.kind}/${encodeURIComponent(String(target.id))}`;
}

const ITEM_MODELS = ['card', 'dataset', 'metric', 'dashboard'];

export class MetabaseClient {
  readonly baseUrl: string;
  readonly apiUrl: string;
  private readonly pageSize: number;
  private readonly maxPages: number;

  constructor(private readonly opts: MetabaseClientOptions) {
    this.baseUrl = metabaseSiteUrl(opts.baseUrl);
    this.apiUrl = metabaseApiUrl(opts.baseUrl);
    this.pageSize = Math.max(1, opts.pageSize ?? 200);
    this.maxPages = opts.maxPages ?? 20;
  }

  get credentialOrigin() {
    return this.opts.credentials.origin;
  }

  async currentUser(signal?: AbortSignal): Promise<MetabaseUser> {
    const user = await this.call<MetabaseUser>({ method: 'GET', url: '/user/current', signal });
    if (!user || typeof user.id !== 'number') throw new MetabaseError('badResponse', 'Metabase answered without a user.');
    return user;
  }

  async collectionTree(signal?: AbortSignal): Promise<CollectionTreeNode[]> {
    const tree = await this.call<CollectionTreeNode[]>({ method: 'GET', url: '/collection/tree', query: { 'exclude-archived': true }, signal });
    if (!Array.isArray(tree)) throw new MetabaseError('badResponse', 'Metabase answered the collection tree without a list.');
    return tree.filter((c) => !c.archived);
  }

  /** Questions, models, metrics and dashboards directly in a collection (`root`: Our analytics). */
  async collectionItems(collectionId: number | 'root', signal?: AbortSignal): Promise<CollectionItem[]> {
    const out: CollectionItem[] = [];
    for (let page = 0; page < this.maxPages; page++) {
      const res = await this.call<{ data?: CollectionItem[]; total?: number }>({
        method: 'GET',
        url: `/collection/${encodeURIComponent(String(collectionId))}/items`,
        query: { models: ITEM_MODELS, limit: this.pageSize, offset: out.length },
        signal,
      });
      if (!Array.isArray(res?.data)) throw new MetabaseError('badResponse', 'Metabase answered the collection items without a list.');
      out.push(...res.data);
      if (!res.data.length || typeof res.total !== 'number' || out.length >= res.total) break;
    }
    return out;
  }

  async dashboard(id: number, signal?: AbortSignal): Promise<Dashboard> {
    const d = await this.call<Dashboard>({ method: 'GET', url: `/dashboard/${num(id)}`, signal });
    if (!d || typeof d.id !== 'number') throw new MetabaseError('badResponse', 'Metabase answered without a dashboard.');
    return d;
  }

  /** The cards of a dashboard that hold a question (text and link cards have none). */
  async dashboardCards(id: number, signal?: AbortSignal): Promise<{ dashboard: Dashboard; cards: DashboardCard[] }> {
    const dashboard = await this.dashboard(id, signal);
    const cards = (dashboard.dashcards ?? dashboard.ordered_cards ?? []).filter((dc) => typeof dc.card_id === 'number');
    return { dashboard, cards };
  }

  /** GET /api/card/:id: the question with its parameters. */
  async card(id: number, signal?: AbortSignal): Promise<Card> {
    const c = await this.call<Card>({ method: 'GET', url: `/card/${num(id)}`, signal });
    if (!c || typeof c.id !== 'number') throw new MetabaseError('badResponse', 'Metabase answered without a question.');
    return c;
  }

  /** POST /api/card/:id/query (with its parameters' values) → rows, or a MetabaseError naming the failure's error_type. */
  async runCard(cardId: number, signal?: AbortSignal, parameters: readonly ParameterValue[] = []): Promise<TableResult> {
    return this.query(`/card/${num(cardId)}/query`, signal, parameters);
  }

  async runDashboardCard(dashboardId: number, dashcardId: number, cardId: number, signal?: AbortSignal): Promise<TableResult> {
    return this.query(`/dashboard/${num(dashboardId)}/dashcard/${num(dashcardId)}/card/${num(cardId)}/query`, signal);
  }

  private async query(path: string, signal?: AbortSignal, parameters: readonly ParameterValue[] = []): Promise<TableResult> {
    const dataset = await this.call<Dataset>({
      method: 'POST',
      url: path,
      body: { parameters, ignore_cache: false },
      signal,
      timeoutMs: this.opts.runTimeoutMs ?? 300_000,
      // A resent query after a timeout would double a long wait and the warehouse's cost.
      idempotent: false,
    });
    if (!dataset || typeof dataset !== 'object') throw new MetabaseError('badResponse', 'Metabase answered the query without a result.');
    if (dataset.status === 'failed') throw queryFailure(dataset.error_type);
    if (dataset.status !== 'completed' || !Array.isArray(dataset.data?.rows) || !Array.isArray(dataset.data?.cols)) {
      throw new MetabaseError('badResponse', 'Metabase answered the query without rows.');
    }
    return datasetToTable(dataset, this.opts.format);
  }

  private async call<T>(req: HttpRequest): Promise<T> {
    const credentials = this.opts.credentials;
    try {
      const res = await sendWithRenewal<string, HttpResponse<T>>(
        credentials,
        (token) => this.opts.http.request<T>({ ...req, url: `${this.apiUrl}${req.url}`, headers: { ...req.headers, ...credentials.header(token) } }),
        (err) => {
          const rejected = toMetabaseError(err).reason === 'unauthorized';
          if (rejected) this.opts.logger?.debug(`Metabase answered 401 on ${req.method} ${req.url}; renewing the credential once`);
          return rejected;
        },
        req.signal,
      );
      return res.data;
    } catch (err) {
      throw toMetabaseError(err);
    }
  }
}

function num(id: number): string {
  if (!Number.isSafeInteger(id) || id < 0) throw new MetabaseError('badRequest', t('Not a Metabase id: {0}', id));
  return String(id);
}
