// A Metabase instance (`/api`), with the wire quirks clients must cope with: plain-text 401/403/404
// bodies, query endpoints that answer 202 even when the query failed, results capped at 2,000 rows.
//
// Auth: `POST /api/session` {username, password} with a demo user's email and directory password
// → `X-Metabase-Session`; `x-api-key: METABASE_API_KEY` (belongs to the analysts group, not to a
// person: it sees what analysts see); the identity-aware proxy's assertion (identityProxy.ts).
// Seeded content: database 1 (the BigQuery warehouse); collections 2 Sales (analysts + engineers),
// 3 Finance (engineers), personal collections 4 alice, 5 bob, 6 olivia; cards 1 Orders by day,
// 2 Revenue by status, 3 Customers (a model), 4 Top countries by page views, 5 Monthly revenue and
// 6 Payouts (Finance), 7 Refunds (legacy: its table is missing, so it fails), 8 alice's scratch
// question, 9 bob's daily revenue; dashboards 1 Sales overview (dashcards 1–3), 2 Finance overview
// (dashcards 4–5). Native queries (POST /api/dataset) are for data engineers only.
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { PROXY_ASSERTION_HEADER } from './identityProxy';
import type { RunningService, SandboxContext } from './context';
import { HttpError, Router, type Request, sendJson, serve } from './http';
import { DATABASE_ID, METABASE_API_KEY, MetabaseContent, templateTagId, type CardRecord, type Principal } from './metabase/content';
import { runNative, substituteTemplateTags, type QueryContext, type RequestParameter } from './metabase/dataset';

export { METABASE_API_KEY, METABASE_USER_IDS, COLLECTION_IDS as METABASE_COLLECTION_IDS, PERSONAL_COLLECTION_IDS as METABASE_PERSONAL_COLLECTION_IDS } from './metabase/content';
export { ROW_CAP as METABASE_ROW_CAP } from './metabase/dataset';

const unauthenticated = () => new HttpError(401, 'Unauthenticated');
const forbidden = () => new HttpError(403, "You don't have permissions to do that.");
const notFound = () => new HttpError(404, 'Not found.');

export async function startMetabase(ctx: SandboxContext, opts: { port?: number } = {}): Promise<RunningService> {
  const content = new MetabaseContent();
  /** Session id → directory user id. */
  const sessions = new Map<string, string>();
  const router = new Router();

  async function authenticate(req: Request): Promise<Principal> {
    const sessionId = header(req, 'x-metabase-session');
    if (sessionId) {
      const user = sessions.has(sessionId) ? ctx.directory.find(sessions.get(sessionId)!) : undefined;
      if (!user) throw unauthenticated();
      return content.principalFor(user);
    }
    const apiKey = header(req, 'x-api-key');
    if (apiKey) {
      if (apiKey !== METABASE_API_KEY) throw unauthenticated();
      return content.apiKeyPrincipal();
    }
    // Metabase has no bearer-token authentication; a person signed in at the IdP arrives through
    // the identity-aware proxy (like Metabase behind IAP), whose assertion names them.
    if (req.headers[PROXY_ASSERTION_HEADER] !== undefined) {
      const user = await ctx.identityProxy.verifyAssertion(req, 'metabase');
      if (!user) throw unauthenticated();
      return content.principalFor(user, 'jwt');
    }
    throw unauthenticated();
  }

  const authed =
    (fn: (p: Principal, req: Request, res: ServerResponse) => unknown) =>
    async (req: Request, res: ServerResponse) => {
      const p = await authenticate(req);
      const out = await fn(p, req, res);
      if (out !== undefined && !res.headersSent) sendJson(res, 200, out);
    };

  const intParam = (s: string) => {
    if (!/^\d+$/.test(s)) throw notFound();
    return Number(s);
  };
  const cardFor = (p: Principal, id: string): CardRecord => {
    const card = content.cards.find((c) => c.id === intParam(id));
    if (!card) throw notFound();
    if (!content.canSeeCard(p, card)) throw forbidden();
    return card;
  };
  const dashboardFor = (p: Principal, id: string) => {
    const d = content.dashboards.find((x) => x.id === intParam(id));
    if (!d) throw notFound();
    if (!content.canSeeCollection(p, d.collectionId)) throw forbidden();
    return d;
  };

  async function runCard(card: CardRecord, context: QueryContext, res: ServerResponse, extra: Record<string, unknown> = {}, request: RequestParameter[] = []) {
    const tags = (card.parameters ?? []).map((t) => ({ ...t, id: templateTagId(card.id, t.slug) }));
    const sub = substituteTemplateTags(card.sql, tags, request);
    const outcome = sub.ok
      ? await runNative(ctx.warehouse, sub.sql, context, { card_id: card.id, ...extra }, sub.params)
      : await runNative(ctx.warehouse, card.sql, context, { card_id: card.id, ...extra }, undefined, sub);
    if (outcome.columns) content.resultMetadata.set(card.id, outcome.columns);
    sendJson(res, outcome.status, outcome.body);
  }

  router
    .post('/api/session', (req, res) => {
      const body = safeJson(req);
      const errors: Record<string, string> = {};
      for (const k of ['username', 'password'] as const)
        if (typeof body[k] !== 'string' || !(body[k] as string).trim()) errors[k] = 'value must be a non-blank string.';
      if (Object.keys(errors).length) throw new HttpError(400, { errors, specific_errors: Object.fromEntries(Object.keys(errors).map((k) => [k, ['should be a string, received: nil']])) });
      const user = ctx.directory.find(body.username as string);
      // Unknown user and wrong password look the same, so logins cannot probe for accounts.
      if (!user || user.password !== body.password) throw new HttpError(401, { errors: { password: 'did not match stored password' } });
      const id = randomUUID();
      sessions.set(id, user.id);
      sendJson(res, 200, { id }, { 'set-cookie': `metabase.SESSION=${id}; HttpOnly; Path=/; SameSite=Lax` });
    })
    .delete('/api/session', async (req, res) => {
      const sessionId = header(req, 'x-metabase-session');
      if (!sessionId || !sessions.has(sessionId)) throw unauthenticated();
      sessions.delete(sessionId);
      res.writeHead(204).end();
    })
    .get('/api/user/current', authed((p) => content.currentUser(p)))
    .get(
      '/api/collection/tree',
      authed((p) => {
        // Non-admins see shared collections they can read plus their own personal collection.
        return content.visibleCollections(p).map((c) => content.treeNode(p, c));
      }),
    )
    .get('/api/collection/root', authed(() => content.rootCollection()))
    .get(
      '/api/collection/:id',
      authed((p, req) => {
        const id = intParam(req.params.id);
        const c = content.collections.find((x) => x.id === id);
        if (!c) throw notFound();
        if (!content.canSeeCollection(p, id)) throw forbidden();
        return content.collection(p, c);
      }),
    )
    .get(
      '/api/collection/:id/items',
      authed((p, req) => {
        let collectionId: number | null = null;
        if (req.params.id !== 'root') {
          collectionId = intParam(req.params.id);
          if (!content.collections.some((c) => c.id === collectionId)) throw notFound();
          if (!content.canSeeCollection(p, collectionId)) throw forbidden();
        }
        const models = req.query.getAll('models');
        const items: Record<string, unknown>[] = [];
        if (collectionId === null)
          items.push(...content.visibleCollections(p).filter((c) => !c.owner).map((c) => content.collectionItem(p, c)));
        items.push(...content.dashboards.filter((d) => d.collectionId === collectionId).map((d) => content.dashboardItem(p, d)));
        items.push(...content.cards.filter((c) => c.collectionId === collectionId).map((c) => content.cardItem(p, c)));
        const order = ['collection', 'dashboard', 'dataset', 'card'];
        // Without sort_column, items come grouped by model (collections, dashboards, models, questions), then by name.
        const sortColumn = req.query.get('sort_column') ?? 'model';
        const desc = req.query.get('sort_direction') === 'desc';
        const selected = items
          .filter((i) => !models.length || models.includes(i.model as string))
          .sort((a, b) => {
            const byModel = order.indexOf(a.model as string) - order.indexOf(b.model as string);
            const byName = String(a.name).localeCompare(String(b.name), 'en', { sensitivity: 'base' });
            const c = sortColumn === 'model' ? byModel || byName : byName;
            return desc ? -c : c;
          });
        const limit = req.query.get('limit');
        const offset = req.query.get('offset');
        const l = limit === null ? undefined : Number(limit);
        const o = offset === null ? 0 : Number(offset);
        if ((l !== undefined && !(Number.isInteger(l) && l >= 0)) || !(Number.isInteger(o) && o >= 0))
          throw new HttpError(400, { errors: { limit: 'value must be a valid integer greater than zero.' } });
        return {
          total: selected.length,
          data: selected.slice(o, l === undefined ? undefined : o + l),
          models: models.length ? models : [...new Set(selected.map((i) => i.model))],
          limit: l ?? null,
          offset: offset === null ? null : o,
        };
      }),
    )
    .get(
      '/api/card',
      authed((p, req) => {
        const f = req.query.get('f') ?? 'all';
        const cards = content.visibleCards(p);
        switch (f) {
          case 'all':
            return cards.map((c) => content.card(p, c));
          case 'mine':
            return cards.filter((c) => p.user && c.owner === p.user.id).map((c) => content.card(p, c));
          case 'archived':
          case 'bookmarked':
            return [];
          default:
            throw new HttpError(400, { errors: { f: 'nullable enum of archived, table, using_model, bookmarked, using_segment, all, mine, database' } });
        }
      }),
    )
    .get('/api/card/:id', authed((p, req) => content.card(p, cardFor(p, req.params.id))))
    .post(
      '/api/card/:id/query',
      authed(async (p, req, res) => {
        const body = safeJson(req);
        const parameters = Array.isArray(body.parameters) ? (body.parameters as RequestParameter[]) : [];
        await runCard(cardFor(p, req.params.id), 'question', res, {}, parameters);
      }),
    )
    .get(
      '/api/dashboard',
      authed((p, req) => {
        const f = req.query.get('f') ?? 'all';
        const ds = content.visibleDashboards(p);
        if (f === 'archived') return [];
        if (f === 'mine') return ds.filter((d) => p.user && d.owner === p.user.id).map((d) => content.dashboardSummary(p, d));
        return ds.map((d) => content.dashboardSummary(p, d));
      }),
    )
    .get('/api/dashboard/:id', authed((p, req) => content.dashboard(p, dashboardFor(p, req.params.id))))
    .post(
      '/api/dashboard/:id/dashcard/:dashcardId/card/:cardId/query',
      authed(async (p, req, res) => {
        const d = dashboardFor(p, req.params.id);
        const dc = d.dashcards.find((x) => x.id === intParam(req.params.dashcardId));
        if (!dc || dc.cardId !== intParam(req.params.cardId)) throw notFound();
        await runCard(cardFor(p, req.params.cardId), 'dashboard', res, { dashboard_id: d.id, dashcard_id: dc.id });
      }),
    )
    .post(
      '/api/dataset',
      authed(async (p, req, res) => {
        const body = safeJson(req);
        const native = body.native as { query?: unknown } | undefined;
        if (body.type !== 'native' || typeof native?.query !== 'string')
          throw new HttpError(400, { errors: { type: 'The sandbox runs native queries only: {"type":"native","native":{"query":"..."}}' } });
        if (body.database !== DATABASE_ID) throw notFound();
        if (!content.canRunNative(p)) throw forbidden();
        const outcome = await runNative(ctx.warehouse, native.query, 'ad-hoc');
        sendJson(res, outcome.status, outcome.body);
      }),
    );

  function safeJson(req: Request): Record<string, unknown> {
    const body = req.json<unknown>();
    return body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  }

  const server = await serve({
    name: 'metabase',
    port: opts.port,
    router,
    faults: ctx.faults,
    // Metabase answers unknown API paths and bad methods in plain text.
    errorBody: (status) => (status === 404 ? 'API endpoint does not exist.' : status === 405 ? 'Method not allowed.' : 'An error occurred.'),
    log: ctx.log,
  });
  ctx.log(`[metabase] listening on ${server.url}`);
  return { name: 'metabase', url: server.url, close: () => server.close() };
}

function header(req: Request, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
