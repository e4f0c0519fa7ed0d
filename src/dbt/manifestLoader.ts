// Reads a manifest.json into DbtIndexData. Two paths, one result:
//  - fast: readFile + JSON.parse of the whole text, for files below `streamThresholdBytes`. V8's
//    JSON.parse is the fastest parser available; the index keeps only the fields it needs.
//  - streaming: 4 MiB reads through ManifestJsonScanner, JSON.parse per entry, so the text is never
//    held whole (V8 strings stop at ~512 MiB) and the event loop gets a turn between chunks.
// Neither keeps raw/compiled code: the streaming path records each entry's byte span, and
// `readEntryCode` re-reads one entry from disk when a user asks for its SQL.
import { readFileSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { CancelledError } from '../core/errors';
import { Formatter } from '../core/format';
import { JsonScanError, ManifestJsonScanner, type JsonKind, type JsonScanHandler, type TopLevelMode } from './jsonScanner';
import { DEFAULT_MAX_SCHEMA_VERSION, IndexBuilder } from './manifestBuilder';
import { DbtManifestError, RERUN_DBT } from './manifestErrors';
import { ENTRY_SECTIONS, isObject } from './manifestNormalize';
import type { DbtIndexData, DbtLoadOptions, DbtManifestFile, DbtNodeCode } from './manifestTypes';
import { l10nTable, t } from '../core/l10n';

export const DEFAULT_MAX_BYTES = 2 * 1024 ** 3;
export const DEFAULT_STREAM_THRESHOLD_BYTES = 256 * 1024 ** 2;
export const DEFAULT_MAX_ENTRY_BYTES = 64 * 1024 ** 2;
const DEFAULT_CHUNK_BYTES = 4 * 1024 ** 2;

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError(t('Loading the dbt manifest was cancelled.'));
}

function isSection(key: string): boolean {
  return Object.hasOwn(ENTRY_SECTIONS, key) || key === 'disabled';
}

/** The dbt files read here. */
export type DbtFileKind = 'manifest' | 'run results file';

// What can be wrong with each file, every message whole for translators.
const FILE_PROBLEMS: Record<DbtFileKind, Record<'notFound' | 'unreadable' | 'empty' | 'tooLarge' | 'whitespace' | 'truncated' | 'notAnObject' | 'invalidJsonAt' | 'invalidJson', string>> = {
  manifest: l10nTable({
    notFound: 'No dbt manifest at {0}.',
    unreadable: 'The dbt manifest cannot be read ({0}).',
    empty: 'The dbt manifest is empty (0 bytes).',
    tooLarge: 'The dbt manifest is {0}, above the {1} limit.',
    whitespace: 'The dbt manifest contains only whitespace.',
    truncated: 'The dbt manifest ends early (at byte {0}); dbt may still be writing it.',
    notAnObject: 'The file is JSON but not a dbt manifest (its top level is not an object).',
    invalidJsonAt: 'The dbt manifest is not valid JSON (near byte {0}).',
    invalidJson: 'The dbt manifest is not valid JSON.',
  }),
  'run results file': l10nTable({
    notFound: 'No dbt run results file at {0}.',
    unreadable: 'The dbt run results file cannot be read ({0}).',
    empty: 'The dbt run results file is empty (0 bytes).',
    tooLarge: 'The dbt run results file is {0}, above the {1} limit.',
    whitespace: 'The dbt run results file contains only whitespace.',
    truncated: 'The dbt run results file ends early (at byte {0}); dbt may still be writing it.',
    notAnObject: 'The file is JSON but not a dbt run results file (its top level is not an object).',
    invalidJsonAt: 'The dbt run results file is not valid JSON (near byte {0}).',
    invalidJson: 'The dbt run results file is not valid JSON.',
  }),
};

/** Stats the file and applies the file-level checks every reader shares. */
export async function statManifest(path: string, what: DbtFileKind = 'manifest', maxBytes = DEFAULT_MAX_BYTES, fmt = new Formatter()): Promise<DbtManifestFile> {
  let st;
  try {
    st = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new DbtManifestError('notFound', t(FILE_PROBLEMS[what].notFound, path), RERUN_DBT, { cause: error });
    throw new DbtManifestError('unreadable', t(FILE_PROBLEMS[what].unreadable, code ?? 'error'), undefined, { cause: error });
  }
  if (!st.isFile()) throw new DbtManifestError('unreadable', t('{0} is not a file.', path));
  if (st.size === 0) throw new DbtManifestError('empty', t(FILE_PROBLEMS[what].empty), RERUN_DBT);
  if (st.size > maxBytes) {
    throw new DbtManifestError('tooLarge', t(FILE_PROBLEMS[what].tooLarge, fmt.bytes(st.size), fmt.bytes(maxBytes)));
  }
  return { path, size: st.size, mtimeMs: st.mtimeMs };
}

export function scanErrorToDbt(error: JsonScanError, what: DbtFileKind = 'manifest'): DbtManifestError {
  switch (error.failure) {
    case 'empty':
      return new DbtManifestError('empty', t(FILE_PROBLEMS[what].whitespace), RERUN_DBT);
    case 'truncated':
      return new DbtManifestError('truncated', t(FILE_PROBLEMS[what].truncated, error.offset), RERUN_DBT, { cause: error });
    case 'notAnObject':
      return new DbtManifestError(what === 'manifest' ? 'notAManifest' : 'notRunResults', t(FILE_PROBLEMS[what].notAnObject));
    case 'invalidJson':
      return new DbtManifestError('invalidJson', t(FILE_PROBLEMS[what].invalidJsonAt, error.offset), RERUN_DBT, { cause: error });
  }
}

/**
 * Why JSON.parse failed, told from the structure rather than from V8's message text: a valid prefix
 * that stops early is `truncated` (dbt still writing), anything else `invalidJson`.
 */
export function classifyJsonFailure(buf: Buffer, what: DbtFileKind = 'manifest', cause?: unknown): DbtManifestError {
  const scanner = new ManifestJsonScanner({ topLevelKey: () => 'skip', entry: () => undefined });
  try {
    scanner.feed(buf);
    scanner.end();
  } catch (error) {
    if (error instanceof JsonScanError) return scanErrorToDbt(error, what);
    throw error;
  }
  return new DbtManifestError('invalidJson', t(FILE_PROBLEMS[what].invalidJson), RERUN_DBT, { cause });
}

function kindOf(value: unknown): JsonKind {
  if (Array.isArray(value)) return 'array';
  if (value === null || typeof value === 'boolean') return 'literal';
  return typeof value === 'object' ? 'object' : typeof value === 'number' ? 'number' : 'string';
}

export async function loadManifestData(path: string, options: DbtLoadOptions = {}): Promise<DbtIndexData> {
  throwIfAborted(options.signal);
  const file = await statManifest(path, 'manifest', options.maxBytes, new Formatter({ locale: options.locale }));
  throwIfAborted(options.signal);
  return file.size >= (options.streamThresholdBytes ?? DEFAULT_STREAM_THRESHOLD_BYTES) ? streamParse(file, options) : fastParse(file, options);
}

/**
 * Sync on purpose: the JSON.parse that follows blocks for several times longer anyway (that is what
 * loadManifestInWorker is for), and each thread-pool hop of an async read costs a visible share of
 * a small manifest's load on a busy machine.
 */
function readWhole(file: DbtManifestFile): Buffer {
  try {
    return readFileSync(file.path);
  } catch (error) {
    throw new DbtManifestError('unreadable', 'The dbt manifest cannot be read.', undefined, { cause: error });
  }
}

async function fastParse(file: DbtManifestFile, options: DbtLoadOptions): Promise<DbtIndexData> {
  const buf = readWhole(file);
  throwIfAborted(options.signal);
  let root: unknown;
  try {
    const text = buf.toString('utf8');
    root = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    throw classifyJsonFailure(buf, 'manifest', error);
  }
  if (!isObject(root)) throw new DbtManifestError('notAManifest', 'The file is JSON but not a dbt manifest (its top level is not an object).');

  const builder = new IndexBuilder(file, false);
  const kinds = new Map<string, string>();
  for (const key of Object.keys(root)) kinds.set(key, kindOf(root[key]));
  for (const section of Object.keys(root)) {
    if (!isSection(section)) continue;
    const map = root[section];
    if (!isObject(map)) {
      if (section !== 'nodes' && map !== null) builder.warnSection(section, kindOf(map));
      continue;
    }
    if (section === 'disabled') for (const key in map) builder.addDisabled(key, map[key]);
    else for (const key in map) builder.add(section, key, map[key]);
  }
  const count = (v: unknown) => (isObject(v) ? Object.keys(v).length : 0);
  return builder.finish({ kinds, metadata: root.metadata, generatedAt: root.generated_at, macroCount: count(root.macros), docCount: count(root.docs) }, options.maxSchemaVersion ?? DEFAULT_MAX_SCHEMA_VERSION);
}

/** Feeds the file to a scanner in fresh buffers (captured entries keep references to them). */
async function scanFile(file: DbtManifestFile, scanner: ManifestJsonScanner, signal: AbortSignal | undefined, chunkBytes = DEFAULT_CHUNK_BYTES): Promise<void> {
  const fh = await open(file.path, 'r');
  try {
    let pos = 0;
    while (pos < file.size) {
      throwIfAborted(signal);
      const chunk = Buffer.allocUnsafe(Math.min(chunkBytes, file.size - pos));
      const { bytesRead } = await fh.read(chunk, 0, chunk.length, pos);
      if (bytesRead === 0) break;
      scanner.feed(bytesRead < chunk.length ? chunk.subarray(0, bytesRead) : chunk);
      pos += bytesRead;
    }
    scanner.end();
  } catch (error) {
    if (error instanceof JsonScanError) throw scanErrorToDbt(error);
    throw error;
  } finally {
    await fh.close();
  }
}

function parseEntry(json: Buffer, section: string, key: string): unknown {
  try {
    return JSON.parse(json.toString('utf8'));
  } catch (error) {
    throw new DbtManifestError('invalidJson', t('The dbt manifest is not valid JSON (in {0} entry {1}).', section, key), RERUN_DBT, { cause: error });
  }
}

async function streamParse(file: DbtManifestFile, options: DbtLoadOptions): Promise<DbtIndexData> {
  const builder = new IndexBuilder(file, true);
  const fmt = new Formatter({ locale: options.locale });
  const kinds = new Map<string, string>();
  let metadata: unknown;
  let generatedAt: unknown;
  let macroCount = 0;
  let docCount = 0;
  const handler: JsonScanHandler = {
    topLevelKey(key, kind): TopLevelMode {
      kinds.set(key, kind);
      if (isSection(key)) {
        if (kind !== 'object' && key !== 'nodes' && kind !== 'literal') builder.warnSection(key, kind);
        return 'entries';
      }
      if (key === 'metadata' || key === 'generated_at') return 'capture';
      return key === 'macros' || key === 'docs' ? 'spans' : 'skip';
    },
    topLevelValue(key, json) {
      const value = json ? parseEntry(json, 'top level', key) : undefined;
      if (key === 'metadata') metadata = value;
      else generatedAt = value;
    },
    entry(section, key, json, start, end) {
      if (section === 'macros') macroCount++;
      else if (section === 'docs') docCount++;
      else if (!json) builder.warnTooLarge(section, key, end - start, fmt);
      else if (section === 'disabled') builder.addDisabled(key, parseEntry(json, section, key), start, end);
      else builder.add(section, key, parseEntry(json, section, key), start, end);
    },
  };
  await scanFile(file, new ManifestJsonScanner(handler, options.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES), options.signal, options.chunkBytes);
  return builder.finish({ kinds, metadata, generatedAt, macroCount, docCount }, options.maxSchemaVersion ?? DEFAULT_MAX_SCHEMA_VERSION);
}

async function assertUnchanged(file: DbtManifestFile): Promise<void> {
  const now = await statManifest(file.path, 'manifest', Number.MAX_SAFE_INTEGER).catch(() => undefined);
  if (!now || now.size !== file.size || now.mtimeMs !== file.mtimeMs) {
    throw new DbtManifestError('stale', 'The dbt manifest changed since it was loaded.', 'Wait for the reload, then try again.');
  }
}

/** Byte spans of every lineage entry, for indexes built by the fast path (which has no offsets). */
export async function scanEntrySpans(file: DbtManifestFile, signal?: AbortSignal): Promise<Map<string, [number, number]>> {
  await assertUnchanged(file);
  const spans = new Map<string, [number, number]>();
  const scanner = new ManifestJsonScanner({
    topLevelKey: (key) => (isSection(key) ? 'spans' : 'skip'),
    entry(_section, key, _json, start, end) {
      if (!spans.has(key)) spans.set(key, [start, end]);
    },
  });
  await scanFile(file, scanner, signal);
  return spans;
}

/** Raw and compiled code of one entry, read back from the file. */
export async function readEntryCode(file: DbtManifestFile, uniqueId: string, start: number, end: number): Promise<DbtNodeCode> {
  await assertUnchanged(file);
  const buf = Buffer.allocUnsafe(end - start);
  const fh = await open(file.path, 'r');
  try {
    await fh.read(buf, 0, buf.length, start);
  } finally {
    await fh.close();
  }
  let raw = parseEntry(buf, 'code of', uniqueId);
  // A disabled entry is a list of node dicts.
  if (Array.isArray(raw)) raw = raw.find((n) => isObject(n) && n.unique_id === uniqueId) ?? raw[0];
  if (!isObject(raw)) return {};
  const pick = (a: unknown, b: unknown) => (typeof a === 'string' ? a : typeof b === 'string' ? b : undefined);
  return { rawCode: pick(raw.raw_code, raw.raw_sql), compiledCode: pick(raw.compiled_code, raw.compiled_sql) };
}
