// Shapes of the Metabase API as Gatehouse reads them (only the fields it uses). Ids are numbers;
// the root collection is the string "root".

export interface MetabaseUser {
  id: number;
  email?: string;
  common_name?: string;
  personal_collection_id?: number | null;
  /** `api-key` when the request was made with an API key (a group's pseudo-user). */
  type?: string;
}

export interface LastEditInfo {
  email?: string;
  first_name?: string;
  last_name?: string;
  timestamp?: string;
}

export interface CollectionTreeNode {
  id: number | string;
  name: string;
  description?: string | null;
  is_personal?: boolean;
  personal_owner_id?: number | null;
  archived?: boolean;
  children?: CollectionTreeNode[];
}

export type CollectionItemModel = 'card' | 'dataset' | 'metric' | 'dashboard' | 'collection';

export interface CollectionItem {
  id: number;
  name: string;
  description?: string | null;
  model: CollectionItemModel | string;
  display?: string;
  'last-edit-info'?: LastEditInfo;
}

export interface Card {
  id: number;
  name: string;
  description?: string | null;
  type?: 'question' | 'model' | 'metric' | string;
  display?: string;
  collection_id?: number | null;
  updated_at?: string;
  creator?: { common_name?: string; email?: string };
  /** The question's parameters (template tags, field filters); see parameters.ts. */
  parameters?: unknown;
}

export interface DashboardCard {
  id: number;
  card_id: number | null;
  card?: Card | null;
}

export interface Dashboard {
  id: number;
  name: string;
  description?: string | null;
  collection_id?: number | null;
  dashcards?: DashboardCard[];
  /** Before Metabase 0.47. */
  ordered_cards?: DashboardCard[];
}

export interface DatasetColumn {
  name: string;
  display_name?: string;
  base_type?: string;
  effective_type?: string;
}

/** POST /api/card/:id/query and the dashboard-card query: HTTP 202 either way; `status` says how it went. */
export interface Dataset {
  status?: 'completed' | 'failed' | string;
  error_type?: string;
  row_count?: number;
  running_time?: number;
  data?: {
    rows?: unknown[][];
    cols?: DatasetColumn[];
    rows_truncated?: number;
  };
}
