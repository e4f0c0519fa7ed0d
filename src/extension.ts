// Composition root: builds the services and hands them to the views and commands that use them.
// No decisions live here. Two lifetimes: `context.subscriptions` (the extension) and
// `sessionScope` (the signed-in session, cleared on sign-out).
import * as vscode from 'vscode';
import * as path from 'node:path';
import { SecretRegistry } from './core/redact';
import { RedactingLogger } from './core/logger';
import { DisposableStore } from './core/disposable';
import { AuditTrail } from './audit/auditTrail';
import { FileAuditSink } from './audit/fileAuditSink';
import { ServiceIdentities } from './audit/serviceIdentity';
import { RoleModel } from './policy/roleModel';
import { PolicyContext, readAccessPolicy } from './policy/vscode/policyContext';
import { registerExplainAccess } from './policy/vscode/explainAccess';
import { ResourceExplainers } from './policy/accessExplanation';
import { outputChannelSink } from './vscode/logSink';
import { installTranslator } from './vscode/l10n';
import { createActivityModule } from './audit/vscode/activityModule';
import { auditSessions } from './audit/sessionAudit';
import { createOtlpModule } from './audit/vscode/otlpModule';
import { createAuth } from './auth/vscode/authModule';
import type { FeatureModule, ModuleDeps } from './vscode/moduleDeps';
import { createAirbyteModule } from './airbyte/vscode/airbyteModule';
import { createLookerModule } from './looker/vscode/lookerModule';
import { createMetabaseModule } from './metabase/vscode/metabaseModule';
import { createDbtModule } from './dbt/vscode/dbtModule';
import { bigQueryPreviewRunner } from './dbt/modelPreview';
import type { BigQueryClient } from './bigquery/client';
import type { ResultsPresenter } from './results/resultsPresenter';
import { createBigQueryModule } from './bigquery/vscode/bigQueryModule';
import { createResultsModule } from './results/vscode/resultsModule';

export interface GatehouseApi {
  /** Present only when the extension runs in test mode (integration tests). */
  readonly testing?: Record<string, unknown>;
}

export function activate(context: vscode.ExtensionContext): GatehouseApi {
  context.subscriptions.push(installTranslator());
  const channel = vscode.window.createOutputChannel('Gatehouse', { log: true });
  const secrets = new SecretRegistry();
  const logger = new RedactingLogger(outputChannelSink(channel), secrets);
  const sessionScope = new DisposableStore();
  context.subscriptions.push(channel, sessionScope, vscode.commands.registerCommand('gatehouse.showLog', () => channel.show()));

  const audit = new AuditTrail(new FileAuditSink(path.join(context.globalStorageUri.fsPath, 'audit.jsonl')), secrets);
  context.subscriptions.push({ dispose: () => audit.dispose() });
  const otlp = createOtlpModule({ context, trail: audit, logger, secrets });
  context.subscriptions.push(otlp);
  flushOnDeactivate = otlp.shutdown;

  const identities = new ServiceIdentities();
  context.subscriptions.push({ dispose: () => identities.dispose() });
  const auth = createAuth({ context, logger, secrets, sessionScope, identities });
  const activity = createActivityModule({ trail: audit, viewer: () => auth.broker.currentIdentity(), onDidChangeViewer: auth.broker.onDidChangeSession });
  context.subscriptions.push(activity, auditSessions(auth.broker, audit, (err) => logger.error('could not write the audit record of a session change', err)));
  const roles = new RoleModel(auth.broker, () => readAccessPolicy(logger));
  const policyContext = new PolicyContext(roles);
  const explainers = new ResourceExplainers();
  context.subscriptions.push(auth, roles, policyContext, registerExplainAccess({ roles, identity: () => auth.broker.currentIdentity(), explainers }));

  const deps: ModuleDeps = { context, logger, secrets, sessionScope, audit, auth, roles, explainers, identities };
  // The results panel is shared: modules that show rows receive its presenter.
  const results = createResultsModule(deps);
  const bigquery = createBigQueryModule(deps, results.presenter, results.restorers);
  const modules: Record<string, FeatureModule> = {
    results,
    bigquery,
    // dbt previews a model's compiled SQL on BigQuery with the session's BigQuery client.
    dbt: createDbtModule(deps, { preview: () => dbtPreview(bigquery.client(), results.presenter) }),
    airbyte: createAirbyteModule(deps),
    looker: createLookerModule(deps, results.presenter),
    metabase: createMetabaseModule(deps, results.presenter),
  };
  context.subscriptions.push(...Object.values(modules));

  logger.info(`Gatehouse ${context.extension.packageJSON.version} activated in VS Code ${vscode.version} (${vscode.env.appHost})`);
  if (context.extensionMode !== vscode.ExtensionMode.Test) return {};
  const testing = Object.fromEntries(Object.entries(modules).map(([k, m]) => [k, m.testing]));
  return { testing: { auth: auth.testing, audit, otlp: otlp.testing, activity: activity.testing, roles, policyContext, identities, ...testing } };
}

// deactivate() cannot reach activate()'s scope; the one thing it must wait for is the audit
// export's last flush, so what was done just before closing still reaches the collector.
let flushOnDeactivate: (() => Promise<void>) | undefined;

export function deactivate(): Promise<void> | undefined {
  return flushOnDeactivate?.();
}

function dbtPreview(client: BigQueryClient | undefined, presenter: ResultsPresenter) {
  return client && { runner: bigQueryPreviewRunner(() => client), presenter };
}
