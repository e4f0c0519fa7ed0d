// A Metabase dataset as the results panel's columns and rows. Metabase's base types map onto ours;
// integers and decimals become decimal strings (precision), arrays and maps JSON text.
import { Formatter } from '../core/format';
import type { TableResult } from '../results/panelRun';
import type { CellValue, ResultColumn, ResultRow, ResultType } from '../results/types';
import type { Dataset } from './types';
import { lookup } from '../core/lookup';

const BASE_TYPES: Readonly<Record<string, ResultType>> = {
  'type/Integer': 'INTEGER',
  'type/BigInteger': 'INTEGER',
  'type/Float': 'FLOAT',
  'type/Decimal': 'NUMERIC',
  'type/Number': 'FLOAT',
  'type/Boolean': 'BOOLEAN',
  'type/Date': 'DATE',
  'type/DateTime': 'DATETIME',
  'type/DateTimeWithTZ': 'TIMESTAMP',
  'type/DateTimeWithLocalTZ': 'TIMESTAMP',
  'type/DateTimeWithZoneOffset': 'TIMESTAMP',
  'type/DateTimeWithZoneID': 'TIMESTAMP',
  'type/Instant': 'TIMESTAMP',
  'type/Time': 'TIME',
  'type/TimeWithTZ': 'TIME',
  'type/TimeWithLocalTZ': 'TIME',
  'type/TimeWithZoneOffset': 'TIME',
  'type/JSON': 'JSON',
  'type/Dictionary': 'JSON',
  'type/Structured': 'JSON',
  'type/Array': 'JSON',
  'type/Text': 'STRING',
  'type/UUID': 'STRING',
};

export function metabaseResultType(baseType: string | undefined): ResultType {
  return lookup(BASE_TYPES, baseType) ?? 'STRING';
}

export function metabaseCell(type: ResultType, value: unknown): CellValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'object') return JSON.stringify(value);
  switch (type) {
    case 'FLOAT':
      return typeof value === 'number' ? value : value !== '' && Number.isFinite(Number(value)) ? Number(value) : String(value);
    case 'BOOLEAN':
      return typeof value === 'boolean' ? value : String(value);
    default:
      return String(value);
  }
}

export function datasetToTable(dataset: Dataset, fmt: Formatter = new Formatter()): TableResult {
  const cols = dataset.data?.cols ?? [];
  const types = cols.map((c) => metabaseResultType(c.effective_type ?? c.base_type));
  // Display names are what Metabase shows; two columns may share one, so fall back to the name.
  const labels = cols.map((c) => c.display_name || c.name);
  const names = labels.map((l, i) => (labels.indexOf(l) === i && labels.lastIndexOf(l) === i ? l : cols[i].name));
  const columns: ResultColumn[] = cols.map((_, i) => ({ name: names[i], type: types[i], mode: 'NULLABLE' }));
  const rows: ResultRow[] = (dataset.data?.rows ?? []).map((r) => cols.map((_, i) => metabaseCell(types[i], Array.isArray(r) ? r[i] : null)));
  const extra: Record<string, string> = {};
  if (typeof dataset.running_time === 'number') extra['Metabase running time'] = fmt.duration(dataset.running_time);
  if (dataset.data?.rows_truncated) extra.Truncated = `Metabase returns at most ${fmt.count(dataset.data.rows_truncated)} rows here; open it in Metabase to export all`;
  return { columns, rows, stats: { extra } };
}
