// DuckDB types and values → BigQuery field types and the warehouse's JSON-friendly values.
//
// Values (WarehouseResult.rows): INTEGER and NUMERIC as decimal strings, FLOAT as number,
// BOOLEAN as boolean, STRING/JSON as string, DATE 'YYYY-MM-DD', 
// TIMESTAMP 'YYYY-MM-DDTHH:MM:SS.ffffffZ' (always six digits, so no precision is lost),
// TIME 'HH:MM:SS[.ffffff]', BYTES base64, REPEATED as arrays, RECORD as objects, NULL as null.
import {
  DuckDBBlobValue,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBListType,
  DuckDBListValue,
  DuckDBArrayType,
  DuckDBArrayValue,
  DuckDBStructType,
  DuckDBStructValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBTimeValue,
  DuckDBTypeId,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import type { WarehouseField } from '../context';

export function bigQueryType(t: DuckDBType): string {
  switch (t.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return 'BOOLEAN';
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
      return 'INTEGER';
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
      return 'FLOAT';
    case DuckDBTypeId.DECIMAL:
      return 'NUMERIC';
    // No ICU in this DuckDB build: timestamps are naive and mean UTC, so all of them are TIMESTAMP.
    case DuckDBTypeId.TIMESTAMP_TZ:
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
      return 'TIMESTAMP';
    case DuckDBTypeId.DATE:
      return 'DATE';
    case DuckDBTypeId.TIME:
      return 'TIME';
    case DuckDBTypeId.BLOB:
      return 'BYTES';
    case DuckDBTypeId.STRUCT:
      return 'RECORD';
    case DuckDBTypeId.VARCHAR:
      return t.alias === 'JSON' ? 'JSON' : 'STRING';
    default:
      return 'STRING';
  }
}

/** BigQuery field for a DuckDB column; LIST/ARRAY → REPEATED (BigQuery has no nested arrays: inner lists stay STRING). */
export function bigQueryField(name: string, t: DuckDBType, nullable = true): WarehouseField {
  const repeated = t instanceof DuckDBListType || t instanceof DuckDBArrayType;
  const inner = repeated ? (t as DuckDBListType | DuckDBArrayType).valueType : t;
  const field: WarehouseField = { name, type: bigQueryType(inner), mode: repeated ? 'REPEATED' : nullable ? 'NULLABLE' : 'REQUIRED' };
  if (inner instanceof DuckDBStructType) field.fields = inner.entryNames.map((n, i) => bigQueryField(n, inner.entryTypes[i]));
  return field;
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

function dateFromDays(days: number): string {
  return new Date(days * 86_400_000).toISOString().slice(0, 10);
}

/** Microseconds since epoch → 'YYYY-MM-DDTHH:MM:SS.ffffff' (no zone). */
function microsToIso(micros: bigint): string {
  let secs = micros / 1_000_000n;
  let frac = micros % 1_000_000n;
  if (frac < 0n) {
    frac += 1_000_000n;
    secs -= 1n;
  }
  return `${new Date(Number(secs) * 1000).toISOString().slice(0, 19)}.${String(frac).padStart(6, '0')}`;
}

/** Strips insignificant zeros the way BigQuery renders NUMERIC ("1.500000000" → "1.5"). */
export function canonicalNumeric(s: string): string {
  if (!s.includes('.')) return s;
  const t = s.replace(/0+$/, '').replace(/\.$/, '');
  return t === '-0' ? '0' : t;
}

export type WarehouseValue = null | string | number | boolean | WarehouseValue[] | { [k: string]: WarehouseValue };

/** DuckDB value → warehouse value for the field's BigQuery type. */
export function toWarehouseValue(v: DuckDBValue, t: DuckDBType): WarehouseValue {
  if (v === null || v === undefined) return null;
  if (v instanceof DuckDBListValue || v instanceof DuckDBArrayValue) {
    const inner = (t as DuckDBListType | DuckDBArrayType).valueType;
    return v.items.map((x) => toWarehouseValue(x, inner));
  }
  if (v instanceof DuckDBStructValue) {
    const st = t as DuckDBStructType;
    const out: { [k: string]: WarehouseValue } = {};
    st.entryNames.forEach((n, i) => (out[n] = toWarehouseValue(v.entries[n], st.entryTypes[i])));
    return out;
  }
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return t.typeId === DuckDBTypeId.FLOAT || t.typeId === DuckDBTypeId.DOUBLE ? v : String(v);
  if (typeof v === 'boolean' || typeof v === 'string') return v;
  if (v instanceof DuckDBDecimalValue) return canonicalNumeric(v.toString());
  if (v instanceof DuckDBDateValue) return dateFromDays(v.days);
  if (v instanceof DuckDBTimestampTZValue) return `${microsToIso(v.micros)}Z`;
  if (v instanceof DuckDBTimestampValue) return `${microsToIso(v.micros)}Z`;
  if (v instanceof DuckDBTimeValue) {
    const m = Number(v.micros);
    const s = Math.floor(m / 1e6);
    const frac = m % 1e6;
    return `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}${frac ? `.${pad(frac, 6)}` : ''}`;
  }
  if (v instanceof DuckDBBlobValue) return Buffer.from(v.bytes).toString('base64');
  return String(v);
}

/** Warehouse TIMESTAMP string → microseconds since epoch (exact). */
export function timestampMicros(iso: string): bigint {
  const m = /^(.{19})(?:\.(\d{1,6}))?Z?$/.exec(iso);
  if (!m) return BigInt(Date.parse(iso)) * 1000n;
  return BigInt(Date.parse(`${m[1]}Z`)) * 1000n + BigInt((m[2] ?? '').padEnd(6, '0') || '0');
}
