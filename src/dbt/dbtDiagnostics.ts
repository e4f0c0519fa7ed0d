// dbt's errors as problems at a file and line: read from dbt's JSON log (`--log-format-file json`,
// logs/dbt.log) and run_results.json. Parse and compilation errors name the file and the Jinja line
// in their text; database errors name a line of the SQL dbt sent (wrapped in its DDL), so the
// quoted line is looked up in the model's own file; failed tests become problems at the test's
// file with their failing rows. Everything here comes from files a workspace controls: it is
// clipped, stripped of terminal escapes and only ever shown as text.
import { open, stat, type FileHandle } from 'node:fs/promises';
import { join as joinPath } from 'node:path';
import type { DbtRunResults } from './runResults';
import { t } from '../core/l10n';

export interface DbtLogEvent {
  readonly name: string;
  readonly level: string;
  readonly msg: string;
  readonly invocationId?: string;
  readonly data: Record<string, unknown>;
}

export interface DbtDiagnostic {
  /** Relative to the project folder, with forward slashes. */
  readonly file: string;
  /** 0-based. */
  readonly line: number;
  readonly severity: 'error' | 'warning';
  readonly message: string;
  readonly uniqueId?: string;
}

const MAX_MESSAGE = 2_000;
const MAX_EVENTS = 20_000;
const MAX_DIAGNOSTICS = 500;
// CSI sequences (colours) dbt writes even into JSON messages.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;
const FILE_IN_PARENS = /\(((?:[\w.-]+\/)*[\w.-]+\.(?:sql|yml|yaml|py|csv|md))\)/;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

export function cleanText(s: string): string {
  const t = s.replace(ANSI, '').replace(/\r\n?/g, '\n').trim();
  return t.length > MAX_MESSAGE ? `${t.slice(0, MAX_MESSAGE)}…` : t;
}

/**
 * JSON lines of dbt's log; lines that are not JSON objects are skipped. Only the events of the
 * last invocation are kept (the file collects every run's lines).
 */
export function readDbtJsonLog(text: string): DbtLogEvent[] {
  const events: DbtLogEvent[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      continue;
    }
    if (!isObj(parsed) || !isObj(parsed.info)) continue;
    const info = parsed.info;
    events.push({
      name: str(info.name) ?? '',
      level: str(info.level) ?? '',
      msg: str(info.msg) ?? '',
      invocationId: str(info.invocation_id),
      data: isObj(parsed.data) ? parsed.data : {},
    });
    if (events.length > MAX_EVENTS) events.splice(0, events.length - MAX_EVENTS);
  }
  const last = events.at(-1)?.invocationId;
  return last ? events.filter((e) => e.invocationId === last) : events;
}

export interface DiagnosticsInput {
  readonly events: readonly DbtLogEvent[];
  readonly runResults?: DbtRunResults;
  /** The project-relative file of a node (original_file_path), from the manifest. */
  readonly fileOf: (uniqueId: string) => string | undefined;
  /** A project file's text, to place database errors on the line they quote; undefined when unreadable. */
  readonly readSource: (file: string) => string | undefined;
}

/** Problems of the last dbt invocation, at most one per node and message. */
export function dbtDiagnostics(input: DiagnosticsInput): DbtDiagnostic[] {
  const out: DbtDiagnostic[] = [];
  const seen = new Set<string>();
  const covered = new Set<string>();
  const add = (found: DbtDiagnostic) => {
    const d = { ...found, file: insideProject(found.file) };
    const key = `${d.file}:${d.line}:${d.message}`;
    if (seen.has(key) || out.length >= MAX_DIAGNOSTICS) return;
    seen.add(key);
    out.push(d);
    if (d.uniqueId) covered.add(d.uniqueId);
  };
  const failures = new Map<string, number>();
  for (const [id, r] of input.runResults?.results ?? []) if (r.failures !== undefined) failures.set(id, r.failures);

  for (const e of input.events) {
    if (e.level !== 'error' && e.name !== 'LogTestResult') continue;
    const node = isObj(e.data.node_info) ? e.data.node_info : undefined;
    const uniqueId = str(node?.unique_id);
    if (e.name === 'MainEncounteredError' || (e.name !== 'RunResultError' && !uniqueId && str(e.data.exc))) {
      // Parse or compilation errors before anything ran: the text names the file and line.
      const text = cleanText(str(e.data.exc) ?? e.msg);
      add({ ...placeFromText(text), severity: 'error', message: text });
      continue;
    }
    if (e.name === 'RunResultError' && uniqueId) {
      const text = cleanText(str(e.data.msg) ?? e.msg);
      const file = input.fileOf(uniqueId) ?? placeFromText(text).file;
      const isTest = str(node?.resource_type) === 'test' || uniqueId.startsWith('test.');
      const failing = failures.get(uniqueId);
      const message = isTest && failing !== undefined ? testFailure(nameOf(uniqueId), false, failing, text) : text;
      add({ file, line: lineIn(text, file, input.readSource, isTest ? nameOf(uniqueId) : undefined), severity: 'error', message, uniqueId });
    }
  }
  // Without a JSON log (dbt older than 1.5, or the log elsewhere) run_results.json still says what failed.
  for (const [id, r] of input.runResults?.results ?? []) {
    if (covered.has(id) || !(r.status === 'error' || r.status === 'fail' || r.status === 'runtimeError' || r.status === 'warn')) continue;
    const file = input.fileOf(id);
    if (!file) continue;
    const text = cleanText(r.message ?? r.rawStatus);
    const isTest = id.startsWith('test.');
    const message = isTest && r.failures !== undefined ? testFailure(nameOf(id), r.status === 'warn', r.failures, text) : text;
    add({ file, line: lineIn(text, file, input.readSource, isTest ? nameOf(id) : undefined), severity: r.status === 'warn' ? 'warning' : 'error', message, uniqueId: id });
  }
  return out;
}

/** A project-relative path as given, or dbt_project.yml for one that leaves the project. */
function insideProject(file: string): string {
  const f = file.replace(/\\/g, '/');
  const parts = f.split('/');
  if (f.startsWith('/') || /^[A-Za-z]:/.test(f) || parts.some((p) => p === '..' || p === '')) return 'dbt_project.yml';
  return f;
}

/** `(models/x.sql)` and `line N` in an error's text; dbt_project.yml when no file is named. */
function placeFromText(text: string): { file: string; line: number } {
  const file = FILE_IN_PARENS.exec(text)?.[1] ?? 'dbt_project.yml';
  const line = /\bline (\d+)\b/.exec(text);
  return { file, line: line ? Math.max(0, Number(line[1]) - 1) : 0 };
}

function nameOf(uniqueId: string): string {
  const parts = uniqueId.split('.');
  // test.pkg.name.hash, model.pkg.name
  return parts[0] === 'test' && parts.length >= 4 ? parts.slice(2, -1).join('.') : (parts.at(-1) ?? uniqueId);
}

/**
 * The line of `file` an error points at: a Jinja `line N` as written; a database error's quoted
 * `LINE N: text` found in the file (dbt's DDL wrapper shifts the numbers); a generic test's name
 * found in its yml; else the first line.
 */
function lineIn(text: string, file: string, readSource: (file: string) => string | undefined, testName?: string): number {
  if (/Compilation Error/.test(text)) {
    const m = /\bline (\d+)\b/.exec(text);
    if (m) return Math.max(0, Number(m[1]) - 1);
  }
  const quoted = /\bLINE \d+:\s?(.*)/.exec(text)?.[1]?.trim();
  const source = quoted || testName ? readSource(file) : undefined;
  if (source === undefined) return 0;
  const lines = source.split(/\r?\n/);
  if (quoted) {
    const at = lines.findIndex((l) => l.trim() === quoted);
    const near = at >= 0 ? at : lines.findIndex((l) => l.trim().length > 0 && l.includes(quoted));
    if (near >= 0) return near;
  }
  if (testName && /\.ya?ml$/.test(file)) {
    // A generic test is named kind_model_column…: find the model's entry, then its column's entry,
    // then the kind under it.
    const kind = ['unique', 'not_null', 'accepted_values', 'relationships'].find((k) => testName.startsWith(`${k}_`));
    if (kind) {
      const rest = testName.slice(kind.length + 1);
      const nameAt = (from: number, accept: (name: string) => boolean) => {
        for (let i = from; i < lines.length; i++) {
          const m = /^\s*-\s*name:\s*["']?([\w.-]+)["']?\s*$/.exec(lines[i]);
          if (m && accept(m[1])) return { at: i, name: m[1] };
        }
        return undefined;
      };
      const model = nameAt(0, (n) => rest.startsWith(`${n}_`));
      const column = model ? nameAt(model.at + 1, (n) => rest.slice(model.name.length + 1).startsWith(n)) : undefined;
      const from = column?.at ?? model?.at ?? 0;
      const at = lines.findIndex((l, i) => i > from && new RegExp(`-\\s*${kind}\\b`).test(l));
      if (at >= 0) return at;
      if (column || model) return from;
    }
  }
  return 0;
}

/** Where dbt writes its file log: DBT_LOG_PATH, else `logs/` in the project (dbt's default). */
export function dbtLogFile(projectDir: string, env: Record<string, string | undefined> = {}): string {
  return joinPath(env.DBT_LOG_PATH?.trim() || joinPath(projectDir, 'logs'), 'dbt.log');
}

const MAX_LOG_BYTES = 32 * 1024 ** 2;

/** The size of the log now (0 when absent): read from there after a run. */
export async function dbtLogOffset(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
}

/**
 * What dbt appended to its log since `offset` (at most the last 32 MB of it). dbt rotates the file
 * at 10 MB: when it is now shorter than the offset, the whole new file is the run's.
 */
export async function readDbtLogSince(file: string, offset: number): Promise<string> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(file, 'r');
    const size = (await handle.stat()).size;
    const from = size < offset ? 0 : offset;
    const start = Math.max(from, size - MAX_LOG_BYTES);
    const buf = Buffer.alloc(size - start);
    await handle.read(buf, 0, buf.length, start);
    return buf.toString('utf8');
  } catch {
    return '';
  } finally {
    await handle?.close();
  }
}

/** "not_null_orders_id failed with 3 failing rows: …", one message per case for translators. */
function testFailure(name: string, warned: boolean, failing: number, text: string): string {
  if (warned) return failing === 1 ? t('{0} warned with {1} failing row: {2}', name, failing, text) : t('{0} warned with {1} failing rows: {2}', name, failing, text);
  return failing === 1 ? t('{0} failed with {1} failing row: {2}', name, failing, text) : t('{0} failed with {1} failing rows: {2}', name, failing, text);
}
