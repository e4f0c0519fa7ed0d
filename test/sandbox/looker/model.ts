// The sandbox's LookML, reduced to what run_inline_query needs: models, explores and fields that
// compile to BigQuery-dialect SQL over the warehouse. Field names follow Looker (`view.field`).
import { GROUPS } from '../directory';

export type FieldKind = 'dimension' | 'measure';
/** Looker field types (a subset): dimension types, then measure types. */
export type FieldType = 'string' | 'number' | 'date_date' | 'date_month' | 'count' | 'sum' | 'average' | 'count_distinct';

export interface FieldDef {
  name: string;
  label: string;
  kind: FieldKind;
  type: FieldType;
  sql: string;
  dimensionGroup?: string;
  /** Looker value_format_name, used when `apply_formatting=true`. */
  valueFormat?: 'usd' | 'decimal_0' | 'decimal_2';
  description?: string;
}

export interface ExploreDef {
  model: string;
  name: string;
  label: string;
  table: string;
  fields: FieldDef[];
  /** Groups allowed to query the model (Looker model sets via roles); empty = everyone with a role. */
  groups: readonly string[];
}

export interface ModelDef {
  id: string;
  label: string;
  groups: readonly string[];
}

const everyoneWithData = [GROUPS.engineers, GROUPS.analysts] as const;

export const MODELS: readonly ModelDef[] = [
  { id: 'gatehouse', label: 'Gatehouse', groups: everyoneWithData },
  { id: 'finance', label: 'Finance', groups: [GROUPS.engineers] },
];

function dim(view: string, name: string, label: string, type: FieldType, sql: string, extra: Partial<FieldDef> = {}): FieldDef {
  return { name: `${view}.${name}`, label, kind: 'dimension', type, sql, ...extra };
}
function measure(view: string, name: string, label: string, type: FieldType, sql: string, extra: Partial<FieldDef> = {}): FieldDef {
  return { name: `${view}.${name}`, label, kind: 'measure', type, sql, ...extra };
}
/** Month as 'YYYY-MM', written so that BigQuery and the DuckDB warehouse agree. */
const month = (col: string) => `SUBSTR(CAST(${col} AS STRING), 1, 7)`;

export const EXPLORES: readonly ExploreDef[] = [
  {
    model: 'gatehouse',
    name: 'orders',
    label: 'Orders',
    table: 'gatehouse-demo.analytics.orders',
    groups: everyoneWithData,
    fields: [
      dim('orders', 'id', 'ID', 'number', 'orders.order_id'),
      dim('orders', 'customer_id', 'Customer ID', 'number', 'orders.customer_id'),
      dim('orders', 'status', 'Status', 'string', 'orders.status'),
      dim('orders', 'amount', 'Amount', 'number', 'orders.amount', { valueFormat: 'usd' }),
      dim('orders', 'created_date', 'Created Date', 'date_date', 'orders.order_date', { dimensionGroup: 'orders.created' }),
      dim('orders', 'created_month', 'Created Month', 'date_month', month('orders.order_date'), { dimensionGroup: 'orders.created' }),
      measure('orders', 'count', 'Count', 'count', 'COUNT(*)', { valueFormat: 'decimal_0' }),
      measure('orders', 'total_amount', 'Total Amount', 'sum', 'SUM(orders.amount)', { valueFormat: 'usd', description: 'Sum of order amounts' }),
      measure('orders', 'average_amount', 'Average Amount', 'average', 'AVG(orders.amount)', { valueFormat: 'usd' }),
      measure('orders', 'customer_count', 'Customer Count', 'count_distinct', 'COUNT(DISTINCT orders.customer_id)', { valueFormat: 'decimal_0' }),
    ],
  },
  {
    model: 'gatehouse',
    name: 'customers',
    label: 'Customers',
    table: 'gatehouse-demo.analytics.customers',
    groups: everyoneWithData,
    fields: [
      dim('customers', 'id', 'ID', 'number', 'customers.customer_id'),
      dim('customers', 'name', 'Name', 'string', 'customers.name'),
      dim('customers', 'email', 'Email', 'string', 'customers.email'),
      dim('customers', 'lifetime_value', 'Lifetime Value', 'number', 'customers.lifetime_value', { valueFormat: 'usd' }),
      measure('customers', 'count', 'Count', 'count', 'COUNT(*)', { valueFormat: 'decimal_0' }),
      measure('customers', 'total_lifetime_value', 'Total Lifetime Value', 'sum', 'SUM(customers.lifetime_value)', { valueFormat: 'usd' }),
    ],
  },
  {
    model: 'gatehouse',
    name: 'page_views',
    label: 'Page Views',
    table: 'gatehouse-demo.events.page_views',
    groups: everyoneWithData,
    fields: [
      dim('page_views', 'country', 'Country', 'string', 'page_views.country'),
      dim('page_views', 'url', 'URL', 'string', 'page_views.url'),
      dim('page_views', 'referrer', 'Referrer', 'string', 'page_views.referrer'),
      dim('page_views', 'event_date', 'Event Date', 'date_date', 'CAST(page_views.event_ts AS DATE)', { dimensionGroup: 'page_views.event' }),
      measure('page_views', 'count', 'Count', 'count', 'COUNT(*)', { valueFormat: 'decimal_0' }),
      measure('page_views', 'unique_users', 'Unique Users', 'count_distinct', 'COUNT(DISTINCT page_views.user_id)', { valueFormat: 'decimal_0' }),
      measure('page_views', 'average_duration_ms', 'Average Duration (ms)', 'average', 'AVG(page_views.duration_ms)', { valueFormat: 'decimal_0' }),
    ],
  },
  {
    model: 'finance',
    name: 'revenue',
    label: 'Revenue',
    table: 'gatehouse-finance.finance.revenue',
    groups: [GROUPS.engineers],
    fields: [
      dim('revenue', 'month', 'Month', 'date_month', month('revenue.month'), { dimensionGroup: 'revenue.month' }),
      dim('revenue', 'country', 'Country', 'string', 'revenue.country'),
      measure('revenue', 'orders', 'Orders', 'sum', 'SUM(revenue.orders)', { valueFormat: 'decimal_0' }),
      measure('revenue', 'total_revenue', 'Total Revenue', 'sum', 'SUM(revenue.gross_revenue)', { valueFormat: 'usd', description: 'Gross revenue, cancelled orders excluded' }),
      measure('revenue', 'total_refunds', 'Total Refunds', 'sum', 'SUM(revenue.refunds)', { valueFormat: 'usd' }),
    ],
  },
];

export function canUseModel(user: { groups: readonly string[] }, modelId: string): boolean {
  const model = MODELS.find((m) => m.id === modelId);
  return !!model && model.groups.some((g) => user.groups.includes(g));
}

export function findExplore(user: { groups: readonly string[] }, model: string, view: string): ExploreDef | undefined {
  if (!canUseModel(user, model)) return undefined;
  return EXPLORES.find((e) => e.model === model && e.name === view && e.groups.some((g) => user.groups.includes(g)));
}

export interface QueryInput {
  model: string;
  view: string;
  fields: string[];
  filters: Record<string, string>;
  sorts: string[];
  limit?: string | null;
}

export interface CompiledQuery {
  sql: string;
  params: Record<string, unknown>;
  fields: FieldDef[];
  /** Rows asked for (the SQL fetches one more to detect truncation). */
  limit: number;
}

/** A problem with the query the caller sent; becomes a 422 ValidationError. */
export class QueryValidationError extends Error {
  constructor(
    readonly field: string,
    readonly code: 'missing' | 'invalid',
    message: string,
  ) {
    super(message);
  }
}

const DEFAULT_LIMIT = 500;
/** Looker caps interactive results at 5,000 rows; `-1` (all results) we cap at 50,000. */
const MAX_LIMIT = 5000;
const ALL_RESULTS_CAP = 50_000;

export function resolveLimit(...candidates: (string | number | null | undefined)[]): number {
  for (const c of candidates) {
    if (c === undefined || c === null || c === '') continue;
    const n = Number(c);
    if (!Number.isInteger(n)) throw new QueryValidationError('limit', 'invalid', `limit must be an integer, got '${c}'`);
    if (n === -1) return ALL_RESULTS_CAP;
    if (n < 1) throw new QueryValidationError('limit', 'invalid', 'limit must be positive or -1');
    return Math.min(n, MAX_LIMIT);
  }
  return DEFAULT_LIMIT;
}

const alias = (f: FieldDef) => f.name.replace('.', '_');
const isTime = (f: FieldDef) => f.type === 'date_date' || f.type === 'date_month';

export function compileQuery(explore: ExploreDef, q: QueryInput, limit: number, today = new Date()): CompiledQuery {
  if (!q.fields.length) throw new QueryValidationError('fields', 'missing', 'At least one field is required.');
  const byName = new Map(explore.fields.map((f) => [f.name, f]));
  const lookup = (name: string, where: string) => {
    const f = byName.get(name);
    if (!f) throw new QueryValidationError(where, 'invalid', `Unknown field '${name}' in explore '${explore.model}::${explore.name}'.`);
    return f;
  };
  const fields = q.fields.map((n) => lookup(n, 'fields'));
  const dims = fields.filter((f) => f.kind === 'dimension');
  const params: Record<string, unknown> = {};
  const where: string[] = [];
  const having: string[] = [];
  for (const [name, expr] of Object.entries(q.filters)) {
    if (expr === '' || expr === undefined || expr === null) continue;
    const f = lookup(name, 'filters');
    const cond = filterSql(f, String(expr), params, today);
    (f.kind === 'measure' ? having : where).push(cond);
  }
  const sorts = q.sorts.length ? q.sorts : defaultSorts(fields);
  const orderBy = sorts.map((s) => {
    const [name, dir] = s.trim().split(/\s+/);
    const f = lookup(name, 'sorts');
    if (!fields.includes(f)) throw new QueryValidationError('sorts', 'invalid', `Sort field '${name}' is not in the query's fields.`);
    return `${alias(f)}${dir?.toLowerCase() === 'desc' ? ' DESC' : ''}`;
  });
  const lines = [
    'SELECT',
    fields.map((f) => `    ${f.sql} AS ${alias(f)}`).join(',\n'),
    `FROM \`${explore.table}\` AS ${explore.name}`,
  ];
  if (where.length) lines.push(`WHERE ${where.join(' AND ')}`);
  // Looker always groups by the dimensions (a dimension-only query is a SELECT DISTINCT).
  if (dims.length) lines.push(`GROUP BY ${dims.map((d) => fields.indexOf(d) + 1).join(', ')}`);
  if (having.length) lines.push(`HAVING ${having.join(' AND ')}`);
  if (orderBy.length) lines.push(`ORDER BY ${orderBy.join(', ')}`);
  lines.push(`LIMIT ${limit + 1}`);
  return { sql: lines.join('\n'), params, fields, limit };
}

function defaultSorts(fields: FieldDef[]): string[] {
  const time = fields.find(isTime);
  if (time) return [`${time.name} desc`];
  const m = fields.find((f) => f.kind === 'measure');
  if (m) return [`${m.name} desc`];
  return [fields[0].name];
}

/** Looker filter expressions, the common subset: lists, negation, wildcards, ranges, relative dates. */
function filterSql(f: FieldDef, expr: string, params: Record<string, unknown>, today: Date): string {
  const bind = (v: unknown) => {
    const key = `f${Object.keys(params).length}`;
    params[key] = v;
    return `@${key}`;
  };
  const bad = () => new QueryValidationError('filters', 'invalid', `Unsupported filter expression '${expr}' for ${f.name}.`);
  const isNumeric = f.type !== 'string' && !isTime(f);
  if (isTime(f)) {
    const col = f.type === 'date_month' ? f.sql : `CAST(${f.sql} AS DATE)`;
    const asDate = (s: string) => {
      if (!/^\d{4}-\d{2}(-\d{2})?$/.test(s)) throw bad();
      return s.length === 7 ? `${s}-01` : s;
    };
    const cmpCol = f.type === 'date_month' ? `CAST(CONCAT(${f.sql}, '-01') AS DATE)` : col;
    let m: RegExpExecArray | null;
    if ((m = /^(?:last\s+)?(\d+)\s+days?$/i.exec(expr.trim()))) {
      const start = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - (Number(m[1]) - 1)));
      return `${cmpCol} >= CAST(${bind(start.toISOString().slice(0, 10))} AS DATE)`;
    }
    if ((m = /^(\S+)\s+to\s+(\S+)$/i.exec(expr.trim())))
      return `(${cmpCol} >= CAST(${bind(asDate(m[1]))} AS DATE) AND ${cmpCol} < CAST(${bind(asDate(m[2]))} AS DATE))`;
    if ((m = /^(after|before)\s+(\S+)$/i.exec(expr.trim())))
      return `${cmpCol} ${m[1].toLowerCase() === 'after' ? '>=' : '<'} CAST(${bind(asDate(m[2]))} AS DATE)`;
    if (/^\d{4}-\d{2}-\d{2}$/.test(expr.trim())) return `${cmpCol} = CAST(${bind(expr.trim())} AS DATE)`;
    if (/^\d{4}-\d{2}$/.test(expr.trim()) && f.type === 'date_month') return `${f.sql} = ${bind(expr.trim())}`;
    throw bad();
  }
  if (isNumeric) {
    const num = (s: string) => {
      const n = Number(s);
      if (s.trim() === '' || !Number.isFinite(n)) throw bad();
      return bind(n);
    };
    let m: RegExpExecArray | null;
    if ((m = /^\s*(>=|<=|>|<|!=|=)\s*(-?[\d.]+)\s*$/.exec(expr))) return `${f.sql} ${m[1] === '!=' ? '<>' : m[1]} ${num(m[2])}`;
    if ((m = /^\s*\[\s*(-?[\d.]+)\s*,\s*(-?[\d.]+)\s*\]\s*$/.exec(expr))) return `${f.sql} BETWEEN ${num(m[1])} AND ${num(m[2])}`;
    if ((m = /^\s*NOT\s+(-?[\d.]+)\s*$/i.exec(expr))) return `${f.sql} <> ${num(m[1])}`;
    if (/^\s*NULL\s*$/i.test(expr)) return `${f.sql} IS NULL`;
    return `${f.sql} IN (${expr.split(',').map((s) => num(s)).join(', ')})`;
  }
  const parts = splitList(expr);
  const positive: string[] = [];
  const negative: string[] = [];
  for (const p of parts) {
    const neg = p.startsWith('-');
    const v = neg ? p.slice(1) : p;
    let c: string;
    if (v.toUpperCase() === 'NULL') c = `${f.sql} IS NULL`;
    else if (v.toUpperCase() === 'EMPTY') c = `(${f.sql} IS NULL OR ${f.sql} = '')`;
    else if (v.includes('%')) c = `LOWER(${f.sql}) LIKE LOWER(${bind(v)})`;
    else c = `${f.sql} = ${bind(v)}`;
    (neg ? negative : positive).push(neg ? `NOT (${c})` : c);
  }
  const conds = [...(positive.length ? [`(${positive.join(' OR ')})`] : []), ...negative];
  return conds.length > 1 ? `(${conds.join(' AND ')})` : conds[0];
}

/** Looker splits string filters on commas; `^,` escapes one. */
function splitList(expr: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < expr.length; i++) {
    if (expr[i] === '^' && i + 1 < expr.length) cur += expr[++i];
    else if (expr[i] === ',') {
      out.push(cur.trim());
      cur = '';
    } else cur += expr[i];
  }
  out.push(cur.trim());
  return out.filter((s) => s !== '');
}
