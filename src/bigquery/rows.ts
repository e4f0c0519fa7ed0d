// BigQuery rows (jobs.query / jobs.getQueryResults / tabledata.list) as a ResultSource. The HTTP
// call is a pluggable PageFetcher so the BigQuery client owns auth, retries and endpoints; this
// module owns the cell encoding and the paging arithmetic.
import { CancelledError } from '../core/errors';
import { t } from '../core/l10n';
import {
  normalizeMode,
  normalizeType,
  ResultError,
  type CellValue,
  type ResultColumn,
  type ResultPage,
  type ResultRow,
  type ResultSource,
} from '../results/types';

export interface BigQueryField {
  name: string;
  type: string;
  mode?: string;
  fields?: BigQueryField[];
}
export interface BigQueryCell {
  v?: unknown;
}
export interface BigQueryRow {
  f: BigQueryCell[];
}

/** The part of QueryResponse / GetQueryResultsResponse / TableDataList we read. */
export interface BigQueryRowsResponse {
  schema?: { fields?: BigQueryField[] };
  rows?: BigQueryRow[];
  /** Absent on the last page. */
  pageToken?: string;
  /** int64 as a string on the wire; numbers accepted too. */
  totalRows?: string | number;
}

export interface BigQueryPageParams {
  pageToken?: string;
  startIndex?: number;
  maxResults: number;
}

/** One page request; the client sends `formatOptions.useInt64Timestamp=true` (float seconds still decode). */
export type BigQueryPageFetcher = (params: BigQueryPageParams, signal?: AbortSignal) => Promise<BigQueryRowsResponse>;

export function toResultColumns(fields: readonly BigQueryField[]): ResultColumn[] {
  return fields.map((f) => ({
    name: f.name,
    type: normalizeType(f.type),
    mode: normalizeMode(f.mode),
    ...(f.fields && f.fields.length > 0 ? { fields: toResultColumns(f.fields) } : {}),
  }));
}

type Decode = (v: unknown) => CellValue;

/** Builds one decoder per column once, so a page decodes without re-reading the schema per cell. */
export function compileRowDecoder(columns: readonly ResultColumn[]): (row: BigQueryRow) => ResultRow {
  const decoders = columns.map(compileCell);
  const n = decoders.length;
  return (row) => {
    const f = row?.f;
    if (!Array.isArray(f) || f.length !== n) {
      throw new ResultError('badResponse', Array.isArray(f) ? t('BigQuery sent a row with {0} cells for {1} columns.', f.length, n) : t('BigQuery sent a row with no cells for {0} columns.', n));
    }
    const out = new Array<CellValue>(n);
    for (let i = 0; i < n; i++) out[i] = decoders[i](f[i]?.v);
    return out;
  };
}

function compileCell(column: ResultColumn): Decode {
  const one = column.type === 'RECORD' ? compileRecord(column.fields ?? []) : scalarDecoder(column);
  if (column.mode !== 'REPEATED') return one;
  // BigQuery stores a NULL array as an empty one, so `{v:null}` on a REPEATED column reads as [].
  return (v) => (Array.isArray(v) ? v.map((item: BigQueryCell) => one(item?.v)) : []);
}

function compileRecord(fields: readonly ResultColumn[]): Decode {
  const names = fields.map((f) => f.name);
  const decoders = fields.map(compileCell);
  return (v) => {
    if (v === null || v === undefined) return null;
    const f = (v as { f?: BigQueryCell[] }).f;
    if (!Array.isArray(f)) throw new ResultError('badResponse', 'BigQuery sent a RECORD value without fields.');
    const out: Record<string, CellValue> = {};
    for (let i = 0; i < names.length; i++) {
      const value = decoders[i](f[i]?.v);
      // A field named __proto__ (a valid BigQuery name) would set the prototype: define it instead.
      if (names[i] === '__proto__') Object.defineProperty(out, '__proto__', { value, enumerable: true, writable: true, configurable: true });
      else out[names[i]] = value;
    }
    return out;
  };
}

function scalarDecoder(column: ResultColumn): Decode {
  switch (column.type) {
    case 'FLOAT':
      // Number() reads "NaN", "Infinity" and "-Infinity" as BigQuery writes them.
      return (v) => (v === null || v === undefined ? null : typeof v === 'number' ? v : Number(v));
    case 'BOOLEAN':
      return (v) => {
        if (v === null || v === undefined) return null;
        if (typeof v === 'boolean') return v;
        const s = String(v).toLowerCase();
        return s === 'true' ? true : s === 'false' ? false : String(v);
      };
    case 'TIMESTAMP':
      return (v) => (v === null || v === undefined ? null : timestampToIso(String(v)));
    default:
      // INTEGER/NUMERIC stay strings on purpose (precision); the rest are text by definition.
      return (v) => (v === null || v === undefined ? null : typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v));
  }
}

/**
 * A TIMESTAMP cell as ISO 8601 UTC, exact to the microsecond: int64 microseconds
 * ("1700000000123456", useInt64Timestamp) or float seconds ("1.700000000123456E9"). The
 * fraction is printed only when it is not zero. Anything else is returned unchanged.
 */
export function timestampToIso(text: string): string {
  const micros = INTEGER.test(text) ? text : decimalSecondsToMicros(text);
  if (micros === undefined) return text;
  const n = Number(micros);
  let days: number;
  let microsOfDay: number;
  if (Number.isSafeInteger(n)) {
    days = Math.floor(n / MICROS_PER_DAY);
    microsOfDay = n - days * MICROS_PER_DAY;
  } else {
    const big = BigInt(micros);
    let d = big / BigInt(MICROS_PER_DAY);
    let rest = big % BigInt(MICROS_PER_DAY);
    if (rest < 0n) {
      d -= 1n;
      rest += BigInt(MICROS_PER_DAY);
    }
    days = Number(d);
    microsOfDay = Number(rest);
  }
  const date = dayText(days);
  if (date === undefined) return text;
  const secondOfDay = Math.floor(microsOfDay / 1_000_000);
  const fraction = microsOfDay - secondOfDay * 1_000_000;
  const time = `${PAD2[Math.floor(secondOfDay / 3600)]}:${PAD2[Math.floor(secondOfDay / 60) % 60]}:${PAD2[secondOfDay % 60]}`;
  return fraction === 0 ? `${date}T${time}Z` : `${date}T${time}.${String(fraction).padStart(6, '0')}Z`;
}

const INTEGER = /^-?\d+$/;
const MICROS_PER_DAY = 86_400_000_000;
const PAD2 = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
// Formatting dominates decoding a page (Date + toISOString per cell cost ~4x the rest of the row);
// rows of one result mostly share a day, so the date part is remembered.
let lastDay = NaN;
let lastDayText: string | undefined;

function dayText(days: number): string | undefined {
  if (days !== lastDay) {
    const date = new Date(days * 86_400_000);
    lastDayText = Number.isNaN(date.getTime()) ? undefined : date.toISOString().slice(0, -14);
    lastDay = days;
  }
  return lastDayText;
}

/** "1.700000000123456E9" → "1700000000123456", by moving the decimal point in the text (no float rounding). */
function decimalSecondsToMicros(text: string): string | undefined {
  const m = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
  const digits = m[2] + (m[3] ?? '');
  const point = m[2].length + Number(m[4] ?? 0) + 6;
  if (point <= 0) return '0';
  const whole = point >= digits.length ? digits + '0'.repeat(point - digits.length) : digits.slice(0, point);
  const trimmed = whole.replace(/^0+(?=\d)/, '');
  return trimmed === '0' ? '0' : `${m[1]}${trimmed}`;
}

export interface BigQueryResultOptions {
  fetchPage: BigQueryPageFetcher;
  /** Rows per page of the source (the window's cache unit). */
  pageSize: number;
  /** The response the query call already returned (jobs.query), so its rows are not fetched twice. */
  first?: BigQueryRowsResponse;
  /** The schema, for responses that do not carry one (tabledata.list: take it from tables.get). */
  schema?: BigQueryField[];
  signal?: AbortSignal;
}

/** Page tokens remembered per row offset; enough for every page of a large result, bounded anyway. */
const MAX_TOKENS = 4096;

/**
 * Random access by `startIndex`, with one refinement: when the page wanted starts where a
 * previous response left off, its `pageToken` is used instead, which is how BigQuery prefers a
 * scan to proceed (and what a plain sequential reader does). BigQuery may return fewer rows than
 * `maxResults` (responses are capped near 10 MB); fetchPage keeps asking until the page is full.
 */
export class BigQueryResultSource implements ResultSource {
  readonly access = 'random' as const;
  private readonly decode: (row: BigQueryRow) => ResultRow;
  private readonly tokens = new Map<number, string>();
  private total: number;
  /** Rows of the opening response, handed to the first fetchPage(0) and then dropped. */
  private head: { rows: ResultRow[]; token?: string } | undefined;

  private constructor(
    readonly columns: readonly ResultColumn[],
    readonly pageSize: number,
    private readonly fetcher: BigQueryPageFetcher,
    first: BigQueryRowsResponse,
  ) {
    this.decode = compileRowDecoder(columns);
    this.total = parseTotal(first.totalRows);
    const rows = (first.rows ?? []).slice(0, pageSize).map(this.decode);
    const complete = (first.rows?.length ?? 0) <= pageSize;
    this.head = { rows, token: complete ? first.pageToken : undefined };
  }

  static async open(options: BigQueryResultOptions): Promise<BigQueryResultSource> {
    if (!(options.pageSize >= 1)) throw new ResultError('invalidOptions', 'The page size must be at least 1.');
    const first = options.first ?? (await options.fetchPage({ maxResults: options.pageSize }, options.signal));
    const fields = first.schema?.fields ?? options.schema;
    if (!Array.isArray(fields)) throw new ResultError('badResponse', 'BigQuery sent a result without a schema.');
    return new BigQueryResultSource(toResultColumns(fields), options.pageSize, options.fetchPage, first);
  }

  get totalRows(): number {
    return this.total;
  }

  async fetchPage(index: number, signal?: AbortSignal): Promise<ResultPage> {
    const start = index * this.pageSize;
    const want = Math.max(0, Math.min(this.pageSize, this.total - start));
    let rows: ResultRow[] = [];
    if (index === 0 && this.head) {
      rows = this.head.rows;
      if (this.head.token) this.remember(rows.length, this.head.token);
      this.head = undefined;
    }
    while (rows.length < want) {
      if (signal?.aborted) throw new CancelledError();
      const at = start + rows.length;
      const token = this.tokens.get(at);
      const maxResults = want - rows.length;
      const res = await this.fetcher(token ? { pageToken: token, maxResults } : { startIndex: at, maxResults }, signal);
      const got = res.rows ?? [];
      if (res.totalRows !== undefined) this.total = parseTotal(res.totalRows);
      if (got.length === 0) {
        // Fewer rows than announced (a fake, or a table that shrank): end here rather than spin.
        this.total = at;
        break;
      }
      const decoded = got.length > maxResults ? got.slice(0, maxResults).map(this.decode) : got.map(this.decode);
      rows = rows.length === 0 ? decoded : rows.concat(decoded);
      if (res.pageToken && got.length <= maxResults) this.remember(at + got.length, res.pageToken);
    }
    return { rows, startIndex: start, last: start + rows.length >= this.total };
  }

  private remember(offset: number, token: string): void {
    if (this.tokens.size >= MAX_TOKENS) this.tokens.delete(this.tokens.keys().next().value as number);
    this.tokens.set(offset, token);
  }
}

function parseTotal(value: string | number | undefined): number {
  const n = Number(value ?? 0);
  if (!Number.isFinite(n) || n < 0) throw new ResultError('badResponse', 'BigQuery sent an invalid row count.');
  return n;
}
