// `npx tsx test/keycloak/main.ts [--host 127.0.0.2] [--verbose]`: starts the test realm's Keycloak (see keycloak.ts), prints one
// JSON line {ready, url, issuer, startupMs} when it answers, and stops it on SIGINT/SIGTERM. The
// test runner starts it once for the Keycloak tier (plain Node and VS Code suites share it) and
// `npm run demo -- --idp keycloak` uses it too. GATEHOUSE_KEYCLOAK_URL reuses a running one.
import { startKeycloak } from './keycloak';

async function main(): Promise<void> {
  const verbose = process.argv.includes('--verbose');
  const hostArg = process.argv.indexOf('--host');
  const kc = await startKeycloak({ host: hostArg > 0 ? process.argv[hostArg + 1] : undefined, log: (line) => (verbose ? process.stderr.write(`${line}\n`) : undefined) });
  process.stdout.write(`${JSON.stringify({ ready: true, url: kc.url, issuer: kc.issuer, startupMs: kc.startupMs })}\n`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await kc.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err) => {
  process.stderr.write(`Keycloak did not start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
