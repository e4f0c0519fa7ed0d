// What BigQuery itself says a person may do on a project, dataset or table, for Explain Access:
// tables.testIamPermissions (BigQuery v2) on a table, Cloud Resource Manager's
// projects.testIamPermissions on its project and on the billing project (where jobs run). BigQuery
// v2 offers no such test for datasets: a dataset's readers come from its access list.
import type { PermissionCheck, ResourceAccess } from '../policy/accessExplanation';
import type { BigQueryClient } from './client';
import { BigQueryError } from './errors';
import { t } from '../core/l10n';

export type BigQueryTarget =
  | { kind: 'project'; projectId: string }
  | { kind: 'dataset'; projectId: string; datasetId: string }
  | { kind: 'table'; projectId: string; datasetId: string; tableId: string };

/** Read, query, export and write a table (what the explorer, previews and queries need). */
export const TABLE_PERMISSIONS = ['bigquery.tables.get', 'bigquery.tables.getData', 'bigquery.tables.export', 'bigquery.tables.updateData'] as const;
/** See the project, run and list jobs in it, create datasets. */
export const PROJECT_PERMISSIONS = ['resourcemanager.projects.get', 'bigquery.jobs.create', 'bigquery.jobs.list', 'bigquery.datasets.create'] as const;

const ID = /^[\w.:-]{1,1024}$/;
const id = (v: unknown): v is string => typeof v === 'string' && ID.test(v);

/**
 * The BigQuery resource of a tree item or a refusal's target, or undefined for anything else.
 * Targets come from menus and notifications: their shape is checked, not trusted.
 */
export function bigQueryTargetOf(v: unknown): BigQueryTarget | undefined {
  const n = v as Record<string, any> | undefined;
  if (!n || typeof n !== 'object') return undefined;
  if (n.service === 'bigquery' && (n.kind === 'project' || n.kind === 'dataset' || n.kind === 'table')) {
    if (!id(n.projectId)) return undefined;
    if (n.kind === 'project') return { kind: 'project', projectId: n.projectId };
    if (!id(n.datasetId)) return undefined;
    if (n.kind === 'dataset') return { kind: 'dataset', projectId: n.projectId, datasetId: n.datasetId };
    return id(n.tableId) ? { kind: 'table', projectId: n.projectId, datasetId: n.datasetId, tableId: n.tableId } : undefined;
  }
  // Explorer nodes (BigQueryExplorerModel): { kind, key, project | dataset | table }.
  if (typeof n.key !== 'string') return undefined;
  if (n.kind === 'project' && id(n.project?.id)) return { kind: 'project', projectId: n.project.id };
  if (n.kind === 'dataset' && id(n.dataset?.projectId) && id(n.dataset?.datasetId)) return { kind: 'dataset', projectId: n.dataset.projectId, datasetId: n.dataset.datasetId };
  if ((n.kind === 'table' || n.kind === 'column') && id(n.table?.projectId) && id(n.table?.datasetId) && id(n.table?.tableId))
    return { kind: 'table', projectId: n.table.projectId, datasetId: n.table.datasetId, tableId: n.table.tableId };
  return undefined;
}

/**
 * The resource a BigQuery "Access Denied" message names, in BigQuery's own forms (`Table p:d.t`,
 * `Dataset p:d`, `Project p`). Only used to ask testIamPermissions about it, a read.
 */
export function targetOfDenial(message: string): BigQueryTarget | undefined {
  const table = /\bTable ([\w.-]+):([\w-]+)\.([\w$-]+)/.exec(message);
  if (table) return { kind: 'table', projectId: table[1], datasetId: table[2], tableId: table[3] };
  const dataset = /\bDataset ([\w.-]+):([\w-]+)/.exec(message);
  if (dataset) return { kind: 'dataset', projectId: dataset[1], datasetId: dataset[2] };
  const project = /\bProject ([\w.-]+)/.exec(message);
  return project ? { kind: 'project', projectId: project[1] } : undefined;
}

export function describeTarget(target: BigQueryTarget): string {
  if (target.kind === 'project') return t('project {0}', target.projectId);
  if (target.kind === 'dataset') return t('dataset {0}:{1}', target.projectId, target.datasetId);
  return t('table {0}:{1}.{2}', target.projectId, target.datasetId, target.tableId);
}

async function check(resource: string, via: string, asked: readonly string[], test: () => Promise<string[]>): Promise<PermissionCheck> {
  try {
    return { resource, via, asked, granted: await test() };
  } catch (err) {
    const e = err instanceof BigQueryError ? err : undefined;
    return { resource, via, asked, granted: [], failed: e ? `${e.reason}: ${e.message}` : 'the check failed' };
  }
}

/** Asks BigQuery (and Resource Manager) which permissions the signed-in principal holds on `t`. */
export async function checkBigQueryAccess(client: BigQueryClient, t: BigQueryTarget, signal?: AbortSignal): Promise<ResourceAccess> {
  const checks: Promise<PermissionCheck>[] = [];
  const projects = new Set([t.projectId]);
  if (t.kind === 'table') {
    checks.push(check(describeTarget(t), 'BigQuery tables.testIamPermissions', TABLE_PERMISSIONS, () => client.testTablePermissions(t, TABLE_PERMISSIONS, signal)));
  }
  const billing = await client.billingProject(signal).catch(() => undefined);
  if (billing) projects.add(billing);
  for (const p of projects) {
    const label = p === billing && p !== t.projectId ? `project ${p} (the billing project, where queries run)` : p === billing ? `project ${p} (also the billing project)` : `project ${p}`;
    checks.push(check(label, 'Cloud Resource Manager projects.testIamPermissions', PROJECT_PERMISSIONS, () => client.testProjectPermissions(p, PROJECT_PERMISSIONS, signal)));
  }
  const notes =
    t.kind === 'dataset'
      ? ['Dataset access comes from the dataset’s access list (its readers, writers and owners); BigQuery v2 has no permission test for datasets. Expand it to see whether you may list its tables.']
      : t.kind === 'table'
        ? ['A query of this table needs bigquery.tables.getData on it and bigquery.jobs.create in the billing project.']
        : [];
  return { service: 'BigQuery', resource: describeTarget(t), checks: await Promise.all(checks), notes };
}
