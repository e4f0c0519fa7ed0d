// How values read in the grid. Everything here returns plain strings that the grid assigns with
// textContent: a cell, a column name or an error can never become markup.
import type { CellValue } from '../../src/results/types';

/** Direction and isolation controls that make text display in another order than it is stored. */
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
const LINE_BREAKS = /\r\n|\r|\n/g;
const OTHER_CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

/**
 * One line of text for a grid cell: line breaks and tabs shown as symbols, invisible controls as
 * their code point (so "\u202Egnp.exe" cannot pose as "exe.png"), cut at `max` characters.
 */
export function cellDisplayText(value: Exclude<CellValue, null>, max = 500): string {
  const raw = typeof value === 'string' ? value : typeof value === 'object' ? compactJson(value, max + 1) : String(value);
  const cut = raw.length > max ? `${raw.slice(0, max)}…` : raw;
  return visibleControls(cut).replace(LINE_BREAKS, '↵').replace(/\t/g, '⇥');
}

export function visibleControls(text: string): string {
  return text
    .replace(BIDI_CONTROLS, (c) => `⟨U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}⟩`)
    .replace(OTHER_CONTROLS, (c) => `⟨U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}⟩`);
}

export function isNested(value: CellValue): boolean {
  return typeof value === 'object' && value !== null;
}

/** JSON on one line, stopped early for huge values (the cell shows the start only). */
export function compactJson(value: CellValue, max = 2_000): string {
  const text = JSON.stringify(value, nonFinite) ?? 'null';
  return text.length > max ? text.slice(0, max) : text;
}

/** How a NULL reads: SQL's keyword, the same in every language (not a message to translate). */
export const NULL_TEXT = 'NULL';

/** The value for the cell view: JSON pretty-printed, text as it is (controls made visible). */
export function detailText(value: CellValue): string {
  if (value === null) return NULL_TEXT;
  if (typeof value === 'object') return JSON.stringify(value, nonFinite, 2);
  return visibleControls(String(value));
}

function nonFinite(_key: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? String(v) : v;
}

const BADGES: Record<string, string> = {
  STRING: 'abc',
  INTEGER: '123',
  FLOAT: '1.5',
  NUMERIC: '1.0',
  BIGNUMERIC: '1.0',
  BOOLEAN: 'T/F',
  TIMESTAMP: 'ts',
  DATE: 'date',
  DATETIME: 'dt',
  TIME: 'time',
  BYTES: 'bin',
  JSON: '{}',
  RECORD: '{…}',
  GEOGRAPHY: 'geo',
  INTERVAL: 'ivl',
  RANGE: 'rng',
};

/** Short type label for a column header; REPEATED columns get []. */
export function typeBadge(type: string, mode: string): string {
  const badge = (Object.hasOwn(BADGES, type) ? BADGES[type] : undefined) ?? type.slice(0, 4).toLowerCase();
  return mode === 'REPEATED' ? `[${badge}]` : badge;
}

export function isNumericType(type: string): boolean {
  return type === 'INTEGER' || type === 'FLOAT' || type === 'NUMERIC' || type === 'BIGNUMERIC';
}

export function isTimeType(type: string): boolean {
  return type === 'TIMESTAMP' || type === 'DATE' || type === 'DATETIME';
}

/** Sort order for one column: NULLs last, numbers by value, the rest as text. */
export function compareCells(a: CellValue, b: CellValue, type: string): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  if (isNumericType(type)) {
    const x = typeof a === 'number' ? a : Number(a);
    const y = typeof b === 'number' ? b : Number(b);
    if (!Number.isNaN(x) && !Number.isNaN(y) && x !== y) return x < y ? -1 : 1;
    if (Number.isNaN(x) !== Number.isNaN(y)) return Number.isNaN(x) ? 1 : -1;
    return 0;
  }
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  const s = typeof a === 'object' ? compactJson(a) : String(a);
  const t = typeof b === 'object' ? compactJson(b) : String(b);
  return s < t ? -1 : s > t ? 1 : 0;
}

/** Whether a cell contains `needle` (already lower-cased); NULL matches the word null only. */
export function cellMatches(value: CellValue, needle: string): boolean {
  if (needle === '') return false;
  if (value === null) return needle === 'null';
  const text = typeof value === 'object' ? compactJson(value) : String(value);
  return text.toLowerCase().includes(needle);
}
