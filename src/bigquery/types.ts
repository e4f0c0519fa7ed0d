// Shapes of BigQuery REST v2 resources that Gatehouse reads (a subset; field names as on the wire).

export interface TableFieldSchema {
  name: string;
  type: string;
  mode?: 'NULLABLE' | 'REQUIRED' | 'REPEATED';
  description?: string;
  fields?: TableFieldSchema[];
}

export interface ProjectRef {
  id: string;
  friendlyName?: string;
}

export interface DatasetRef {
  projectId: string;
  datasetId: string;
  location?: string;
  friendlyName?: string;
}

export type TableType = 'TABLE' | 'VIEW' | 'MATERIALIZED_VIEW' | 'EXTERNAL' | 'SNAPSHOT' | string;

export interface TableRef {
  projectId: string;
  datasetId: string;
  tableId: string;
  type?: TableType;
  creationTime?: string;
}

export interface TableMetadata extends TableRef {
  description?: string;
  schema: TableFieldSchema[];
  numRows?: string;
  numBytes?: string;
  lastModifiedTime?: string;
  location?: string;
  viewQuery?: string;
}

export interface RoutineRef {
  projectId: string;
  datasetId: string;
  routineId: string;
  routineType?: string;
  language?: string;
  description?: string;
}

export interface Page<T> {
  items: T[];
  nextPageToken?: string;
}

/** A row as BigQuery sends it: `{f: [{v}]}`, scalars as strings. */
export interface RawRow {
  f: { v: unknown }[];
}

export interface RowsPage {
  schema?: TableFieldSchema[];
  rows: RawRow[];
  totalRows?: number;
  pageToken?: string;
}

export interface JobRef {
  projectId: string;
  jobId: string;
  location?: string;
}

export interface QueryParameter {
  name?: string;
  type: string;
  value: unknown;
}

export interface JobStatistics {
  creationTime?: string;
  startTime?: string;
  endTime?: string;
  totalBytesProcessed?: string;
  totalBytesBilled?: string;
  totalSlotMs?: string;
  cacheHit?: boolean;
  statementType?: string;
  numChildJobs?: string;
}

export interface JobSummary {
  ref: JobRef;
  state: 'PENDING' | 'RUNNING' | 'DONE';
  query?: string;
  userEmail?: string;
  statistics: JobStatistics;
  error?: { reason?: string; message?: string; location?: string };
  labels?: Record<string, string>;
  parentJobId?: string;
}

export interface DryRunResult {
  totalBytesProcessed: number;
  statementType?: string;
  schema?: TableFieldSchema[];
  referencedTables: TableRef[];
}
