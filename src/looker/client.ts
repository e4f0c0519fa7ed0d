// Client for the Looker API 4.0 endpoints Gatehouse uses: who am I, folders and their looks and
// dashboards, dashboard elements, and running a look or a saved query as json_bi (rows plus the
// fields' metadata). A 401 gets one fresh token and one more try; errors become LookerError.
import type { HttpClient, HttpRequest, HttpResponse } from '../core/http';
import type { Logger } from '../core/logger';
import { sendWithRenewal } from '../core/renewableCredential';
import type { TableResult } from '../results/panelRun';
import type { LookerCredentials } from './credentials';
import { LookerError, toLookerError } from './errors';
import { jsonBiToTable } from './resultTable';
import type { Dashboard, DashboardElement, DashboardSummary, Folder, JsonBi, Look, LookerUser, QuerySummary } from './types';
import { t } from '../core/l10n';

export interface LookerClientOptions {
  http: HttpClient;
  /** gatehouse.looker.baseUrl: the API host (`https://acme.cloud.looker.com`); `/api/4.0` is added. */
  baseUrl: string;
  credentials: LookerCredentials;
  logger?: Logger;
  /** Items per page of paged listings (default 100). */
  pageSize?: number;
  /** Safety cap on pages read for one listing (default 20). */
  maxPages?: number;
  /** Time limit of one run request (default 5 minutes; listings keep the HTTP client's). */
  runTimeoutMs?: number;
}

export interface RunOptions {
  signal?: AbortSignal;
  /** Row limit passed to Looker (default: the query's own). */
  limit?: number;
  /** Field order of the query (json_bi lists dimensions before measures). */
  fieldOrder?: readonly string[];
}

/** The API root for a configured base URL, whether or not it already ends in /api/4.0. */
export function lookerApiUrl(baseUrl: string): string {
  return `${lookerHost(baseUrl)}/api/4.0`;
}

function lookerHost(baseUrl: string): string {
  return baseUrl.trim().replace(/\/+$/, '').replace(/\/api(\/4\.0)?$/, '');
}

/**
 * The web UI root. Cloud instances serve API and UI on one host; legacy self-hosted ones serve
 * the API on port 19999 and the UI on 9999.
 */
export function lookerWebUrl(baseUrl: string): string {
  const url = new URL(lookerHost(baseUrl));
  if (url.port === '19999') url.port = '9999';
  return url.toString().replace(/\/+$/, '');
}

export type LookerWebTarget = { kind: 'look' | 'dashboard' | 'folder'; id: string };

export function lookerContentUrl(baseUrl: string, target: LookerWebTarget): string {
  const path = { look: 'looks', dashboard: 'dashboards', folder: 'folders' }[target.kind];
  return `${lookerWebUrl(baseUrl)}/${path}/${encodeURIComponent(target.id)}`;
}

/** The body of run_inline_query: a WriteQuery (model and view required). */
export type InlineQuery = Pick<QuerySummary, 'fields' | 'filters' | 'filter_expression' | 'sorts' | 'limit' | 'pivots' | 'fill_fields' | 'dynamic_fields' | 'column_limit' | 'total' | 'row_total' | 'subtotals' | 'query_timezone'> & {
  model: string;
  view: string;
};

export class LookerClient {
  readonly baseUrl: string;
  readonly apiUrl: string;
  private readonly pageSize: number;
  private readonly maxPages: number;

  constructor(private readonly opts: LookerClientOptions) {
    this.baseUrl = lookerHost(opts.baseUrl);
    this.apiUrl = lookerApiUrl(opts.baseUrl);
    this.pageSize = Math.max(1, opts.pageSize ?? 100);
    this.maxPages = opts.maxPages ?? 20;
  }

  get credentialOrigin() {
    return this.opts.credentials.origin;
  }

  async me(signal?: AbortSignal): Promise<LookerUser> {
    return checkId(await this.get<LookerUser>('/user', {}, signal), 'user');
  }

  /** The Shared folder(s) the person may see (none for someone without a shared-content role). */
  sharedRootFolders(signal?: AbortSignal): Promise<Folder[]> {
    return this.paged<Folder>('/folders/search', { is_shared_root: 'true' }, signal);
  }

  async folder(id: string, signal?: AbortSignal): Promise<Folder> {
    return checkId(await this.get<Folder>(`/folders/${seg(id)}`, {}, signal), 'folder');
  }

  folderChildren(id: string, signal?: AbortSignal): Promise<Folder[]> {
    return this.paged<Folder>(`/folders/${seg(id)}/children`, { sorts: 'name' }, signal);
  }

  async folderLooks(id: string, signal?: AbortSignal): Promise<Look[]> {
    return list(await this.get<Look[]>(`/folders/${seg(id)}/looks`, {}, signal), 'looks');
  }

  async folderDashboards(id: string, signal?: AbortSignal): Promise<DashboardSummary[]> {
    return list(await this.get<DashboardSummary[]>(`/folders/${seg(id)}/dashboards`, {}, signal), 'dashboards');
  }

  async look(id: string, signal?: AbortSignal): Promise<Look> {
    return checkId(await this.get<Look>(`/looks/${seg(id)}`, {}, signal), 'look');
  }

  async dashboardElements(dashboardId: string, signal?: AbortSignal): Promise<DashboardElement[]> {
    return list(await this.get<DashboardElement[]>(`/dashboards/${seg(dashboardId)}/dashboard_elements`, {}, signal), 'dashboard elements');
  }

  /** GET /dashboards/{id}: tiles (with their result makers' filterables) and filters. */
  async dashboard(id: string, signal?: AbortSignal): Promise<Dashboard> {
    return checkId(await this.get<Dashboard>(`/dashboards/${seg(id)}`, {}, signal), 'dashboard');
  }

  /** GET /looks/{id}/run/json_bi → columns and rows. */
  async runLook(id: string, opts: RunOptions = {}): Promise<TableResult> {
    return this.run(`/looks/${seg(id)}/run/json_bi`, opts);
  }

  /** GET /queries/{id}/run/json_bi (a dashboard tile's own query). */
  async runQuery(queryId: string, opts: RunOptions = {}): Promise<TableResult> {
    return this.run(`/queries/${seg(queryId)}/run/json_bi`, opts);
  }

  /**
   * POST /queries/run/json_bi (run_inline_query): a tile's query with the dashboard's filters
   * merged in, as Looker's own dashboards run it; nothing is saved on the instance.
   */
  async runInlineQuery(query: InlineQuery, opts: RunOptions = {}): Promise<TableResult> {
    return this.run('/queries/run/json_bi', opts, query);
  }

  private async run(path: string, opts: RunOptions, body?: InlineQuery): Promise<TableResult> {
    const data = await this.call<JsonBi>({
      method: body ? 'POST' : 'GET',
      url: path,
      body,
      query: { limit: opts.limit, apply_formatting: false },
      signal: opts.signal,
      timeoutMs: this.opts.runTimeoutMs ?? 300_000,
      // A resent run after a timeout would double a long wait and the warehouse's cost.
      idempotent: false,
    });
    if (!data || typeof data !== 'object' || !Array.isArray(data.rows) || !data.metadata?.fields) {
      throw new LookerError('badResponse', 'Looker answered the run without json_bi rows and fields.');
    }
    return jsonBiToTable(data, opts.fieldOrder);
  }

  private async paged<T>(path: string, query: Record<string, string | number | undefined>, signal?: AbortSignal): Promise<T[]> {
    const out: T[] = [];
    for (let page = 0; page < this.maxPages; page++) {
      const batch = list<T>(await this.get<T[]>(path, { ...query, limit: this.pageSize, offset: out.length }, signal), path);
      out.push(...batch);
      if (batch.length < this.pageSize) break;
    }
    return out;
  }

  private get<T>(path: string, query: HttpRequest['query'], signal?: AbortSignal): Promise<T> {
    return this.call<T>({ method: 'GET', url: path, query, signal });
  }

  private async call<T>(req: HttpRequest): Promise<T> {
    try {
      const res = await sendWithRenewal<string, HttpResponse<T>>(
        this.opts.credentials,
        (token) => this.opts.http.request<T>({ ...req, url: `${this.apiUrl}${req.url}`, headers: { ...req.headers, Authorization: `Bearer ${token}` } }),
        (err) => {
          const rejected = toLookerError(err).reason === 'unauthorized';
          if (rejected) this.opts.logger?.debug(`Looker answered 401 on ${req.method} ${req.url}; trying once with a fresh token`);
          return rejected;
        },
        req.signal,
      );
      return res.data;
    } catch (err) {
      throw toLookerError(err);
    }
  }
}

function seg(id: string): string {
  if (!id || typeof id !== 'string') throw new LookerError('badRequest', 'A Looker id is missing.');
  return encodeURIComponent(id);
}

function list<T>(data: unknown, what: string): T[] {
  if (!Array.isArray(data)) throw new LookerError('badResponse', t('Looker answered {0} without a list.', what));
  return data as T[];
}

function checkId<T extends { id?: unknown }>(data: T, what: string): T {
  if (!data || typeof data !== 'object' || (typeof data.id !== 'string' && typeof data.id !== 'number')) throw new LookerError('badResponse', t('Looker answered without a {0}.', what));
  return data;
}
