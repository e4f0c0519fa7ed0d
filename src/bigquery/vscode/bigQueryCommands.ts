// BigQuery commands: ids mapped to handlers, nothing else. The handlers live with the module.
import * as vscode from 'vscode';

export type BigQueryCommandId =
  | 'runStatement'
  | 'runSelection'
  | 'runFile'
  | 'estimate'
  | 'cancel'
  | 'refresh'
  | 'filter'
  | 'clearFilter'
  | 'loadMore'
  | 'copyName'
  | 'openInConsole'
  | 'previewTable'
  | 'queryTable'
  | 'history.refresh'
  | 'history.open'
  | 'history.rerun'
  | 'history.openJob'
  | 'history.copyJobId'
  | 'history.clear';

export type BigQueryCommandHandlers = Record<BigQueryCommandId, (...args: any[]) => unknown>;

export function registerBigQueryCommands(handlers: BigQueryCommandHandlers): vscode.Disposable[] {
  return Object.entries(handlers).map(([id, handler]) => vscode.commands.registerCommand(`gatehouse.bigquery.${id}`, handler));
}
