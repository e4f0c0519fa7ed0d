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
import { RoleModel } from './policy/roleModel';
import type { GroupRoleMapping } from './policy/roles';
import { outputChannelSink } from './views/logSink';
import { ActivityTreeDataProvider } from './views/activityTreeDataProvider';
import { createAuth } from './auth/vscode/authModule';
import type { FeatureModule, ModuleDeps } from './moduleDeps';
import { createAirbyteModule } from './airbyte/airbyteModule';
// modules:imports (one line per feature module, keep this anchor)
import { createLookerModule } from './looker/lookerModule';
import { createMetabaseModule } from './metabase/metabaseModule';
import { createDbtModule } from './dbt/dbtModule';
import { createBigQueryModule } from './bigquery/bigQueryModule';
import { createResultsModule } from './panels/resultsModule';

export interface GatehouseApi {
  /** Present only when the extension runs in test mode (integration tests). */
  readonly testing?: Record<string, unknown>;
}

export function activate(context: vscode.ExtensionContext): GatehouseApi {
  const channel = vscode.window.createOutputChannel('Gatehouse', { log: true });
  const secrets = new SecretRegistry();
  const logger = new RedactingLogger(outputChannelSink(channel), secrets);
  const sessionScope = new DisposableStore();
  context.subscriptions.push(channel, sessionScope, vscode.commands.registerCommand('gatehouse.showLog', () => channel.show()));

  const audit = new AuditTrail(new FileAuditSink(path.join(context.globalStorageUri.fsPath, 'audit.jsonl')), secrets);
  const activity = new ActivityTreeDataProvider(audit);
  context.subscriptions.push({ dispose: () => audit.dispose() }, activity, vscode.window.registerTreeDataProvider('gatehouse.activity', activity));

  const auth = createAuth({ context, logger, secrets, sessionScope });
  const roles = new RoleModel(auth.broker, () => vscode.workspace.getConfiguration('gatehouse').get<GroupRoleMapping>('roles.mapping', {}));
  context.subscriptions.push(
    auth,
    roles,
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('gatehouse.roles.mapping') && roles.recompute()),
    roles.onDidChange((r) => void vscode.commands.executeCommand('setContext', 'gatehouse.roles', [...r])),
  );

  const deps: ModuleDeps = { context, logger, secrets, sessionScope, audit, auth, roles };
  void deps; // used by the module lines below as they land
  // The results panel is shared: modules that show rows receive its presenter.
  const results = createResultsModule(deps);
  const modules: Record<string, FeatureModule> = {
    // e.g. airbyte: createAirbyteModule(deps),
    airbyte: createAirbyteModule(deps),
    // modules:create (one line per feature module, keep this anchor)
    looker: createLookerModule(deps, results.presenter),
    metabase: createMetabaseModule(deps, results.presenter),
    dbt: createDbtModule(deps),
    bigquery: createBigQueryModule(deps, results.presenter),
    results,
  };
  context.subscriptions.push(...Object.values(modules));

  // Views whose module has not landed yet show their welcome content (an empty tree). A module
  // that provides a view removes it from this list.
  const unclaimedViews: string[] = [];
  for (const view of unclaimedViews) {
    context.subscriptions.push(vscode.window.registerTreeDataProvider(view, { getChildren: () => [], getTreeItem: (e: vscode.TreeItem) => e }));
  }

  logger.info(`Gatehouse ${context.extension.packageJSON.version} activated in VS Code ${vscode.version} (${vscode.env.appHost})`);
  if (context.extensionMode !== vscode.ExtensionMode.Test) return {};
  const testing = Object.fromEntries(Object.entries(modules).map(([k, m]) => [k, m.testing]));
  return { testing: { auth: auth.testing, audit, roles, ...testing } };
}

export function deactivate(): void {}
