// A Looker instance speaking API 4.0 (`/api/4.0`), close enough that @looker/sdk works unchanged.
//
// Auth, both as a real instance behind the company IdP would allow:
//   * API3 keys: POST /api/4.0/login (form client_id/client_secret) → AccessToken, then
//     `Authorization: token <t>` or `Bearer <t>`. Seeded keys, one per demo user:
//     client_id `sbx-looker-<user>-client-id`, client_secret `sbx-looker-<user>-client-secret`
//     (alice, bob, olivia; see `lookerApi3Credentials`).
//   * OAuth (authorization code + PKCE) for registered OAuth client apps, the login page
//     delegating to the sandbox IdP as Looker SSO does: see looker/oauth.ts. Its access tokens
//     act as that Looker user here.
//   * the identity-aware proxy's assertion (identityProxy.ts), for a person signed in at the IdP.
// Seeded content (ids are strings): folders 1 Shared, 3 Sales (analysts + engineers), 5 Marketing
// (in Sales), 4 Finance (engineers), personal folders 11 alice, 12 bob, 13 olivia (empty); looks
// 1 Orders by day, 2 Revenue by status, 3 Top countries by page views, 4 Finance: monthly revenue,
// 5 alice's scratch look; dashboards 1 Sales overview, 2 Finance overview; queries 101–106.
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { PROXY_ASSERTION_HEADER } from './identityProxy';
import type { RunningService, SandboxContext } from './context';
import type { DemoUser } from './directory';
import { HttpError, Router, type Request, sendJson, sendText, serve } from './http';
import { LookerContent, api3ClientId, api3ClientSecret, type QueryRecord } from './looker/content';
import { LookerOAuth, type ApiSessions } from './looker/oauth';
import { QueryValidationError, compileQuery, findExplore, resolveLimit } from './looker/model';
import { RESULT_FORMATS, UNRENDERED_FORMATS, render, type ResultFormat } from './looker/results';

export { FOLDER_IDS as LOOKER_FOLDER_IDS, PERSONAL_FOLDER_IDS as LOOKER_PERSONAL_FOLDER_IDS } from './looker/content';

const API = '/api/4.0';
const DOCS = 'https://cloud.google.com/looker/docs/r/api/4.0';
const TOKEN_LIFETIME_SECONDS = 3600;

/** The API3 key seeded for a demo user (directory id: alice, bob, olivia). */
export function lookerApi3Credentials(userId: string): { client_id: string; client_secret: string } {
  return { client_id: api3ClientId(userId), client_secret: api3ClientSecret(userId) };
}

function lookerError(status: number, message: string, headers: Record<string, string> = {}): HttpError {
  return new HttpError(status, { message, documentation_url: DOCS }, headers);
}
const notFound = () => lookerError(404, 'Not found');

function validationError(field: string, code: string, message: string): HttpError {
  return new HttpError(422, {
    message: 'Validation Failed',
    errors: [{ field, code, message, documentation_url: DOCS }],
    documentation_url: DOCS,
  });
}

export async function startLooker(ctx: SandboxContext, opts: { port?: number } = {}): Promise<RunningService & { oauth: LookerOAuth }> {
  const content = new LookerContent();
  const sessions: ApiSessions = new Map();
  const oauth = new LookerOAuth(ctx, sessions);
  const router = new Router();

  async function authenticate(req: Request): Promise<DemoUser> {
    // A person signed in at the IdP arrives through the identity-aware proxy, never as a bearer token.
    if (req.headers[PROXY_ASSERTION_HEADER] !== undefined) {
      const user = await ctx.identityProxy.verifyAssertion(req, 'looker');
      if (!user) throw lookerError(401, 'Requires authentication.');
      return user;
    }
    const token = req.bearer();
    if (!token) throw lookerError(401, 'Requires authentication.');
    const session = sessions.get(token);
    if (session) {
      if (session.expiresAt > Date.now()) {
        const user = ctx.directory.find(session.userId);
        if (user) return user;
      }
      sessions.delete(token);
      throw lookerError(401, 'Requires authentication.');
    }
    throw lookerError(401, 'Requires authentication.');
  }

  /** Wraps a handler that needs the caller; answers JSON, honouring Looker's `fields` partial-response filter. */
  const authed =
    (fn: (user: DemoUser, req: Request, res: ServerResponse) => unknown) =>
    async (req: Request, res: ServerResponse) => {
      const user = await authenticate(req);
      const out = await fn(user, req, res);
      if (out === undefined || res.headersSent) return;
      sendJson(res, 200, pickFields(out, req.query.get('fields')));
    };

  const folderOf = (user: DemoUser, id: string) => {
    const f = content.folders.find((x) => x.id === id);
    if (!f || !content.canSeeFolder(user, id)) throw notFound();
    return f;
  };

  async function runQuery(user: DemoUser, q: Omit<QueryRecord, 'id'>, format: string, req: Request, res: ServerResponse): Promise<void> {
    if (UNRENDERED_FORMATS.includes(format)) throw lookerError(400, `The sandbox does not render result_format '${format}'.`);
    if (!(RESULT_FORMATS as readonly string[]).includes(format)) throw lookerError(400, `Unsupported result_format '${format}'.`);
    const explore = findExplore(user, q.model, q.view);
    // An explore the user's roles do not cover is indistinguishable from one that does not exist.
    if (!explore) throw lookerError(404, `Explore '${q.model}::${q.view}' not found.`);
    let compiled;
    try {
      compiled = compileQuery(explore, q, resolveLimit(req.query.get('limit'), q.limit));
    } catch (err) {
      if (err instanceof QueryValidationError) throw validationError(err.field, err.code, err.message);
      throw err;
    }
    let rows: unknown[][] = [];
    if (format !== 'sql') {
      try {
        rows = (await ctx.warehouse.query(compiled.sql, { params: compiled.params })).rows;
      } catch (err) {
        const message = `Query failed: ${(err as Error).message}`;
        // Looker reports a database error inside a 200 json result, as `looker_error`.
        if (format === 'json') return sendJson(res, 200, [{ looker_error: message }]);
        throw lookerError(400, message);
      }
    }
    const out = render(format as ResultFormat, {
      explore,
      query: compiled,
      rows,
      applyFormatting: req.query.get('apply_formatting') === 'true',
      filters: q.filters,
    });
    sendText(res, 200, out.body, out.contentType);
  }

  function queryFromBody(req: Request): Omit<QueryRecord, 'id'> {
    const body = req.json<Record<string, unknown> | null>();
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw validationError('body', 'invalid', 'A Query object is required.');
    for (const key of ['model', 'view'] as const)
      if (typeof body[key] !== 'string' || !body[key]) throw validationError(key, 'missing', 'This field is required.');
    const strings = (v: unknown, field: string): string[] => {
      if (v === undefined || v === null) return [];
      if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw validationError(field, 'invalid', 'Must be an array of strings.');
      return v as string[];
    };
    const filters = body.filters ?? {};
    if (typeof filters !== 'object' || Array.isArray(filters)) throw validationError('filters', 'invalid', 'Must be an object.');
    return {
      model: body.model as string,
      view: body.view as string,
      fields: strings(body.fields, 'fields'),
      filters: Object.fromEntries(Object.entries(filters as Record<string, unknown>).map(([k, v]) => [k, String(v ?? '')])),
      sorts: strings(body.sorts, 'sorts'),
      limit: body.limit === undefined || body.limit === null ? null : String(body.limit),
      vis_config: (body.vis_config as Record<string, unknown>) ?? undefined,
      query_timezone: typeof body.query_timezone === 'string' ? body.query_timezone : 'UTC',
      client_id: typeof body.client_id === 'string' ? body.client_id : null,
    };
  }

  oauth.routes(router, API, authenticate);
  router
    .get('/api/versions', (req, res) => {
      const base = `http://${req.headers.host ?? '127.0.0.1'}`;
      sendJson(res, 200, {
        looker_release_version: '26.12.0',
        current_version: { version: '4.0', full_version: '4.0.26.12', status: 'current', swagger_url: `${base}/api/4.0/swagger.json` },
        supported_versions: [{ version: '4.0', full_version: '4.0.26.12', status: 'current', swagger_url: `${base}/api/4.0/swagger.json` }],
        api_server_url: base,
        web_server_url: base,
      });
    })
    .post(`${API}/login`, (req, res) => {
      // The form body is the supported way; query parameters still work (deprecated by Looker).
      const form = req.body.length ? req.form() : new URLSearchParams();
      const clientId = form.get('client_id') ?? req.query.get('client_id');
      const clientSecret = form.get('client_secret') ?? req.query.get('client_secret');
      const user = ctx.directory.users.find((u) => api3ClientId(u.id) === clientId && api3ClientSecret(u.id) === clientSecret);
      // Looker answers bad API3 credentials with 404 Not found, not 401.
      if (!user) throw notFound();
      const token = randomBytes(30).toString('base64url').replace(/[-_]/g, 'x').slice(0, 40);
      sessions.set(token, { userId: user.id, expiresAt: Date.now() + TOKEN_LIFETIME_SECONDS * 1000 });
      sendJson(res, 200, { access_token: token, token_type: 'Bearer', expires_in: TOKEN_LIFETIME_SECONDS, refresh_token: null });
    })
    .delete(`${API}/logout`, async (req, res) => {
      await authenticate(req);
      sessions.delete(req.bearer()!);
      res.writeHead(204).end();
    })
    .get(`${API}/user`, authed((user) => content.user(user)))
    .get(
      `${API}/folders/search`,
      authed((user, req, res) => {
        const found = search(req, content.visibleFolders(user), {
          id: (f) => f.id,
          name: (f) => f.name,
          parent_id: (f) => f.parentId,
          creator_id: (f) => content.folderBase(user, f).creator_id,
          is_shared_root: (f) => String(f.kind === 'shared_root'),
          is_users_root: (f) => String(f.kind === 'users_root'),
        });
        return page(req, res, sortBy(req, found.map((f) => content.folder(user, f))));
      }),
    )
    .get(`${API}/folders`, authed((user) => content.visibleFolders(user).map((f) => content.folderBase(user, f))))
    .get(`${API}/folders/:id`, authed((user, req) => content.folder(user, folderOf(user, req.params.id))))
    .get(
      `${API}/folders/:id/children`,
      authed((user, req, res) => {
        folderOf(user, req.params.id);
        const children = content.visibleFolders(user).filter((f) => f.parentId === req.params.id);
        return page(req, res, sortBy(req, children.map((f) => content.folder(user, f))));
      }),
    )
    .get(
      `${API}/folders/:id/ancestors`,
      authed((user, req) => {
        let f = folderOf(user, req.params.id);
        const chain = [];
        while (f.parentId) {
          f = content.folders.find((x) => x.id === f.parentId)!;
          if (content.canSeeFolder(user, f.id)) chain.unshift(content.folder(user, f));
        }
        return chain;
      }),
    )
    .get(
      `${API}/folders/:id/dashboards`,
      authed((user, req) => {
        folderOf(user, req.params.id);
        return content.visibleDashboards(user).filter((d) => d.folderId === req.params.id).map((d) => content.dashboard(user, d));
      }),
    )
    .get(
      `${API}/folders/:id/looks`,
      authed((user, req) => {
        folderOf(user, req.params.id);
        return content.visibleLooks(user).filter((l) => l.folderId === req.params.id).map((l) => content.lookWithQuery(user, l));
      }),
    )
    .get(
      `${API}/looks/search`,
      authed((user, req, res) => {
        const found = search(req, content.visibleLooks(user), {
          id: (l) => l.id,
          title: (l) => l.title,
          description: (l) => l.description,
          folder_id: (l) => l.folderId,
          query_id: (l) => l.queryId,
          user_id: (l) => content.look(user, l).user_id,
        });
        return page(req, res, sortBy(req, found.map((l) => content.look(user, l))));
      }),
    )
    .get(`${API}/looks`, authed((user) => content.visibleLooks(user).map((l) => content.look(user, l))))
    .get(`${API}/looks/:id`, authed((user, req) => content.lookWithQuery(user, lookOf(user, req.params.id))))
    .get(
      `${API}/looks/:id/run/:format`,
      authed(async (user, req, res) => {
        const look = lookOf(user, req.params.id);
        await runQuery(user, content.queries.get(look.queryId)!, req.params.format, req, res);
      }),
    )
    .get(
      `${API}/dashboards/search`,
      authed((user, req, res) => {
        const found = search(req, content.visibleDashboards(user), {
          id: (d) => d.id,
          title: (d) => d.title,
          description: (d) => d.description,
          folder_id: (d) => d.folderId,
          slug: (d) => `sbxdash${d.id}`,
          user_id: (d) => content.dashboardBase(user, d).user_id,
        });
        return page(req, res, sortBy(req, found.map((d) => content.dashboard(user, d))));
      }),
    )
    .get(`${API}/dashboards`, authed((user) => content.visibleDashboards(user).map((d) => content.dashboardBase(user, d))))
    .get(`${API}/dashboards/:id`, authed((user, req) => content.dashboard(user, dashboardOf(user, req.params.id))))
    .get(
      `${API}/dashboards/:id/dashboard_elements`,
      authed((user, req) => {
        const d = dashboardOf(user, req.params.id);
        return d.elements.map((e) => content.dashboardElement(user, d, e));
      }),
    )
    .post(
      `${API}/queries/run/:format`,
      authed(async (user, req, res) => {
        await runQuery(user, queryFromBody(req), req.params.format, req, res);
      }),
    )
    .post(
      `${API}/queries`,
      authed((user, req) => {
        const q = queryFromBody(req);
        if (!findExplore(user, q.model, q.view)) throw lookerError(404, `Explore '${q.model}::${q.view}' not found.`);
        return content.query(content.addQuery(q));
      }),
    )
    .get(`${API}/queries/:id`, authed((user, req) => content.query(queryOf(user, req.params.id))))
    .get(
      `${API}/queries/:id/run/:format`,
      authed(async (user, req, res) => {
        await runQuery(user, queryOf(user, req.params.id), req.params.format, req, res);
      }),
    );

  function lookOf(user: DemoUser, id: string) {
    const look = content.visibleLooks(user).find((l) => l.id === id);
    if (!look) throw notFound();
    return look;
  }
  function dashboardOf(user: DemoUser, id: string) {
    const d = content.visibleDashboards(user).find((x) => x.id === id);
    if (!d) throw notFound();
    return d;
  }
  function queryOf(user: DemoUser, id: string) {
    const q = content.queries.get(id);
    if (!q || !findExplore(user, q.model, q.view)) throw notFound();
    return q;
  }

  const server = await serve({
    name: 'looker',
    port: opts.port,
    router,
    faults: ctx.faults,
    errorBody: (_status, message) => ({ message, documentation_url: DOCS }),
    log: ctx.log,
  });
  ctx.log(`[looker] listening on ${server.url}`);
  return { name: 'looker', url: server.url, close: () => server.close(), oauth };
}

// --- search, sort, paging and partial responses (shared by the search endpoints) ---------------

/**
 * Looker search semantics: string criteria match case-insensitively with `%`/`_` wildcards,
 * `IS NULL` / `NOT NULL` test presence, and `filter_or=true` ORs the criteria instead of ANDing.
 */
function search<T>(req: Request, items: T[], criteria: Record<string, (item: T) => string | null | undefined>): T[] {
  const active = Object.entries(criteria).filter(([k]) => req.query.has(k));
  if (!active.length) return items;
  const any = req.query.get('filter_or') === 'true';
  const test = (pattern: string, value: string | null | undefined) => {
    if (/^IS NULL$/i.test(pattern)) return value === null || value === undefined;
    if (/^NOT NULL$/i.test(pattern)) return value !== null && value !== undefined;
    if (value === null || value === undefined) return false;
    const re = new RegExp(`^${pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.')}$`, 'i');
    return re.test(value);
  };
  return items.filter((item) => {
    const results = active.map(([k, get]) => test(req.query.get(k)!, get(item)));
    return any ? results.some(Boolean) : results.every(Boolean);
  });
}

/** `sorts=title desc,id`: sorts objects by top-level properties. */
function sortBy<T extends object>(req: Request, items: T[]): T[] {
  const sorts = (req.query.get('sorts') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (!sorts.length) return items;
  const keys = sorts.map((s) => {
    const [name, dir] = s.split(/\s+/);
    return { name, desc: dir?.toLowerCase() === 'desc' };
  });
  const cmp = (a: unknown, b: unknown) => {
    const na = Number(a);
    const nb = Number(b);
    if (typeof a === 'string' && typeof b === 'string' && !(Number.isFinite(na) && Number.isFinite(nb))) return a.localeCompare(b);
    return na - nb;
  };
  return [...items].sort((a, b) => {
    for (const k of keys) {
      const c = cmp((a as Record<string, unknown>)[k.name], (b as Record<string, unknown>)[k.name]);
      if (c) return k.desc ? -c : c;
    }
    return 0;
  });
}

/** limit/offset paging with `X-Total-Count` and a `Link` header (rel first/prev/next/last), as sdk-rtl's Paging reads them. */
function page<T>(req: Request, res: ServerResponse, items: T[]): T[] {
  const total = items.length;
  res.setHeader('X-Total-Count', String(total));
  const limitParam = req.query.get('limit');
  const offset = Math.max(0, Number(req.query.get('offset') ?? 0) || 0);
  if (!limitParam) return items.slice(offset);
  const limit = Number(limitParam);
  if (!Number.isInteger(limit) || limit < 1) throw validationError('limit', 'invalid', 'limit must be a positive integer');
  const url = (o: number) => {
    const q = new URLSearchParams(req.query);
    q.set('limit', String(limit));
    q.set('offset', String(o));
    return `<http://${req.headers.host ?? '127.0.0.1'}${req.path}?${q}>`;
  };
  const links = [`${url(0)}; rel="first"`];
  if (offset > 0) links.push(`${url(Math.max(0, offset - limit))}; rel="prev"`);
  if (offset + limit < total) links.push(`${url(offset + limit)}; rel="next"`);
  links.push(`${url(Math.max(0, Math.floor((total - 1) / limit) * limit))}; rel="last"`);
  res.setHeader('Link', links.join(', '));
  return items.slice(offset, offset + limit);
}

/** Looker's `fields=` partial responses: top-level names; `folder(id,name)` keeps only those of a nested object. */
export function pickFields(value: unknown, fields: string | null): unknown {
  if (!fields) return value;
  const spec = parseFieldSpec(fields);
  const pick = (obj: unknown, s: Map<string, string | null>): unknown => {
    if (Array.isArray(obj)) return obj.map((o) => pick(o, s));
    if (!obj || typeof obj !== 'object') return obj;
    const out: Record<string, unknown> = {};
    for (const [k, nested] of s) {
      if (!(k in obj)) continue;
      const v = (obj as Record<string, unknown>)[k];
      out[k] = nested ? pick(v, parseFieldSpec(nested)) : v;
    }
    return out;
  };
  return pick(value, spec);
}

function parseFieldSpec(fields: string): Map<string, string | null> {
  const out = new Map<string, string | null>();
  let depth = 0;
  let start = 0;
  const push = (part: string) => {
    const p = part.trim();
    if (!p) return;
    const i = p.indexOf('(');
    if (i < 0) out.set(p, null);
    else out.set(p.slice(0, i).trim(), p.slice(i + 1, p.lastIndexOf(')')));
  };
  for (let i = 0; i < fields.length; i++) {
    if (fields[i] === '(') depth++;
    else if (fields[i] === ')') depth--;
    else if (fields[i] === ',' && depth === 0) {
      push(fields.slice(start, i));
      start = i + 1;
    }
  }
  push(fields.slice(start));
  return out;
}
