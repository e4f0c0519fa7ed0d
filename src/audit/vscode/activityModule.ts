// The Activity view and its commands: filter, clear filter, refresh, open a record's resource or
// job in its service, and "Export audit trail" (JSON Lines or CSV) of what the viewer sees.
import * as vscode from 'vscode';
import { safe } from '../../core/displayText';
import type { AuditTrail } from '../auditTrail';
import type { Event } from '../../core/event';
import type { Viewer } from '../activity';
import { formatAudit, type AuditExportFormat } from '../auditExport';
import { recordAccess } from '../recordAccess';
import { ActivityTreeDataProvider, type ActivityNode } from './activityTreeDataProvider';

export interface ActivityModuleDeps {
  trail: AuditTrail;
  viewer: () => Viewer | undefined;
  onDidChangeViewer: Event<unknown>;
}

/** gatehouse.audit.sharedMachine, from machine scope only (a workspace cannot widen who sees what). */
function sharedMachine(): boolean {
  const i = vscode.workspace.getConfiguration('gatehouse').inspect<boolean>('audit.sharedMachine');
  return (i?.globalValue ?? i?.defaultValue) === true;
}

export function createActivityModule(deps: ActivityModuleDeps) {
  const tree = new ActivityTreeDataProvider({ ...deps, sharedMachine });
  const view = vscode.window.createTreeView('gatehouse.activity', { treeDataProvider: tree });

  const exportTrail = async (target?: vscode.Uri | string): Promise<vscode.Uri | undefined> => {
    const uri =
      typeof target === 'string'
        ? vscode.Uri.file(target)
        : target ??
          (await vscode.window.showSaveDialog({
            title: vscode.l10n.t('Export audit trail'),
            saveLabel: vscode.l10n.t('Export'),
            filters: { 'JSON Lines': ['jsonl'], CSV: ['csv'] },
            defaultUri: vscode.Uri.file(`gatehouse-audit-${new Date().toISOString().slice(0, 10)}.jsonl`),
          }));
    if (!uri) return undefined;
    const format: AuditExportFormat = uri.path.toLowerCase().endsWith('.csv') ? 'csv' : 'jsonl';
    const records = (await tree.visibleRecords()).reverse();
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(formatAudit(records, format)));
    // Who took a copy of the trail, and of whose records, is itself part of the trail.
    await recordAccess(
      { audit: deps.trail, actor: deps.viewer },
      { credential: 'idp-id-token', service: 'audit', action: 'export-audit-trail', resource: sharedMachine() ? 'audit-trail/all' : 'audit-trail/own', resourceName: `${records.length} records as ${format.toUpperCase()}`, outcome: 'succeeded' },
    );
    void vscode.window.showInformationMessage(safe`Exported ${records.length} audit ${records.length === 1 ? 'entry' : 'entries'}.`);
    return uri;
  };

  const disposables: vscode.Disposable[] = [
    tree,
    view,
    vscode.commands.registerCommand('gatehouse.activity.refresh', () => tree.refresh()),
    vscode.commands.registerCommand('gatehouse.activity.filter', async (text?: string) => {
      const value = typeof text === 'string' ? text : await vscode.window.showInputBox({ title: vscode.l10n.t('Filter activity'), prompt: vscode.l10n.t('Words to match in service, action, resource, outcome or job id'), value: tree.filter });
      if (value !== undefined) tree.setFilter(value);
    }),
    vscode.commands.registerCommand('gatehouse.activity.clearFilter', () => tree.setFilter('')),
    vscode.commands.registerCommand('gatehouse.activity.export', exportTrail),
    vscode.commands.registerCommand('gatehouse.activity.open', async (node?: ActivityNode) => {
      const link = node?.kind === 'record' ? node.record.link : undefined;
      if (!link) return false;
      return vscode.env.openExternal(vscode.Uri.parse(link, true));
    }),
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('gatehouse.audit.sharedMachine') && tree.refresh()),
  ];
  void vscode.commands.executeCommand('setContext', 'gatehouse.activity.filtered', false);

  return {
    dispose: () => disposables.forEach((d) => d.dispose()),
    testing: { tree, view, exportTrail },
  };
}
