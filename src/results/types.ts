// The service-neutral result model behind the results panel and exports. Every service (BigQuery,
// Looker, Metabase, dbt preview) adapts its rows to it, so the row window, the writers and the
// webview protocol know one shape only.
import { GatehouseError } from '../core/errors';
import { lookup } from '../core/lookup';

/** BigQuery-style type names; other services map theirs onto these (unknown → STRING). */
export type ResultType =
  | 'STRING'
  | 'INTEGER'
  | 'FLOAT'
  | 'NUMERIC'
  | 'BIGNUMERIC'
  | 'BOOLEAN'
  | 'TIMESTAMP'
  | 'DATE'
  | 'DATETIME'
  | 'TIME'
  | 'BYTES'
  | 'JSON'
  | 'RECORD'
  | 'GEOGRAPHY'
  | 'INTERVAL'
  | 'RANGE';

export type ResultMode = 'NULLABLE' | 'REQUIRED' | 'REPEATED';

export interface ResultColumn {
  readonly name: string;
  readonly type: ResultType;
  readonly mode: ResultMode;
  /** Sub-fields of a RECORD column, in order. */
  readonly fields?: readonly ResultColumn[];
}

/**
 * One cell. NULL is `null` and never '' (an empty string is a value). INTEGER, NUMERIC and
 * BIGNUMERIC stay decimal strings (a JS number loses precision above 2^53); FLOAT is a number
 * (NaN and ±Infinity included); BOOLEAN a boolean; TIMESTAMP an ISO 8601 UTC string with
 * microseconds when there are any; DATE/DATETIME/TIME/BYTES (base64)/JSON (its text)/GEOGRAPHY
 * the service's text. A RECORD is an object keyed by field name; a REPEATED column an array.
 */
export type CellValue = null | string | number | boolean | readonly CellValue[] | { readonly [field: string]: CellValue };

/** Cells in column order. */
export type ResultRow = readonly CellValue[];

export interface ResultPage {
  readonly rows: readonly ResultRow[];
  /** Index of rows[0] in the whole result. */
  readonly startIndex: number;
  /** No rows after this page. */
  readonly last: boolean;
}

/**
 * A result read page by page. Page `i` holds rows [i * pageSize, (i + 1) * pageSize); only the
 * last page may be shorter. A `random` source serves any page at any time (BigQuery startIndex).
 * A `sequential` source serves pages strictly in order, each once (a cursor, or one response
 * with every row): asking for another page rejects with ResultError('notRewindable'); the row
 * window spools such sources so the user can still scroll back.
 */
export interface ResultSource {
  readonly columns: readonly ResultColumn[];
  readonly pageSize: number;
  readonly access: 'random' | 'sequential';
  /** Rows in the whole result, when known (a sequential source may learn it only at the end). */
  readonly totalRows: number | undefined;
  fetchPage(index: number, signal?: AbortSignal): Promise<ResultPage>;
}

export type ResultErrorReason = 'notRewindable' | 'badResponse' | 'invalidOptions' | 'io' | 'disposed';

export class ResultError extends GatehouseError<ResultErrorReason> {
  readonly service = 'results';
  static is(value: unknown, reason?: ResultErrorReason): value is ResultError {
    return value instanceof ResultError && (reason === undefined || value.reason === reason);
  }
}

const TYPE_ALIASES: Readonly<Record<string, ResultType>> = {
  INT64: 'INTEGER',
  FLOAT64: 'FLOAT',
  BOOL: 'BOOLEAN',
  STRUCT: 'RECORD',
  DECIMAL: 'NUMERIC',
  BIGDECIMAL: 'BIGNUMERIC',
};
const TYPES = new Set<string>([
  'STRING', 'INTEGER', 'FLOAT', 'NUMERIC', 'BIGNUMERIC', 'BOOLEAN', 'TIMESTAMP', 'DATE', 'DATETIME',
  'TIME', 'BYTES', 'JSON', 'RECORD', 'GEOGRAPHY', 'INTERVAL', 'RANGE',
]);

/** Maps a service's type name (legacy or standard SQL spelling) to ours; unknown types show as text. */
export function normalizeType(name: string | undefined): ResultType {
  const upper = (name ?? '').toUpperCase();
  if (TYPES.has(upper)) return upper as ResultType;
  return lookup(TYPE_ALIASES, upper) ?? 'STRING';
}

export function normalizeMode(mode: string | undefined): ResultMode {
  const upper = (mode ?? '').toUpperCase();
  return upper === 'REQUIRED' || upper === 'REPEATED' ? upper : 'NULLABLE';
}

/** Types whose values are numbers (as a JS number or a decimal string). */
export function isNumericType(type: ResultType): boolean {
  return type === 'INTEGER' || type === 'FLOAT' || type === 'NUMERIC' || type === 'BIGNUMERIC';
}
