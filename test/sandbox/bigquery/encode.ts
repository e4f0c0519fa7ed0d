// Rows on the wire: {f:[{v:…}]}, every scalar a string, TIMESTAMP as int64 microseconds when
// formatOptions.useInt64Timestamp is set (what the Node client always asks for) and as float
// seconds in Java notation ("1.700000000123456E9") otherwise.
import type { WarehouseField } from '../context';
import { timestampMicros, type WarehouseValue } from '../warehouse/types';

export interface Cell {
  v: unknown;
}
export interface Row {
  f: Cell[];
}

function scalar(v: WarehouseValue, field: WarehouseField, int64Ts: boolean): unknown {
  if (v === null) return null;
  if (field.type === 'RECORD') {
    const obj = v as Record<string, WarehouseValue>;
    return { f: (field.fields ?? []).map((sf) => cell(obj[sf.name] ?? null, sf, int64Ts)) };
  }
  if (field.type === 'TIMESTAMP') {
    const micros = timestampMicros(String(v));
    if (int64Ts) return micros.toString();
    return (Number(micros) / 1e6).toExponential().replace('e+', 'E').replace('e-', 'E-');
  }
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
  return typeof v === 'string' ? v : String(v);
}

function cell(v: WarehouseValue, field: WarehouseField, int64Ts: boolean): Cell {
  if (field.mode === 'REPEATED') return { v: ((v ?? []) as WarehouseValue[]).map((x) => ({ v: scalar(x, field, int64Ts) })) };
  return { v: scalar(v, field, int64Ts) };
}

export function encodeRows(rows: WarehouseValue[][], fields: WarehouseField[], int64Ts: boolean): Row[] {
  return rows.map((r) => ({ f: fields.map((f, i) => cell(r[i] ?? null, f, int64Ts)) }));
}

/** Schema as BigQuery returns it (mode always present). */
export function encodeSchema(fields: WarehouseField[]): { fields: WarehouseField[] } {
  const norm = (f: WarehouseField): WarehouseField => ({ ...f, mode: f.mode ?? 'NULLABLE', ...(f.fields ? { fields: f.fields.map(norm) } : {}) });
  return { fields: fields.map(norm) };
}

/** Opaque page tokens (BigQuery's are opaque too; clients must not parse them). */
export function pageToken(offset: number): string {
  return Buffer.from(`sbx:${offset}`).toString('base64url');
}
export function parsePageToken(token: string | null | undefined): number | undefined {
  if (!token) return undefined;
  const m = /^sbx:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  return m ? Number(m[1]) : NaN;
}
