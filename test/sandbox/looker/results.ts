// Renders a query's rows in Looker's result formats (json, json_bi, csv, txt, md, html, sql).
import type { CompiledQuery, ExploreDef, FieldDef } from './model';

export const RESULT_FORMATS = ['json', 'json_bi', 'csv', 'txt', 'md', 'html', 'sql'] as const;
export type ResultFormat = (typeof RESULT_FORMATS)[number];
/** Formats Looker has that the sandbox cannot render (images, spreadsheets, legacy json_detail). */
export const UNRENDERED_FORMATS = ['json_detail', 'xlsx', 'png', 'jpg'];

export const CONTENT_TYPES: Record<ResultFormat, string> = {
  json: 'application/json; charset=utf-8',
  json_bi: 'application/json; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  html: 'text/html; charset=utf-8',
  sql: 'text/plain; charset=utf-8',
};

const isNumber = (f: FieldDef) => f.type !== 'string' && f.type !== 'date_date' && f.type !== 'date_month';

/** One warehouse value as Looker's json result carries it (numbers as numbers, dates as text). */
function normalize(f: FieldDef, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (isNumber(f)) {
    const n = Number(v);
    return f.type === 'average' ? Math.round(n * 1e6) / 1e6 : n;
  }
  const s = v instanceof Date ? v.toISOString() : String(v);
  if (f.type === 'date_date') return s.slice(0, 10);
  if (f.type === 'date_month') return s.slice(0, 7);
  return s;
}

function formatValue(f: FieldDef, v: unknown): string {
  if (v === null) return '';
  if (typeof v !== 'number') return String(v);
  switch (f.valueFormat) {
    case 'usd':
      return v.toLocaleString('en-US', { style: 'currency', currency: 'USD' });
    case 'decimal_0':
      return v.toLocaleString('en-US', { maximumFractionDigits: 0 });
    case 'decimal_2':
      return v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    default:
      return v.toLocaleString('en-US', { maximumFractionDigits: 6 });
  }
}

export const fieldLabel = (explore: ExploreDef, f: FieldDef) => `${explore.label} ${f.label}`;

export interface RenderInput {
  explore: ExploreDef;
  query: CompiledQuery;
  rows: unknown[][];
  applyFormatting: boolean;
  filters: Record<string, string>;
}

/** Returns the body and its content type. */
export function render(format: ResultFormat, input: RenderInput): { body: string; contentType: string } {
  const { explore, query, applyFormatting } = input;
  const rows = input.rows.slice(0, query.limit).map((r) => query.fields.map((f, i) => normalize(f, r[i])));
  const cell = (f: FieldDef, v: unknown) => (applyFormatting ? formatValue(f, v) : v);
  const objects = () => rows.map((r) => Object.fromEntries(query.fields.map((f, i) => [f.name, cell(f, r[i])])));
  const text = (f: FieldDef, v: unknown) => (applyFormatting ? formatValue(f, v) : v === null ? '' : String(v));
  const labels = query.fields.map((f) => fieldLabel(explore, f));
  let body: string;
  switch (format) {
    case 'json':
      body = JSON.stringify(objects());
      break;
    case 'json_bi':
      body = JSON.stringify(jsonBi(input, objects()));
      break;
    case 'csv':
      body = [labels, ...rows.map((r) => query.fields.map((f, i) => text(f, r[i])))].map((line) => line.map(csvCell).join(',')).join('\n') + '\n';
      break;
    case 'txt':
      body = [labels, ...rows.map((r) => query.fields.map((f, i) => text(f, r[i])))].map((line) => line.join('\t')).join('\n') + '\n';
      break;
    case 'md': {
      const esc = (s: string) => s.replace(/\|/g, '\\|');
      const align = query.fields.map((f) => (isNumber(f) ? '---:' : ':---'));
      body =
        [labels.map(esc), align, ...rows.map((r) => query.fields.map((f, i) => esc(text(f, r[i]))))]
          .map((line) => `| ${line.join(' | ')} |`)
          .join('\n') + '\n';
      break;
    }
    case 'html': {
      const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
      const head = `<tr>${labels.map((l) => `<th>${esc(l)}</th>`).join('')}</tr>`;
      const bodyRows = rows.map((r) => `<tr>${query.fields.map((f, i) => `<td>${esc(text(f, r[i]))}</td>`).join('')}</tr>`);
      body = `<table>\n<thead>${head}</thead>\n<tbody>\n${bodyRows.join('\n')}\n</tbody>\n</table>\n`;
      break;
    }
    case 'sql':
      body = displaySql(query);
      break;
  }
  return { body, contentType: CONTENT_TYPES[format] };
}

/** The SQL as Looker shows it: with the row limit asked for (the +1 probe is the sandbox's own). */
export function displaySql(query: CompiledQuery): string {
  const inlined = query.sql.replace(/@(f\d+)/g, (_, k: string) => {
    const v = query.params[k];
    return typeof v === 'number' ? String(v) : `'${String(v).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  });
  return inlined.replace(/LIMIT \d+$/, `LIMIT ${query.limit}`);
}

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** `JsonBi` (spec components JsonBi, JsonBiMetadata, JsonBiField); rows are objects keyed by field name, as Looker sends them. */
function jsonBi(input: RenderInput, rows: Record<string, unknown>[]) {
  const { explore, query } = input;
  const field = (f: FieldDef) => ({
    sql: f.sql,
    view: explore.name,
    dimension_group: f.dimensionGroup ?? null,
    category: f.kind,
    field_group_label: null,
    name: f.name,
    type: f.type,
    view_label: explore.label,
    label: fieldLabel(explore, f),
    field_group_variant: f.label,
    hidden: false,
    description: f.description ?? null,
  });
  return {
    metadata: {
      big_query_metadata: { total_bytes_processed: 0, backend_cache_hit: false },
      fields: {
        dimensions: query.fields.filter((f) => f.kind === 'dimension').map(field),
        measures: query.fields.filter((f) => f.kind === 'measure').map(field),
        pivots: [],
        table_calculations: [],
      },
      pivots: [],
      has_subtotals: false,
      has_totals: false,
      columns_truncated: 'false',
      filter_expression: null,
      filters: input.filters,
      sql: displaySql(query),
    },
    rows,
  };
}
