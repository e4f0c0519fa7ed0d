// The TypeScript sources below a folder, for the tests that read our code (layout, lints).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every .ts file below `dir` (declaration files aside), depth first; none when `dir` is missing. */
export function listTs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return listTs(p);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [p] : [];
  });
}
