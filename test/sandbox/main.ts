// `npm run sandbox [-- --port-idp 4000 --port-bigquery 9050 --port-airbyteProxy 9060 ... --dbt-file DIR/gatehouse-demo.duckdb
//   --direct airbyte,dbtCloud,metabase]`:
// starts every sandbox service on 127.0.0.1 (with --dbt-file, or GATEHOUSE_DBT_DUCKDB, BigQuery
// also serves what real dbt builds into that DuckDB file), prints one JSON line with the base URLs (and the VS Code user settings that point at
// them: through the identity-aware proxies, except the --direct services) when ready, and stops cleanly on SIGINT/SIGTERM.
import { SERVICE_NAMES, startSandbox, type ProxyName, type ServiceName } from './sandbox';
import { PROXIED_SERVICES } from './identityProxy';
import { PROXY_OR_DIRECT, sandboxUserSettings, type ProxyOrDirect } from './userSettings';
import { keycloakUserSettings, keycloakVerifier } from '../keycloak/keycloak';

function parsePorts(argv: string[]): Partial<Record<ServiceName | ProxyName | 'idp', number>> {
  const ports: Partial<Record<ServiceName | ProxyName | 'idp', number>> = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--port-(\w+)$/.exec(argv[i]);
    if (!m) continue;
    const name = m[1] as ServiceName | ProxyName | 'idp';
    if (name !== 'idp' && !SERVICE_NAMES.includes(name as ServiceName) && !PROXIED_SERVICES.some((s) => `${s}Proxy` === name)) throw new Error(`unknown service ${name}`);
    ports[name] = Number(argv[++i]);
  }
  return ports;
}

async function main(): Promise<void> {
  const verbose = process.argv.includes('--verbose');
  const rowsArg = process.argv.indexOf('--large-rows');
  const dbtArg = process.argv.indexOf('--dbt-file');
  // --trust-keycloak ISSUER: the services (the STS above all) trust that Keycloak realm instead of
  // the sandbox IdP, and the printed settings sign in there.
  const keycloakArg = process.argv.indexOf('--trust-keycloak');
  const keycloakIssuer = keycloakArg > 0 ? process.argv[keycloakArg + 1] : undefined;
  const sandbox = await startSandbox({
    ports: parsePorts(process.argv.slice(2)),
    largeTableRows: rowsArg > 0 ? Number(process.argv[rowsArg + 1]) : undefined,
    dbtFile: (dbtArg > 0 ? process.argv[dbtArg + 1] : undefined) ?? (process.env.GATEHOUSE_DBT_DUCKDB || undefined),
    log: (line) => (verbose ? process.stderr.write(`${line}\n`) : undefined),
    trustIdp: keycloakIssuer ? (directory) => keycloakVerifier({ issuer: keycloakIssuer }, directory) : undefined,
  });
  const directArg = process.argv.indexOf('--direct');
  const direct = directArg > 0 ? process.argv[directArg + 1].split(',').filter(Boolean) : [];
  for (const name of direct) if (!PROXY_OR_DIRECT.includes(name as ProxyOrDirect)) throw new Error(`--direct takes ${PROXY_OR_DIRECT.join(',')}, not ${name}`);
  const base = sandboxUserSettings(sandbox.urls, { direct: direct as ProxyOrDirect[] });
  const settings = keycloakIssuer ? keycloakUserSettings(keycloakIssuer, base) : base;
  process.stdout.write(`${JSON.stringify({ ready: true, ...sandbox.urls, ...(keycloakIssuer ? { keycloakIssuer } : {}), settings })}\n`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await sandbox.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err) => {
  process.stderr.write(`sandbox failed to start: ${err instanceof Error ? err.stack : err}\n`);
  process.exit(1);
});
