// The one message protocol between the results panel host (extension host) and its webview.
// Both ends treat the other as untrusted: the host validates every message the webview posts
// (a compromised webview must not make the host read arbitrary rows, open arbitrary URLs or
// write arbitrary files), and the webview validates every message the host posts (a bug on the
// host must not turn into a script in the page). This file imports neither `vscode` nor the DOM,
// so the host and media/ share it.
import type { CellValue } from './types';

/** Bumped when a message changes shape; a webview restored from an older build reloads its state. */
export const PROTOCOL_VERSION = 1;

/** Limits shared by both ends; validators reject anything beyond them. */
export const LIMITS = {
  /** Rows per requestRows / rows message. */
  maxRowsPerRequest: 1_000,
  maxColumns: 10_000,
  maxTextLength: 10_000,
  /** A cell's text: large JSON values exist, megabytes do not belong in a grid. */
  maxCellTextLength: 1_000_000,
  maxCellDepth: 32,
  /** Row indices in a copy selection of individual rows (sorted/filtered loaded rows). */
  maxSelectedRows: 100_000,
  /** Rows a chart reads. */
  maxChartRows: 10_000,
  /** Tiles of one dashboard shown in one panel. */
  maxTiles: 200,
} as const;

export type CopyFormat = 'tsv' | 'csv' | 'json' | 'markdown';
export type ExportFormat = 'csv' | 'jsonl' | 'json';
export const CHART_KINDS = ['bar', 'line', 'area', 'scatter', 'pie'] as const;
export type ChartKind = (typeof CHART_KINDS)[number];
export type PanelTab = 'grid' | 'chart';

export interface WireColumn {
  name: string;
  type: string;
  mode: string;
  fields?: WireColumn[];
}

/** What the status line shows; a subset of ResultStats without anything the webview could navigate to. */
export interface WireStats {
  jobId?: string;
  /** Whether the host has a console link for the job (the URL itself stays on the host). */
  hasJobUrl?: boolean;
  location?: string;
  statementType?: string;
  bytesProcessed?: number;
  bytesBilled?: number;
  cacheHit?: boolean;
  slotMs?: number;
  timeToFirstRowMs?: number;
  extra?: Record<string, string>;
  /** How the service draws this result (a look's or question's visualization). */
  chart?: WireChartHint;
}

/** Kept in the webview's state; the host re-fetches the result from it (e.g. by BigQuery job id). */
export interface WireRestore {
  kind: string;
  title: string;
  origin: string;
  data: Record<string, string>;
}

export interface WireChartHint {
  /** The chart the panel draws for it; absent when the service shows a table. */
  kind?: ChartKind;
  /** The service's own name for it (e.g. looker_area, row), shown when it is not drawn as such. */
  requested: string;
  /** Whether `kind` is what the service draws, or the nearest chart the panel has. */
  exact: boolean;
}

/** What a tile of a dashboard run is doing (the tile picker shows it). */
export const TILE_STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'text'] as const;
export type TileState = (typeof TILE_STATES)[number];

/** One tile of a dashboard shown in one panel: its title and state, never its rows. */
export interface WireTile {
  title: string;
  state: TileState;
  rows?: number;
}

/** The view state the webview keeps across hide/show (vscode.setState) and reports to the host. */
export interface PanelViewState {
  resultId: number;
  topRow: number;
  scrollLeft: number;
  columnWidths: number[];
  tab: PanelTab;
  sort?: { column: number; descending: boolean };
  filter?: { column: number; text: string };
  chart?: { kind: ChartKind; x: number; y: number };
  active?: { row: number; column: number };
}

export type CopySelection =
  | { kind: 'range'; startRow: number; endRow: number; columns: number[] }
  | { kind: 'rows'; rows: number[]; columns: number[] };

export type HostMessage =
  | { type: 'running'; title: string; origin: string; message: string; startedAt: number }
  | { type: 'error'; title: string; origin: string; message: string; nextStep?: string }
  | { type: 'cancelled'; title: string; origin: string; message: string }
  /** A text tile of a dashboard: its words, shown as text (never as HTML). */
  | { type: 'text'; title: string; origin: string; text: string }
  /** The tiles of a dashboard run in this panel (empty: a single result, no tile picker). */
  | { type: 'tiles'; title: string; tiles: WireTile[]; active: number }
  | {
      type: 'init';
      resultId: number;
      title: string;
      origin: string;
      columns: WireColumn[];
      totalRows: number | null;
      stats: WireStats;
      loadedRows: number;
      panelState?: PanelViewState;
      /** What the host needs to show this result again after a window reload (no secrets). */
      restore?: WireRestore;
    }
  | { type: 'rows'; requestId: number; start: number; rows: CellValue[][] }
  | { type: 'rowsFailed'; requestId: number; message: string }
  | { type: 'progress'; loadedRows: number; totalRows: number | null }
  | { type: 'stats'; stats: WireStats }
  | { type: 'exportProgress'; format: ExportFormat; state: 'running' | 'done' | 'cancelled' | 'failed'; rowsWritten: number; totalRows: number | null; message?: string }
  | { type: 'chartData'; requestId: number; xs: CellValue[]; ys: Array<number | null>; totalRows: number | null }
  | { type: 'notice'; message: string }
  | { type: 'scrollTo'; row: number };

export type WebviewMessage =
  | { type: 'ready'; version: number }
  | { type: 'requestRows'; requestId: number; start: number; count: number }
  | { type: 'cancelRows'; requestIds: number[] }
  | { type: 'painted'; resultId: number; start: number; count: number }
  | { type: 'copy'; format: CopyFormat; header: boolean; selection: CopySelection }
  | { type: 'export'; format: ExportFormat }
  | { type: 'cancelExport' }
  | { type: 'cancel' }
  | { type: 'openJobUrl' }
  | { type: 'saveState'; state: PanelViewState }
  | { type: 'requestChart'; requestId: number; x: number; y: number; limit: number }
  | { type: 'selectTile'; index: number }
  | { type: 'cancelTiles' };

// ---- validators -----------------------------------------------------------------------------
// A tiny combinator set rather than a schema library: the webview bundle stays small and both
// ends run the same code. A validator returns the value (typed) or throws Invalid.

class Invalid extends Error {}
type V<T> = (value: unknown, path: string) => T;

const fail = (path: string, what: string): never => {
  throw new Invalid(`${path}: ${what}`);
};

const int = (min: number, max: number): V<number> => (v, p) =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : fail(p, `an integer in [${min}, ${max}]`);
const finite: V<number> = (v, p) => (typeof v === 'number' && Number.isFinite(v) ? v : fail(p, 'a finite number'));
const bool: V<boolean> = (v, p) => (typeof v === 'boolean' ? v : fail(p, 'a boolean'));
const str = (max: number = LIMITS.maxTextLength): V<string> => (v, p) =>
  typeof v === 'string' && v.length <= max ? v : fail(p, `a string of at most ${max} characters`);
const literal = <T extends string>(...values: T[]): V<T> => (v, p) =>
  typeof v === 'string' && (values as string[]).includes(v) ? (v as T) : fail(p, `one of ${values.join(', ')}`);
const nullable = <T>(inner: V<T>): V<T | null> => (v, p) => (v === null ? null : inner(v, p));
const array = <T>(item: V<T>, max: number): V<T[]> => (v, p) => {
  if (!Array.isArray(v) || v.length > max) return fail(p, `an array of at most ${max} items`);
  return v.map((x, i) => item(x, `${p}[${i}]`));
};
const record = (value: V<string>, maxKeys: number): V<Record<string, string>> => (v, p) => {
  if (!isPlainObject(v)) return fail(p, 'an object');
  const keys = Object.keys(v);
  if (keys.length > maxKeys) return fail(p, `at most ${maxKeys} keys`);
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const k of keys) out[str()(k, `${p} key`)] = value(v[k], `${p}.${k}`);
  return out;
};

type Shape = Record<string, V<unknown> | { optional: V<unknown> }>;
type FromShape<S extends Shape> = {
  [K in keyof S as S[K] extends { optional: V<unknown> } ? never : K]: S[K] extends V<infer T> ? T : never;
} & {
  [K in keyof S as S[K] extends { optional: V<unknown> } ? K : never]?: S[K] extends { optional: V<infer T> } ? T : never;
};
const opt = <T>(inner: V<T>): { optional: V<T> } => ({ optional: inner });

/** An object with exactly these keys (unknown keys are rejected: they hint at a mismatched build). */
const object = <S extends Shape>(shape: S): V<FromShape<S>> => (v, p) => {
  if (!isPlainObject(v)) return fail(p, 'an object');
  for (const k of Object.keys(v)) if (!Object.prototype.hasOwnProperty.call(shape, k)) fail(`${p}.${k}`, 'not expected');
  const out: Record<string, unknown> = {};
  for (const [k, rule] of Object.entries(shape)) {
    const present = Object.prototype.hasOwnProperty.call(v, k) && v[k] !== undefined;
    if (typeof rule === 'function') out[k] = rule(present ? v[k] : undefined, `${p}.${k}`);
    else if (present) out[k] = rule.optional(v[k], `${p}.${k}`);
  }
  return out as FromShape<S>;
};

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Cells are checked iteratively with a depth bound: a hostile value must not blow the stack. */
const cell: V<CellValue> = (v, p) => {
  const stack: Array<{ value: unknown; depth: number }> = [{ value: v, depth: 0 }];
  let budget = 100_000;
  while (stack.length) {
    const { value, depth } = stack.pop()!;
    if (--budget < 0) fail(p, 'a cell of at most 100,000 values');
    if (value === null || typeof value === 'boolean') continue;
    // NaN and ±Infinity are FLOAT values and survive structured clone; they are allowed.
    if (typeof value === 'number') continue;
    if (typeof value === 'string') {
      if (value.length > LIMITS.maxCellTextLength) fail(p, 'a cell text within the size limit');
      continue;
    }
    if (depth >= LIMITS.maxCellDepth) fail(p, `a cell nested at most ${LIMITS.maxCellDepth} deep`);
    if (Array.isArray(value)) {
      for (const item of value) stack.push({ value: item, depth: depth + 1 });
      continue;
    }
    if (isPlainObject(value)) {
      for (const item of Object.values(value)) stack.push({ value: item, depth: depth + 1 });
      continue;
    }
    fail(p, 'a cell value (null, string, number, boolean, array or object)');
  }
  return v as CellValue;
};

/** BigQuery nests RECORDs at most 15 deep; the bound keeps a hostile schema from exhausting the stack. */
const columnAt = (depth: number): V<WireColumn> => (v, p) => {
  if (depth > 16) return fail(p, 'a column nested at most 16 deep');
  return object({ name: str(), type: str(32), mode: str(32), fields: opt(array(columnAt(depth + 1), LIMITS.maxColumns)) })(v, p) as WireColumn;
};
const columnList: V<WireColumn[]> = array(columnAt(0), LIMITS.maxColumns);

const rowIndex = int(0, Number.MAX_SAFE_INTEGER);
const requestId = int(0, Number.MAX_SAFE_INTEGER);
const columnIndex = int(0, LIMITS.maxColumns - 1);
const count = nullable(int(0, Number.MAX_SAFE_INTEGER));
const bytes = int(0, Number.MAX_SAFE_INTEGER);

const restoreKey: V<WireRestore> = object({
  kind: (v, p) => (typeof v === 'string' && /^[a-z][a-z0-9-]{0,63}$/.test(v) ? v : fail(p, 'a restore kind')),
  title: str(1024),
  origin: str(1024),
  data: record(str(1024), 10),
}) as V<WireRestore>;

const stats: V<WireStats> = object({
  jobId: opt(str(1024)),
  hasJobUrl: opt(bool),
  location: opt(str(256)),
  statementType: opt(str(256)),
  bytesProcessed: opt(bytes),
  bytesBilled: opt(bytes),
  cacheHit: opt(bool),
  slotMs: opt(bytes),
  timeToFirstRowMs: opt((v, p) => (finite(v, p) >= 0 ? (v as number) : fail(p, 'not negative'))),
  extra: opt(record(str(1024), 50)),
  chart: opt(object({ kind: opt(literal(...CHART_KINDS)), requested: str(100), exact: bool })),
});

export const panelViewState: V<PanelViewState> = object({
  resultId: int(0, Number.MAX_SAFE_INTEGER),
  topRow: (v, p) => (finite(v, p) >= 0 ? (v as number) : fail(p, 'not negative')),
  scrollLeft: (v, p) => (finite(v, p) >= 0 ? (v as number) : fail(p, 'not negative')),
  columnWidths: array(int(0, 10_000), LIMITS.maxColumns),
  tab: literal('grid', 'chart'),
  sort: opt(object({ column: columnIndex, descending: bool })),
  filter: opt(object({ column: int(-1, LIMITS.maxColumns - 1), text: str(1_000) })),
  chart: opt(object({ kind: literal(...CHART_KINDS), x: columnIndex, y: columnIndex })),
  active: opt(object({ row: rowIndex, column: columnIndex })),
}) as V<PanelViewState>;

const copySelection: V<CopySelection> = (v, p) => {
  const kind = isPlainObject(v) ? v.kind : undefined;
  if (kind === 'range') {
    const r = object({ kind: literal('range'), startRow: rowIndex, endRow: rowIndex, columns: array(columnIndex, LIMITS.maxColumns) })(v, p);
    if (r.endRow < r.startRow) fail(p, 'endRow not before startRow');
    return r;
  }
  if (kind === 'rows') return object({ kind: literal('rows'), rows: array(rowIndex, LIMITS.maxSelectedRows), columns: array(columnIndex, LIMITS.maxColumns) })(v, p);
  return fail(`${p}.kind`, 'range or rows');
};

const exportFormat = literal('csv', 'jsonl', 'json');

const HOST_MESSAGES: { [K in HostMessage['type']]: V<Extract<HostMessage, { type: K }>> } = {
  running: object({ type: literal('running'), title: str(), origin: str(), message: str(), startedAt: finite }),
  error: object({ type: literal('error'), title: str(), origin: str(), message: str(), nextStep: opt(str()) }),
  cancelled: object({ type: literal('cancelled'), title: str(), origin: str(), message: str() }),
  text: object({ type: literal('text'), title: str(), origin: str(), text: str(LIMITS.maxTextLength * 10) }),
  tiles: object({
    type: literal('tiles'),
    title: str(),
    tiles: array(object({ title: str(1024), state: literal(...TILE_STATES), rows: opt(int(0, Number.MAX_SAFE_INTEGER)) }), LIMITS.maxTiles),
    active: int(0, LIMITS.maxTiles),
  }),
  init: object({
    type: literal('init'),
    resultId: int(0, Number.MAX_SAFE_INTEGER),
    title: str(),
    origin: str(),
    columns: columnList,
    totalRows: count,
    stats,
    loadedRows: int(0, Number.MAX_SAFE_INTEGER),
    panelState: opt(panelViewState),
    restore: opt(restoreKey),
  }) as V<Extract<HostMessage, { type: 'init' }>>,
  rows: object({ type: literal('rows'), requestId, start: rowIndex, rows: array(array(cell, LIMITS.maxColumns), LIMITS.maxRowsPerRequest) }),
  rowsFailed: object({ type: literal('rowsFailed'), requestId, message: str() }),
  progress: object({ type: literal('progress'), loadedRows: int(0, Number.MAX_SAFE_INTEGER), totalRows: count }),
  stats: object({ type: literal('stats'), stats }),
  exportProgress: object({
    type: literal('exportProgress'),
    format: exportFormat,
    state: literal('running', 'done', 'cancelled', 'failed'),
    rowsWritten: int(0, Number.MAX_SAFE_INTEGER),
    totalRows: count,
    message: opt(str()),
  }),
  chartData: object({
    type: literal('chartData'),
    requestId,
    xs: array(cell, LIMITS.maxChartRows),
    ys: array(nullable((v, p) => (typeof v === 'number' ? v : fail(p, 'a number'))), LIMITS.maxChartRows),
    totalRows: count,
  }),
  notice: object({ type: literal('notice'), message: str() }),
  scrollTo: object({ type: literal('scrollTo'), row: rowIndex }),
};

const WEBVIEW_MESSAGES: { [K in WebviewMessage['type']]: V<Extract<WebviewMessage, { type: K }>> } = {
  ready: object({ type: literal('ready'), version: int(0, 1_000) }),
  requestRows: object({ type: literal('requestRows'), requestId, start: rowIndex, count: int(1, LIMITS.maxRowsPerRequest) }),
  cancelRows: object({ type: literal('cancelRows'), requestIds: array(requestId, 1_000) }),
  painted: object({ type: literal('painted'), resultId: int(0, Number.MAX_SAFE_INTEGER), start: rowIndex, count: int(0, LIMITS.maxRowsPerRequest) }),
  copy: object({ type: literal('copy'), format: literal('tsv', 'csv', 'json', 'markdown'), header: bool, selection: copySelection }),
  export: object({ type: literal('export'), format: exportFormat }),
  cancelExport: object({ type: literal('cancelExport') }),
  cancel: object({ type: literal('cancel') }),
  openJobUrl: object({ type: literal('openJobUrl') }),
  saveState: object({ type: literal('saveState'), state: panelViewState }),
  requestChart: object({ type: literal('requestChart'), requestId, x: columnIndex, y: columnIndex, limit: int(1, LIMITS.maxChartRows) }),
  selectTile: object({ type: literal('selectTile'), index: int(0, LIMITS.maxTiles - 1) }),
  cancelTiles: object({ type: literal('cancelTiles') }),
};

export type Validation<T> = { ok: true; message: T } | { ok: false; error: string };

function validate<T>(table: Record<string, V<unknown>>, raw: unknown): Validation<T> {
  try {
    if (!isPlainObject(raw) || typeof raw.type !== 'string' || !Object.prototype.hasOwnProperty.call(table, raw.type)) {
      return { ok: false, error: 'message: an object with a known type' };
    }
    return { ok: true, message: table[raw.type](raw, raw.type) as T };
  } catch (err) {
    if (err instanceof Invalid) return { ok: false, error: err.message };
    throw err;
  }
}

/** Run by the host on everything the webview posts. */
export function validateWebviewMessage(raw: unknown): Validation<WebviewMessage> {
  return validate<WebviewMessage>(WEBVIEW_MESSAGES, raw);
}

/** Run by the webview on everything the host posts. */
export function validateHostMessage(raw: unknown): Validation<HostMessage> {
  return validate<HostMessage>(HOST_MESSAGES, raw);
}

/** Run by the webview on what vscode.getState() returns (it may come from an older build). */
export function validatePanelViewState(raw: unknown): PanelViewState | undefined {
  try {
    return panelViewState(raw, 'state');
  } catch (err) {
    if (err instanceof Invalid) return undefined;
    throw err;
  }
}

/** Run by the host on the webview state VS Code hands back after a reload (it is the webview's word). */
export function validateRestoreState(raw: unknown): WireRestore | undefined {
  try {
    const restore = (raw as { restore?: unknown } | null | undefined)?.restore;
    return restore === undefined ? undefined : restoreKey(restore, 'state.restore');
  } catch (err) {
    if (err instanceof Invalid) return undefined;
    throw err;
  }
}
