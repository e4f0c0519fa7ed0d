// dbt_project.yml: the few top-level keys Gatehouse needs (name, profile, target-path,
// model/seed/snapshot paths), read with a YAML parser so block and flow lists, quoted keys and
// values, anchors and multi-line scalars mean what they mean to dbt. Only those keys are read;
// values dbt would render (Jinja) are not evaluated: dbt's defaults apply and the key is reported.
import * as path from 'node:path';
import { parseDocument } from 'yaml';

export interface DbtProjectConfig {
  readonly name?: string;
  readonly profile?: string;
  /** As written (relative to the project, or absolute); `target` when absent or not a plain string. */
  readonly targetPath: string;
  readonly modelPaths: readonly string[];
  readonly seedPaths: readonly string[];
  readonly snapshotPaths: readonly string[];
  /** Keys whose value could not be used (Jinja, wrong type), for the log. */
  readonly ignored: readonly string[];
  /** Why the file could not be read as YAML (defaults apply), for the log and the tree. */
  readonly problem?: string;
}

type YamlValue = string | string[] | undefined;

const MAX_PROJECT_FILE_CHARS = 1_000_000;

/**
 * Top-level keys of a YAML mapping as a scalar (string form) or a list of scalars; anything else
 * (a nested mapping, a list of mappings) as undefined. Throws a message on broken YAML.
 */
export function readTopLevelYaml(text: string): Map<string, YamlValue> {
  if (text.length > MAX_PROJECT_FILE_CHARS) throw new Error(`the file is larger than ${MAX_PROJECT_FILE_CHARS / 1_000_000} MB`);
  // uniqueKeys reports a key written twice; maxAliasCount bounds "billion laughs" documents.
  const doc = parseDocument(text.replace(/^\uFEFF/, ''), { uniqueKeys: true });
  if (doc.errors.length) {
    const e = doc.errors[0];
    throw new Error(`${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}${e.linePos ? ` (line ${e.linePos[0].line})` : ''}`);
  }
  // mapAsMap: a key that is itself a mapping (unquoted Jinja) stays a Map key, not a warning.
  const root: unknown = doc.toJS({ maxAliasCount: 100, mapAsMap: true });
  const out = new Map<string, YamlValue>();
  if (root === null || root === undefined) return out;
  if (!(root instanceof Map)) throw new Error('the file is not a YAML mapping of keys');
  const plain = (v: unknown): string | undefined => (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined);
  for (const [key, value] of root as Map<unknown, unknown>) {
    if (typeof key !== 'string') continue;
    if (Array.isArray(value)) {
      const items = value.map(plain);
      out.set(key, items.every((i): i is string => i !== undefined) ? items : undefined);
    } else out.set(key, plain(value));
  }
  return out;
}

export function parseDbtProjectConfig(text: string): DbtProjectConfig {
  let yaml: Map<string, YamlValue>;
  let problem: string | undefined;
  try {
    yaml = readTopLevelYaml(text);
  } catch (err) {
    yaml = new Map();
    problem = `dbt_project.yml is not valid YAML: ${err instanceof Error ? err.message : String(err)}`;
  }
  const ignored: string[] = [];
  const jinja = (v: string) => v.includes('{{') || v.includes('{%');
  const scalar = (key: string): string | undefined => {
    if (!yaml.has(key)) return undefined;
    const v = yaml.get(key);
    if (typeof v !== 'string' || v === '' || jinja(v)) {
      ignored.push(key);
      return undefined;
    }
    return v;
  };
  const list = (key: string, fallback: string): string[] => {
    if (!yaml.has(key)) return [fallback];
    const v = yaml.get(key);
    const items = v === undefined ? [] : (Array.isArray(v) ? v : [v]).filter((s) => s !== '' && !jinja(s));
    if (items.length === 0) {
      ignored.push(key);
      return [fallback];
    }
    return items;
  };
  return {
    name: scalar('name'),
    profile: scalar('profile'),
    targetPath: scalar('target-path') ?? 'target',
    modelPaths: list('model-paths', 'models'),
    seedPaths: list('seed-paths', 'seeds'),
    snapshotPaths: list('snapshot-paths', 'snapshots'),
    ignored,
    ...(problem ? { problem } : {}),
  };
}

export interface DbtProjectLocation {
  /** Stable key of the project: its folder, absolute. */
  readonly key: string;
  readonly dir: string;
  readonly targetDir: string;
  readonly manifestPath: string;
  readonly runResultsPath: string;
}

/**
 * Where a project's artifacts are. `DBT_TARGET_PATH` wins over dbt_project.yml, as in dbt itself
 * (the `--target-path` flag is per invocation and not knowable here).
 */
export function locateArtifacts(projectFile: string, config: DbtProjectConfig, env: Record<string, string | undefined> = {}): DbtProjectLocation {
  const dir = path.dirname(projectFile);
  const target = env.DBT_TARGET_PATH?.trim() || config.targetPath;
  const targetDir = path.resolve(dir, target);
  return { key: dir, dir, targetDir, manifestPath: path.join(targetDir, 'manifest.json'), runResultsPath: path.join(targetDir, 'run_results.json') };
}

/** dbt_project.yml files of installed packages and build output are not workspace projects. */
export function isWorkspaceProjectFile(projectFile: string): boolean {
  const segments = projectFile.split(/[\\/]+/);
  return !segments.some((s) => s === 'dbt_packages' || s === 'dbt_modules' || s === 'node_modules' || s === 'dbt_internal_packages');
}
