// The sandbox warehouse: DuckDB in memory, one attached catalog per BigQuery project and one
// schema per dataset. It runs BigQuery-dialect SQL (see warehouse/dialect.ts for what is
// rewritten), describes its catalog the way BigQuery does, and stores query results as tables
// in a separate `_results` catalog so large results are paged from DuckDB, never held in JS.
import { DuckDBConnection, DuckDBInstance, type DuckDBType } from '@duckdb/node-api';
import type { Warehouse, WarehouseField, WarehouseResult } from './context';
import {
  DialectError,
  lineCol,
  splitStatements,
  tableNames,
  statementType,
  translate,
  writeTarget,
  type QueryParams,
  type StatementType,
  type Translated,
} from './warehouse/dialect';
import { bigQueryField, toWarehouseValue, type WarehouseValue } from './warehouse/types';
import { DbtWarehouseFile } from './warehouse/dbtFile';
import { DATASETS, DBT_DATASET, DEMO_PROJECT, PROJECTS, ROUTINES, tableSeeds, type AccessEntry, type ProjectSeed, type RoutineSeed, type TableSeed } from './warehouse/seed';

export type { AccessEntry, ProjectSeed, RoutineSeed } from './warehouse/seed';
export { TypedParam, type ParamType, type QueryParams, type StatementType } from './warehouse/dialect';

export interface TableRef {
  projectId: string;
  datasetId: string;
  tableId: string;
}

export type WarehouseErrorReason = 'invalidQuery' | 'invalid' | 'notFound' | 'stopped';

/** A failed statement, worded like BigQuery (message ends with ` at [line:col]` when known). */
export class WarehouseError extends Error {
  override readonly name = 'WarehouseError';
  constructor(
    readonly reason: WarehouseErrorReason,
    message: string,
    readonly position?: { line: number; column: number },
  ) {
    super(message);
  }
  static is(e: unknown): e is WarehouseError {
    return e instanceof WarehouseError;
  }
}

export interface DatasetInfo {
  projectId: string;
  datasetId: string;
  description: string;
  labels: Record<string, string>;
  access: AccessEntry[];
  location: 'US';
  creationTime: number;
  lastModifiedTime: number;
}

export interface TableInfo {
  ref: TableRef;
  type: 'TABLE' | 'VIEW' | 'MATERIALIZED_VIEW';
  description?: string;
  labels: Record<string, string>;
  schema: WarehouseField[];
  numRows: number;
  numBytes: number;
  creationTime: number;
  lastModifiedTime: number;
  /** BigQuery SQL of a view or materialized view. */
  viewQuery?: string;
}

export interface RunOptions {
  signal?: AbortSignal;
  params?: QueryParams;
  /** Project that unqualified `dataset.table` names resolve in (BigQuery: the job's project). */
  defaultProject?: string;
  /** Dataset that bare `table` names resolve in (BigQuery: defaultDataset). */
  defaultDataset?: { projectId: string; datasetId: string };
}

export interface ExecuteResult {
  statementType: StatementType;
  /** Stored result of a SELECT; read it with readResult(). */
  resultId?: string;
  fields: WarehouseField[];
  totalRows: number;
  numDmlAffectedRows?: number;
  /** Table a DML/DDL statement wrote. */
  target?: TableRef;
}

export interface WarehouseOptions {
  /** Rows in events.page_views (default 1,000,000). */
  largeTableRows?: number;
  log?: (line: string) => void;
  /** Stored results kept before the oldest is dropped (default 32). */
  maxStoredResults?: number;
  /**
   * The DuckDB file real dbt builds the demo project into (named `gatehouse-demo.duckdb`): the
   * raw tables are written into it at start, and what dbt builds in dbt_dev is served from it.
   */
  dbtFile?: string;
}

const RESULTS = '_results';
const BQ_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function q(id: string): string {
  return `"${id.replace(/"/g, '""')}"`;
}
export function fqn(r: TableRef): string {
  return `${q(r.projectId)}.${q(r.datasetId)}.${q(r.tableId)}`;
}
function key(r: TableRef): string {
  return `${r.projectId}:${r.datasetId}.${r.tableId}`;
}

interface TableMeta {
  seed?: TableSeed;
  creationTime: number;
  lastModifiedTime: number;
  stats?: { numRows: number; numBytes: number; columnBytes: Map<string, number> };
}

export class DuckWarehouse implements Warehouse {
  private readonly meta = new Map<string, TableMeta>();
  private readonly results = new Map<string, { table: string; fields: WarehouseField[]; types: DuckDBType[]; totalRows: number }>();
  private readonly running = new Set<DuckDBConnection>();
  private resultCounter = 0;
  private closed = false;
  readonly startedAt = Date.now();

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    private readonly maxStoredResults: number,
    private readonly log: (line: string) => void,
    private readonly dbt: DbtWarehouseFile | undefined,
  ) {}

  static async create(opts: WarehouseOptions = {}): Promise<DuckWarehouse> {
    const started = Date.now();
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    const log = opts.log ?? (() => undefined);
    const dbt = opts.dbtFile ? new DbtWarehouseFile(opts.dbtFile, DEMO_PROJECT, log) : undefined;
    const w = new DuckWarehouse(instance, conn, opts.maxStoredResults ?? 32, log, dbt);
    try {
      await w.seed(opts.largeTableRows ?? 1_000_000);
    } catch (err) {
      w.closeSync();
      throw err;
    }
    w.log(`[warehouse] seeded in ${Date.now() - started} ms`);
    return w;
  }

  private async seed(largeTableRows: number): Promise<void> {
    const c = this.conn;
    for (const p of PROJECTS) await c.run(`ATTACH ':memory:' AS ${q(p.id)}`);
    await c.run(`ATTACH ':memory:' AS ${RESULTS}`);
    for (const d of this.allDatasets()) await c.run(`CREATE SCHEMA ${q(d.projectId)}.${q(d.datasetId)}`);
    for (const r of ROUTINES)
      await c.run(`CREATE MACRO ${q(r.projectId)}.${q(r.datasetId)}.${q(r.routineId)}(${r.arguments.map((a) => a.name).join(', ')}) AS ${r.duckdb}`);
    const today = new Date(this.startedAt).toISOString().slice(0, 10);
    const created = this.startedAt - 90 * 86_400_000;
    const ddl: string[] = [];
    for (const s of tableSeeds(today, largeTableRows)) {
      const ref = { projectId: s.projectId, datasetId: s.datasetId, tableId: s.tableId };
      const body = translate(s.sql).sql;
      ddl.push(s.type === 'VIEW' ? `CREATE VIEW ${fqn(ref)} AS ${body}` : `CREATE TABLE ${fqn(ref)} AS ${body}`);
      this.meta.set(key(ref), { seed: s, creationTime: created, lastModifiedTime: s.type === 'VIEW' ? created : this.startedAt });
    }
    await c.run(ddl.join(';\n'));
    if (this.dbt) {
      await this.dbt.exportSources(c);
      await c.run(`SET allowed_paths = [${this.dbt.paths.map((p) => `'${p.replace(/'/g, "''")}'`).join(', ')}]`);
    }
    // No files, no network, no more catalogs: the sandbox's SQL only reaches its own tables
    // (and the dbt file, which syncDbt attaches for a moment).
    await c.run(`SET enable_external_access = false`);
    await c.run(`SET lock_configuration = true`);
  }

  // ---- catalog -------------------------------------------------------------------------

  private allDatasets(): typeof DATASETS {
    return this.dbt ? [...DATASETS, DBT_DATASET] : DATASETS;
  }

  projects(): ProjectSeed[] {
    return PROJECTS;
  }

  project(id: string): ProjectSeed | undefined {
    return PROJECTS.find((p) => p.id === id);
  }

  datasets(projectId: string): DatasetInfo[] {
    return this.allDatasets().filter((d) => d.projectId === projectId).map((d) => ({
      ...d,
      location: 'US',
      creationTime: this.startedAt - 90 * 86_400_000,
      lastModifiedTime: this.startedAt,
    }));
  }

  dataset(projectId: string, datasetId: string): DatasetInfo | undefined {
    return this.datasets(projectId).find((d) => d.datasetId === datasetId);
  }

  routines(projectId: string, datasetId: string): RoutineSeed[] {
    return ROUTINES.filter((r) => r.projectId === projectId && r.datasetId === datasetId);
  }

  /** Table ids of a dataset, sorted as BigQuery lists them. */
  async tableIds(projectId: string, datasetId: string): Promise<{ tableId: string; type: TableInfo['type'] }[]> {
    await this.syncDbt();
    const reader = await this.conn.runAndReadAll(
      `SELECT table_name, 'TABLE' AS kind FROM duckdb_tables() WHERE database_name = $db AND schema_name = $s AND NOT temporary
       UNION ALL SELECT view_name, 'VIEW' FROM duckdb_views() WHERE database_name = $db AND schema_name = $s AND NOT internal AND NOT temporary
       ORDER BY 1`,
      { db: projectId, s: datasetId },
    );
    return reader.getRows().map(([name, kind]) => {
      const tableId = String(name);
      const seeded = this.meta.get(key({ projectId, datasetId, tableId }))?.seed?.type;
      return { tableId, type: seeded ?? (kind as 'TABLE' | 'VIEW') };
    });
  }

  async table(ref: TableRef, opts: { withStats?: boolean } = {}): Promise<TableInfo | undefined> {
    const ids = await this.tableIds(ref.projectId, ref.datasetId);
    const found = ids.find((t) => t.tableId === ref.tableId);
    if (!found) return undefined;
    const meta = this.metaFor(ref);
    const prepared = await this.conn.prepare(`SELECT * FROM ${fqn(ref)}`);
    const notNull = await this.conn.runAndReadAll(
      `SELECT column_name FROM duckdb_columns() WHERE database_name = $db AND schema_name = $s AND table_name = $t AND NOT is_nullable`,
      { db: ref.projectId, s: ref.datasetId, t: ref.tableId },
    );
    const required = new Set(notNull.getRows().map((r) => String(r[0])));
    const schema: WarehouseField[] = [];
    for (let i = 0; i < prepared.columnCount; i++) {
      const name = prepared.columnName(i);
      const f = bigQueryField(name, prepared.columnType(i), !required.has(name));
      const description = meta.seed?.columns?.[name];
      schema.push(description ? { ...f, description } : f);
    }
    const isView = found.type === 'VIEW';
    const stats = isView || !opts.withStats ? undefined : await this.stats(ref, schema);
    return {
      ref,
      type: found.type,
      description: meta.seed?.description,
      labels: meta.seed?.labels ?? {},
      schema,
      numRows: stats?.numRows ?? 0,
      numBytes: stats?.numBytes ?? 0,
      creationTime: meta.creationTime,
      lastModifiedTime: meta.lastModifiedTime,
      viewQuery: meta.seed && meta.seed.type !== 'TABLE' ? meta.seed.sql : undefined,
    };
  }

  /** What tables.list shows per table, without reading the schema. */
  listing(ref: TableRef): { creationTime: number; labels: Record<string, string> } {
    const m = this.metaFor(ref);
    return { creationTime: m.creationTime, labels: m.seed?.labels ?? {} };
  }

  private metaFor(ref: TableRef): TableMeta {
    let m = this.meta.get(key(ref));
    if (!m) {
      m = { creationTime: Date.now(), lastModifiedTime: Date.now() };
      this.meta.set(key(ref), m);
    }
    return m;
  }

  /** Rows and BigQuery's logical bytes (8 per number/date, 2 + UTF-8 length per string…), cached until the table changes. */
  private async stats(ref: TableRef, schema: WarehouseField[]): Promise<NonNullable<TableMeta['stats']>> {
    const meta = this.metaFor(ref);
    if (meta.stats) return meta.stats;
    const fixed: Record<string, number> = { INTEGER: 8, FLOAT: 8, TIMESTAMP: 8, DATE: 8, DATETIME: 8, TIME: 8, BOOLEAN: 1, NUMERIC: 16 };
    const exprs = schema.map((f) => {
      const c = q(f.name);
      if (f.mode !== 'REPEATED' && fixed[f.type]) return `count(${c}) * ${fixed[f.type]}`;
      if (f.mode !== 'REPEATED' && (f.type === 'STRING' || f.type === 'JSON')) return `coalesce(sum(strlen(${c}) + 2), 0)`;
      return `coalesce(sum(strlen(CAST(${c} AS VARCHAR))), 0)`;
    });
    const reader = await this.conn.runAndReadAll(`SELECT count(*)${exprs.map((e) => `, ${e}`).join('')} FROM ${fqn(ref)}`);
    const row = reader.getRows()[0];
    const columnBytes = new Map(schema.map((f, i) => [f.name, Number(row[i + 1])]));
    meta.stats = { numRows: Number(row[0]), numBytes: [...columnBytes.values()].reduce((a, b) => a + b, 0), columnBytes };
    return meta.stats;
  }

  /** Records a change (DML/DDL) so numRows/numBytes, lastModifiedTime and query caches follow it. */
  markModified(ref: TableRef): void {
    const m = this.metaFor(ref);
    m.lastModifiedTime = Date.now();
    m.stats = undefined;
  }

  lastModified(ref: TableRef): number {
    return this.meta.get(key(ref))?.lastModifiedTime ?? 0;
  }

  // ---- SQL ------------------------------------------------------------------------------

  /** The BigQuery → DuckDB rewrite (exposed for tests and diagnostics). */
  translate(sql: string, params?: QueryParams | 'placeholders'): Translated {
    try {
      return translate(sql, params);
    } catch (e) {
      throw this.dialectError(e, sql);
    }
  }

  private dialectError(e: unknown, sql: string): unknown {
    if (!(e instanceof DialectError)) return e;
    const pos = lineCol(sql, e.pos);
    return new WarehouseError('invalidQuery', `${e.message} at [${pos.line}:${pos.column}]`, pos);
  }

  /**
   * Tables a statement reads or writes, resolved against the defaults. Views are not expanded
   * (BigQuery checks the view, and views over other datasets are authorized views here).
   */
  referencedTables(sql: string, opts: Pick<RunOptions, 'defaultProject' | 'defaultDataset'> = {}): TableRef[] {
    const refs = new Map<string, TableRef>();
    let stmts: { sql: string; pos: number }[];
    try {
      stmts = splitStatements(sql);
    } catch (e) {
      throw this.dialectError(e, sql);
    }
    for (const stmt of stmts) {
      for (const parts of tableNames(stmt.sql)) {
        const ref = this.resolveTable(parts, opts);
        refs.set(key(ref), ref);
      }
    }
    return [...refs.values()];
  }

  /** Resolves a written table name (`t`, `dataset.t`, `project.dataset.t`) like BigQuery does. */
  resolveTable(parts: string[], opts: Pick<RunOptions, 'defaultProject' | 'defaultDataset'>): TableRef {
    if (parts.length >= 3) return { projectId: parts[parts.length - 3], datasetId: parts[parts.length - 2], tableId: parts[parts.length - 1] };
    if (parts.length === 2) return { projectId: opts.defaultProject ?? opts.defaultDataset?.projectId ?? PROJECTS[0].id, datasetId: parts[0], tableId: parts[1] };
    if (!opts.defaultDataset)
      throw new WarehouseError('invalid', `Table "${parts[0]}" must be qualified with a dataset (e.g. dataset.table).`);
    return { ...opts.defaultDataset, tableId: parts[0] };
  }

  /** Logical bytes a query reads: the referenced columns of each table (all of them for `*`); views count their base tables. */
  async estimateBytes(sql: string, opts: Pick<RunOptions, 'defaultProject' | 'defaultDataset'> = {}, depth = 0): Promise<number> {
    const words = new Set((sql.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []).map((w) => w.toLowerCase()));
    const star = /(^|[\s,(.])\*/.test(sql.replace(/count\s*\(\s*\*\s*\)/gi, ''));
    let total = 0;
    for (const ref of this.referencedTables(sql, opts)) {
      const info = await this.table(ref, { withStats: true });
      if (!info) continue;
      if (info.type === 'VIEW' && info.viewQuery && depth < 4) {
        total += await this.estimateBytes(info.viewQuery, { defaultProject: ref.projectId }, depth + 1);
        continue;
      }
      const stats = await this.stats(ref, info.schema);
      for (const [col, bytes] of stats.columnBytes) if (star || words.has(col.toLowerCase())) total += bytes;
    }
    return total;
  }

  /** Picks up what dbt built since the last look (see warehouse/dbtFile.ts). */
  private async syncDbt(): Promise<void> {
    if (!this.dbt || this.closed) return;
    const copied = await this.dbt.syncInto(this.conn);
    for (const tableId of copied ?? []) this.markModified({ projectId: DEMO_PROJECT, datasetId: DBT_DATASET.datasetId, tableId });
  }

  private async connect(opts: RunOptions): Promise<DuckDBConnection> {
    if (this.closed) throw new Error('warehouse closed');
    await this.syncDbt();
    const c = await this.instance.connect();
    const d = opts.defaultDataset;
    await c.run(d ? `USE ${q(d.projectId)}.${q(d.datasetId)}` : `USE ${q(opts.defaultProject ?? PROJECTS[0].id)}`);
    return c;
  }

  /** Runs `fn` on a fresh connection that `signal` interrupts. */
  private async withConnection<T>(opts: RunOptions, fn: (c: DuckDBConnection) => Promise<T>): Promise<T> {
    if (opts.signal?.aborted) throw stoppedError();
    const c = await this.connect(opts);
    const onAbort = () => c.interrupt();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    this.running.add(c);
    try {
      return await fn(c);
    } catch (e) {
      if (opts.signal?.aborted) throw stoppedError();
      throw e;
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
      this.running.delete(c);
      c.closeSync();
    }
  }

  /** Warehouse.query: runs BigQuery SQL (a script returns its last statement) and returns all rows. */
  async query(sql: string, opts: RunOptions = {}): Promise<WarehouseResult> {
    const t = this.translate(sql, opts.params);
    return this.withConnection(opts, async (c) => {
      try {
        const reader = await c.runAndReadAll(t.sql);
        const types = reader.columnTypes();
        const fields = bigQueryNames(reader.columnNames()).map((n, i) => bigQueryField(n, types[i]));
        const rows = reader.getRows().map((r) => r.map((v, i) => toWarehouseValue(v, types[i])));
        return { fields, rows };
      } catch (e) {
        throw this.mapError(e, sql, t);
      }
    });
  }

  /**
   * Runs ONE statement. A SELECT is stored as a result table (read it with readResult);
   * DML reports affected rows; DDL changes the catalog.
   */
  async execute(sql: string, opts: RunOptions = {}): Promise<ExecuteResult> {
    const type = statementType(sql);
    if (!type) {
      const first = /\S+/.exec(sql);
      const pos = lineCol(sql, first?.index ?? 0);
      throw new WarehouseError('invalidQuery', `Syntax error: Unexpected keyword ${first?.[0].toUpperCase() ?? ''} (not supported by the sandbox) at [${pos.line}:${pos.column}]`, pos);
    }
    const t = this.translate(sql, opts.params);
    const targetParts = type === 'SELECT' ? undefined : writeTarget(sql);
    const target = targetParts ? this.resolveTable(targetParts, opts) : undefined;
    return this.withConnection(opts, async (c) => {
      try {
        if (type !== 'SELECT') {
          const r = await c.run(t.sql);
          if (target) this.markModified(target);
          const dml = type === 'INSERT' || type === 'UPDATE' || type === 'DELETE' || type === 'MERGE';
          return { statementType: type, fields: [], totalRows: 0, numDmlAffectedRows: dml ? r.rowsChanged : undefined, target };
        }
        const prepared = await c.prepare(t.sql);
        const names: string[] = [];
        const types: DuckDBType[] = [];
        for (let i = 0; i < prepared.columnCount; i++) {
          names.push(prepared.columnName(i));
          types.push(prepared.columnType(i));
        }
        const bqNames = bigQueryNames(names);
        const dup = bqNames.find((n, i) => bqNames.findIndex((m) => m.toLowerCase() === n.toLowerCase()) !== i);
        if (dup) throw new WarehouseError('invalidQuery', `Duplicate column names in the result are not supported. Found duplicate(s): ${dup}`);
        const id = `r${++this.resultCounter}`;
        const table = `${RESULTS}.main.${q(id)}`;
        await c.run(`CREATE TABLE ${table} AS SELECT * FROM (${t.sql}\n) AS __q(${bqNames.map(q).join(', ')})`);
        const count = await c.runAndReadAll(`SELECT count(*) FROM ${table}`);
        const totalRows = Number(count.getRows()[0][0]);
        const fields = bqNames.map((n, i) => bigQueryField(n, types[i]));
        this.results.set(id, { table, fields, types, totalRows });
        this.evictResults();
        return { statementType: type, resultId: id, fields, totalRows };
      } catch (e) {
        throw this.mapError(e, sql, t);
      }
    });
  }

  private evictResults(): void {
    while (this.results.size > this.maxStoredResults) {
      const [oldest] = this.results.keys();
      this.dropResult(oldest);
    }
  }

  hasResult(id: string): boolean {
    return this.results.has(id);
  }

  /** Rows [offset, offset+limit) of a stored result; `fields` selects top-level columns. */
  async readResult(id: string, offset: number, limit: number): Promise<WarehouseValue[][]> {
    const r = this.results.get(id);
    if (!r) throw new WarehouseError('notFound', `Not found: Job result ${id} has expired`);
    if (limit <= 0 || offset >= r.totalRows) return [];
    const reader = await this.conn.runAndReadAll(`SELECT * FROM ${r.table} WHERE rowid >= ${offset} AND rowid < ${offset + limit} ORDER BY rowid`);
    return reader.getRows().map((row) => row.map((v, i) => toWarehouseValue(v, r.types[i])));
  }

  resultInfo(id: string): { fields: WarehouseField[]; totalRows: number } | undefined {
    const r = this.results.get(id);
    return r && { fields: r.fields, totalRows: r.totalRows };
  }

  dropResult(id: string): void {
    const r = this.results.get(id);
    if (!r) return;
    this.results.delete(id);
    this.conn.run(`DROP TABLE IF EXISTS ${r.table}`).catch((e) => this.log(`[warehouse] drop ${id} failed: ${e}`));
  }

  /** tabledata.list: rows of a table in storage order. */
  async readTable(ref: TableRef, offset: number, limit: number, columns?: string[]): Promise<{ fields: WarehouseField[]; rows: WarehouseValue[][] }> {
    const info = await this.table(ref);
    if (!info) throw new WarehouseError('notFound', `Not found: Table ${key(ref)}`);
    const wanted = columns?.length ? info.schema.filter((f) => columns.some((c) => c.toLowerCase() === f.name.toLowerCase())) : info.schema;
    const list = wanted.map((f) => q(f.name)).join(', ') || '*';
    const reader = await this.conn.runAndReadAll(`SELECT ${list} FROM ${fqn(ref)} LIMIT ${Math.max(0, limit)} OFFSET ${Math.max(0, offset)}`);
    const types = reader.columnTypes();
    return { fields: wanted, rows: reader.getRows().map((row) => row.map((v, i) => toWarehouseValue(v, types[i]))) };
  }

  /** Maps a DuckDB error to BigQuery's wording and a position in the SQL the user wrote. */
  private mapError(e: unknown, original: string, t: Translated, base = 0, whole = original): unknown {
    if (WarehouseError.is(e)) return e;
    if (!(e instanceof Error)) return e;
    const msg = e.message;
    if (/^INTERRUPT Error/.test(msg)) return stoppedError();
    const head = msg.split('\n')[0].replace(/^[A-Za-z ]+ Error: /, '');
    const pos = errorPosition(msg, t);
    const at = pos !== undefined ? lineCol(whole, base + pos) : undefined;
    const suffix = at ? ` at [${at.line}:${at.column}]` : '';
    let m: RegExpExecArray | null;
    if ((m = /^syntax error at or near "(.*)"$/.exec(head))) return new WarehouseError('invalidQuery', `Syntax error: Unexpected "${m[1]}"${suffix}`, at);
    if (/^syntax error at end of input/.test(head)) return new WarehouseError('invalidQuery', `Syntax error: Unexpected end of script${suffix}`, at);
    if ((m = /^Referenced column "(.*)" not found/.exec(head)) || (m = /^Referenced table "(.*)" not found/.exec(head)))
      return new WarehouseError('invalidQuery', `Unrecognized name: ${m[1]}${suffix}`, at);
    if ((m = /^(?:Scalar|Aggregate|Table) Function with name (\S+) does not exist/.exec(head)))
      return new WarehouseError('invalidQuery', `Function not found: ${m[1]}${suffix}`, at);
    if ((m = /^Table with name (\S+) does not exist/.exec(head))) return new WarehouseError('notFound', `Not found: Table ${m[1]} was not found in location US`, at);
    if (/^Permission Error/.test(msg) || /external access/i.test(head)) return new WarehouseError('invalidQuery', `Access to files and extensions is disabled in the sandbox${suffix}`, at);
    return new WarehouseError('invalidQuery', `${head.replace(/!$/, '')}${suffix}`, at);
  }

  async close(): Promise<void> {
    this.closeSync();
  }

  private closeSync(): void {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.running) c.interrupt();
    this.conn.closeSync();
    this.instance.closeSync();
  }
}

function stoppedError(): WarehouseError {
  return new WarehouseError('stopped', 'Job execution was cancelled: User requested cancellation');
}

/** BigQuery names unnamed expression columns f0_, f1_…; DuckDB names them after the expression. */
function bigQueryNames(names: string[]): string[] {
  return names.map((n, i) => (BQ_NAME.test(n) ? n : `f${i}_`));
}

/** Offset (in the translated SQL) DuckDB points at with `LINE n: …` and a caret line. */
function errorPosition(msg: string, t: Translated): number | undefined {
  const m = /\nLINE (\d+): (.*)\n( *)\^/.exec(msg);
  if (!m) return undefined;
  const lineNo = Number(m[1]);
  const prefix = `LINE ${m[1]}: `.length;
  let ctx = m[2];
  let caret = m[3].length - prefix;
  const lines = t.sql.split('\n');
  const line = lines[lineNo - 1] ?? '';
  let start = 0;
  if (ctx.startsWith('...')) {
    ctx = ctx.slice(3);
    caret -= 3;
    start = line.indexOf(ctx.replace(/\.\.\.$/, '').slice(0, 40));
    if (start < 0) start = 0;
  }
  const lineStart = lines.slice(0, lineNo - 1).reduce((a, l) => a + l.length + 1, 0);
  return t.originalOffset(lineStart + start + Math.max(0, caret));
}

/** Starts the warehouse and seeds the demo data (sandbox.ts calls this once). */
export async function createWarehouse(opts: WarehouseOptions = {}): Promise<DuckWarehouse> {
  return DuckWarehouse.create(opts);
}
