// Shapes of the Looker API 4.0 as Gatehouse reads them (only the fields it uses). Ids are strings.

export interface LookerUser {
  id: string;
  display_name?: string;
  email?: string;
  personal_folder_id?: string | null;
  home_folder_id?: string | null;
}

export interface Folder {
  id: string;
  name: string;
  parent_id?: string | null;
  child_count?: number;
  is_shared_root?: boolean;
  is_users_root?: boolean;
  is_personal?: boolean;
  creator_id?: string | null;
  created_at?: string;
}

export interface QuerySummary {
  id: string;
  model?: string;
  view?: string;
  fields?: string[] | null;
  /** Field name → Looker filter expression. */
  filters?: Record<string, string> | null;
  filter_expression?: string | null;
  sorts?: string[] | null;
  limit?: string | null;
  pivots?: string[] | null;
  fill_fields?: string[] | null;
  dynamic_fields?: string | null;
  column_limit?: string | null;
  total?: boolean | null;
  row_total?: string | null;
  subtotals?: string[] | null;
  query_timezone?: string | null;
  /** How Looker draws it; `type` names the visualization (looker_line, looker_grid, …). */
  vis_config?: { type?: unknown } | null;
}

export interface Look {
  id: string;
  title: string;
  description?: string | null;
  folder_id?: string;
  query_id?: string;
  query?: QuerySummary;
  user_id?: string;
  user_name?: string;
  updated_at?: string | null;
  created_at?: string | null;
  view_count?: number;
  model?: { id: string; label?: string };
}

export interface DashboardSummary {
  id: string;
  title: string;
  description?: string | null;
  folder_id?: string;
  folder?: { id: string; name: string };
  user_id?: string;
  user_name?: string;
  updated_at?: string | null;
  readonly?: boolean;
}

export interface DashboardElement {
  id: string;
  dashboard_id?: string;
  type?: string;
  title?: string | null;
  title_text?: string | null;
  look_id?: string | null;
  query_id?: string | null;
  look?: Look;
  query?: QuerySummary;
  /** A text tile's words (body_text_as_html exists too; Gatehouse never reads it). */
  body_text?: string | null;
  subtitle_text?: string | null;
  result_maker?: { query_id?: string | null; query?: QuerySummary; filterables?: ResultMakerFilterable[] | null } | null;
}

/** Which dashboard filters a tile listens to, and on which of its fields. */
export interface ResultMakerFilterable {
  model?: string | null;
  view?: string | null;
  name?: string | null;
  listen?: Array<{ dashboard_filter_name?: string | null; field?: string | null }> | null;
}

/** A dashboard filter (GET /dashboards/{id} → dashboard_filters). */
export interface DashboardFilter {
  id: string;
  name: string;
  title?: string | null;
  type?: string | null;
  default_value?: string | null;
  model?: string | null;
  explore?: string | null;
  dimension?: string | null;
  allow_multiple_values?: boolean | null;
  required?: boolean | null;
}

/** GET /dashboards/{id}: the dashboard with its tiles and filters. */
export interface Dashboard extends DashboardSummary {
  dashboard_elements?: DashboardElement[] | null;
  dashboard_filters?: DashboardFilter[] | null;
}

/** One field of a json_bi result's metadata. */
export interface JsonBiField {
  name: string;
  type?: string;
  label?: string;
  label_short?: string;
  field_group_variant?: string;
  category?: string;
}

/** GET /looks/{id}/run/json_bi and /queries/{id}/run/json_bi. */
export interface JsonBi {
  metadata: {
    fields: {
      dimensions?: JsonBiField[];
      measures?: JsonBiField[];
      table_calculations?: JsonBiField[];
      pivots?: JsonBiField[];
    };
    pivots?: unknown[];
    sql?: string;
  };
  rows: Record<string, unknown>[];
}
