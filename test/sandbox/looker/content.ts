// The Looker instance's seeded content: users, folders, saved queries, looks and dashboards, and
// who may see what. Shapes follow the API 4.0 spec (User, Folder, LookWithQuery, Dashboard...);
// object-typed fields ($ref in the spec, so not nullable there) are left out rather than null.
import type { DemoUser } from '../directory';
import { GROUPS } from '../directory';
import { MODELS } from './model';

export interface QueryRecord {
  id: string;
  model: string;
  view: string;
  fields: string[];
  filters: Record<string, string>;
  sorts: string[];
  limit: string | null;
  vis_config?: Record<string, unknown>;
  query_timezone?: string | null;
  client_id?: string | null;
}

interface FolderRecord {
  id: string;
  name: string;
  parentId: string | null;
  kind: 'shared_root' | 'users_root' | 'shared' | 'personal';
  /** Directory id of the owner, for personal folders. */
  owner?: string;
  /** Groups that may view a shared folder (and its content). */
  groups: readonly string[];
}

interface LookRecord {
  id: string;
  title: string;
  description: string;
  folderId: string;
  queryId: string;
  owner: string;
  viewCount: number;
}

interface ElementRecord {
  id: string;
  type: 'vis' | 'text';
  title: string;
  lookId?: string;
  queryId?: string;
  bodyText?: string;
  /** Dashboard filter name → the tile's field it filters (result_maker.filterables[].listen). */
  listen?: Record<string, string>;
}

interface DashboardRecord {
  id: string;
  title: string;
  description: string;
  folderId: string;
  owner: string;
  elements: ElementRecord[];
  filters: { id: string; name: string; title: string; dimension: string; model: string; explore: string; default_value: string }[];
}

const CREATED = '2026-01-12T09:30:00.000+00:00';
const UPDATED = '2026-02-03T16:05:00.000+00:00';

/** Looker's own numeric ids (as strings) for the directory's people, groups and roles. */
const USER_IDS: Record<string, string> = { alice: '1', bob: '2', olivia: '3' };
const GROUP_IDS: Record<string, string> = { [GROUPS.engineers]: '2', [GROUPS.analysts]: '3', [GROUPS.contractors]: '4' };
const ROLE_IDS: Record<string, string> = { [GROUPS.engineers]: '2' /* Developer */, [GROUPS.analysts]: '3' /* Explorer */, [GROUPS.contractors]: '4' /* Viewer */ };
const ALL_USERS_GROUP = '1';

const dataGroups = [GROUPS.engineers, GROUPS.analysts] as const;

export const FOLDER_IDS = { shared: '1', users: '2', sales: '3', finance: '4', marketing: '5' } as const;
/** Personal folder of each demo user. */
export const PERSONAL_FOLDER_IDS: Record<string, string> = { alice: '11', bob: '12', olivia: '13' };

export class LookerContent {
  readonly folders: FolderRecord[] = [
    { id: FOLDER_IDS.shared, name: 'Shared', parentId: null, kind: 'shared_root', groups: dataGroups },
    { id: FOLDER_IDS.users, name: 'Users', parentId: null, kind: 'users_root', groups: [] },
    { id: FOLDER_IDS.sales, name: 'Sales', parentId: FOLDER_IDS.shared, kind: 'shared', groups: dataGroups },
    { id: FOLDER_IDS.finance, name: 'Finance', parentId: FOLDER_IDS.shared, kind: 'shared', groups: [GROUPS.engineers] },
    { id: FOLDER_IDS.marketing, name: 'Marketing', parentId: FOLDER_IDS.sales, kind: 'shared', groups: dataGroups },
    { id: PERSONAL_FOLDER_IDS.alice, name: 'Alice Engineer', parentId: FOLDER_IDS.users, kind: 'personal', owner: 'alice', groups: [] },
    { id: PERSONAL_FOLDER_IDS.bob, name: 'Bob Analyst', parentId: FOLDER_IDS.users, kind: 'personal', owner: 'bob', groups: [] },
    { id: PERSONAL_FOLDER_IDS.olivia, name: 'Olivia Outsider', parentId: FOLDER_IDS.users, kind: 'personal', owner: 'olivia', groups: [] },
  ];

  readonly queries = new Map<string, QueryRecord>(
    (
      [
        { id: '101', model: 'gatehouse', view: 'orders', fields: ['orders.created_date', 'orders.count', 'orders.total_amount'], filters: {}, sorts: ['orders.created_date desc'], limit: '500', vis_config: { type: 'looker_line' } },
        { id: '102', model: 'gatehouse', view: 'orders', fields: ['orders.status', 'orders.count', 'orders.total_amount'], filters: {}, sorts: ['orders.total_amount desc'], limit: '500', vis_config: { type: 'looker_bar' } },
        { id: '103', model: 'gatehouse', view: 'page_views', fields: ['page_views.country', 'page_views.count', 'page_views.unique_users'], filters: {}, sorts: ['page_views.count desc'], limit: '10', vis_config: { type: 'looker_column' } },
        { id: '104', model: 'finance', view: 'revenue', fields: ['revenue.month', 'revenue.total_revenue', 'revenue.total_refunds'], filters: {}, sorts: ['revenue.month'], limit: '500', vis_config: { type: 'looker_area' } },
        { id: '105', model: 'gatehouse', view: 'orders', fields: ['orders.id', 'orders.created_date', 'orders.status', 'orders.amount'], filters: { 'orders.amount': '>=200' }, sorts: ['orders.amount desc'], limit: '50', vis_config: { type: 'looker_grid' } },
        { id: '106', model: 'gatehouse', view: 'orders', fields: ['orders.created_month', 'orders.count', 'orders.customer_count'], filters: {}, sorts: ['orders.created_month desc'], limit: '24', vis_config: { type: 'looker_column' } },
      ] as QueryRecord[]
    ).map((q) => [q.id, { query_timezone: 'UTC', client_id: null, ...q }]),
  );
  private nextQueryId = 1000;

  readonly looks: LookRecord[] = [
    { id: '1', title: 'Orders by day', description: 'Daily order count and amount.', folderId: FOLDER_IDS.sales, queryId: '101', owner: 'alice', viewCount: 42 },
    { id: '2', title: 'Revenue by status', description: 'Order totals per order status.', folderId: FOLDER_IDS.sales, queryId: '102', owner: 'bob', viewCount: 17 },
    { id: '3', title: 'Top countries by page views', description: 'The ten countries with the most page views.', folderId: FOLDER_IDS.marketing, queryId: '103', owner: 'bob', viewCount: 9 },
    { id: '4', title: 'Finance: monthly revenue', description: 'Recognised revenue per month (finance only).', folderId: FOLDER_IDS.finance, queryId: '104', owner: 'alice', viewCount: 5 },
    { id: '5', title: 'Large orders (scratch)', description: 'Orders of $200 or more.', folderId: PERSONAL_FOLDER_IDS.alice, queryId: '105', owner: 'alice', viewCount: 1 },
  ];

  readonly dashboards: DashboardRecord[] = [
    {
      id: '1',
      title: 'Sales overview',
      description: 'Orders and revenue at a glance.',
      folderId: FOLDER_IDS.sales,
      owner: 'bob',
      elements: [
        { id: '1', type: 'vis', title: 'Orders by day', lookId: '1', listen: { Status: 'orders.status' } },
        { id: '2', type: 'vis', title: 'Revenue by status', lookId: '2', listen: { Status: 'orders.status', 'Order amount': 'orders.amount' } },
        { id: '3', type: 'vis', title: 'Orders per month', queryId: '106', listen: { Status: 'orders.status' } },
        { id: '4', type: 'text', title: 'About', bodyText: 'Figures come from gatehouse-demo.analytics.' },
      ],
      filters: [
        { id: '1', name: 'Status', title: 'Status', dimension: 'orders.status', model: 'gatehouse', explore: 'orders', default_value: '' },
        // Only "Revenue by status" listens to it: a dashboard filter reaches the tiles mapped to it.
        { id: '2', name: 'Order amount', title: 'Order amount', dimension: 'orders.amount', model: 'gatehouse', explore: 'orders', default_value: '>=0' },
      ],
    },
    {
      id: '2',
      title: 'Finance overview',
      description: 'Monthly revenue (finance only).',
      folderId: FOLDER_IDS.finance,
      owner: 'alice',
      elements: [{ id: '5', type: 'vis', title: 'Monthly revenue', lookId: '4' }],
      filters: [],
    },
  ];

  lookerUserId(user: DemoUser): string {
    return USER_IDS[user.id] ?? `9${user.id}`;
  }

  addQuery(q: Omit<QueryRecord, 'id'>): QueryRecord {
    const rec = { ...q, id: String(this.nextQueryId++) };
    this.queries.set(rec.id, rec);
    return rec;
  }

  // --- visibility ---------------------------------------------------------------------------

  canSeeFolder(user: DemoUser, id: string): boolean {
    const f = this.folders.find((x) => x.id === id);
    if (!f) return false;
    if (f.kind === 'personal') return f.owner === user.id;
    return f.groups.some((g) => user.groups.includes(g));
  }

  visibleFolders(user: DemoUser): FolderRecord[] {
    return this.folders.filter((f) => this.canSeeFolder(user, f.id));
  }

  visibleLooks(user: DemoUser): LookRecord[] {
    return this.looks.filter((l) => this.canSeeFolder(user, l.folderId));
  }

  visibleDashboards(user: DemoUser): DashboardRecord[] {
    return this.dashboards.filter((d) => this.canSeeFolder(user, d.folderId));
  }

  // --- serialization (API 4.0 shapes) -------------------------------------------------------

  user(user: DemoUser) {
    const id = this.lookerUserId(user);
    const [first, ...rest] = user.name.split(' ');
    const personal = PERSONAL_FOLDER_IDS[user.id] ?? null;
    return {
      can: { show: true, index: true, show_details: true, index_details: true, sudo: false },
      avatar_url: `https://gravatar.invalid/avatar/${id}?s=156&d=blank`,
      avatar_url_without_sizing: `https://gravatar.invalid/avatar/${id}?d=blank`,
      credentials_api3: [
        { can: {}, id: `${id}0`, client_id: api3ClientId(user.id), created_at: CREATED, is_disabled: false, type: 'api3', url: `/api/4.0/users/${id}/credentials_api3/${id}0` },
      ],
      credentials_email: { can: {}, created_at: CREATED, user_id: id, email: user.email, forced_password_reset_at_next_login: false, is_disabled: false, logged_in_at: UPDATED, type: 'email' },
      credentials_embed: [],
      display_name: user.name,
      email: user.email,
      first_name: first,
      last_name: rest.join(' '),
      group_ids: [ALL_USERS_GROUP, ...user.groups.map((g) => GROUP_IDS[g]).filter(Boolean)],
      home_folder_id: user.groups.some((g) => (dataGroups as readonly string[]).includes(g)) ? FOLDER_IDS.shared : personal,
      id,
      is_disabled: false,
      locale: 'en',
      looker_versions: ['26.12.0'],
      models_dir_validated: null,
      personal_folder_id: personal,
      presumed_looker_employee: false,
      role_ids: user.groups.map((g) => ROLE_IDS[g]).filter(Boolean),
      sessions: [],
      ui_state: null,
      verified_looker_employee: false,
      roles_externally_managed: false,
      allow_direct_roles: true,
      allow_normal_group_membership: true,
      allow_roles_from_normal_groups: true,
      embed_group_folder_id: null,
      is_iam_admin: false,
      can_manage_api3_creds: true,
      is_service_account: false,
      service_account_name: null,
      url: `/api/4.0/users/${id}`,
    };
  }

  folderBase(user: DemoUser, f: FolderRecord) {
    const ownerId = f.owner ? USER_IDS[f.owner] ?? null : null;
    const editable = f.kind === 'personal' || (f.kind === 'shared' && user.groups.includes(GROUPS.engineers));
    return {
      name: f.name,
      parent_id: f.parentId,
      id: f.id,
      content_metadata_id: String(100 + Number(f.id)),
      created_at: CREATED,
      creator_id: ownerId,
      child_count: this.folders.filter((c) => c.parentId === f.id && this.canSeeFolder(user, c.id)).length,
      external_id: null,
      is_embed: false,
      is_embed_shared_root: false,
      is_embed_users_root: false,
      is_personal: f.kind === 'personal',
      is_personal_descendant: false,
      is_shared_root: f.kind === 'shared_root',
      is_users_root: f.kind === 'users_root',
      can: { index: true, show: true, create: editable, see_admin_spaces: false, update: editable, destroy: editable && f.kind === 'shared', move_content: editable, edit_content: editable },
    };
  }

  folder(user: DemoUser, f: FolderRecord) {
    return {
      ...this.folderBase(user, f),
      dashboards: this.visibleDashboards(user).filter((d) => d.folderId === f.id).map((d) => this.dashboardBase(user, d)),
      looks: this.visibleLooks(user).filter((l) => l.folderId === f.id).map((l) => this.lookWithDashboards(user, l)),
    };
  }

  query(q: QueryRecord) {
    return {
      can: { run: true, see_results: true, explore: true, create: true, show: true, cost_estimate: true, index: true, see_lookml: false, see_aggregate_table_lookml: false, see_derived_table_lookml: false, see_sql: true },
      id: q.id,
      model: q.model,
      view: q.view,
      fields: q.fields,
      pivots: null,
      fill_fields: null,
      filters: Object.keys(q.filters).length ? q.filters : null,
      filter_expression: null,
      sorts: q.sorts,
      limit: q.limit,
      column_limit: null,
      total: null,
      row_total: null,
      subtotals: null,
      vis_config: q.vis_config ?? null,
      filter_config: null,
      visible_ui_sections: null,
      slug: `q${q.id}sbx`,
      dynamic_fields: null,
      client_id: q.client_id ?? `sbx${q.id}`,
      share_url: `https://looker.sandbox.gatehouse.test/x/sbx${q.id}`,
      expanded_share_url: `https://looker.sandbox.gatehouse.test/explore/${q.model}/${q.view}?fields=${q.fields.join(',')}`,
      url: `/explore/${q.model}/${q.view}?fields=${q.fields.join(',')}&limit=${q.limit ?? 500}`,
      query_timezone: q.query_timezone ?? null,
      has_table_calculations: false,
    };
  }

  private lookModel(modelId: string) {
    const m = MODELS.find((x) => x.id === modelId);
    return { id: modelId, label: m?.label ?? modelId };
  }

  look(user: DemoUser, l: LookRecord) {
    const folder = this.folders.find((f) => f.id === l.folderId)!;
    const q = this.queries.get(l.queryId)!;
    return {
      can: { download: true, download_unlimited: true, index: true, show: true, copy: true, run: true, create: true, move: true, update: true, destroy: true, recover: false, render: true, schedule: true, see_lookml: false, see_sql: true, send_to_integration: false },
      content_metadata_id: String(200 + Number(l.id)),
      id: l.id,
      title: l.title,
      user_id: USER_IDS[l.owner],
      content_favorite_id: null,
      created_at: CREATED,
      deleted: false,
      deleted_at: null,
      deleter_id: null,
      description: l.description,
      embed_url: `https://looker.sandbox.gatehouse.test/embed/looks/${l.id}`,
      excel_file_url: `https://looker.sandbox.gatehouse.test/looks/${l.id}.xlsx`,
      favorite_count: 0,
      google_spreadsheet_formula: null,
      image_embed_url: `https://looker.sandbox.gatehouse.test/looks/${l.id}.png`,
      is_run_on_load: true,
      last_accessed_at: UPDATED,
      last_updater_id: USER_IDS[l.owner],
      last_viewed_at: UPDATED,
      model: this.lookModel(q.model),
      public: false,
      public_slug: null,
      public_url: null,
      query_id: l.queryId,
      short_url: `/x/look${l.id}`,
      folder: this.folderBase(user, folder),
      folder_id: l.folderId,
      updated_at: UPDATED,
      user_name: this.ownerName(l.owner),
      view_count: l.viewCount,
      usage_count: l.viewCount,
      is_owner_disabled: false,
    };
  }

  lookWithQuery(user: DemoUser, l: LookRecord) {
    return { ...this.look(user, l), query: this.query(this.queries.get(l.queryId)!), url: `/looks/${l.id}` };
  }

  lookWithDashboards(user: DemoUser, l: LookRecord) {
    const dashboards = this.visibleDashboards(user).filter((d) => d.elements.some((e) => e.lookId === l.id));
    return { ...this.look(user, l), dashboards: dashboards.map((d) => this.dashboardBase(user, d)) };
  }

  dashboardBase(user: DemoUser, d: DashboardRecord) {
    const folder = this.folders.find((f) => f.id === d.folderId)!;
    const firstQuery = d.elements.map((e) => e.queryId ?? this.looks.find((l) => l.id === e.lookId)?.queryId).find(Boolean);
    return {
      can: { download: true, see_lookml: false, index: true, show: true, copy: true, run: true, create: true, move: true, update: true, destroy: true, recover: false, schedule: true },
      content_favorite_id: null,
      content_metadata_id: String(300 + Number(d.id)),
      description: d.description,
      hidden: false,
      id: d.id,
      model: firstQuery ? this.lookModel(this.queries.get(firstQuery)!.model) : undefined,
      query_timezone: 'UTC',
      readonly: !user.groups.includes(GROUPS.engineers),
      refresh_interval: null,
      refresh_interval_to_i: null,
      folder: this.folderBase(user, folder),
      title: d.title,
      user_id: USER_IDS[d.owner],
      slug: `sbxdash${d.id}`,
      preferred_viewer: 'dashboards-next',
    };
  }

  dashboardElement(user: DemoUser, d: DashboardRecord, e: ElementRecord) {
    const look = e.lookId ? this.looks.find((l) => l.id === e.lookId) : undefined;
    const queryId = e.queryId ?? look?.queryId ?? null;
    const query = queryId ? this.query(this.queries.get(queryId)!) : null;
    return {
      can: { create: true, index: true, show: true, update: true, destroy: true },
      body_text: e.bodyText ?? null,
      body_text_as_html: e.bodyText ? `<p>${e.bodyText}</p>` : null,
      dashboard_id: d.id,
      dashboard_layout_id: `${d.id}0`,
      edit_uri: null,
      id: e.id,
      // A tile's look is only expanded when the viewer may see the look's folder.
      look: look && this.canSeeFolder(user, look.folderId) ? this.lookWithQuery(user, look) : undefined,
      look_id: e.lookId ?? null,
      lookml_link_id: null,
      merge_result_id: null,
      note_display: null,
      note_state: null,
      note_text: null,
      note_text_as_html: null,
      query: e.queryId && query ? query : undefined,
      query_id: e.queryId ?? null,
      filter_id: null,
      refresh_interval: null,
      refresh_interval_to_i: null,
      result_maker: query ? { id: `rm${e.id}`, dynamic_fields: null, filterables: this.filterables(e, query), sorts: query.sorts, merge_result_id: null, total: false, query_id: queryId, sql_query_id: null, query, vis_config: query.vis_config } : undefined,
      result_maker_id: query ? `rm${e.id}` : null,
      subtitle_text: null,
      title: e.title,
      title_hidden: false,
      title_text: e.type === 'text' ? e.title : null,
      type: e.type,
      alert_count: 0,
      rich_content_json: null,
      title_text_as_html: e.type === 'text' ? `<p>${e.title}</p>` : null,
      subtitle_text_as_html: null,
      extension_id: null,
      aria_description: null,
    };
  }

  /** One filterable (the tile's query) listening to the dashboard filters mapped to its fields. */
  private filterables(e: ElementRecord, query: { model: string; view: string }) {
    const listen = Object.entries(e.listen ?? {}).map(([name, field]) => ({ dashboard_filter_name: name, field }));
    return [{ model: query.model, view: query.view, name: e.title, listen }];
  }

  dashboard(user: DemoUser, d: DashboardRecord) {
    return {
      ...this.dashboardBase(user, d),
      alert_sync_with_dashboard_filter_enabled: false,
      chat_enabled: false,
      background_color: null,
      created_at: CREATED,
      crossfilter_enabled: false,
      dashboard_elements: d.elements.map((e) => this.dashboardElement(user, d, e)),
      dashboard_filters: d.filters.map((f, i) => ({
        can: { create: true, show: true, update: true, destroy: true },
        id: f.id,
        dashboard_id: d.id,
        name: f.name,
        title: f.title,
        type: 'field_filter',
        default_value: f.default_value,
        model: f.model,
        explore: f.explore,
        dimension: f.dimension,
        field: null,
        row: i,
        listens_to_filters: [],
        allow_multiple_values: true,
        required: false,
        ui_config: { type: 'tag_list', display: 'popover' },
      })),
      dashboard_layouts: [
        {
          can: { create: true, show: true, update: true, destroy: true },
          id: `${d.id}0`,
          dashboard_id: d.id,
          type: 'newspaper',
          active: true,
          column_width: null,
          width: null,
          deleted: false,
          dashboard_title: d.title,
          dashboard_layout_components: d.elements.map((e, i) => ({
            can: {},
            id: `${d.id}0${e.id}`,
            dashboard_layout_id: `${d.id}0`,
            dashboard_element_id: e.id,
            row: Math.floor(i / 2) * 6,
            column: (i % 2) * 12,
            width: 12,
            height: 6,
            deleted: false,
            element_title: e.title,
            element_title_hidden: false,
            vis_type: e.type === 'text' ? 'text' : 'vis',
          })),
        },
      ],
      deleted: false,
      deleted_at: null,
      deleter_id: null,
      edit_uri: null,
      enable_viz_full_screen: true,
      favorite_count: 0,
      filters_bar_collapsed: false,
      filters_location_top: true,
      last_accessed_at: UPDATED,
      last_viewed_at: UPDATED,
      updated_at: UPDATED,
      last_updater_id: USER_IDS[d.owner],
      last_updater_name: this.ownerName(d.owner),
      user_name: this.ownerName(d.owner),
      load_configuration: 'wait',
      lookml_link_id: null,
      show_filters_bar: true,
      show_title: true,
      folder_id: d.folderId,
      text_tile_text_color: null,
      tile_background_color: null,
      tile_text_color: null,
      title_color: null,
      view_count: 12,
      usage_count: 12,
      is_owner_disabled: false,
      url: `/dashboards/${d.id}`,
      preserve_desktop_layout: false,
    };
  }

  private ownerName(directoryId: string): string {
    return this.folders.find((f) => f.owner === directoryId)?.name ?? directoryId;
  }
}

/** API3 credentials seeded for each demo user (Admin → Users → Edit keys, in a real instance). */
export function api3ClientId(userId: string): string {
  return `sbx-looker-${userId}-client-id`;
}
export function api3ClientSecret(userId: string): string {
  return `sbx-looker-${userId}-client-secret`;
}
