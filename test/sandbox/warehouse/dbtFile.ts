// The DuckDB file real dbt (dbt-duckdb) builds the demo project into, shared with the sandbox's
// in-memory warehouse. DuckDB lets one process write a file at a time, so the sandbox never keeps
// it open: at start it attaches the file, writes the raw tables dbt reads as sources, and
// detaches; later, when the file changed (dbt ran), it attaches the file read-only, copies the
// dataset dbt builds into (dbt_dev) into its own catalog, and detaches again. A dbt run that
// holds the file at that moment is simply seen at the next look.
import { statSync } from 'node:fs';
import * as path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { DBT_DATASET } from './seed';

/** Datasets of the demo project copied into the file for dbt's sources. */
export const DBT_SOURCE_DATASETS = ['raw'] as const;
/** The dataset dbt builds into (profiles.yml of the demo project: schema dbt_dev). */
export const DBT_TARGET_DATASET = DBT_DATASET.datasetId;

const ALIAS = '_dbt_file';

function q(id: string): string {
  return `"${id.replace(/"/g, '""')}"`;
}
function lit(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** Whether a view's stored SQL names `dbt_dev.name` (DuckDB keeps quotes only where needed). */
function readsView(sql: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`"?${DBT_TARGET_DATASET}"?\\."?${escaped}"?(?![\\w"])`).test(sql);
}

export class DbtWarehouseFile {
  private seen = -1;

  /** `file` must be named after the project (`gatehouse-demo.duckdb`): dbt-duckdb names its catalog after the file. */
  constructor(
    readonly file: string,
    private readonly projectId: string,
    private readonly log: (line: string) => void,
  ) {
    if (path.basename(file, '.duckdb') !== projectId) throw new Error(`the dbt DuckDB file must be named ${projectId}.duckdb, not ${path.basename(file)}`);
  }

  /** The only paths the sandbox may still reach once external access is off: the file and its WAL. */
  get paths(): string[] {
    const file = path.resolve(this.file);
    return [file, `${file}.wal`];
  }

  /** Writes the source datasets into the file (replacing what a previous sandbox left). */
  async exportSources(c: DuckDBConnection): Promise<void> {
    await c.run(`ATTACH ${lit(this.file)} AS ${ALIAS}`);
    try {
      for (const dataset of DBT_SOURCE_DATASETS) {
        await c.run(`CREATE SCHEMA IF NOT EXISTS ${ALIAS}.${q(dataset)}`);
        const tables = await c.runAndReadAll(`SELECT table_name FROM duckdb_tables() WHERE database_name = $db AND schema_name = $s`, { db: this.projectId, s: dataset });
        for (const [name] of tables.getRows()) {
          const t = q(String(name));
          await c.run(`CREATE OR REPLACE TABLE ${ALIAS}.${q(dataset)}.${t} AS SELECT * FROM ${q(this.projectId)}.${q(dataset)}.${t}`);
        }
      }
    } finally {
      await c.run(`DETACH ${ALIAS}`);
    }
    this.seen = -1;
  }

  /**
   * Copies dbt's tables and views (as tables) into `projectId.dbt_dev` when the file changed since
   * the last copy. Returns the table ids copied, or undefined when nothing changed or the file is
   * busy (dbt is writing it).
   */
  async syncInto(c: DuckDBConnection): Promise<string[] | undefined> {
    const stamp = this.stamp();
    if (stamp === this.seen) return undefined;
    try {
      await c.run(`ATTACH ${lit(this.file)} AS ${ALIAS} (READ_ONLY)`);
    } catch (err) {
      this.log(`[warehouse] dbt file busy, not synced: ${String(err).slice(0, 160)}`);
      return undefined;
    }
    const copied: string[] = [];
    try {
      const target = `${q(this.projectId)}.${q(DBT_TARGET_DATASET)}`;
      const args = { db: ALIAS, s: DBT_TARGET_DATASET };
      const tables = (await c.runAndReadAll(`SELECT table_name FROM duckdb_tables() WHERE database_name = $db AND schema_name = $s`, args)).getRows().map((r) => String(r[0]));
      const views = (await c.runAndReadAll(`SELECT view_name, sql FROM duckdb_views() WHERE database_name = $db AND schema_name = $s AND NOT internal`, args))
        .getRows()
        .map((r) => ({ name: String(r[0]), sql: String(r[1]) }));
      const names = [...tables, ...views.map((v) => v.name)];
      const old = await c.runAndReadAll(`SELECT table_name FROM duckdb_tables() WHERE database_name = $db AND schema_name = $s`, { db: this.projectId, s: DBT_TARGET_DATASET });
      for (const [name] of old.getRows()) if (!names.includes(String(name))) await c.run(`DROP TABLE ${target}.${q(String(name))}`);
      const copy = async (name: string) => {
        await c.run(`CREATE OR REPLACE TABLE ${target}.${q(name)} AS SELECT * FROM ${ALIAS}.${q(DBT_TARGET_DATASET)}.${q(name)}`);
        copied.push(name);
      };
      for (const name of tables) await copy(name);
      // dbt's views name their inputs as "gatehouse-demo".dbt_dev.x, which here is the sandbox's
      // own catalog: copy a view only after the views it reads.
      let pending = views;
      while (pending.length) {
        const ready = pending.filter((v) => !pending.some((o) => o !== v && readsView(v.sql, o.name)));
        if (!ready.length) break; // a cycle cannot come from dbt; leave the rest
        for (const v of ready) await copy(v.name);
        pending = pending.filter((v) => !ready.includes(v));
      }
    } finally {
      await c.run(`DETACH ${ALIAS}`);
    }
    this.seen = stamp;
    this.log(`[warehouse] synced ${copied.length} dbt relations from ${path.basename(this.file)}`);
    return copied;
  }

  private stamp(): number {
    try {
      const s = statSync(this.file);
      let wal = 0;
      try {
        wal = statSync(`${this.file}.wal`).mtimeMs;
      } catch {
        // no WAL: dbt checkpointed
      }
      return s.mtimeMs + s.size + wal;
    } catch {
      return -1;
    }
  }
}
