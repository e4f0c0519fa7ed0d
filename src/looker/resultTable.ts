// A Looker json_bi result as the results panel's columns and rows. Field types map onto ours
// (counts are integers, other measures and numbers floats, dates stay dates); a value Looker
// sends as an object (a pivoted measure) is kept as JSON text rather than dropped.
import type { TableResult } from '../results/panelRun';
import type { CellValue, ResultColumn, ResultRow, ResultType } from '../results/types';
import type { JsonBi, JsonBiField } from './types';
import { lookup } from '../core/lookup';

/** Looker field type → ours. Unknown types show as text. */
const LOOKER_TYPES: Readonly<Record<string, ResultType>> = {
  string: 'STRING',
  tier: 'STRING',
  zipcode: 'STRING',
  location: 'STRING',
  yesno: 'STRING',
  number: 'FLOAT',
  sum: 'FLOAT',
  sum_distinct: 'FLOAT',
  average: 'FLOAT',
  average_distinct: 'FLOAT',
  median: 'FLOAT',
  median_distinct: 'FLOAT',
  percentile: 'FLOAT',
  percentile_distinct: 'FLOAT',
  max: 'FLOAT',
  min: 'FLOAT',
  percent_of_total: 'FLOAT',
  percent_of_previous: 'FLOAT',
  running_total: 'FLOAT',
  count: 'INTEGER',
  count_distinct: 'INTEGER',
  date: 'DATE',
  date_date: 'DATE',
  date_time: 'DATETIME',
  date_raw: 'DATETIME',
  date_second: 'DATETIME',
  date_minute: 'DATETIME',
  date_hour: 'DATETIME',
  date_time_of_day: 'TIME',
  date_year: 'INTEGER',
  date_day_of_month: 'INTEGER',
  date_hour_of_day: 'INTEGER',
  // Periods Looker writes as text ('2026-01', '2026-Q1', '2026-01-05 week').
  date_month: 'STRING',
  date_quarter: 'STRING',
  date_week: 'STRING',
};

export function lookerResultType(type: string | undefined): ResultType {
  return lookup(LOOKER_TYPES, type) ?? 'STRING';
}

/** One cell as the result model wants it (integers as decimal strings, objects as JSON text). */
export function lookerCell(type: ResultType, value: unknown): CellValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'object') return JSON.stringify(value);
  if (type === 'FLOAT') return typeof value === 'number' ? value : value !== '' && Number.isFinite(Number(value)) ? Number(value) : String(value);
  // INTEGER stays a decimal string (precision above 2^53); everything else is Looker's text.
  return String(value);
}

export function jsonBiToTable(data: JsonBi, fieldOrder?: readonly string[]): TableResult {
  const f = data.metadata.fields;
  let fields: JsonBiField[] = [...(f.dimensions ?? []), ...(f.measures ?? []), ...(f.table_calculations ?? [])].filter((x) => x && typeof x.name === 'string');
  if (fieldOrder?.length) {
    const rank = new Map(fieldOrder.map((name, i) => [name, i]));
    fields = fields.map((x, i) => ({ x, i })).sort((a, b) => (rank.get(a.x.name) ?? 1e6 + a.i) - (rank.get(b.x.name) ?? 1e6 + b.i)).map((p) => p.x);
  }
  // Labels read better than `view.field`, but two fields may share one: fall back to the name.
  const labels = fields.map((x) => x.label || x.name);
  const names = labels.map((label, i) => (labels.indexOf(label) === i && labels.lastIndexOf(label) === i ? label : fields[i].name));
  const types = fields.map((x) => lookerResultType(x.type));
  const columns: ResultColumn[] = fields.map((_, i) => ({ name: names[i], type: types[i], mode: 'NULLABLE' }));
  const rows: ResultRow[] = data.rows.map((row) => fields.map((x, i) => lookerCell(types[i], row?.[x.name])));
  const pivoted = Array.isArray(data.metadata.pivots) && data.metadata.pivots.length > 0;
  return { columns, rows, stats: pivoted ? { extra: { Pivots: 'shown as JSON per pivot value' } } : undefined };
}
