// package.json as VS Code shows it: every %key% replaced by its English text from package.nls.json.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './shared';

export function readPackageJson<T = any>(): T {
  const nlsPath = join(repoRoot, 'package.nls.json');
  const nls = existsSync(nlsPath) ? (JSON.parse(readFileSync(nlsPath, 'utf8')) as Record<string, string>) : {};
  return JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'), (_k, v) => {
    if (typeof v !== 'string') return v;
    const m = /^%([^%\s]+)%$/.exec(v);
    return m && typeof nls[m[1]] === 'string' ? nls[m[1]] : v;
  }) as T;
}
