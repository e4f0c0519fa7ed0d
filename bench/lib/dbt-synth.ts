// Synthesizes a large manifest.json from a real one by repeating its lineage entries under new
// unique_ids (`<id>__cN`), with depends_on rewritten so each copy is its own consistent graph. Used by
// the dbt manifest benchmark and by the tests of the streaming path. parent_map/child_map are
// written empty (as dbt Fusion does), so readers must rebuild lineage from depends_on.
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';

const SECTIONS = ['nodes', 'sources', 'exposures', 'metrics', 'semantic_models', 'saved_queries', 'unit_tests', 'functions'];

export interface SynthResult {
  readonly path: string;
  readonly bytes: number;
  readonly copies: number;
  /** Enabled lineage entries by resource_type. */
  readonly counts: Record<string, number>;
}

type Obj = Record<string, unknown>;

/** Writes copies of `sourcePath`'s entries until the file reaches about `targetBytes`. */
export function synthesizeManifest(sourcePath: string, targetPath: string, targetBytes: number): SynthResult {
  const source = JSON.parse(readFileSync(sourcePath, 'utf8')) as Obj;
  const entries: [string, string, Obj][] = [];
  for (const section of SECTIONS) {
    const map = source[section];
    if (map && typeof map === 'object') for (const [id, node] of Object.entries(map as Obj)) entries.push([section, id, node as Obj]);
  }
  const ids = new Set(entries.map(([, id]) => id));
  const perCopy = entries.reduce((sum, [, , node]) => sum + JSON.stringify(node).length, 0);
  const copies = Math.max(1, Math.round(targetBytes / perCopy));

  const fd = openSync(targetPath, 'w');
  let bytes = 0;
  let pending: string[] = [];
  let pendingLength = 0;
  const write = (s: string) => {
    pending.push(s);
    pendingLength += s.length;
    if (pendingLength > 8 * 1024 * 1024) flush();
  };
  const flush = () => {
    bytes += writeSync(fd, pending.join(''));
    pending = [];
    pendingLength = 0;
  };
  const counts: Record<string, number> = {};
  try {
    write(`{"metadata":${JSON.stringify(source.metadata ?? {})}`);
    for (const section of SECTIONS) {
      if (!(section in source)) continue;
      write(`,${JSON.stringify(section)}:{`);
      let first = true;
      for (let c = 0; c < copies; c++) {
        for (const [s, id, node] of entries) {
          if (s !== section) continue;
          const suffix = `__c${c}`;
          const deps = (node.depends_on as Obj | undefined)?.nodes;
          const copy: Obj = {
            ...node,
            unique_id: id + suffix,
            name: `${String(node.name)}${suffix}`,
            original_file_path: typeof node.original_file_path === 'string' ? node.original_file_path.replace(/(\.\w+)$/, `${suffix}$1`) : node.original_file_path,
          };
          if (Array.isArray(deps)) copy.depends_on = { ...(node.depends_on as Obj), nodes: deps.map((d) => (ids.has(d as string) ? `${d}${suffix}` : d)) };
          write(`${first ? '' : ','}${JSON.stringify(id + suffix)}:${JSON.stringify(copy)}`);
          first = false;
          const type = String(node.resource_type);
          counts[type] = (counts[type] ?? 0) + 1;
        }
      }
      write('}');
    }
    for (const key of ['macros', 'docs', 'disabled', 'selectors']) if (key in source) write(`,${JSON.stringify(key)}:${JSON.stringify(source[key])}`);
    write(',"parent_map":{},"child_map":{}}');
    flush();
  } finally {
    closeSync(fd);
  }
  return { path: targetPath, bytes, copies, counts };
}
