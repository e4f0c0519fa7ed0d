// Small, dependency-free reading of BigQuery SQL text: where statements start and end (strings,
// quoted identifiers and comments respected), which statement the cursor is in, and which named
// parameters (@name) a query uses. Not a parser: just enough to pick what to run.
import { markMessage, t } from '../core/l10n';

export interface StatementSpan {
  /** Offsets into the text: [start, end) without the terminating semicolon. */
  start: number;
  end: number;
  text: string;
}

/** Splits on top-level semicolons, skipping those inside strings, identifiers and comments. */
export function splitStatements(sql: string): StatementSpan[] {
  const spans: StatementSpan[] = [];
  let start = 0;
  let i = 0;
  const n = sql.length;
  const push = (end: number) => {
    const raw = sql.slice(start, end);
    if (hasCode(raw)) {
      const lead = raw.length - raw.trimStart().length;
      const trail = raw.length - raw.trimEnd().length;
      spans.push({ start: start + lead, end: end - trail, text: raw.trim() });
    }
  };
  while (i < n) {
    const c = sql[i];
    const next = sql[i + 1];
    if (c === '-' && next === '-') i = skipLine(sql, i);
    else if (c === '#') i = skipLine(sql, i);
    else if (c === '/' && next === '*') {
      const close = sql.indexOf('*/', i + 2);
      i = close < 0 ? n : close + 2;
    } else if (c === "'" || c === '"' || c === '`') i = skipQuoted(sql, i);
    else if (c === ';') {
      push(i);
      start = i + 1;
      i++;
    } else i++;
  }
  push(n);
  return spans;
}

/** The statement containing `offset`, or the one just before it (cursor after the semicolon). */
export function statementAt(sql: string, offset: number): StatementSpan | undefined {
  const spans = splitStatements(sql);
  let best: StatementSpan | undefined;
  for (const s of spans) {
    if (offset >= s.start && offset <= s.end + 1) return s;
    if (s.end <= offset) best = s;
  }
  return best ?? spans[0];
}

/** Named parameters used outside strings/comments, in order of first use (`@@system` variables excluded). */
export function namedParameters(sql: string): string[] {
  const names: string[] = [];
  const code = maskNonCode(sql);
  const re = /(^|[^@\w])@([A-Za-z_][A-Za-z0-9_]*)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(code))) if (!names.includes(m[2])) names.push(m[2]);
  return names;
}

export function isMultiStatement(sql: string): boolean {
  return splitStatements(sql).length > 1;
}

/** Replaces strings, quoted identifiers and comments with spaces (same length, offsets kept). */
export function maskNonCode(sql: string): string {
  const out = sql.split('');
  let i = 0;
  const blank = (a: number, b: number) => {
    for (let k = a; k < b && k < out.length; k++) if (out[k] !== '\n') out[k] = ' ';
  };
  while (i < sql.length) {
    const c = sql[i];
    const next = sql[i + 1];
    let end = i;
    if ((c === '-' && next === '-') || c === '#') end = skipLine(sql, i);
    else if (c === '/' && next === '*') {
      const close = sql.indexOf('*/', i + 2);
      end = close < 0 ? sql.length : close + 2;
    } else if (c === "'" || c === '"' || c === '`') end = skipQuoted(sql, i);
    if (end > i) {
      blank(i, end);
      i = end;
    } else i++;
  }
  return out.join('');
}

function hasCode(s: string): boolean {
  return maskNonCode(s).trim().length > 0;
}

function skipLine(sql: string, i: number): number {
  const nl = sql.indexOf('\n', i);
  return nl < 0 ? sql.length : nl + 1;
}

/** Skips a quoted token starting at i; handles triple quotes and backslash escapes. */
function skipQuoted(sql: string, i: number): number {
  const q = sql[i];
  // Raw/byte prefixes (r'...', b"...") are handled by the caller seeing the quote itself.
  if (q !== '`' && sql.startsWith(q.repeat(3), i)) {
    const close = sql.indexOf(q.repeat(3), i + 3);
    return close < 0 ? sql.length : close + 3;
  }
  let j = i + 1;
  while (j < sql.length) {
    if (sql[j] === '\\') j += 2;
    else if (sql[j] === q) return j + 1;
    else if (sql[j] === '\n' && q !== '`') return j; // unterminated single-line string
    else j++;
  }
  return sql.length;
}

export type CostDecision = { action: 'run' } | { action: 'confirm'; bytes: number } | { action: 'block'; bytes: number; limit: number };

/** What to do with a query whose dry run says it will process `bytes`. */
export function decideCost(bytes: number, settings: { maximumBytesBilled: number; confirmAboveBytes: number }): CostDecision {
  if (settings.maximumBytesBilled > 0 && bytes > settings.maximumBytesBilled) return { action: 'block', bytes, limit: settings.maximumBytesBilled };
  if (settings.confirmAboveBytes > 0 && bytes > settings.confirmAboveBytes) return { action: 'confirm', bytes };
  return { action: 'run' };
}

/** Parameter types offered when asking for a value (BigQuery standard SQL names). */
export const PARAMETER_TYPES = ['STRING', 'INT64', 'FLOAT64', 'NUMERIC', 'BOOL', 'DATE', 'DATETIME', 'TIMESTAMP'] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];

const PARAMETER_FORMATS: Record<ParameterType, { re: RegExp; problem: string }> = {
  STRING: { re: /^[\s\S]*$/, problem: markMessage('Expected any text.') },
  INT64: { re: /^[+-]?\d{1,19}$/, problem: markMessage('Expected a whole number, e.g. 42.') },
  FLOAT64: { re: /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^(NaN|[+-]?Infinity)$/, problem: markMessage('Expected a number, e.g. 1.5.') },
  NUMERIC: { re: /^[+-]?(\d+\.?\d*|\.\d+)$/, problem: markMessage('Expected a decimal, e.g. 12.34.') },
  BOOL: { re: /^(true|false)$/i, problem: markMessage('Expected true or false.') },
  DATE: { re: /^\d{4}-\d{2}-\d{2}$/, problem: markMessage('Expected YYYY-MM-DD.') },
  DATETIME: { re: /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$/, problem: markMessage('Expected YYYY-MM-DD HH:MM[:SS].') },
  TIMESTAMP: { re: /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?\s*(Z|UTC|[+-]\d{2}(:?\d{2})?)?$/i, problem: markMessage('Expected YYYY-MM-DD HH:MM:SS[+00:00].') },
};

/** Why a value does not fit its type (a hint for the input box), or undefined when it does. */
export function parameterValueProblem(type: ParameterType, value: string): string | undefined {
  const f = PARAMETER_FORMATS[type];
  return f.re.test(value.trim()) ? undefined : t(f.problem);
}

/** A first guess of a parameter's type from its name (`*_date` → DATE, `min_*` → INT64). */
export function guessParameterType(name: string): ParameterType {
  const n = name.toLowerCase();
  if (/(^|_)(ts|timestamp|time)$|_at$/.test(n)) return 'TIMESTAMP';
  if (/(^|_)(date|day)$|_on$/.test(n)) return 'DATE';
  if (/^(is|has)_|_flag$/.test(n)) return 'BOOL';
  if (/(^|_)(id|count|limit|min|max|n|num|days|ms|seconds|year)(_|$)/.test(n)) return 'INT64';
  return 'STRING';
}
