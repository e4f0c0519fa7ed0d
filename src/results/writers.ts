// Text formats of result rows, for export (CSV, JSON Lines, JSON) and for copying a selection
// (TSV, CSV, JSON, Markdown). A RowWriter turns pages into text one at a time, so an export never
// needs every row at once.
//
// NULL versus '' (the empty string):
// * CSV/TSV: NULL is an empty unquoted field; '' is a quoted empty field `""`. PostgreSQL
//   `COPY ... CSV` and DuckDB read them back as NULL and '' respectively. With `nullText`
//   (e.g. `NULL` or `\N`), NULL is written as that text, unquoted, and a string equal to it is
//   quoted so the two still differ.
// * JSON/JSON Lines: `null` and `""`.
// * Markdown: NULL is `*NULL*` (italics); a string "*NULL*" is escaped to `\*NULL\*`.
//
// Formula injection (CSV and TSV, on by default, `escapeFormulas: false` turns it off): a cell,
// header included, whose text starts with `=`, `+`, `-`, `@`, TAB or CR is prefixed with an
// apostrophe `'`, so a spreadsheet shows it as text instead of running it (OWASP "CSV
// Injection"). The one exception: a plain number in a numeric column (INTEGER, FLOAT, NUMERIC,
// BIGNUMERIC; not REPEATED) such as `-12.5` or `-1e-7`, which a spreadsheet reads as a number, not
// a formula. The same text in a STRING column is escaped: it is data from anywhere.
//
// Nested values (RECORD, REPEATED) are JSON text in CSV, TSV and Markdown cells, and JSON values
// in JSON formats. INTEGER/NUMERIC stay strings in JSON (as BigQuery's own JSON export does), so
// no reader rounds them; FLOAT NaN and ±Infinity, which JSON cannot hold, become "NaN",
// "Infinity" and "-Infinity".
import { isNumericType, ResultError, type CellValue, type ResultColumn, type ResultRow } from './types';
import { t } from '../core/l10n';

export type RowFormat = 'csv' | 'tsv' | 'jsonl' | 'json' | 'markdown';

export interface WriterOptions {
  /** CSV/TSV: write a header row of column names (default true; Markdown always has one). */
  header?: boolean;
  /** CSV/TSV: escape cells a spreadsheet would run as formulas (default true). */
  escapeFormulas?: boolean;
  /** CSV/TSV: text for NULL (default '', an unquoted empty field). */
  nullText?: string;
  /** CSV/TSV: begin with a UTF-8 byte order mark, which Excel needs to read UTF-8 (default false). */
  bom?: boolean;
}

export interface RowWriter {
  readonly format: RowFormat;
  /** Text before the first row (BOM, header, `[`). */
  begin(): string;
  /** The text of these rows, which follow those of earlier calls. */
  rows(rows: readonly ResultRow[]): string;
  /** Text after the last row. */
  end(): string;
}

export function createRowWriter(format: RowFormat, columns: readonly ResultColumn[], options: WriterOptions = {}): RowWriter {
  switch (format) {
    case 'csv':
      return delimitedWriter('csv', ',', '\r\n', columns, options);
    case 'tsv':
      return delimitedWriter('tsv', '\t', '\r\n', columns, options);
    case 'jsonl':
      return jsonWriter('jsonl', columns);
    case 'json':
      return jsonWriter('json', columns);
    case 'markdown':
      return markdownWriter(columns);
    default:
      throw new ResultError('invalidOptions', t('Unknown format {0}.', String(format)));
  }
}

/** A selection as one string (copy to the clipboard). */
export function formatRows(format: RowFormat, columns: readonly ResultColumn[], rows: readonly ResultRow[], options: WriterOptions = {}): string {
  const writer = createRowWriter(format, columns, { ...options, bom: false });
  return writer.begin() + writer.rows(rows) + writer.end();
}

/** A non-NULL cell as text: strings as they are, nested values as JSON. */
export function cellText(value: Exclude<CellValue, null>): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object') return JSON.stringify(value, nonFinite);
  return String(value);
}

const FORMULA_START = new Set(['=', '+', '-', '@', '\t', '\r']);
const PLAIN_NUMBER = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Whether a CSV/TSV cell needs the apostrophe (see the rule at the top of this file). */
export function needsFormulaEscape(text: string, column?: ResultColumn): boolean {
  if (text.length === 0 || !FORMULA_START.has(text[0])) return false;
  if (column && column.mode !== 'REPEATED' && isNumericType(column.type) && PLAIN_NUMBER.test(text)) return false;
  return true;
}

function nonFinite(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
}

function delimitedWriter(
  format: 'csv' | 'tsv',
  separator: string,
  eol: string,
  columns: readonly ResultColumn[],
  options: WriterOptions,
): RowWriter {
  const escapeFormulas = options.escapeFormulas ?? true;
  const nullText = options.nullText ?? '';
  const mustQuote = separator === ',' ? /[",\r\n]/ : /["\t\r\n]/;
  const field = (text: string, column: ResultColumn | undefined): string => {
    if (escapeFormulas && needsFormulaEscape(text, column)) text = `'${text}`;
    // '' and text equal to the NULL marker are quoted so that they differ from NULL.
    if (text === '' || text === nullText || mustQuote.test(text)) return `"${text.replace(/"/g, '""')}"`;
    return text;
  };
  const n = columns.length;
  return {
    format,
    begin: () => {
      const bom = options.bom ? '\uFEFF' : '';
      if (options.header === false) return bom;
      return bom + columns.map((c) => field(c.name, undefined)).join(separator) + eol;
    },
    rows: (rows) => {
      let out = '';
      for (const row of rows) {
        let line = '';
        for (let i = 0; i < n; i++) {
          const v = row[i];
          if (i > 0) line += separator;
          line += v === null || v === undefined ? nullText : field(cellText(v), columns[i]);
        }
        out += line + eol;
      }
      return out;
    },
    end: () => '',
  };
}

function jsonWriter(format: 'json' | 'jsonl', columns: readonly ResultColumn[]): RowWriter {
  const names = uniqueNames(columns);
  const keys = names.map((name) => `${JSON.stringify(name)}:`);
  const n = keys.length;
  const floats = columns.flatMap((c, i) => (c.type === 'FLOAT' && c.mode !== 'REPEATED' ? [i] : []));
  // One JSON.stringify of a plain object per row is ~1.4x faster than concatenating cells, but
  // it writes NaN as null and orders index-like keys ("1") first; those cases take the slow path.
  const objectSafe = !columns.some((c) => c.mode === 'REPEATED' ? hasFloat(c) : c.type === 'RECORD' && hasFloat(c))
    && !names.some((name) => /^(0|[1-9]\d*)$/.test(name) || name === '__proto__');
  let written = 0;
  const object = (row: ResultRow): string => {
    if (objectSafe && floats.every((i) => typeof row[i] !== 'number' || Number.isFinite(row[i]))) {
      const o: Record<string, CellValue> = {};
      for (let i = 0; i < n; i++) o[names[i]] = row[i] ?? null;
      return JSON.stringify(o);
    }
    let out = '{';
    for (let i = 0; i < n; i++) {
      if (i > 0) out += ',';
      out += keys[i] + jsonValue(row[i]);
    }
    return `${out}}`;
  };
  return {
    format,
    begin: () => (format === 'json' ? '[' : ''),
    rows: (rows) => {
      let out = '';
      for (const row of rows) {
        if (format === 'jsonl') {
          out += `${object(row)}\n`;
        } else {
          out += `${written === 0 ? '\n' : ',\n'}${object(row)}`;
          written++;
        }
      }
      return out;
    },
    end: () => (format === 'json' ? (written > 0 ? '\n]\n' : ']\n') : ''),
  };
}

function hasFloat(column: ResultColumn): boolean {
  return column.type === 'FLOAT' || (column.fields ?? []).some(hasFloat);
}

function jsonValue(v: CellValue | undefined): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : `"${v}"`;
  if (typeof v === 'object') return JSON.stringify(v, nonFinite);
  return JSON.stringify(v);
}

/** JSON object keys must differ: a second `id` becomes `id_2`. */
function uniqueNames(columns: readonly ResultColumn[]): string[] {
  const seen = new Set<string>();
  return columns.map((c) => {
    let name = c.name;
    for (let k = 2; seen.has(name); k++) name = `${c.name}_${k}`;
    seen.add(name);
    return name;
  });
}

const MARKDOWN_SPECIAL = /[\\`*_|[\]<>]/g;

function markdownWriter(columns: readonly ResultColumn[]): RowWriter {
  const cell = (v: CellValue | undefined): string =>
    v === null || v === undefined ? '*NULL*' : cellText(v).replace(MARKDOWN_SPECIAL, '\\$&').replace(/\r\n|\r|\n/g, '<br>');
  const line = (cells: string[]) => `| ${cells.join(' | ')} |\n`;
  return {
    format: 'markdown',
    begin: () => line(columns.map((c) => cell(c.name))) + line(columns.map(() => '---')),
    rows: (rows) => rows.map((row) => line(columns.map((_, i) => cell(row[i])))).join(''),
    end: () => '',
  };
}
