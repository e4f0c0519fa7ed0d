// The Metabase instance's seeded content: people (and one API-key "user"), groups, collections,
// cards (questions, a model, a failing card) and dashboards, and who may see what.
import type { DemoUser } from '../directory';
import { DEMO_USERS, GROUPS } from '../directory';

/** Who a request acts as: a demo user, or the API key's pseudo-user (it belongs to a group, not a person). */
export interface Principal {
  id: number;
  email: string;
  firstName: string;
  lastName: string;
  groups: readonly string[];
  type: 'personal' | 'api-key';
  /** The demo user, for personal principals. */
  user?: DemoUser;
  ssoSource: 'jwt' | null;
}

export const DATABASE_ID = 1;
const CREATED = '2026-01-12T09:30:00.000Z';
const UPDATED = '2026-02-03T16:05:00.000Z';

export const METABASE_USER_IDS: Record<string, number> = { alice: 1, bob: 2, olivia: 3 };
const API_KEY_USER_ID = 4;
const GROUP_IDS: Record<string, number> = { [GROUPS.engineers]: 3, [GROUPS.analysts]: 4, [GROUPS.contractors]: 5 };
const ALL_USERS_GROUP_ID = 1;

/** The API key seeded in Admin → Authentication → API keys; it belongs to the analysts group. */
export const METABASE_API_KEY = 'mb_SandboxAnalystsReportingKey0000000000000000=';
export const METABASE_API_KEY_NAME = 'Analysts reporting key';

const dataGroups = [GROUPS.engineers, GROUPS.analysts] as const;

interface CollectionRecord {
  id: number;
  name: string;
  description: string | null;
  groups: readonly string[];
  /** Directory id of the owner, for personal collections. */
  owner?: string;
}

export interface CardRecord {
  id: number;
  name: string;
  description: string | null;
  display: string;
  type: 'question' | 'model';
  collectionId: number;
  sql: string;
  owner: string;
  /** Template tags of the native query ({{slug}}, optional clauses in [[...]]), shown as the card's parameters. */
  parameters?: CardParameterRecord[];
}

export interface CardParameterRecord {
  slug: string;
  name: string;
  tag: 'text' | 'number' | 'date';
  default?: string | number;
  required?: boolean;
}

/** The parameter type Metabase gives a template tag of each type. */
const TAG_PARAMETER_TYPES: Record<CardParameterRecord['tag'], string> = { text: 'category', number: 'number/=', date: 'date/single' };

/** A template tag's stable id (Metabase uses a UUID per tag). */
export function templateTagId(cardId: number, slug: string): string {
  return `sbx-tag-${cardId}-${slug}`;
}

interface DashboardRecord {
  id: number;
  name: string;
  description: string;
  collectionId: number;
  owner: string;
  dashcards: { id: number; cardId: number; row: number; col: number; sizeX: number; sizeY: number }[];
}

export const COLLECTION_IDS = { sales: 2, finance: 3 } as const;
export const PERSONAL_COLLECTION_IDS: Record<string, number> = { alice: 4, bob: 5, olivia: 6 };

export class MetabaseContent {
  readonly collections: CollectionRecord[] = [
    { id: COLLECTION_IDS.sales, name: 'Sales', description: 'Orders, customers and traffic.', groups: dataGroups },
    { id: COLLECTION_IDS.finance, name: 'Finance', description: 'Revenue and payouts (finance only).', groups: [GROUPS.engineers] },
    { id: PERSONAL_COLLECTION_IDS.alice, name: "Alice Engineer's Personal Collection", description: null, groups: [], owner: 'alice' },
    { id: PERSONAL_COLLECTION_IDS.bob, name: "Bob Analyst's Personal Collection", description: null, groups: [], owner: 'bob' },
    { id: PERSONAL_COLLECTION_IDS.olivia, name: "Olivia Outsider's Personal Collection", description: null, groups: [], owner: 'olivia' },
  ];

  readonly cards: CardRecord[] = [
    {
      id: 1,
      name: 'Orders by day',
      description: 'Daily order count and amount.',
      display: 'line',
      type: 'question',
      collectionId: COLLECTION_IDS.sales,
      owner: 'alice',
      sql: 'SELECT order_date AS day, COUNT(*) AS orders, SUM(amount) AS revenue\nFROM `gatehouse-demo.analytics.orders`\nGROUP BY order_date\nORDER BY order_date DESC',
    },
    {
      id: 2,
      name: 'Revenue by status',
      description: 'Order totals per order status.',
      display: 'bar',
      type: 'question',
      collectionId: COLLECTION_IDS.sales,
      owner: 'bob',
      sql: 'SELECT status, COUNT(*) AS orders, SUM(amount) AS revenue\nFROM `gatehouse-demo.analytics.orders`\nGROUP BY status\nORDER BY revenue DESC',
    },
    {
      id: 3,
      name: 'Customers',
      description: 'One row per customer (a model: other questions start from it).',
      display: 'table',
      type: 'model',
      collectionId: COLLECTION_IDS.sales,
      owner: 'alice',
      sql: 'SELECT customer_id, name, email, created_at, lifetime_value\nFROM `gatehouse-demo.analytics.customers`\nORDER BY customer_id',
    },
    {
      id: 4,
      name: 'Top countries by page views',
      description: 'The ten countries with the most page views.',
      display: 'row',
      type: 'question',
      collectionId: COLLECTION_IDS.sales,
      owner: 'bob',
      sql: 'SELECT country, COUNT(*) AS page_views, COUNT(DISTINCT user_id) AS users\nFROM `gatehouse-demo.events.page_views`\nGROUP BY country\nORDER BY page_views DESC\nLIMIT 10',
    },
    {
      id: 5,
      name: 'Monthly revenue',
      description: 'Recognised revenue per month.',
      display: 'area',
      type: 'question',
      collectionId: COLLECTION_IDS.finance,
      owner: 'alice',
      sql: 'SELECT month, SUM(gross_revenue) AS revenue, SUM(refunds) AS refunds\nFROM `gatehouse-finance.finance.revenue`\nGROUP BY month\nORDER BY month',
    },
    {
      id: 6,
      name: 'Payouts',
      description: 'Every payout, newest first.',
      display: 'table',
      type: 'question',
      collectionId: COLLECTION_IDS.finance,
      owner: 'alice',
      sql: 'SELECT payout_id, vendor, amount, currency, paid_at, status\nFROM `gatehouse-finance.finance.payouts`\nORDER BY paid_at DESC, payout_id',
    },
    {
      id: 7,
      name: 'Refunds (legacy)',
      description: 'Refers to a table that was dropped: running it fails.',
      display: 'table',
      type: 'question',
      collectionId: COLLECTION_IDS.sales,
      owner: 'bob',
      sql: 'SELECT refund_id, order_id, amount\nFROM `gatehouse-demo.analytics.refunds`',
    },
    {
      id: 8,
      name: 'Scratch: recent orders',
      description: null,
      display: 'table',
      type: 'question',
      collectionId: PERSONAL_COLLECTION_IDS.alice,
      owner: 'alice',
      sql: 'SELECT order_id, order_date, status, amount\nFROM `gatehouse-demo.analytics.orders`\nORDER BY order_date DESC, order_id\nLIMIT 100',
    },
    {
      id: 9,
      name: 'My daily revenue',
      description: null,
      display: 'line',
      type: 'question',
      collectionId: PERSONAL_COLLECTION_IDS.bob,
      owner: 'bob',
      sql: 'SELECT day, orders, revenue\nFROM `gatehouse-demo.analytics.daily_revenue`\nORDER BY day DESC',
    },
    {
      id: 10,
      name: 'Orders by status since',
      description: 'Orders per status from a date, optionally one status and a minimum amount (parameters).',
      display: 'bar',
      type: 'question',
      collectionId: COLLECTION_IDS.sales,
      owner: 'bob',
      sql: 'SELECT status, COUNT(*) AS orders, SUM(amount) AS revenue\nFROM `gatehouse-demo.analytics.orders`\nWHERE order_date >= CAST({{since}} AS DATE) [[AND status = {{status}}]] [[AND amount >= {{min_amount}}]]\nGROUP BY status\nORDER BY revenue DESC',
      parameters: [
        { slug: 'since', name: 'Since', tag: 'date', default: '2000-01-01', required: true },
        { slug: 'status', name: 'Status', tag: 'text', default: 'completed' },
        { slug: 'min_amount', name: 'Minimum amount', tag: 'number' },
      ],
    },
  ];

  readonly dashboards: DashboardRecord[] = [
    {
      id: 1,
      name: 'Sales overview',
      description: 'Orders and traffic at a glance.',
      collectionId: COLLECTION_IDS.sales,
      owner: 'bob',
      dashcards: [
        { id: 1, cardId: 1, row: 0, col: 0, sizeX: 12, sizeY: 6 },
        { id: 2, cardId: 2, row: 0, col: 12, sizeX: 12, sizeY: 6 },
        { id: 3, cardId: 4, row: 6, col: 0, sizeX: 24, sizeY: 6 },
      ],
    },
    {
      id: 2,
      name: 'Finance overview',
      description: 'Revenue and payouts (finance only).',
      collectionId: COLLECTION_IDS.finance,
      owner: 'alice',
      dashcards: [
        { id: 4, cardId: 5, row: 0, col: 0, sizeX: 24, sizeY: 6 },
        { id: 5, cardId: 6, row: 6, col: 0, sizeX: 24, sizeY: 8 },
      ],
    },
  ];

  /** Result metadata of cards, filled the first time each runs (Metabase saves it with the card). */
  readonly resultMetadata = new Map<number, unknown[]>();

  principalFor(user: DemoUser, ssoSource: 'jwt' | null = null): Principal {
    const [first, ...rest] = user.name.split(' ');
    return { id: METABASE_USER_IDS[user.id], email: user.email, firstName: first, lastName: rest.join(' '), groups: user.groups, type: 'personal', user, ssoSource };
  }

  apiKeyPrincipal(): Principal {
    return {
      id: API_KEY_USER_ID,
      email: 'api-key-user-5f0c2a41-sandbox@api-key.invalid',
      firstName: METABASE_API_KEY_NAME,
      lastName: '',
      groups: [GROUPS.analysts],
      type: 'api-key',
      ssoSource: null,
    };
  }

  // --- visibility ---------------------------------------------------------------------------

  canSeeCollection(p: Principal, id: number | null): boolean {
    if (id === null) return true; // "Our analytics" root: everyone may list it (its content is checked item by item).
    const c = this.collections.find((x) => x.id === id);
    if (!c) return false;
    if (c.owner) return !!p.user && c.owner === p.user.id;
    return c.groups.some((g) => p.groups.includes(g));
  }
  canWriteCollection(p: Principal, id: number): boolean {
    const c = this.collections.find((x) => x.id === id);
    if (!c) return false;
    return c.owner ? this.canSeeCollection(p, id) : p.groups.includes(GROUPS.engineers) && this.canSeeCollection(p, id);
  }
  visibleCollections(p: Principal): CollectionRecord[] {
    return this.collections.filter((c) => this.canSeeCollection(p, c.id));
  }
  canSeeCard(p: Principal, card: CardRecord): boolean {
    return this.canSeeCollection(p, card.collectionId);
  }
  visibleCards(p: Principal): CardRecord[] {
    return this.cards.filter((c) => this.canSeeCard(p, c));
  }
  visibleDashboards(p: Principal): DashboardRecord[] {
    return this.dashboards.filter((d) => this.canSeeCollection(p, d.collectionId));
  }
  /** Native SQL (the "SQL editor" data permission) is granted to data engineers only. */
  canRunNative(p: Principal): boolean {
    return p.groups.includes(GROUPS.engineers);
  }

  // --- serialization ------------------------------------------------------------------------

  currentUser(p: Principal) {
    return {
      id: p.id,
      email: p.email,
      first_name: p.firstName,
      last_name: p.lastName || null,
      common_name: [p.firstName, p.lastName].filter(Boolean).join(' '),
      locale: null,
      last_login: UPDATED,
      is_active: true,
      is_qbnewb: false,
      is_superuser: false,
      is_installer: false,
      has_invited_second_user: false,
      has_question_and_metadata: true,
      date_joined: CREATED,
      updated_at: UPDATED,
      first_login: CREATED,
      sso_source: p.ssoSource,
      login_attributes: null,
      type: p.type,
      personal_collection_id: p.user ? PERSONAL_COLLECTION_IDS[p.user.id] ?? null : null,
      user_group_memberships: [{ id: ALL_USERS_GROUP_ID }, ...p.groups.map((g) => ({ id: GROUP_IDS[g] })).filter((m) => m.id)],
      custom_homepage: null,
      can_write_any_collection: p.groups.includes(GROUPS.engineers) || !!p.user,
    };
  }

  private userSummary(directoryId: string) {
    const user = DEMO_USERS.find((u) => u.id === directoryId)!;
    const [first, ...rest] = user.name.split(' ');
    return { id: METABASE_USER_IDS[directoryId], email: user.email, first_name: first, last_name: rest.join(' '), common_name: user.name };
  }

  private lastEditInfo(directoryId: string) {
    const { id, email, first_name, last_name } = this.userSummary(directoryId);
    return { id, email, first_name, last_name, timestamp: UPDATED };
  }

  collection(p: Principal, c: CollectionRecord) {
    return {
      authority_level: null,
      description: c.description,
      archived: false,
      slug: c.name.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, ''),
      name: c.name,
      personal_owner_id: c.owner ? METABASE_USER_IDS[c.owner] : null,
      type: null,
      is_sample: false,
      id: c.id,
      archived_directly: null,
      entity_id: `sbxCollection${String(c.id).padStart(8, '0')}`,
      location: '/', // every sandbox collection sits directly under the root
      namespace: null,
      is_personal: !!c.owner,
      created_at: CREATED,
      can_write: this.canWriteCollection(p, c.id),
      can_restore: false,
      can_delete: false,
      effective_location: '/',
      effective_ancestors: [{ name: 'Our analytics', id: 'root', can_write: false, is_personal: false }],
      parent_id: null,
    };
  }

  rootCollection() {
    return {
      name: 'Our analytics',
      id: 'root',
      can_write: false,
      effective_location: null,
      effective_ancestors: [],
      authority_level: null,
      parent_id: null,
      is_personal: false,
    };
  }

  /** A tree node as GET /api/collection/tree returns it: the models found here and below. */
  treeNode(p: Principal, c: CollectionRecord) {
    const here = new Set<string>();
    for (const card of this.cards) if (card.collectionId === c.id) here.add(card.type === 'model' ? 'dataset' : 'card');
    for (const d of this.dashboards) if (d.collectionId === c.id) here.add('dashboard');
    const { effective_location: _l, effective_ancestors: _a, parent_id: _p, ...node } = this.collection(p, c);
    return { ...node, here: [...here].sort(), below: [], children: [] };
  }

  card(p: Principal, c: CardRecord) {
    const collection = this.collections.find((x) => x.id === c.collectionId)!;
    return {
      id: c.id,
      entity_id: `sbxCard${String(c.id).padStart(14, '0')}`,
      name: c.name,
      description: c.description,
      display: c.display,
      type: c.type,
      collection_id: c.collectionId,
      collection: this.collection(p, collection),
      collection_position: null,
      collection_preview: true,
      database_id: DATABASE_ID,
      table_id: null,
      query_type: 'native',
      dataset_query: this.datasetQuery(c.sql, c),
      result_metadata: this.resultMetadata.get(c.id) ?? null,
      visualization_settings: {},
      parameters: (c.parameters ?? []).map((t) => ({
        id: templateTagId(c.id, t.slug),
        type: TAG_PARAMETER_TYPES[t.tag],
        target: ['variable', ['template-tag', t.slug]],
        name: t.name,
        slug: t.slug,
        ...(t.default !== undefined ? { default: t.default } : {}),
        ...(t.required ? { required: true } : {}),
      })),
      parameter_mappings: [],
      archived: false,
      archived_directly: false,
      enable_embedding: false,
      embedding_params: null,
      public_uuid: null,
      made_public_by_id: null,
      creator_id: METABASE_USER_IDS[c.owner],
      creator: this.userSummary(c.owner),
      created_at: CREATED,
      updated_at: UPDATED,
      cache_ttl: null,
      can_write: this.canWriteCollection(p, c.collectionId),
      can_run_adhoc_query: this.canRunNative(p),
      can_restore: false,
      can_delete: false,
      can_manage_db: false,
      dashboard_id: null,
      dashboard_count: this.dashboards.filter((d) => d.dashcards.some((dc) => dc.cardId === c.id)).length,
      view_count: 10 + c.id,
      'last-edit-info': this.lastEditInfo(c.owner),
      moderation_reviews: [],
    };
  }

  datasetQuery(sql: string, c?: CardRecord) {
    const tags = Object.fromEntries(
      (c?.parameters ?? []).map((t) => [
        t.slug,
        { id: templateTagId(c!.id, t.slug), name: t.slug, 'display-name': t.name, type: t.tag, required: !!t.required, ...(t.default !== undefined ? { default: t.default } : {}) },
      ]),
    );
    return { database: DATABASE_ID, type: 'native', native: { query: sql, 'template-tags': tags } };
  }

  dashboardSummary(p: Principal, d: DashboardRecord) {
    return {
      id: d.id,
      entity_id: `sbxDashboard${String(d.id).padStart(9, '0')}`,
      name: d.name,
      description: d.description,
      collection_id: d.collectionId,
      collection_position: null,
      creator_id: METABASE_USER_IDS[d.owner],
      parameters: [],
      archived: false,
      archived_directly: false,
      auto_apply_filters: true,
      enable_embedding: false,
      embedding_params: null,
      public_uuid: null,
      made_public_by_id: null,
      position: null,
      show_in_getting_started: false,
      caveats: null,
      points_of_interest: null,
      cache_ttl: null,
      width: 'fixed',
      view_count: 20 + d.id,
      created_at: CREATED,
      updated_at: UPDATED,
      can_write: this.canWriteCollection(p, d.collectionId),
      'last-edit-info': this.lastEditInfo(d.owner),
    };
  }

  dashboard(p: Principal, d: DashboardRecord) {
    const collection = this.collections.find((x) => x.id === d.collectionId)!;
    return {
      ...this.dashboardSummary(p, d),
      collection: this.collection(p, collection),
      collection_authority_level: null,
      can_restore: false,
      can_delete: false,
      param_fields: null,
      param_values: null,
      tabs: [],
      dashcards: d.dashcards.map((dc) => {
        const card = this.cards.find((c) => c.id === dc.cardId)!;
        return {
          id: dc.id,
          entity_id: `sbxDashcard${String(dc.id).padStart(10, '0')}`,
          dashboard_id: d.id,
          dashboard_tab_id: null,
          card_id: dc.cardId,
          card: this.card(p, card),
          action_id: null,
          row: dc.row,
          col: dc.col,
          size_x: dc.sizeX,
          size_y: dc.sizeY,
          series: [],
          parameter_mappings: [],
          visualization_settings: {},
          created_at: CREATED,
          updated_at: UPDATED,
        };
      }),
    };
  }

  /** An entry of GET /api/collection/:id/items. */
  cardItem(p: Principal, c: CardRecord) {
    return {
      id: c.id,
      name: c.name,
      description: c.description,
      model: c.type === 'model' ? 'dataset' : 'card',
      display: c.display,
      collection_position: null,
      collection_preview: true,
      database_id: DATABASE_ID,
      entity_id: `sbxCard${String(c.id).padStart(14, '0')}`,
      moderated_status: null,
      archived: false,
      fully_parameterized: true,
      dashboard_count: this.dashboards.filter((d) => d.dashcards.some((dc) => dc.cardId === c.id)).length,
      can_write: this.canWriteCollection(p, c.collectionId),
      can_restore: false,
      can_delete: false,
      'last-edit-info': this.lastEditInfo(c.owner),
    };
  }

  dashboardItem(p: Principal, d: DashboardRecord) {
    return {
      id: d.id,
      name: d.name,
      description: d.description,
      model: 'dashboard',
      collection_position: null,
      entity_id: `sbxDashboard${String(d.id).padStart(9, '0')}`,
      archived: false,
      can_write: this.canWriteCollection(p, d.collectionId),
      can_restore: false,
      can_delete: false,
      'last-edit-info': this.lastEditInfo(d.owner),
    };
  }

  collectionItem(p: Principal, c: CollectionRecord) {
    return {
      id: c.id,
      name: c.name,
      description: c.description,
      model: 'collection',
      location: '/',
      personal_owner_id: c.owner ? METABASE_USER_IDS[c.owner] : null,
      authority_level: null,
      entity_id: `sbxCollection${String(c.id).padStart(8, '0')}`,
      archived: false,
      can_write: this.canWriteCollection(p, c.id),
      here: this.treeNode(p, c).here,
      below: [],
    };
  }
}
