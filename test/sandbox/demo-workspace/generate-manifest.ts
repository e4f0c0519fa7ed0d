// Writes jaffle_gatehouse/target/{manifest.json,run_results.json} the way `dbt build` with
// dbt-bigquery 1.9 would, from the project's own files (dbt itself cannot be installed here).
// It understands only what the demo project uses: ref()/source()/config() in SQL, folder configs
// in dbt_project.yml, model/source/seed YAML with generic tests, one Jinja snapshot, exposures.
// Output is deterministic, so the committed files can be checked against a fresh run.
//
//   npx tsx test/sandbox/demo-workspace/generate-manifest.ts
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, relative, sep, posix } from 'node:path';
import { parse as parseYaml } from 'yaml';

export const DEMO_PROJECT_DIR = join(__dirname, 'jaffle_gatehouse');
export const BIGQUERY_PROJECT = 'gatehouse-demo';
export const TARGET_DATASET = 'analytics';

const DBT_VERSION = '1.9.4';
const GENERATED_AT = '2026-11-02T03:00:41.512330Z';
const INVOCATION_ID = '5f1c9e7a-3b2d-4c8e-9a1f-7d6e5c4b3a21';
const CREATED_AT = 1793588400.0;

type Json = Record<string, any>;
export interface DemoArtifacts {
  manifest: Json;
  runResults: Json;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const q = (...parts: string[]) => parts.map((p) => `\`${p}\``).join('.');

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

/** `{{ config(a='x', b=['y']) }}` keyword arguments (string, list of strings, bool). */
function parseConfigCall(sql: string): Json {
  const m = /\{\{\s*config\(([\s\S]*?)\)\s*\}\}/.exec(sql);
  if (!m) return {};
  const out: Json = {};
  for (const kv of m[1].matchAll(/(\w+)\s*=\s*(\[[^\]]*\]|'[^']*'|"[^"]*"|True|False|\d+)/g)) {
    const raw = kv[2];
    out[kv[1]] = raw.startsWith('[')
      ? [...raw.matchAll(/'([^']*)'|"([^"]*)"/g)].map((x) => x[1] ?? x[2])
      : raw === 'True' || raw === 'False'
        ? raw === 'True'
        : /^\d+$/.test(raw)
          ? Number(raw)
          : raw.slice(1, -1);
  }
  return out;
}

interface Ctx {
  pkg: string;
  dir: string;
  relationOf: Map<string, string>; // unique_id → relation
  idOfRef: Map<string, string>; // model/seed/snapshot name → unique_id
}

function refsIn(sql: string): string[] {
  return [...sql.matchAll(/\{\{\s*ref\(\s*'([^']+)'\s*\)\s*\}\}/g)].map((m) => m[1]);
}
function sourcesIn(sql: string): [string, string][] {
  return [...sql.matchAll(/\{\{\s*source\(\s*'([^']+)'\s*,\s*'([^']+)'\s*\)\s*\}\}/g)].map((m) => [m[1], m[2]]);
}

function compile(sql: string, ctx: Ctx): string {
  return sql
    .replace(/\{\{\s*config\([\s\S]*?\)\s*\}\}/, '')
    .replace(/\{%-?\s*(end)?snapshot[^%]*%\}/g, '')
    .replace(/\{\{\s*ref\(\s*'([^']+)'\s*\)\s*\}\}/g, (_m, n: string) => ctx.relationOf.get(ctx.idOfRef.get(n)!)!)
    .replace(/\{\{\s*source\(\s*'([^']+)'\s*,\s*'([^']+)'\s*\)\s*\}\}/g, (_m, s: string, t: string) => ctx.relationOf.get(`source.${ctx.pkg}.${s}.${t}`)!);
}

const BASE_CONFIG = {
  enabled: true,
  alias: null,
  schema: null,
  database: null,
  tags: [] as string[],
  meta: {},
  group: null,
  incremental_strategy: null,
  batch_size: null,
  lookback: 1,
  begin: null,
  persist_docs: {},
  'post-hook': [],
  'pre-hook': [],
  quoting: {},
  column_types: {},
  full_refresh: null,
  unique_key: null,
  on_schema_change: 'ignore',
  on_configuration_change: 'apply',
  grants: {},
  packages: [],
  docs: { show: true, node_color: null },
  contract: { enforced: false, alias_types: true },
  event_time: null,
  concurrent_batches: null,
};

function columnsOf(yamlColumns: Json[] | undefined): Json {
  const out: Json = {};
  for (const c of yamlColumns ?? []) {
    out[c.name] = { name: c.name, description: c.description ?? '', meta: c.meta ?? {}, data_type: c.data_type ?? null, constraints: [], quote: null, tags: [], granularity: null };
  }
  return out;
}

/** dbt's generic test naming (synthesize_generic_test_names): long names become prefix + md5. */
function genericTestName(testType: string, modelName: string, args: Json): string {
  const flat: string[] = [];
  for (const key of Object.keys(args).sort()) {
    const v = args[key];
    flat.push(...(Array.isArray(v) ? v : typeof v === 'object' ? Object.values(v) : [v]).map(String));
  }
  const unique = flat.map((a) => a.replace(/[^0-9a-zA-Z_]+/g, '_')).join('__');
  const identifier = `${testType}_${modelName}`;
  const full = `${identifier}_${unique}`;
  return full.length >= 64 ? `${identifier.slice(0, 30)}_${md5(full)}` : full;
}

export function generateArtifacts(projectDir = DEMO_PROJECT_DIR): DemoArtifacts {
  const project = parseYaml(readFileSync(join(projectDir, 'dbt_project.yml'), 'utf8')) as Json;
  const pkg: string = project.name;
  const ctx: Ctx = { pkg, dir: projectDir, relationOf: new Map(), idOfRef: new Map() };
  const rel = (abs: string) => relative(projectDir, abs).split(sep).join(posix.sep);
  const files = walk(projectDir).filter((f) => !rel(f).startsWith('target/'));
  const ymls = files.filter((f) => f.endsWith('.yml') && !f.endsWith('dbt_project.yml')).map((f) => ({ file: rel(f), doc: parseYaml(readFileSync(f, 'utf8')) as Json }));

  const nodes: Json = {};
  const sources: Json = {};
  const exposures: Json = {};
  const macrosUsed = new Set<string>();
  // Sources first: models compile against their relations.
  for (const { file, doc } of ymls) {
    for (const src of doc.sources ?? []) {
      for (const t of src.tables ?? []) {
        const id = `source.${pkg}.${src.name}.${t.name}`;
        const database = src.database ?? BIGQUERY_PROJECT;
        const schema = src.schema ?? src.name;
        const identifier = t.identifier ?? t.name;
        const relation = q(database, schema, identifier);
        ctx.relationOf.set(id, relation);
        const folders = posix.dirname(file).split('/').slice(1);
        sources[id] = {
          database, schema, name: t.name, resource_type: 'source', package_name: pkg, path: file, original_file_path: file, unique_id: id,
          fqn: [pkg, ...folders, src.name, t.name], source_name: src.name, source_description: src.description ?? '', loader: src.loader ?? '', identifier,
          quoting: { database: null, schema: null, identifier: null, column: null }, loaded_at_field: src.loaded_at_field ?? null, loaded_at_query: null,
          freshness: {
            warn_after: src.freshness?.warn_after ?? { count: null, period: null },
            error_after: src.freshness?.error_after ?? { count: null, period: null },
            filter: null,
          },
          external: null, description: t.description ?? '', columns: columnsOf(t.columns), meta: {}, source_meta: {}, tags: [],
          config: { enabled: true, event_time: null }, patch_path: null, unrendered_config: {}, relation_name: relation, created_at: CREATED_AT,
          unrendered_database: src.database ?? null, unrendered_schema: src.schema ?? null, doc_blocks: [],
        };
      }
    }
  }

  const patches = new Map<string, { file: string; spec: Json; kind: 'models' | 'seeds' }>();
  for (const { file, doc } of ymls) {
    for (const m of doc.models ?? []) patches.set(m.name, { file, spec: m, kind: 'models' });
    for (const s of doc.seeds ?? []) patches.set(s.name, { file, spec: s, kind: 'seeds' });
  }

  // Seeds.
  for (const f of files.filter((x) => rel(x).startsWith('seeds/') && x.endsWith('.csv'))) {
    const name = posix.basename(f, '.csv');
    const id = `seed.${pkg}.${name}`;
    const relation = q(BIGQUERY_PROJECT, TARGET_DATASET, name);
    ctx.relationOf.set(id, relation);
    ctx.idOfRef.set(name, id);
    const patch = patches.get(name);
    const columnTypes = project.seeds?.[pkg]?.[name]?.['+column_types'] ?? {};
    nodes[id] = {
      database: BIGQUERY_PROJECT, schema: TARGET_DATASET, name, resource_type: 'seed', package_name: pkg, path: `${name}.csv`, original_file_path: rel(f),
      unique_id: id, fqn: [pkg, name], alias: name, checksum: { name: 'sha256', checksum: sha256(readFileSync(f, 'utf8')) },
      config: { ...BASE_CONFIG, materialized: 'seed', column_types: columnTypes, delimiter: ',', quote_columns: null },
      tags: [], description: patch?.spec.description ?? '', columns: columnsOf(patch?.spec.columns), meta: {}, group: null, docs: { show: true, node_color: null },
      patch_path: patch ? `${pkg}://${patch.file}` : null, build_path: null, unrendered_config: { column_types: columnTypes }, created_at: CREATED_AT,
      relation_name: relation, raw_code: '', doc_blocks: [], root_path: `/workspace/${pkg}`, depends_on: { macros: [] },
    };
  }

  // Models and snapshots: declared first so refs resolve in any order.
  const sqlFiles = files.filter((f) => f.endsWith('.sql'));
  const pending: { file: string; name: string; id: string; kind: 'model' | 'snapshot'; sql: string; cfg: Json; folders: string[] }[] = [];
  for (const f of sqlFiles) {
    const r = rel(f);
    const sql = readFileSync(f, 'utf8');
    const callCfg = parseConfigCall(sql);
    if (r.startsWith('models/')) {
      const name = posix.basename(r, '.sql');
      const folders = posix.dirname(r).split('/').slice(1);
      const cfg = { materialized: 'view', ...folderConfig(project, pkg, folders), ...callCfg };
      const id = `model.${pkg}.${name}`;
      ctx.relationOf.set(id, q(BIGQUERY_PROJECT, TARGET_DATASET, name));
      ctx.idOfRef.set(name, id);
      pending.push({ file: r, name, id, kind: 'model', sql, cfg, folders });
    } else if (r.startsWith('snapshots/')) {
      const name = /\{%-?\s*snapshot\s+(\w+)\s*-?%\}/.exec(sql)![1];
      const id = `snapshot.${pkg}.${name}`;
      ctx.relationOf.set(id, q(BIGQUERY_PROJECT, callCfg.target_schema, name));
      ctx.idOfRef.set(name, id);
      pending.push({ file: r, name, id, kind: 'snapshot', sql, cfg: callCfg, folders: [] });
    }
  }
  for (const p of pending) {
    const refs = refsIn(p.sql);
    const srcs = sourcesIn(p.sql);
    const patch = patches.get(p.name);
    const common = {
      database: BIGQUERY_PROJECT,
      name: p.name,
      resource_type: p.kind,
      package_name: pkg,
      original_file_path: p.file,
      unique_id: p.id,
      alias: p.name,
      checksum: { name: 'sha256', checksum: sha256(p.sql) },
      tags: (p.cfg.tags as string[] | undefined) ?? [],
      description: patch?.spec.description ?? '',
      columns: columnsOf(patch?.spec.columns),
      meta: {},
      group: null,
      docs: { show: true, node_color: null },
      patch_path: patch ? `${pkg}://${patch.file}` : null,
      build_path: null,
      created_at: CREATED_AT,
      relation_name: ctx.relationOf.get(p.id),
      raw_code: p.sql,
      doc_blocks: [],
      language: 'sql',
      refs: refs.map((n) => ({ name: n, package: null, version: null })),
      sources: srcs,
      metrics: [],
      functions: [],
      depends_on: { macros: [], nodes: [...new Set([...srcs.map(([s, t]) => `source.${pkg}.${s}.${t}`), ...refs.map((n) => ctx.idOfRef.get(n)!)])] },
      compiled_path: `target/compiled/${pkg}/${p.file}`,
      compiled: true,
      compiled_code: compile(p.sql, ctx),
      extra_ctes_injected: true,
      extra_ctes: [],
      contract: { enforced: false, alias_types: true, checksum: null },
    };
    if (p.kind === 'model') {
      const { tags: _tags, ...rest } = p.cfg;
      nodes[p.id] = {
        ...common,
        schema: TARGET_DATASET,
        path: [...p.folders, `${p.name}.sql`].join('/'),
        fqn: [pkg, ...p.folders, p.name],
        config: { ...BASE_CONFIG, ...rest, tags: common.tags, access: 'protected' },
        unrendered_config: { ...folderConfig(project, pkg, p.folders), ...parseConfigCall(p.sql) },
        config_call_dict: parseConfigCall(p.sql),
        unrendered_config_call_dict: {},
        access: 'protected',
        constraints: [],
        version: null,
        latest_version: null,
        deprecation_date: null,
        primary_key: (patch?.spec.columns ?? [])
          .filter((c: Json) => ['unique', 'not_null'].every((t) => (c.data_tests ?? []).includes(t)))
          .map((c: Json) => c.name),
        time_spine: null,
      };
    } else {
      nodes[p.id] = {
        ...common,
        schema: p.cfg.target_schema,
        path: `${p.name}.sql`,
        fqn: [pkg, p.name, p.name],
        config: { ...BASE_CONFIG, materialized: 'snapshot', unique_key: p.cfg.unique_key, strategy: p.cfg.strategy, target_schema: p.cfg.target_schema, target_database: null, updated_at: p.cfg.updated_at, check_cols: null, snapshot_meta_column_names: { dbt_valid_to: null, dbt_valid_from: null, dbt_scd_id: null, dbt_updated_at: null, dbt_is_deleted: null }, dbt_valid_to_current: null },
        unrendered_config: p.cfg,
        config_call_dict: p.cfg,
        unrendered_config_call_dict: {},
      };
    }
  }

  // Generic tests from YAML.
  for (const [name, { file, spec, kind }] of patches) {
    const attached = ctx.idOfRef.get(name)!;
    for (const col of spec.columns ?? []) {
      for (const t of col.data_tests ?? col.tests ?? []) {
        const [testType, spec] = typeof t === 'string' ? [t, {}] : (Object.entries(t)[0] as [string, Json]);
        // dbt 1.10+ nests a generic test's arguments under `arguments:`; the manifest is the same.
        const extra: Json = spec && typeof spec === 'object' && spec.arguments && typeof spec.arguments === 'object' ? spec.arguments : spec;
        const args: Json = { column_name: col.name, ...extra };
        const testName = genericTestName(testType, name, args);
        const id = `test.${pkg}.${testName}.${md5(`${attached}.${testName}`).slice(0, 10)}`;
        const toRef = typeof extra.to === 'string' ? /ref\('([^']+)'\)/.exec(extra.to)?.[1] : undefined;
        const refsList = [...(toRef ? [toRef] : []), name];
        const macro = `macro.dbt.test_${testType}`;
        macrosUsed.add(macro);
        macrosUsed.add('macro.dbt.get_where_subquery');
        const target = ctx.relationOf.get(attached)!;
        nodes[id] = {
          database: BIGQUERY_PROJECT, schema: `${TARGET_DATASET}_dbt_test__audit`, name: testName, resource_type: 'test', package_name: pkg,
          path: `${testName}.sql`, original_file_path: file, unique_id: id, fqn: [pkg, ...posix.dirname(file).split('/').slice(1), testName], alias: testName,
          checksum: { name: 'none', checksum: '' },
          config: { enabled: true, alias: null, schema: 'dbt_test__audit', database: null, tags: [], meta: {}, group: null, materialized: 'test', severity: 'ERROR', store_failures: null, store_failures_as: null, where: null, limit: null, fail_calc: 'count(*)', warn_if: '!= 0', error_if: '!= 0' },
          tags: [], description: '', columns: {}, meta: {}, group: null, docs: { show: true, node_color: null }, patch_path: null, build_path: null,
          unrendered_config: {}, created_at: CREATED_AT, relation_name: null, raw_code: `{{ test_${testType}(**_dbt_generic_test_kwargs) }}`, doc_blocks: [],
          language: 'sql', refs: refsList.map((n) => ({ name: n, package: null, version: null })), sources: [], metrics: [], functions: [],
          depends_on: { macros: [macro, 'macro.dbt.get_where_subquery'], nodes: refsList.map((n) => ctx.idOfRef.get(n)!) },
          compiled_path: `target/compiled/${pkg}/${file}/${testName}.sql`, compiled: true,
          compiled_code: testSql(testType, col.name, target, extra, toRef ? ctx.relationOf.get(ctx.idOfRef.get(toRef)!) : undefined),
          extra_ctes_injected: true, extra_ctes: [], contract: { enforced: false, alias_types: true, checksum: null },
          column_name: col.name, file_key_name: `${kind}.${name}`, attached_node: attached,
          test_metadata: { name: testType, kwargs: { ...args, model: `{{ get_where_subquery(ref('${name}')) }}` }, namespace: null },
        };
      }
    }
  }

  for (const { file, doc } of ymls) {
    for (const e of doc.exposures ?? []) {
      const id = `exposure.${pkg}.${e.name}`;
      const refs = (e.depends_on as string[]).map((d) => /ref\('([^']+)'\)/.exec(d)![1]);
      exposures[id] = {
        name: e.name, resource_type: 'exposure', package_name: pkg, path: posix.relative('models', file), original_file_path: file, unique_id: id,
        fqn: [pkg, ...posix.dirname(file).split('/').slice(1), e.name], type: e.type, owner: e.owner, description: e.description ?? '', label: e.label ?? null,
        maturity: e.maturity ?? null, meta: {}, tags: [], config: { enabled: true, tags: [], meta: {} }, unrendered_config: {}, url: e.url ?? null,
        depends_on: { macros: [], nodes: refs.map((n) => ctx.idOfRef.get(n)!) }, refs: refs.map((n) => ({ name: n, package: null, version: null })),
        sources: [], metrics: [], created_at: CREATED_AT,
      };
    }
  }

  const macros: Json = {};
  for (const id of [...macrosUsed].sort()) {
    const name = id.split('.').pop()!;
    macros[id] = {
      name, resource_type: 'macro', package_name: 'dbt', path: `macros/generic_test_sql/${name.replace(/^test_/, '')}.sql`,
      original_file_path: `macros/generic_test_sql/${name.replace(/^test_/, '')}.sql`, unique_id: id,
      macro_sql: `{% macro ${name}(model${name === 'get_where_subquery' ? '' : ', column_name'}) %}...{% endmacro %}`,
      depends_on: { macros: [] }, description: '', meta: {}, docs: { show: true, node_color: null }, patch_path: null, arguments: [], created_at: CREATED_AT, supported_languages: null,
    };
  }

  // parent_map / child_map over nodes, sources and exposures, as dbt precomputes them.
  const parentMap: Record<string, string[]> = {};
  const childMap: Record<string, string[]> = {};
  const all = { ...nodes, ...sources, ...exposures };
  for (const id of Object.keys(all).sort()) {
    parentMap[id] = [...(all[id].depends_on?.nodes ?? [])].sort();
    childMap[id] = [];
  }
  for (const [id, parents] of Object.entries(parentMap)) for (const p of parents) childMap[p].push(id);
  for (const k of Object.keys(childMap)) childMap[k].sort();

  const manifest = {
    metadata: {
      dbt_schema_version: 'https://schemas.getdbt.com/dbt/manifest/v12.json', dbt_version: DBT_VERSION, generated_at: GENERATED_AT, invocation_id: INVOCATION_ID,
      invocation_started_at: GENERATED_AT.replace(/\d\d\.\d+Z$/, '02.000000+00:00'), env: {}, project_name: pkg, project_id: md5(pkg), user_id: null,
      send_anonymous_usage_stats: false, adapter_type: 'bigquery', quoting: { database: true, schema: true, identifier: true, column: null },
    },
    nodes: sortKeys(nodes), sources: sortKeys(sources), macros, docs: {
      'doc.dbt.__overview__': { name: '__overview__', resource_type: 'doc', package_name: 'dbt', path: 'overview.md', original_file_path: 'docs/overview.md', unique_id: 'doc.dbt.__overview__', block_contents: '### Welcome!\n\nThis is the auto-generated documentation for jaffle_gatehouse.' },
    },
    exposures: sortKeys(exposures), metrics: {}, groups: {}, selectors: {}, disabled: {}, parent_map: parentMap, child_map: childMap, group_map: {}, saved_queries: {}, semantic_models: {}, unit_tests: {},
  };
  return { manifest, runResults: buildRunResults(manifest) };
}

/** `+key` settings of dbt_project.yml's `models:` tree along a model's folders (deeper wins). */
function folderConfig(project: Json, pkg: string, folders: string[]): Json {
  let cfg: Json = {};
  let level: Json | undefined = project.models?.[pkg];
  for (const f of folders) {
    level = level?.[f];
    if (!level) break;
    for (const [k, v] of Object.entries(level)) if (k.startsWith('+')) cfg = { ...cfg, [k.slice(1)]: v };
  }
  return cfg;
}

function testSql(type: string, column: string, relation: string, extra: Json, toRelation?: string): string {
  switch (type) {
    case 'not_null':
      return `\n    \n    \n\n\n\nselect ${column}\nfrom ${relation}\nwhere ${column} is null\n\n\n`;
    case 'unique':
      return `\n    \n    \n\nselect\n    ${column} as unique_field,\n    count(*) as n_records\n\nfrom ${relation}\nwhere ${column} is not null\ngroup by ${column}\nhaving count(*) > 1\n\n\n`;
    case 'accepted_values':
      return `\n    \n    \n\nwith all_values as (\n\n    select\n        ${column} as value_field,\n        count(*) as n_records\n\n    from ${relation}\n    group by ${column}\n\n)\n\nselect *\nfrom all_values\nwhere value_field not in (\n    ${(extra.values as string[]).map((v) => `'${v}'`).join(',')}\n)\n\n\n`;
    case 'relationships':
      return `\n    \n    \n\nwith child as (\n    select ${column} as from_field\n    from ${relation}\n    where ${column} is not null\n),\n\nparent as (\n    select ${extra.field} as to_field\n    from ${toRelation}\n)\n\nselect\n    from_field\n\nfrom child\nleft join parent\n    on child.from_field = parent.to_field\n\nwhere parent.to_field is null\n\n\n`;
    default:
      throw new Error(`generic test ${type} is not supported by the generator`);
  }
}

function sortKeys(o: Json): Json {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}

/** Build order: seeds and snapshots, then models by depth, each followed by its tests (as `dbt build` does). */
function buildOrder(manifest: Json): string[] {
  const depth = new Map<string, number>();
  const depthOf = (id: string): number => {
    if (depth.has(id)) return depth.get(id)!;
    const parents: string[] = manifest.parent_map[id] ?? [];
    const d = parents.length ? 1 + Math.max(...parents.map(depthOf)) : 0;
    depth.set(id, d);
    return d;
  };
  const ids = Object.keys(manifest.nodes);
  return ids.sort((a, b) => depthOf(a) - depthOf(b) || a.localeCompare(b));
}

const ADAPTER_CODE: Record<string, string> = { view: 'CREATE VIEW', table: 'CREATE TABLE', materialized_view: 'CREATE MATERIALIZED VIEW', seed: 'INSERT', snapshot: 'MERGE', test: 'SELECT' };

/** run_results.json of a successful `dbt build` of the whole project. */
export function buildRunResults(manifest: Json): Json {
  let clock = Date.parse(manifest.metadata.generated_at) - 60_000;
  const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '000Z');
  const results = buildOrder(manifest).map((id, i) => {
    const node = manifest.nodes[id];
    const mat: string = node.config.materialized;
    const seconds = mat === 'test' ? 1.1 + (i % 5) * 0.13 : mat === 'view' ? 1.6 + (i % 3) * 0.2 : 3.4 + (i % 4) * 0.9;
    const start = clock;
    clock += Math.round(seconds * 1000);
    const bytes = mat === 'test' ? 1_048_576 * (1 + (i % 7)) : mat === 'view' ? 0 : 10_485_760 * (1 + (i % 5));
    return {
      status: mat === 'test' ? 'pass' : 'success',
      timing: [
        { name: 'compile', started_at: iso(start), completed_at: iso(start + 40) },
        { name: 'execute', started_at: iso(start + 40), completed_at: iso(clock) },
      ],
      thread_id: `Thread-${(i % 4) + 1} (worker)`,
      execution_time: seconds,
      adapter_response: {
        _message: mat === 'test' ? `SELECT (0 rows, ${bytes} processed)` : `${ADAPTER_CODE[mat] ?? 'OK'} (${bytes} processed)`,
        code: ADAPTER_CODE[mat] ?? 'OK',
        bytes_processed: bytes,
        bytes_billed: Math.max(bytes, 10_485_760),
        location: 'EU',
        project_id: BIGQUERY_PROJECT,
        job_id: `${md5(id).slice(0, 8)}-${md5(id).slice(8, 12)}-${md5(id).slice(12, 16)}-${md5(id).slice(16, 20)}-${md5(id).slice(20, 32)}`,
        slot_ms: Math.round(seconds * 850),
      },
      message: mat === 'test' ? null : `${ADAPTER_CODE[mat] ?? 'OK'} (${bytes} processed)`,
      failures: mat === 'test' ? 0 : null,
      unique_id: id,
      compiled: true,
      compiled_code: node.compiled_code ?? '',
      relation_name: node.relation_name ?? null,
      batch_results: null,
    };
  });
  return {
    metadata: { dbt_schema_version: 'https://schemas.getdbt.com/dbt/run-results/v6.json', dbt_version: DBT_VERSION, generated_at: manifest.metadata.generated_at, invocation_id: manifest.metadata.invocation_id, invocation_started_at: manifest.metadata.invocation_started_at, env: {} },
    results,
    elapsed_time: Math.round((clock - (Date.parse(manifest.metadata.generated_at) - 60_000)) / 10) / 100,
    args: { which: 'build', target: 'prod', project_dir: '/workspace/jaffle_gatehouse', profiles_dir: '/workspace/.dbt', threads: 4, select: [], exclude: [], resource_types: [], log_format: 'default', invocation_command: 'dbt build' },
  };
}

/** Writes target/manifest.json and target/run_results.json. */
export function writeArtifacts(projectDir = DEMO_PROJECT_DIR): DemoArtifacts {
  const artifacts = generateArtifacts(projectDir);
  mkdirSync(join(projectDir, 'target'), { recursive: true });
  writeFileSync(join(projectDir, 'target', 'manifest.json'), `${JSON.stringify(artifacts.manifest, null, 2)}\n`);
  writeFileSync(join(projectDir, 'target', 'run_results.json'), `${JSON.stringify(artifacts.runResults, null, 2)}\n`);
  return artifacts;
}

if (/generate-manifest\.[jt]s$/.test(process.argv[1] ?? '')) {
  const { manifest } = writeArtifacts();
  process.stdout.write(`wrote ${Object.keys(manifest.nodes).length} nodes to ${join(DEMO_PROJECT_DIR, 'target')}\n`);
}
