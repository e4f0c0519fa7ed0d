// The team's shared folder (reference specs, real dbt manifests) sits beside the repository, on
// developer machines and in CI alike. Tests and benchmarks find it here, never by absolute path.
import { existsSync } from 'node:fs';
import * as path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

export function sharedDir(): string {
  const dir = process.env.GATEHOUSE_SHARED_DIR ?? path.resolve(REPO_ROOT, '..', 'shared');
  if (!existsSync(dir)) {
    throw new Error(`The shared folder was not found at ${dir}: clone the repository beside it or set GATEHOUSE_SHARED_DIR.`);
  }
  return dir;
}

export function sharedPath(...parts: string[]): string {
  const p = path.join(sharedDir(), ...parts);
  if (!existsSync(p)) throw new Error(`Missing shared file ${p}.`);
  return p;
}

export const repoRoot = REPO_ROOT;
