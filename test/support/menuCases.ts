// The tree items of every Gatehouse view, by the contextValue its TreeDataProvider gives them,
// and which capability each gated command needs. Shared by the unit test of package.json menus and
// the VS Code test that evaluates them against the context keys the running extension set.
import type { Context, MenuEntry } from './whenClause';
import { visibleCommands } from './whenClause';

export const VIEW_ITEMS: Record<string, readonly string[]> = {
  'gatehouse.bigquery': [
    'bigquery.project', 'bigquery.dataset', 'bigquery.table.table', 'bigquery.table.view', 'bigquery.table.materialized_view',
    'bigquery.table.external', 'bigquery.routine', 'bigquery.column', 'bigquery.loadMore', 'bigquery.message.error',
  ],
  'gatehouse.bigqueryHistory': ['bigquery.history.group.today', 'bigquery.history.local', 'bigquery.history.local.job', 'bigquery.history.job', 'bigquery.history.job.noQuery'],
  'gatehouse.dbt': [
    'dbtProject', 'dbtMessage:error', 'dbtSection:models', 'dbtGroup', 'dbtCloud', 'dbtNode:model', 'dbtNode:model:compiled', 'dbtNode:seed',
    'dbtNode:source', 'dbtNode:test', 'dbtNode:snapshot', 'dbtCloudJob', 'dbtCloudJob:hasRun', 'dbtCloudJob:running:hasRun',
  ],
  'gatehouse.airbyte': [
    'airbyteWorkspace', 'airbyteMessage', 'airbyteConnection.active', 'airbyteConnection.active.running', 'airbyteConnection.disabled',
    'airbyteJob.running', 'airbyteJob.done',
  ],
  'gatehouse.looker': ['lookerFolder', 'lookerLook', 'lookerDashboard', 'lookerElement', 'lookerMessage'],
  'gatehouse.metabase': ['metabaseCollection', 'metabaseCard.question', 'metabaseCard.model', 'metabaseDashboard', 'metabaseDashcard', 'metabaseMessage'],
  'gatehouse.activity': ['gatehouse.auditDay', 'gatehouse.auditRecord', 'gatehouse.auditRecord.link'],
};

/** Commands a person may only be offered with the capability. */
export const GATED: Record<string, string> = {
  'gatehouse.dbt.run': 'dbt.run',
  'gatehouse.dbt.build': 'dbt.run',
  'gatehouse.dbt.test': 'dbt.run',
  'gatehouse.dbt.compile': 'dbt.run',
  'gatehouse.dbtCloud.triggerRun': 'dbtCloud.trigger',
  'gatehouse.dbtCloud.cancelRun': 'dbtCloud.cancel',
  'gatehouse.airbyte.syncNow': 'airbyte.sync',
  'gatehouse.airbyte.reset': 'airbyte.reset',
  'gatehouse.airbyte.cancelJob': 'airbyte.cancel',
  'gatehouse.looker.runLook': 'looker.run',
  'gatehouse.looker.runTile': 'looker.run',
  'gatehouse.metabase.runQuestion': 'metabase.run',
  'gatehouse.bigquery.previewTable': 'bigquery.preview',
  'gatehouse.bigquery.queryTable': 'bigquery.query',
  'gatehouse.bigquery.history.rerun': 'bigquery.query',
};

/** Built-in keys the menus read, as they are in a trusted workspace with every service configured. */
export const WORKBENCH_KEYS: Context = {
  isWorkspaceTrusted: true,
  'gatehouse.dbt.hasProject': true,
  'gatehouse.dbtCloud.configured': true,
  'gatehouse.airbyte.configured': true,
  'gatehouse.looker.configured': true,
  'gatehouse.metabase.configured': true,
};

/** Every (view, item) -> the item's commands (context menu and inline) for one person's keys. */
export function itemCommands(menus: Record<string, MenuEntry[]>, personKeys: Context): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [view, items] of Object.entries(VIEW_ITEMS)) {
    for (const viewItem of items) {
      out.set(`${view} ${viewItem}`, [...new Set(visibleCommands(menus, 'view/item/context', { ...WORKBENCH_KEYS, ...personKeys, view, viewItem }))]);
    }
  }
  return out;
}

/** Where a command shows: the "view item" rows that offer it. */
export function rowsOffering(commands: Map<string, string[]>, command: string): string[] {
  return [...commands].filter(([, cs]) => cs.includes(command)).map(([row]) => row);
}
