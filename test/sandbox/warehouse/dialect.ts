// BigQuery (GoogleSQL) → DuckDB, for the few constructs the demo and the tests use. A small
// tokenizer, then token rewrites; every output token remembers where it came from so DuckDB's
// error positions can be reported against the SQL the user wrote.
//
// Supported (anything else is passed through and DuckDB decides):
//   `p.d.t`, `p`.d.t             → "p"."d"."t", "p".d.t
//   "text", 'a\'b', r'\d', # …   → 'text', 'a''b', '\d', -- …
//   @name, ?                     → inlined, escaped literals (typed when the caller gives types)
//   SAFE_CAST                    → TRY_CAST;  CAST(x AS INT64|FLOAT64|STRING|BOOL|NUMERIC|BIGNUMERIC|BYTES|TIMESTAMP|DATETIME)
//   TIMESTAMP '…+02:00', DATETIME '…' → TIMESTAMP '<UTC>' (no ICU here: BigQuery TIMESTAMP = naive UTC TIMESTAMP; DATETIME reads as TIMESTAMP)
//   GENERATE_ARRAY(a, b[, step]) → generate_series(a, b[, step])
//   CURRENT_TIMESTAMP(), CURRENT_DATE(), CURRENT_DATETIME()
//   COUNTIF, LOGICAL_AND/OR, ARRAY_LENGTH, REGEXP_CONTAINS, SAFE_DIVIDE(a,b), DIV(a,b), DATE(x), TIMESTAMP(x)
//   DATE_TRUNC/TIMESTAMP_TRUNC(x, PART), DATE_DIFF/TIMESTAMP_DIFF(a, b, PART), DATE_ADD/DATE_SUB/TIMESTAMP_ADD/TIMESTAMP_SUB(x, INTERVAL n PART)
//   FORMAT_DATE/FORMAT_TIMESTAMP(fmt, x), PARSE_DATE(fmt, s)
//   SELECT * EXCEPT (a, b)       → * EXCLUDE (a, b)
//   FROM t, UNNEST(t.tags) AS tag → … UNNEST(t.tags) AS tag(tag);  x IN UNNEST(arr) → x IN (SELECT UNNEST(arr))

export type TokenKind = 'ws' | 'comment' | 'string' | 'ident' | 'quoted' | 'number' | 'param' | 'qmark' | 'punct';

export interface Token {
  kind: TokenKind;
  text: string;
  /** Offset in the original SQL. */
  pos: number;
}

export class DialectError extends Error {
  constructor(
    message: string,
    readonly pos: number,
  ) {
    super(message);
  }
}

const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER = /(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)/y;

export function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const push = (kind: TokenKind, end: number, text = sql.slice(i, end)) => {
    out.push({ kind, text, pos: i });
    i = end;
  };
  while (i < sql.length) {
    const c = sql[i];
    const next = sql[i + 1];
    if (/\s/.test(c)) {
      let j = i + 1;
      while (j < sql.length && /\s/.test(sql[j])) j++;
      push('ws', j);
    } else if ((c === '-' && next === '-') || c === '#') {
      let j = sql.indexOf('\n', i);
      if (j < 0) j = sql.length;
      push('comment', j, `--${sql.slice(i + (c === '#' ? 1 : 2), j)}`);
    } else if (c === '/' && next === '*') {
      const j = sql.indexOf('*/', i + 2);
      if (j < 0) throw new DialectError('Unclosed comment', i);
      push('comment', j + 2);
    } else if (c === '`') {
      const j = sql.indexOf('`', i + 1);
      if (j < 0) throw new DialectError('Unclosed identifier literal', i);
      const parts = sql.slice(i + 1, j).split('.');
      push('quoted', j + 1, parts.map((p) => `"${p.replace(/"/g, '""')}"`).join('.'));
    } else if (c === "'" || c === '"' || ((c === 'r' || c === 'R') && (next === "'" || next === '"'))) {
      const raw = c === 'r' || c === 'R';
      const q = raw ? next : c;
      const start = raw ? i + 2 : i + 1;
      const triple = sql.startsWith(q.repeat(3), start - 1);
      const close = triple ? q.repeat(3) : q;
      let j = triple ? start + 2 : start;
      let value = '';
      for (;;) {
        if (j >= sql.length) throw new DialectError('Unclosed string literal', i);
        if (sql.startsWith(close, j)) break;
        if (!raw && sql[j] === '\\' && j + 1 < sql.length) {
          const e = sql[j + 1];
          value += ({ n: '\n', t: '\t', r: '\r', '0': '\0' } as Record<string, string>)[e] ?? e;
          j += 2;
          continue;
        }
        value += sql[j++];
      }
      push('string', j + close.length, sqlString(value));
    } else if (c === '@' && next !== '@' && /[A-Za-z_]/.test(next ?? '')) {
      WORD.lastIndex = i + 1;
      WORD.exec(sql);
      push('param', WORD.lastIndex);
    } else if (c === '?') {
      push('qmark', i + 1);
    } else if (/[A-Za-z_]/.test(c)) {
      WORD.lastIndex = i;
      WORD.exec(sql);
      push('ident', WORD.lastIndex);
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(next ?? ''))) {
      NUMBER.lastIndex = i;
      NUMBER.exec(sql);
      push('number', NUMBER.lastIndex);
    } else {
      push('punct', i + 1);
    }
  }
  return out;
}

export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** BigQuery type name → DuckDB type name. */
export const BQ_TO_DUCK_TYPE: Record<string, string> = {
  INT64: 'BIGINT',
  INTEGER: 'BIGINT',
  FLOAT64: 'DOUBLE',
  FLOAT: 'DOUBLE',
  STRING: 'VARCHAR',
  BOOL: 'BOOLEAN',
  BOOLEAN: 'BOOLEAN',
  NUMERIC: 'DECIMAL(38,9)',
  BIGNUMERIC: 'DECIMAL(38,9)',
  BYTES: 'BLOB',
  TIMESTAMP: 'TIMESTAMP',
  DATETIME: 'TIMESTAMP',
  DATE: 'DATE',
  TIME: 'TIME',
  JSON: 'JSON',
};

/** A query parameter as the BigQuery API types it. */
export interface ParamType {
  type: string;
  arrayType?: ParamType;
  structTypes?: { name?: string; type: ParamType }[];
}

/** A parameter value with its BigQuery type (plain JS values are typed from their JS type). */
export class TypedParam {
  constructor(
    readonly type: ParamType,
    readonly value: unknown,
  ) {}
}

export type QueryParams = Record<string, unknown> | unknown[];

function duckType(t: ParamType): string {
  if (t.type === 'ARRAY') return `${duckType(t.arrayType ?? { type: 'STRING' })}[]`;
  if (t.type === 'STRUCT')
    return `STRUCT(${(t.structTypes ?? []).map((f, i) => `"${f.name ?? `f${i}_`}" ${duckType(f.type)}`).join(', ')})`;
  return BQ_TO_DUCK_TYPE[t.type.toUpperCase()] ?? 'VARCHAR';
}

/** A parameter as an inlined DuckDB literal (strings escaped; values never spliced raw). */
export function paramLiteral(value: unknown, type?: ParamType): string {
  if (value instanceof TypedParam) return paramLiteral(value.value, value.type);
  if (type) {
    if (value === null || value === undefined) return `CAST(NULL AS ${duckType(type)})`;
    if (type.type === 'ARRAY') {
      const items = Array.isArray(value) ? value : [];
      return `CAST([${items.map((v) => paramLiteral(v, type.arrayType)).join(', ')}] AS ${duckType(type)})`;
    }
    if (type.type === 'STRUCT') {
      const obj = (value ?? {}) as Record<string, unknown>;
      const fields = (type.structTypes ?? []).map((f, i) => `${sqlString(f.name ?? `f${i}_`)}: ${paramLiteral(obj[f.name ?? `f${i}_`], f.type)}`);
      return `{${fields.join(', ')}}`;
    }
    let text = value instanceof Date ? value.toISOString() : String(value);
    if (type.type.toUpperCase() === 'TIMESTAMP') text = utcTimestamp(text);
    return `CAST(${sqlString(text)} AS ${duckType(type)})`;
  }
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'bigint') return `CAST(${value} AS BIGINT)`;
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return `CAST(${value} AS BIGINT)`;
    return Number.isFinite(value) ? `CAST(${value} AS DOUBLE)` : `CAST('${value}' AS DOUBLE)`;
  }
  if (value instanceof Date) return `CAST(${sqlString(utcTimestamp(value.toISOString()))} AS TIMESTAMP)`;
  if (Array.isArray(value)) return `[${value.map((v) => paramLiteral(v)).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${sqlString(k)}: ${paramLiteral(v)}`)
      .join(', ')}}`;
  }
  return sqlString(String(value));
}

/**
 * DuckDB here has no ICU (no time zones), so BigQuery TIMESTAMPs are naive UTC TIMESTAMPs:
 * a zone offset in a parameter is applied here ('2024-01-01 10:00:00+02:00' → '2024-01-01 08:00:00').
 */
export function utcTimestamp(text: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?\s*(Z|UTC|[+-]\d{2}(?::?\d{2})?)?$/i.exec(text.trim());
  if (!m || !m[4] || /^(Z|UTC)$/i.test(m[4])) return m ? `${m[1]} ${m[2]}${m[3] ? `.${m[3]}` : ''}` : text;
  const ms = Date.parse(`${m[1]}T${m[2]}${m[4].length === 3 ? `${m[4]}:00` : m[4]}`);
  if (Number.isNaN(ms)) return text;
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}${m[3] ? `.${m[3]}` : ''}`;
}

export interface Translated {
  sql: string;
  /** Maps an offset in `sql` back to the offset in the original SQL. */
  originalOffset(offset: number): number;
}

const RENAMES: Record<string, string> = {
  SAFE_CAST: 'TRY_CAST',
  COUNTIF: 'count_if',
  LOGICAL_AND: 'bool_and',
  LOGICAL_OR: 'bool_or',
  ARRAY_LENGTH: 'len',
  REGEXP_CONTAINS: 'regexp_matches',
};
const NO_ARG_FUNCTIONS: Record<string, string> = {
  CURRENT_TIMESTAMP: 'CAST(current_timestamp AS TIMESTAMP)',
  CURRENT_DATE: 'current_date',
  CURRENT_DATETIME: 'CAST(current_timestamp AS TIMESTAMP)',
};

type Piece = Token;

function isCode(t: Token): boolean {
  return t.kind !== 'ws' && t.kind !== 'comment';
}

/** Index of the next code token at or after i. */
function nextCode(toks: Token[], i: number): number {
  while (i < toks.length && !isCode(toks[i])) i++;
  return i;
}

function prevCode(toks: Token[], i: number): Token | undefined {
  for (let j = i - 1; j >= 0; j--) if (isCode(toks[j])) return toks[j];
  return undefined;
}

/** For `name(` at i: the argument token lists and the index after `)`, or undefined. */
function callArgs(toks: Token[], i: number): { args: Token[][]; end: number } | undefined {
  const open = nextCode(toks, i + 1);
  if (toks[open]?.text !== '(') return undefined;
  const args: Token[][] = [[]];
  let depth = 0;
  for (let j = open + 1; j < toks.length; j++) {
    const t = toks[j];
    if (t.text === '(' || t.text === '[') depth++;
    if (t.text === ')' || t.text === ']') {
      if (depth === 0) return { args: args.map(trim), end: j + 1 };
      depth--;
    }
    if (t.text === ',' && depth === 0) args.push([]);
    else args[args.length - 1].push(t);
  }
  return undefined;
}

function trim(ts: Token[]): Token[] {
  let a = 0;
  let b = ts.length;
  while (a < b && !isCode(ts[a])) a++;
  while (b > a && !isCode(ts[b - 1])) b--;
  return ts.slice(a, b);
}

/**
 * Rewrites one BigQuery statement (or script) for DuckDB. Named params are looked up in a
 * record, positional ones (`?`) in an array. Throws DialectError for unknown parameters.
 */
export function translate(sql: string, params?: QueryParams | 'placeholders'): Translated {
  const toks = tokenize(sql);
  let positional = 0;
  const lit = (text: string, pos: number): Piece => ({ kind: 'punct', text, pos });

  const rewrite = (input: Token[]): Piece[] => {
    const out: Piece[] = [];
    const castDepths: number[] = [];
    let depth = 0;
    for (let i = 0; i < input.length; i++) {
      const t = input[i];
      const up = t.kind === 'ident' ? t.text.toUpperCase() : '';
      if (t.text === '(') depth++;
      if (t.text === ')') {
        if (castDepths[castDepths.length - 1] === depth) castDepths.pop();
        depth--;
      }
      if (t.kind === 'param') {
        const name = t.text.slice(1);
        if (params === 'placeholders') {
          out.push(lit('(NULL)', t.pos));
          continue;
        }
        if (!params || Array.isArray(params) || !(name in params)) throw new DialectError(`Query parameter '${name}' not found`, t.pos);
        out.push(lit(`(${paramLiteral(params[name])})`, t.pos));
        continue;
      }
      if (t.kind === 'qmark') {
        if (params === 'placeholders') {
          out.push(lit('(NULL)', t.pos));
          continue;
        }
        if (!Array.isArray(params) || positional >= params.length) throw new DialectError('No value given for positional query parameter', t.pos);
        out.push(lit(`(${paramLiteral(params[positional++])})`, t.pos));
        continue;
      }
      if (t.kind !== 'ident') {
        out.push(t);
        continue;
      }
      const prev = prevCode(input, i);
      const afterDot = prev?.text === '.';
      const n = nextCode(input, i + 1);
      const nextTok = input[n];
      const isCall = nextTok?.text === '(' && !afterDot;
      if ((up === 'CAST' || up === 'SAFE_CAST' || up === 'TRY_CAST') && isCall) castDepths.push(depth + 1);
      // Type names after AS inside CAST(...).
      if (castDepths.length && castDepths[castDepths.length - 1] === depth && prev?.text.toUpperCase() === 'AS' && BQ_TO_DUCK_TYPE[up]) {
        out.push(lit(BQ_TO_DUCK_TYPE[up], t.pos));
        continue;
      }
      if ((up === 'ARRAY' || up === 'STRUCT') && castDepths.length && nextTok?.text === '<') {
        // CAST(x AS ARRAY<INT64>) → CAST(x AS BIGINT[])
        const close = input.findIndex((x, k) => k > n && x.text === '>');
        const inner = input.slice(n + 1, close).filter(isCode).map((x) => x.text.toUpperCase());
        if (up === 'ARRAY' && inner.length === 1 && BQ_TO_DUCK_TYPE[inner[0]]) {
          out.push(lit(`${BQ_TO_DUCK_TYPE[inner[0]]}[]`, t.pos));
          i = close;
          continue;
        }
      }
      if ((up === 'DATETIME' || up === 'TIMESTAMP') && nextTok?.kind === 'string' && !afterDot) {
        // No time zones in DuckDB here: apply a literal's offset now (TIMESTAMP '… +02:00' → UTC).
        const text = nextTok.text.slice(1, -1).replace(/''/g, "'");
        out.push(lit('TIMESTAMP ', t.pos), lit(sqlString(up === 'TIMESTAMP' ? utcTimestamp(text) : text), nextTok.pos));
        i = n;
        continue;
      }
      if (up === 'EXCEPT' && prev?.text === '*' && nextTok?.text === '(') {
        out.push(lit('EXCLUDE', t.pos));
        continue;
      }
      if (afterDot || !isCall) {
        if (up === 'AS' && prev?.text === ')' && nextTok?.kind === 'ident') {
          // UNNEST(...) AS alias → UNNEST(...) AS alias(alias), so `alias` names the element.
          const after = input[nextCode(input, n + 1)];
          if (after?.text !== '(' && closesUnnest(input, i)) {
            out.push(t, lit(' ', t.pos), nextTok, lit(`(${nextTok.text})`, nextTok.pos));
            i = n;
            continue;
          }
        }
        if (up === 'IN' && nextTok?.kind === 'ident' && nextTok.text.toUpperCase() === 'UNNEST') {
          const call = callArgs(input, n);
          if (call) {
            out.push(t, lit(' (SELECT UNNEST(', t.pos), ...rewrite(call.args[0]), lit('))', t.pos));
            i = call.end - 1;
            continue;
          }
        }
        out.push(t);
        continue;
      }
      if (RENAMES[up]) {
        out.push(lit(RENAMES[up], t.pos));
        continue;
      }
      if (NO_ARG_FUNCTIONS[up]) {
        const call = callArgs(input, i);
        if (call && call.args.length === 1 && call.args[0].length === 0) {
          out.push(lit(NO_ARG_FUNCTIONS[up], t.pos));
          i = call.end - 1;
          continue;
        }
      }
      const call = callArgs(input, i);
      const fn = call && functionRewrite(up, call.args.map(rewrite), t.pos);
      if (call && fn) {
        out.push(...fn);
        i = call.end - 1;
        continue;
      }
      out.push(t);
    }
    return out;
  };

  const pieces = rewrite(toks);
  let sqlOut = '';
  const starts: number[] = [];
  const origins: number[] = [];
  for (const p of pieces) {
    starts.push(sqlOut.length);
    origins.push(p.pos);
    sqlOut += p.text;
  }
  return {
    sql: sqlOut,
    originalOffset(offset: number): number {
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid] <= offset) lo = mid;
        else hi = mid - 1;
      }
      if (!starts.length) return 0;
      const within = offset - starts[lo];
      const p = pieces[lo];
      // Inside an unchanged token the offset maps 1:1; inside a synthesized piece, to its origin.
      return p.kind === 'punct' && p.text.length > 1 ? origins[lo] : origins[lo] + Math.min(within, Math.max(0, p.text.length - 1));
    },
  };
}

/** True when the `)` right before input[asIndex] closes an UNNEST( call. */
function closesUnnest(input: Token[], asIndex: number): boolean {
  let depth = 0;
  for (let j = asIndex - 1; j >= 0; j--) {
    const t = input[j];
    if (t.text === ')') depth++;
    else if (t.text === '(') {
      depth--;
      if (depth === 0) {
        const fn = prevCode(input, j);
        return fn?.kind === 'ident' && fn.text.toUpperCase() === 'UNNEST';
      }
    }
  }
  return false;
}

function functionRewrite(name: string, args: Token[][], pos: number): Token[] | undefined {
  const p = (text: string): Token => ({ kind: 'punct', text, pos });
  const join = (parts: (string | Token[])[]): Token[] => parts.flatMap((x) => (typeof x === 'string' ? [p(x)] : x));
  const part = (ts: Token[] | undefined) => (ts && ts.length === 1 && ts[0].kind === 'ident' ? sqlString(ts[0].text.toLowerCase()) : undefined);
  switch (name) {
    case 'GENERATE_ARRAY':
      return args.length >= 2 ? join(['generate_series(', ...args.flatMap((a, i) => (i ? [', ', a] : [a])), ')']) : undefined;
    case 'SAFE_DIVIDE':
      return args.length === 2 ? join(['((', args[0], ') / NULLIF(', args[1], ', 0))']) : undefined;
    case 'DIV':
      return args.length === 2 ? join(['((', args[0], ') // (', args[1], '))']) : undefined;
    case 'DATE':
      return args.length === 1 ? join(['CAST(', args[0], ' AS DATE)']) : args.length === 3 ? join(['make_date(', args[0], ', ', args[1], ', ', args[2], ')']) : undefined;
    case 'TIMESTAMP':
      return args.length === 1 ? join(['CAST(', args[0], ' AS TIMESTAMP)']) : undefined;
    case 'DATE_TRUNC':
    case 'TIMESTAMP_TRUNC':
    case 'DATETIME_TRUNC': {
      const unit = part(args[1]);
      if (args.length !== 2 || !unit) return undefined;
      const call = join([`date_trunc(${unit}, `, args[0], ')']);
      return name === 'DATE_TRUNC' ? join(['CAST(', call, ' AS DATE)']) : call;
    }
    case 'DATE_DIFF':
    case 'TIMESTAMP_DIFF':
    case 'DATETIME_DIFF': {
      const unit = part(args[2]);
      return args.length === 3 && unit ? join([`date_diff(${unit}, `, args[1], ', ', args[0], ')']) : undefined;
    }
    case 'DATE_ADD':
    case 'DATE_SUB':
    case 'TIMESTAMP_ADD':
    case 'TIMESTAMP_SUB':
    case 'DATETIME_ADD':
    case 'DATETIME_SUB': {
      if (args.length !== 2) return undefined;
      const op = name.endsWith('_ADD') ? ' + ' : ' - ';
      const expr = join(['((', args[0], ')', op, args[1], ')']);
      return name.startsWith('DATE_') ? join(['CAST(', expr, ' AS DATE)']) : expr;
    }
    case 'FORMAT_DATE':
    case 'FORMAT_TIMESTAMP':
    case 'FORMAT_DATETIME':
      return args.length === 2 ? join(['strftime(', args[1], ', ', args[0], ')']) : undefined;
    case 'PARSE_DATE':
      return args.length === 2 ? join(['CAST(strptime(', args[1], ', ', args[0], ') AS DATE)']) : undefined;
    default:
      return undefined;
  }
}

/** Splits a script at top-level semicolons; returns each statement's text and start offset. */
export function splitStatements(sql: string): { sql: string; pos: number }[] {
  const toks = tokenize(sql);
  const out: { sql: string; pos: number }[] = [];
  let start = 0;
  let hasCode = false;
  let blockDepth = 0;
  for (const t of toks) {
    const up = t.kind === 'ident' ? t.text.toUpperCase() : '';
    if (up === 'BEGIN' || up === 'CASE') blockDepth++;
    if (up === 'END') blockDepth = Math.max(0, blockDepth - 1);
    if (t.text === ';' && t.kind === 'punct' && blockDepth === 0) {
      if (hasCode) out.push({ sql: sql.slice(start, t.pos), pos: start });
      start = t.pos + 1;
      hasCode = false;
    } else if (isCode(t)) hasCode = true;
  }
  if (hasCode) out.push({ sql: sql.slice(start), pos: start });
  return out;
}

export type StatementType =
  | 'SELECT'
  | 'INSERT'
  | 'UPDATE'
  | 'DELETE'
  | 'MERGE'
  | 'CREATE_TABLE'
  | 'CREATE_TABLE_AS_SELECT'
  | 'CREATE_VIEW'
  | 'DROP_TABLE'
  | 'DROP_VIEW'
  | 'SCRIPT';

/** BigQuery's statementType for one statement (undefined: not supported in the sandbox). */
export function statementType(sql: string): StatementType | undefined {
  const words = tokenize(sql)
    .filter((t) => t.kind === 'ident' || t.text === '(')
    .slice(0, 8)
    .map((t) => t.text.toUpperCase());
  const w0 = words[0] === '(' ? words.find((w) => w !== '(') : words[0];
  if (w0 === 'SELECT' || w0 === 'WITH') return 'SELECT';
  if (w0 === 'INSERT' || w0 === 'UPDATE' || w0 === 'DELETE' || w0 === 'MERGE') return w0;
  const rest = words.slice(1).filter((w) => !['OR', 'REPLACE', 'TEMP', 'TEMPORARY', 'IF', 'NOT', 'EXISTS'].includes(w));
  if (w0 === 'CREATE' && rest[0] === 'TABLE') return words.includes('AS') ? 'CREATE_TABLE_AS_SELECT' : 'CREATE_TABLE';
  if (w0 === 'CREATE' && rest[0] === 'VIEW') return 'CREATE_VIEW';
  if (w0 === 'DROP' && rest[0] === 'TABLE') return 'DROP_TABLE';
  if (w0 === 'DROP' && rest[0] === 'VIEW') return 'DROP_VIEW';
  return undefined;
}

/** The table a DML/DDL statement writes to, as written (name parts, unquoted). */
export function writeTarget(sql: string): string[] | undefined {
  const toks = tokenize(sql);
  const kw = new Set(['INSERT', 'INTO', 'UPDATE', 'DELETE', 'FROM', 'MERGE', 'CREATE', 'OR', 'REPLACE', 'TABLE', 'VIEW', 'DROP', 'IF', 'NOT', 'EXISTS', 'TEMP', 'TEMPORARY']);
  let i = 0;
  while (i < toks.length && (!isCode(toks[i]) || (toks[i].kind === 'ident' && kw.has(toks[i].text.toUpperCase())))) i++;
  const parts: string[] = [];
  for (let expectName = true; i < toks.length; i++, expectName = !expectName) {
    const t = toks[i];
    if (expectName && t.kind === 'quoted') parts.push(...t.text.split('.').map((s) => s.slice(1, -1).replace(/""/g, '"')));
    else if (expectName && t.kind === 'ident') parts.push(t.text);
    else if (expectName || t.text !== '.') break;
  }
  return parts.length ? parts : undefined;
}

/** `/* sandbox:delay=3s *\/` (also `500ms`): how long the job stays RUNNING before it executes. */
export function delayHintMs(sql: string): number {
  const m = /\/\*\s*sandbox:delay=(\d+(?:\.\d+)?)(ms|s)?\s*\*\//i.exec(sql);
  if (!m) return 0;
  return Math.round(Number(m[1]) * (m[2]?.toLowerCase() === 'ms' ? 1 : 1000));
}

/** Functions whose results BigQuery never serves from its cache. */
export function isNonDeterministic(sql: string): boolean {
  return /\b(CURRENT_(TIMESTAMP|DATE|DATETIME|TIME)|NOW|RAND|GENERATE_UUID|SESSION_USER)\b/i.test(sql);
}

/** 1-based line and column of an offset. */
export function lineCol(sql: string, offset: number): { line: number; column: number } {
  const before = sql.slice(0, Math.max(0, offset));
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  return { line, column };
}

// ON and USING do not end a FROM list: `a JOIN b ON x = y, c` still lists c.
const CLAUSE_END = new Set(['WHERE', 'GROUP', 'ORDER', 'HAVING', 'LIMIT', 'QUALIFY', 'WINDOW', 'UNION', 'EXCEPT', 'INTERSECT', 'SELECT', 'SET', 'VALUES', 'WHEN', 'OFFSET']);
const SUBQUERY_OPENERS = new Set(['IN', 'EXISTS', 'ARRAY', 'AS', 'ANY', 'ALL', 'SOME', 'FROM', 'JOIN', 'SELECT', 'WHERE', 'AND', 'OR', 'NOT', 'ON', 'THEN', 'ELSE', 'WHEN', 'UNION', 'EXCEPT', 'INTERSECT', 'DISTINCT']);
const TABLE_AFTER = new Set(['FROM', 'JOIN', 'INTO', 'UPDATE', 'TABLE', 'VIEW']);

/**
 * Table names a statement mentions (FROM/JOIN lists, INSERT INTO, UPDATE, MERGE … USING,
 * CREATE/DROP TABLE|VIEW), as unquoted name parts; CTE names, table functions (UNNEST, range)
 * and the FROM inside EXTRACT(… FROM …) are left out.
 */
export function tableNames(sql: string): string[][] {
  const toks = tokenize(sql).filter(isCode);
  const ctes = new Set<string>();
  for (let i = 1; i + 2 < toks.length; i++) {
    const p = toks[i - 1].text.toUpperCase();
    if ((p === 'WITH' || p === 'RECURSIVE' || p === ',') && toks[i + 1].text.toUpperCase() === 'AS' && toks[i + 2].text === '(') ctes.add(unquote(toks[i].text).toLowerCase());
  }
  const out: string[][] = [];
  // Per paren depth: is this paren a function call (EXTRACT(x FROM y)), and are we in a FROM list?
  const callStack: boolean[] = [false];
  const inFrom: boolean[] = [false];
  let merge = false;
  const readName = (i: number): { parts: string[]; end: number } | undefined => {
    const parts: string[] = [];
    let j = i;
    for (;;) {
      const t = toks[j];
      if (!t || (t.kind !== 'ident' && t.kind !== 'quoted')) return undefined;
      parts.push(...(t.kind === 'quoted' ? t.text.split('.').map(unquote) : [t.text]));
      if (toks[j + 1]?.text === '.') j += 2;
      else break;
    }
    if (toks[j + 1]?.text === '(') return undefined; // table function
    return { parts, end: j };
  };
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    const up = t.kind === 'ident' ? t.text.toUpperCase() : '';
    const top = callStack.length - 1;
    if (t.text === '(') {
      const prev = toks[i - 1];
      callStack.push(!!prev && prev.kind === 'ident' && !SUBQUERY_OPENERS.has(prev.text.toUpperCase()));
      inFrom.push(false);
      continue;
    }
    if (t.text === ')') {
      if (callStack.length > 1) {
        callStack.pop();
        inFrom.pop();
      }
      continue;
    }
    if (callStack[top]) continue;
    if (up === 'MERGE') merge = true;
    if (CLAUSE_END.has(up) && !(merge && up === 'USING')) inFrom[top] = false;
    const takesTable = TABLE_AFTER.has(up) || (merge && up === 'USING') || ((up === 'DELETE' || up === 'MERGE') && !['FROM', 'INTO'].includes(toks[i + 1]?.text.toUpperCase())) || (t.text === ',' && inFrom[top]);
    if (up === 'FROM' || up === 'JOIN') inFrom[top] = true;
    if (!takesTable) continue;
    let j = i + 1;
    while (toks[j]?.kind === 'ident' && ['IF', 'NOT', 'EXISTS', 'ONLY'].includes(toks[j].text.toUpperCase())) j++;
    const name = readName(j);
    if (!name) continue;
    if (!(name.parts.length === 1 && ctes.has(name.parts[0].toLowerCase()))) out.push(name.parts);
    i = name.end;
  }
  return out;
}

function unquote(s: string): string {
  return s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1).replace(/""/g, '"') : s;
}
