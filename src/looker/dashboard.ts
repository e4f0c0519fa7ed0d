// A Looker dashboard run whole, the way Looker's own dashboards run it: every tile with a query
// or a look runs, text tiles show their words, and each dashboard filter's value reaches the
// tiles that listen to it (`result_maker.filterables[].listen`: dashboard filter name → the
// tile's field), replacing the tile's own filter on that field. An empty value means "any value"
// and applies nothing. A tile with a filter to apply runs its query inline with the filters
// merged in (run_look takes no filters); a tile without one runs its saved look or query.
import type { InlineQuery } from './client';
import { elementTarget } from './explorerModel';
import type { Dashboard, DashboardElement, QuerySummary } from './types';
import { t } from '../core/l10n';

/** One dashboard filter as the person sees and changes it. */
export interface FilterValue {
  /** The filter's `name`, which tiles listen to. */
  name: string;
  title: string;
  value: string;
}

export type TileRun = { kind: 'look'; lookId: string } | { kind: 'query'; queryId: string } | { kind: 'inline'; query: InlineQuery };

export type TilePlan =
  | { kind: 'text'; elementId: string; title: string; text: string }
  | { kind: 'run'; elementId: string; title: string; run: TileRun; fieldOrder?: readonly string[]; visType?: string; applied: Readonly<Record<string, string>> }
  /** A tile Gatehouse cannot run (a merged result, an extension, a query Looker did not send). */
  | { kind: 'unavailable'; elementId: string; title: string; message: string };

/** Longest filter value accepted: Looker filter expressions are short text. */
export const MAX_FILTER_VALUE = 1_000;

/** The dashboard's filters with their default values, in the dashboard's order. */
export function dashboardFilterDefaults(d: Dashboard): FilterValue[] {
  const out: FilterValue[] = [];
  for (const f of d.dashboard_filters ?? []) {
    if (!f || typeof f.name !== 'string' || !f.name) continue;
    out.push({ name: f.name, title: typeof f.title === 'string' && f.title ? f.title : f.name, value: typeof f.default_value === 'string' ? f.default_value : '' });
  }
  return out;
}

/** Why a typed filter value is not accepted, or undefined when it is (it is sent as text, never parsed here). */
export function filterValueProblem(value: string): string | undefined {
  if (value.length > MAX_FILTER_VALUE) return t('Keep the filter under {0} characters.', MAX_FILTER_VALUE);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) return t('The filter may not contain line breaks or control characters.');
  return undefined;
}

/** The filters a tile receives from the dashboard: its listened field → the filter's value. */
export function tileFilters(element: DashboardElement, values: readonly FilterValue[]): Record<string, string> {
  const byName = new Map(values.map((v) => [v.name, v.value]));
  const out: Record<string, string> = {};
  for (const filterable of element.result_maker?.filterables ?? []) {
    for (const listen of filterable?.listen ?? []) {
      const name = listen?.dashboard_filter_name;
      const field = listen?.field;
      if (typeof name !== 'string' || typeof field !== 'string' || !field) continue;
      const value = byName.get(name);
      if (value !== undefined && value.trim() !== '') out[field] = value;
    }
  }
  return out;
}

/** What running the dashboard runs, tile by tile, with `values` for its filters. */
export function planDashboard(d: Dashboard, values: readonly FilterValue[]): TilePlan[] {
  return (d.dashboard_elements ?? []).filter((e) => e && (typeof e.id === 'string' || typeof e.id === 'number')).map((e) => planTile(e, values));
}

function planTile(e: DashboardElement, values: readonly FilterValue[]): TilePlan {
  const elementId = String(e.id);
  if (e.type === 'text') {
    // The title is the tile picker's; the words are the subtitle and body.
    const text = [e.subtitle_text, e.body_text].filter((t): t is string => typeof t === 'string' && t.trim() !== '').join('\n\n');
    return { kind: 'text', elementId, title: str(e.title_text) || str(e.title) || t('Text'), text };
  }
  const title = str(e.title) || str(e.look?.title) || t('Tile {0}', elementId);
  const query = e.result_maker?.query ?? e.query ?? e.look?.query;
  const fieldOrder = query?.fields ?? undefined;
  const visType = typeof query?.vis_config?.type === 'string' ? query.vis_config.type : undefined;
  const applied = tileFilters(e, values);
  if (Object.keys(applied).length) {
    const inline = query && inlineQuery(query, applied);
    if (!inline) return { kind: 'unavailable', elementId, title, message: t('Looker did not send this tile’s query, so the dashboard filters cannot be applied to it.') };
    return { kind: 'run', elementId, title, run: { kind: 'inline', query: inline }, fieldOrder, visType, applied };
  }
  const target = elementTarget(e);
  if (!target) return { kind: 'unavailable', elementId, title, message: t('This tile has no look or query Gatehouse can run (a merged result or an extension tile). Open the dashboard in Looker to see it.') };
  return { kind: 'run', elementId, title, run: target, fieldOrder, visType, applied };
}

/** The tile's query with the dashboard's filters replacing its own on the same fields. */
export function inlineQuery(query: QuerySummary, applied: Readonly<Record<string, string>>): InlineQuery | undefined {
  if (typeof query.model !== 'string' || !query.model || typeof query.view !== 'string' || !query.view) return undefined;
  const out: InlineQuery = { model: query.model, view: query.view, filters: { ...(query.filters ?? {}), ...applied } };
  const keys = ['fields', 'filter_expression', 'sorts', 'limit', 'pivots', 'fill_fields', 'dynamic_fields', 'column_limit', 'total', 'row_total', 'subtotals', 'query_timezone'] as const;
  for (const k of keys) {
    const v = query[k];
    if (v !== undefined && v !== null) (out as Record<string, unknown>)[k] = v;
  }
  return out;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}
