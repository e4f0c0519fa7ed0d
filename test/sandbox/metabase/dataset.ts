// Metabase's Dataset response (POST /api/dataset, /api/card/:id/query, dashcard queries) built
// from a warehouse result, with the BigQuery driver's type mapping.
import type { Warehouse, WarehouseField } from '../context';
import { DATABASE_ID } from './content';

/** Metabase caps native and bare-row results at 2,000 rows (`max-results-bare-rows`). */
export const ROW_CAP = 2000;

/** BigQuery type → Metabase base type, as metabase's bigquery-cloud-sdk driver maps them. */
export function baseType(f: WarehouseField): string {
  if (f.mode === 'REPEATED') return 'type/Array';
  switch (f.type) {
    case 'INTEGER':
    case 'INT64':
      return 'type/Integer';
    case 'FLOAT':
    case 'FLOAT64':
      return 'type/Float';
    case 'NUMERIC':
    case 'BIGNUMERIC':
      return 'type/Decimal';
    case 'BOOLEAN':
    case 'BOOL':
      return 'type/Boolean';
    case 'DATE':
      return 'type/Date';
    case 'DATETIME':
      return 'type/DateTime';
    case 'TIMESTAMP':
      return 'type/DateTimeWithLocalTZ';
    case 'TIME':
      return 'type/Time';
    case 'RECORD':
    case 'STRUCT':
      return 'type/Dictionary';
    case 'JSON':
      return 'type/JSON';
    case 'BYTES':
      return 'type/*';
    default:
      return 'type/Text';
  }
}

const DATABASE_TYPES: Record<string, string> = { INTEGER: 'INT64', FLOAT: 'FLOAT64', BOOLEAN: 'BOOL', RECORD: 'STRUCT' };

function col(f: WarehouseField) {
  const bt = baseType(f);
  return {
    display_name: f.name,
    source: 'native',
    field_ref: ['field', f.name, { 'base-type': bt }],
    name: f.name,
    base_type: bt,
    effective_type: bt,
    database_type: f.mode === 'REPEATED' ? 'ARRAY' : DATABASE_TYPES[f.type] ?? f.type,
    semantic_type: null,
  };
}

/** JSON numbers for INT64/NUMERIC (the warehouse hands them over as strings), everything else as is. */
function value(f: WarehouseField, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (f.mode !== 'REPEATED' && ['type/Integer', 'type/Decimal', 'type/Float'].includes(baseType(f))) return Number(v);
  return v;
}

export type QueryContext = 'ad-hoc' | 'question' | 'dashboard';

export interface DatasetOutcome {
  /** Metabase's query endpoints stream, so they answer 202 whether the query succeeded or failed. */
  status: 202;
  body: Record<string, unknown>;
  /** Result metadata columns, when the query completed. */
  columns?: unknown[];
}

/** Runs native SQL capped at ROW_CAP rows and shapes the outcome as Metabase does. */
export async function runNative(warehouse: Warehouse, sql: string, context: QueryContext, extra: Record<string, unknown> = {}, params?: Record<string, unknown>, failure?: { errorType: string; message: string }): Promise<DatasetOutcome> {
  const startedAt = new Date();
  const t0 = performance.now();
  const jsonQuery = {
    database: DATABASE_ID,
    type: 'native',
    native: { query: sql, 'template-tags': {} },
    constraints: { 'max-results': 10000, 'max-results-bare-rows': ROW_CAP },
    middleware: { 'add-default-userland-constraints?': true },
  };
  const common = { database_id: DATABASE_ID, started_at: startedAt.toISOString(), json_query: jsonQuery, context, ...extra };
  // Fetch one row more than the cap to know whether the result was truncated.
  const wrapped = `SELECT * FROM (\n${sql.replace(/;\s*$/, '')}\n) AS mb_native LIMIT ${ROW_CAP + 1}`;
  try {
    if (failure) throw Object.assign(new Error(failure.message), { errorType: failure.errorType });
    const result = await warehouse.query(wrapped, params ? { params } : {});
    const truncated = result.rows.length > ROW_CAP;
    const rows = result.rows.slice(0, ROW_CAP).map((r) => result.fields.map((f, i) => value(f, r[i])));
    const cols = result.fields.map(col);
    const data: Record<string, unknown> = {
      rows,
      cols,
      native_form: { query: sql, params: null },
      format_rows: true,
      results_timezone: 'UTC',
      requested_timezone: 'UTC',
      results_metadata: { columns: cols.map((c) => ({ ...c, fingerprint: null })) },
      insights: null,
      download_perms: 'full',
    };
    if (truncated) data.rows_truncated = ROW_CAP;
    return {
      status: 202,
      columns: cols,
      body: {
        data,
        cached: null,
        ...common,
        status: 'completed',
        row_count: rows.length,
        running_time: Math.round(performance.now() - t0),
        average_execution_time: null,
      },
    };
  } catch (err) {
    return {
      status: 202,
      body: {
        data: { rows: [], cols: [] },
        ...common,
        status: 'failed',
        class: 'class com.google.cloud.bigquery.BigQueryException',
        error: (err as Error).message,
        error_type: (err as { errorType?: string }).errorType ?? 'invalid-query',
        stacktrace: [],
        via: [],
        row_count: 0,
        running_time: Math.round(performance.now() - t0),
      },
    };
  }
}

/** A card parameter value as a request sends it (`parameters: [{id, type, target, value}]`). */
export interface RequestParameter {
  id?: unknown;
  type?: unknown;
  target?: unknown;
  value?: unknown;
}

/** What the template tags of a native query become: SQL with bound parameters, or the failure Metabase reports. */
export type Substitution = { ok: true; sql: string; params: Record<string, unknown> } | { ok: false; errorType: string; message: string };

/**
 * Metabase's native-query substitution, the common part: `{{tag}}` takes the request's value for
 * the parameter targeting `["variable", ["template-tag", tag]]` (or its id), else the tag's default;
 * an `[[ ... ]]` clause stays only when every tag in it has a value; a required tag without one
 * fails as `missing-required-parameter`. Values are bound, never spliced into the SQL.
 */
export function substituteTemplateTags(
  sql: string,
  tags: ReadonlyArray<{ id: string; slug: string; tag: 'text' | 'number' | 'date'; default?: string | number; required?: boolean }>,
  request: readonly RequestParameter[],
): Substitution {
  const values = new Map<string, unknown>();
  for (const t of tags) {
    const sent = request.find((p) => p && (p.id === t.id || tagOf(p.target) === t.slug));
    let v = sent?.value;
    if (Array.isArray(v)) v = v[0];
    if (v === undefined || v === null || v === '') v = t.default;
    if (v === undefined || v === null || v === '') continue;
    if (t.tag === 'number') {
      const n = typeof v === 'number' ? v : Number(String(v));
      if (!Number.isFinite(n)) return { ok: false, errorType: 'invalid-parameter', message: `Invalid number for ${t.slug}.` };
      v = n;
    } else if (t.tag === 'date') {
      if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v)) return { ok: false, errorType: 'invalid-parameter', message: `Invalid date for ${t.slug}.` };
    } else v = String(v);
    values.set(t.slug, v);
  }
  const missing = tags.find((t) => t.required && !values.has(t.slug));
  if (missing) return { ok: false, errorType: 'missing-required-parameter', message: `You'll need to pick a value for '${missing.slug}' before this query can run.` };
  const params: Record<string, unknown> = {};
  const bind = (body: string) => body.replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (_m, slug: string) => {
    params[`mb_${slug}`] = values.get(slug);
    return `@mb_${slug}`;
  });
  const optional = sql.replace(/\[\[([\s\S]*?)\]\]/g, (_m, body: string) => {
    const used = [...body.matchAll(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g)].map((m) => m[1]);
    return used.every((slug) => values.has(slug)) ? body : '';
  });
  const unknown = [...optional.matchAll(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g)].find((m) => !values.has(m[1]));
  if (unknown) return { ok: false, errorType: 'missing-required-parameter', message: `You'll need to pick a value for '${unknown[1]}' before this query can run.` };
  return { ok: true, sql: bind(optional), params };
}

function tagOf(target: unknown): string | undefined {
  // ["variable", ["template-tag", "status"]] or ["dimension", ["template-tag", "status"]]
  if (!Array.isArray(target) || !Array.isArray(target[1]) || target[1][0] !== 'template-tag') return undefined;
  return typeof target[1][1] === 'string' ? target[1][1] : undefined;
}
