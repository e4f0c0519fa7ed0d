// Links into the Google Cloud console for what Gatehouse shows, so a user can continue there
// (sharing a table, reading a job's execution graph). Opened by the host with openExternal.
import type { JobRef, TableRef } from './types';

const CONSOLE = 'https://console.cloud.google.com/bigquery';

export function tableConsoleUrl(t: Pick<TableRef, 'projectId' | 'datasetId' | 'tableId'>): string {
  const p = encodeURIComponent(t.projectId);
  return `${CONSOLE}?project=${p}&ws=!1m5!1m4!4m3!1s${p}!2s${encodeURIComponent(t.datasetId)}!3s${encodeURIComponent(t.tableId)}`;
}

export function datasetConsoleUrl(d: { projectId: string; datasetId: string }): string {
  const p = encodeURIComponent(d.projectId);
  return `${CONSOLE}?project=${p}&ws=!1m4!1m3!3m2!1s${p}!2s${encodeURIComponent(d.datasetId)}`;
}

export function projectConsoleUrl(projectId: string): string {
  return `${CONSOLE}?project=${encodeURIComponent(projectId)}`;
}

export function jobConsoleUrl(j: JobRef): string {
  const p = encodeURIComponent(j.projectId);
  return `${CONSOLE}?project=${p}&j=bq:${encodeURIComponent(j.location ?? 'US')}:${encodeURIComponent(j.jobId)}&page=queryresults`;
}
