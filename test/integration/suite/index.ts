// Entry point VS Code's extension host calls (extensionTestsPath). Runs every compiled
// *.test.js beside this file with mocha and rejects when a test fails or none ran.
import * as path from 'node:path';
import * as fs from 'node:fs';
import Mocha from 'mocha';

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec' });
  const grep = process.env.GATEHOUSE_TEST_GREP;
  if (grep) mocha.grep(grep);
  // GATEHOUSE_BENCH=1 runs the benchmarks (*.bench.js) instead of the tests.
  const suffix = process.env.GATEHOUSE_BENCH === '1' ? '.bench.js' : '.test.js';
  // keycloak/: only in the Keycloak tier, whose runner names the Keycloak issuer; locale/: only in
  // a run in another display language (run.mjs --locale sets GATEHOUSE_LOCALE).
  const only = {
    keycloak: Boolean((JSON.parse(process.env.GATEHOUSE_SANDBOX_URLS ?? '{}') as { keycloakIssuer?: string }).keycloakIssuer),
    locale: Boolean(process.env.GATEHOUSE_LOCALE),
  };
  const files = walk(__dirname)
    .filter((f) => f.endsWith(suffix))
    .filter((f) => Object.entries(only).every(([folder, on]) => on || !path.relative(__dirname, f).startsWith(`${folder}${path.sep}`)))
    .sort();
  for (const f of files) mocha.addFile(f);
  await new Promise<void>((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const passed = runner.stats?.passes ?? 0;
      // A plain summary line the outer runner reads back (stdout of the extension host is not ours).
      console.log(`GATEHOUSE_RESULT ${JSON.stringify({ passed, failed: failures, vscode: require('vscode').version })}`);
      if (failures > 0) reject(new Error(`${failures} integration test(s) failed`));
      else if (passed === 0) reject(new Error('no integration test ran'));
      else resolve();
    });
  });
}

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)],
  );
}
