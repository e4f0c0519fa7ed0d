#!/usr/bin/env node
// Provisions the Keycloak distribution the Keycloak test tier runs against: the zip from the
// Maven registry through the Maven client (checksums enforced), unpacked once into a cache folder
// that survives clones (~/.cache/gatehouse/keycloak, or GATEHOUSE_KEYCLOAK_CACHE). Also finds a
// Java runtime Keycloak 26 accepts (21 or later). Prints one JSON line {home, javaHome, version}
// as its last line; exits non-zero with a message saying what is missing when it cannot.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const KEYCLOAK_VERSION = '26.5.6';
const ARTIFACT = `org.keycloak:keycloak-quarkus-dist:${KEYCLOAK_VERSION}:zip`;
const MIN_JAVA = 21;

export function cacheDir() {
  return process.env.GATEHOUSE_KEYCLOAK_CACHE || join(homedir(), '.cache', 'gatehouse', 'keycloak');
}

/** The cached distribution's folder when it is there in full, else undefined (nothing is fetched). */
export function provisionedHome() {
  const home = join(cacheDir(), `keycloak-${KEYCLOAK_VERSION}`);
  return isComplete(home) ? home : undefined;
}

function isComplete(home) {
  return existsSync(join(home, 'bin', 'kc.sh')) && existsSync(join(home, 'lib', 'quarkus-run.jar'));
}

function javaMajor(javaHome) {
  try {
    const release = readFileSync(join(javaHome, 'release'), 'utf8');
    const m = /^JAVA_VERSION="(\d+)/m.exec(release);
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** GATEHOUSE_KEYCLOAK_JAVA_HOME, else JAVA_HOME when new enough, else the newest JDK under /usr/lib/jvm. */
export function findJavaHome() {
  const candidates = [process.env.GATEHOUSE_KEYCLOAK_JAVA_HOME, process.env.JAVA_HOME].filter(Boolean);
  try {
    const jvms = readdirSync('/usr/lib/jvm').map((d) => join('/usr/lib/jvm', d));
    candidates.push(...jvms.sort((a, b) => javaMajor(b) - javaMajor(a)));
  } catch {
    // no system JVMs
  }
  return candidates.find((home) => javaMajor(home) >= MIN_JAVA && existsSync(join(home, 'bin', 'java')));
}

function run(cmd, args) {
  // The tools' output goes to stderr: stdout carries only the result line.
  const r = spawnSync(cmd, args, { stdio: ['ignore', 2, 2] });
  if (r.error) throw new Error(`${cmd} could not be run: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
}

export function provisionKeycloak() {
  const javaHome = findJavaHome();
  if (!javaHome) throw new Error(`no Java ${MIN_JAVA}+ found (set GATEHOUSE_KEYCLOAK_JAVA_HOME); Keycloak ${KEYCLOAK_VERSION} needs it`);
  const cache = cacheDir();
  const home = join(cache, `keycloak-${KEYCLOAK_VERSION}`);
  if (!isComplete(home)) {
    mkdirSync(cache, { recursive: true });
    const work = mkdtempSync(join(cache, '.download-'));
    try {
      process.stderr.write(`keycloak: fetching ${ARTIFACT} with the Maven client\n`);
      // -C: fail on a checksum mismatch instead of warning.
      run('mvn', ['-B', '-q', '-C', 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy', `-Dartifact=${ARTIFACT}`, `-DoutputDirectory=${work}`]);
      run('unzip', ['-q', join(work, `keycloak-quarkus-dist-${KEYCLOAK_VERSION}.zip`), '-d', work]);
      const unpacked = join(work, `keycloak-${KEYCLOAK_VERSION}`);
      if (!isComplete(unpacked)) throw new Error(`the Keycloak zip did not contain keycloak-${KEYCLOAK_VERSION}/bin/kc.sh`);
      // A rename is atomic: a parallel run either sees the whole home or none.
      if (!isComplete(home)) {
        rmSync(home, { recursive: true, force: true });
        renameSync(unpacked, home);
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  return { home, javaHome, version: KEYCLOAK_VERSION };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    process.stdout.write(`${JSON.stringify(provisionKeycloak())}\n`);
  } catch (err) {
    process.stderr.write(`keycloak: cannot provision Keycloak ${KEYCLOAK_VERSION}: ${err.message}\n`);
    process.exit(1);
  }
}
