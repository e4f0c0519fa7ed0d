// Turns raw manifest entries (any schema version, any damage) into compact DbtNodes. Shared by the
// fast path (one JSON.parse of the file) and the streaming path (one JSON.parse per entry), so both
// produce the same index. Field-level damage keeps the node and warns; an entry that is not an
// object is dropped and warns. Nothing here throws on manifest content.
import { DBT_RESOURCE_TYPES, type DbtColumn, type DbtManifestWarning, type DbtNode, type DbtResourceType } from './manifestTypes';
import { lookup } from '../core/lookup';
import { t } from '../core/l10n';

/** Top-level maps whose values are lineage-bearing entries, and the resource type each implies. */
export const ENTRY_SECTIONS: Readonly<Record<string, DbtResourceType | undefined>> = {
  nodes: undefined, // mixed: taken from resource_type or the id prefix
  sources: 'source',
  exposures: 'exposure',
  metrics: 'metric',
  semantic_models: 'semantic_model',
  saved_queries: 'saved_query',
  unit_tests: 'unit_test',
  functions: 'function',
};

const KNOWN_TYPES: ReadonlySet<string> = new Set(DBT_RESOURCE_TYPES.filter((t) => t !== 'other'));
const EMPTY: readonly never[] = Object.freeze([]);
const MAX_WARNINGS = 1000;

export class WarningSink {
  readonly warnings: DbtManifestWarning[] = [];
  dropped = 0;

  add(warning: DbtManifestWarning): void {
    if (this.warnings.length < MAX_WARNINGS) this.warnings.push(warning);
    else this.dropped++;
  }
}

type Raw = Record<string, unknown>;

export function isObject(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Backslashes to slashes, and no leading './'. */
export function normalizePath(path: string): string {
  let p = path.replace(/\\/g, '/');
  while (p.startsWith('./')) p = p.slice(2);
  return p;
}

function optionalPath(value: unknown): string | undefined {
  const s = str(value);
  return s ? normalizePath(s) : undefined;
}

/** dbt writes `package://models/x.yml`; keep the path part. */
function patchPathOf(value: unknown): string | undefined {
  const s = str(value);
  if (!s) return undefined;
  const at = s.indexOf('://');
  return normalizePath(at >= 0 ? s.slice(at + 3) : s);
}

function versionOf(value: unknown): number | string | undefined {
  return typeof value === 'number' || typeof value === 'string' ? value : undefined;
}

function stringList(value: unknown, field: string, id: string, sink: WarningSink): readonly string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) {
    sink.add({ reason: 'invalidField', uniqueId: id, message: t('{0} is not a list; ignored.', field) });
    return undefined;
  }
  if (value.length === 0) return EMPTY;
  let bad = false;
  const out: string[] = [];
  for (const v of value) {
    if (typeof v === 'string') out.push(v);
    else bad = true;
  }
  if (bad) sink.add({ reason: 'invalidField', uniqueId: id, message: t('{0} has entries that are not strings; they were ignored.', field) });
  return out.length ? out : EMPTY;
}

function columnsOf(value: unknown, id: string, sink: WarningSink): readonly DbtColumn[] {
  if (value === undefined || value === null) return EMPTY;
  const list = Array.isArray(value) ? value : isObject(value) ? Object.values(value) : undefined;
  if (!list) {
    sink.add({ reason: 'invalidField', uniqueId: id, message: t('columns is not a map; ignored.') });
    return EMPTY;
  }
  if (list.length === 0) return EMPTY;
  const out: DbtColumn[] = [];
  for (const c of list) {
    if (!isObject(c) || typeof c.name !== 'string') continue;
    out.push({ name: c.name, description: str(c.description) ?? '', dataType: str(c.data_type) });
  }
  return out;
}

function resourceTypeOf(raw: Raw, sectionType: DbtResourceType | undefined, id: string): { type: DbtResourceType; rawType: string } {
  const written = str(raw.resource_type);
  if (written) return { type: KNOWN_TYPES.has(written) ? (written as DbtResourceType) : 'other', rawType: written };
  if (sectionType) return { type: sectionType, rawType: sectionType };
  const prefix = id.slice(0, id.indexOf('.'));
  return { type: KNOWN_TYPES.has(prefix) ? (prefix as DbtResourceType) : 'other', rawType: prefix || 'unknown' };
}

function folderOf(fqn: readonly string[], type: DbtResourceType, version: number | string | undefined): string {
  // Versioned models end their fqn with [..., name, "v2"]: the folder stops before the name.
  const drop = type === 'model' && version !== undefined && fqn[fqn.length - 1] === `v${version}` ? 2 : 1;
  return fqn.length > 1 + drop ? fqn.slice(1, fqn.length - drop).join('/') : '';
}

export interface NormalizedEntry {
  readonly node: DbtNode;
  readonly dependsOn: readonly string[];
}

/**
 * One entry of `nodes`, `sources`, ... or one element of a `disabled` list. Returns undefined (and
 * warns) when the entry cannot be a node at all.
 */
export function normalizeEntry(
  section: string,
  key: string,
  raw: unknown,
  disabled: boolean,
  sink: WarningSink,
): NormalizedEntry | undefined {
  if (!isObject(raw)) {
    sink.add({ reason: 'invalidNode', uniqueId: key, section, message: t('Entry of {0} is not an object; skipped.', section) });
    return undefined;
  }
  const id = disabled ? (str(raw.unique_id) ?? key) : key;
  const { type, rawType } = resourceTypeOf(raw, lookup(ENTRY_SECTIONS, section), id);
  const config = isObject(raw.config) ? raw.config : undefined;

  let name = str(raw.name);
  if (name === undefined) {
    sink.add({ reason: 'invalidField', uniqueId: id, message: t('name is missing; using the last part of the id.') });
    name = id.slice(id.lastIndexOf('.') + 1);
  }
  const packageName = str(raw.package_name) ?? (id.split('.')[1] || '');
  const version = versionOf(raw.version);
  const fqn = stringList(raw.fqn, 'fqn', id, sink) ?? [packageName, name];
  const tags = stringList(raw.tags, 'tags', id, sink) ?? stringList(config?.tags, 'config.tags', id, sink) ?? EMPTY;

  let dependsOn: readonly string[] = EMPTY;
  if (raw.depends_on !== undefined && raw.depends_on !== null) {
    if (isObject(raw.depends_on)) dependsOn = stringList(raw.depends_on.nodes, 'depends_on.nodes', id, sink) ?? EMPTY;
    else sink.add({ reason: 'invalidField', uniqueId: id, message: t('depends_on is not an object; no lineage for this node.') });
  }

  const compiled = raw.compiled_code ?? raw.compiled_sql;
  const rawCode = raw.raw_code ?? raw.raw_sql;
  // One literal with every key in the same order: all nodes share a hidden class, which keeps
  // the index small for manifests with 100k nodes.
  const node: DbtNode = {
    uniqueId: id,
    name,
    resourceType: type,
    rawResourceType: rawType,
    packageName,
    path: optionalPath(raw.path),
    originalFilePath: optionalPath(raw.original_file_path),
    patchPath: patchPathOf(raw.patch_path),
    fqn,
    folder: folderOf(fqn, type, version),
    materialization: str(config?.materialized),
    tags,
    description: str(raw.description) ?? '',
    database: str(raw.database),
    schema: str(raw.schema),
    alias: str(raw.alias),
    relationName: str(raw.relation_name),
    language: str(raw.language),
    version,
    latestVersion: versionOf(raw.latest_version),
    sourceName: str(raw.source_name),
    columns: columnsOf(raw.columns, id, sink),
    hasRawCode: typeof rawCode === 'string' && rawCode.length > 0,
    hasCompiledCode: typeof compiled === 'string',
    disabled,
  };
  return { node, dependsOn };
}

/** `N` of `https://schemas.getdbt.com/dbt/manifest/vN.json`, or undefined. */
export function schemaVersionOf(url: unknown, artifact: string): number | undefined {
  if (typeof url !== 'string') return undefined;
  const m = new RegExp(`/${artifact}/v(\\d+)(?:\\.json)?$`).exec(url);
  return m ? Number(m[1]) : undefined;
}
