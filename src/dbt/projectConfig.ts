// dbt_project.yml: the few top-level keys Gatehouse needs (name, target-path, model/seed/snapshot
// paths). A tiny reader for top-level scalars and lists instead of a YAML library: these keys are
// always plain scalars or flat lists, and the extension bundle stays small. Anything else in the
// file (nested configs, anchors, Jinja) is skipped, not interpreted.
import * as path from 'node:path';

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
}

type YamlValue = string | string[] | undefined;

/** Top-level `key: value` pairs; values are a scalar, a flow list `[a, "b"]` or a block list. */
export function readTopLevelYaml(text: string): Map<string, YamlValue> {
  const out = new Map<string, YamlValue>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const m = /^([A-Za-z_][\w-]*)\s*:(?:\s+(.*))?$/.exec(stripComment(lines[i]).trimEnd());
    if (!m) continue;
    const key = m[1];
    const rest = (m[2] ?? '').trim();
    if (rest === '' || rest === '|' || rest === '>') {
      // A block list follows as `- item` lines indented (or not) below the key.
      const items: string[] = [];
      let j = i + 1;
      for (; j < lines.length; j++) {
        const line = stripComment(lines[j]).trimEnd();
        if (line.trim() === '') continue;
        const item = /^\s*-\s+(.*)$/.exec(line);
        if (!item) break;
        items.push(unquote(item[1].trim()));
      }
      out.set(key, items.length ? items : undefined);
      if (items.length) i = j - 1;
    } else if (rest.startsWith('[')) {
      out.set(key, rest.endsWith(']') ? splitFlowList(rest.slice(1, -1)) : undefined);
    } else {
      out.set(key, unquote(rest));
    }
  }
  return out;
}

export function parseDbtProjectConfig(text: string): DbtProjectConfig {
  const yaml = readTopLevelYaml(text);
  const ignored: string[] = [];
  const scalar = (key: string): string | undefined => {
    const v = yaml.get(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v === '' || v.includes('{{') || v.includes('{%')) {
      ignored.push(key);
      return undefined;
    }
    return v;
  };
  const list = (key: string, fallback: string): string[] => {
    const v = yaml.get(key);
    if (v === undefined) return [fallback];
    const items = (Array.isArray(v) ? v : [v]).filter((s) => s !== '' && !s.includes('{{'));
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

function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]))) return line.slice(0, i);
  }
  return line;
}

function unquote(s: string): string {
  if (s.length >= 2 && ((s.startsWith('"') && s.endsWith('"')) || (s.startsWith("'") && s.endsWith("'")))) return s.slice(1, -1);
  return s;
}

function splitFlowList(body: string): string[] {
  const items: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (const c of body) {
    if (quote) {
      if (c === quote) quote = undefined;
      current += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      current += c;
    } else if (c === ',') {
      items.push(current);
      current = '';
    } else current += c;
  }
  items.push(current);
  return items.map((s) => unquote(s.trim())).filter((s) => s !== '');
}
