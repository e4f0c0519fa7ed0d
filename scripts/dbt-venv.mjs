#!/usr/bin/env node
// Real dbt (dbt-core with the dbt-duckdb adapter) in a virtual environment at .venv-dbt/, for the
// demo and the integration tests. Pinned in scripts/dbt-requirements.txt; the environment is
// rebuilt only when that file changes (its hash is kept in .venv-dbt/.requirements-hash), so CI
// and `npm run demo` pay for the install once per machine. Prints the dbt executable's path as
// its last line.
//   node scripts/dbt-venv.mjs [--quiet]
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const VENV = join(ROOT, '.venv-dbt');
const REQUIREMENTS = join(ROOT, 'scripts', 'dbt-requirements.txt');
const STAMP = join(VENV, '.requirements-hash');
export const DBT_EXECUTABLE = join(VENV, process.platform === 'win32' ? 'Scripts/dbt.exe' : 'bin/dbt');
const PYTHON_IN_VENV = join(VENV, process.platform === 'win32' ? 'Scripts/python.exe' : 'bin/python');

const say = (line) => process.stderr.write(`[dbt-venv] ${line}\n`);

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  return r.status === 0;
}

/** The first Python 3.11 found (dbt 1.11 supports 3.9-3.13; the pins are tested on 3.11). */
function findPython() {
  for (const candidate of [process.env.GATEHOUSE_DBT_PYTHON, 'python3.11', 'python3']) {
    if (!candidate) continue;
    const r = spawnSync(candidate, ['-c', 'import sys, venv; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8' });
    if (r.status === 0) return { python: candidate, version: r.stdout.trim() };
  }
  return undefined;
}

export function ensureDbtVenv() {
  const wanted = createHash('sha256').update(readFileSync(REQUIREMENTS)).digest('hex');
  if (existsSync(DBT_EXECUTABLE) && existsSync(STAMP) && readFileSync(STAMP, 'utf8').trim() === wanted) return DBT_EXECUTABLE;
  const found = findPython();
  if (!found) throw new Error('no Python 3 with venv found (set GATEHOUSE_DBT_PYTHON to one)');
  say(`creating .venv-dbt with ${found.python} (Python ${found.version}) from scripts/dbt-requirements.txt…`);
  rmSync(VENV, { recursive: true, force: true });
  if (!run(found.python, ['-m', 'venv', VENV])) throw new Error('python -m venv failed');
  if (!run(PYTHON_IN_VENV, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', REQUIREMENTS])) {
    rmSync(VENV, { recursive: true, force: true });
    throw new Error('pip install of scripts/dbt-requirements.txt failed');
  }
  if (!run(DBT_EXECUTABLE, ['--version'])) throw new Error('the installed dbt does not start');
  writeFileSync(STAMP, `${wanted}\n`);
  return DBT_EXECUTABLE;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    process.stdout.write(`${ensureDbtVenv()}\n`);
  } catch (err) {
    say(err.message);
    process.exit(1);
  }
}
