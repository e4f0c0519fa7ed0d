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
import { outputChannelSink } from './views/logSink';
import { ActivityTreeDataProvider } from './views/activityTreeDataProvider';
import { createAuth } from './auth/vscode/authModule';

export interface GatehouseApi {
  /** Present only when the extension runs in test mode (integration tests). */
  readonly testing?: Record<string, unknown>;
}

export function activate(context: vscode.ExtensionContext): GatehouseApi {
  const channel = vscode.window.createOutputChannel('Gatehouse', { log: true });
  const secrets = new SecretRegistry();
  const logger = new RedactingLogger(outputChannelSink(channel), secrets);
  const sessionScope = new DisposableStore();
  context.subscriptions.push(channel, sessionScope);

  const audit = new AuditTrail(new FileAuditSink(path.join(context.globalStorageUri.fsPath, 'audit.jsonl')), secrets);
  const activity = new ActivityTreeDataProvider(audit);
  context.subscriptions.push(
    { dispose: () => audit.dispose() },
    activity,
    vscode.window.registerTreeDataProvider('gatehouse.activity', activity),
    vscode.commands.registerCommand('gatehouse.showLog', () => channel.show()),
  );

  const auth = createAuth({ context, logger, secrets, sessionScope });
  context.subscriptions.push(auth);

  // Views whose services are not connected yet show their welcome content (an empty tree).
  for (const view of ['gatehouse.bigquery', 'gatehouse.dbt', 'gatehouse.airbyte', 'gatehouse.looker', 'gatehouse.metabase']) {
    context.subscriptions.push(vscode.window.registerTreeDataProvider(view, { getChildren: () => [], getTreeItem: (e: vscode.TreeItem) => e }));
  }

  logger.info(`Gatehouse ${context.extension.packageJSON.version} activated in VS Code ${vscode.version} (${vscode.env.appHost})`);
  return context.extensionMode === vscode.ExtensionMode.Test ? { testing: { auth: auth.testing, audit } } : {};
}

export function deactivate(): void {}
