// Shapes of the normalized dbt manifest index. Plain data only (no classes, no Maps) so that a
// worker can hand a built index to the extension host by structured clone.

export const DBT_RESOURCE_TYPES = [
  'model',
  'seed',
  'snapshot',
  'test',
  'analysis',
  'operation',
  'source',
  'exposure',
  'metric',
  'semantic_model',
  'saved_query',
  'unit_test',
  'function',
  'other',
] as const;

/** `other` keeps resource types this version does not know; `rawResourceType` says which. */
export type DbtResourceType = (typeof DBT_RESOURCE_TYPES)[number];

export interface DbtColumn {
  readonly name: string;
  readonly description: string;
  readonly dataType?: string;
}

export interface DbtNode {
  readonly uniqueId: string;
  readonly name: string;
  readonly resourceType: DbtResourceType;
  /** As written in the manifest (differs from `resourceType` only for `other`). */
  readonly rawResourceType: string;
  readonly packageName: string;
  /** Forward slashes, even for manifests written on Windows. */
  readonly path?: string;
  readonly originalFilePath?: string;
  /** The yml file that documents the node, without dbt's `package://` prefix, forward slashes. */
  readonly patchPath?: string;
  readonly fqn: readonly string[];
  /** fqn minus package, name and (for versioned models) the version part, joined with '/'. */
  readonly folder: string;
  readonly materialization?: string;
  readonly tags: readonly string[];
  readonly description: string;
  readonly database?: string;
  readonly schema?: string;
  readonly alias?: string;
  readonly relationName?: string;
  readonly language?: string;
  /** Model versions are ints or strings in dbt. */
  readonly version?: number | string;
  readonly latestVersion?: number | string;
  /** Sources only. */
  readonly sourceName?: string;
  readonly columns: readonly DbtColumn[];
  readonly hasRawCode: boolean;
  readonly hasCompiledCode: boolean;
  /** From the manifest's `disabled` map; disabled nodes take no part in lineage. */
  readonly disabled: boolean;
}

export interface DbtProjectInfo {
  /** `metadata.project_name` (v10+); for older manifests, the package most nodes belong to. */
  readonly projectName?: string;
  /** N of `.../manifest/vN.json`; undefined for pre-v1 manifests that do not say. */
  readonly schemaVersion?: number;
  readonly dbtVersion?: string;
  readonly adapterType?: string;
  readonly generatedAt?: string;
  readonly macroCount: number;
  readonly docCount: number;
}

export type DbtWarningReason =
  | 'invalidNode'
  | 'invalidField'
  | 'duplicateId'
  | 'danglingDependency'
  | 'invalidSection'
  | 'entryTooLarge'
  | 'newerSchema';

export interface DbtManifestWarning {
  readonly reason: DbtWarningReason;
  readonly message: string;
  readonly uniqueId?: string;
  readonly section?: string;
}

/** The file an index was built from; code is re-read from it on demand and only if unchanged. */
export interface DbtManifestFile {
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
}

/**
 * Everything an index is made of, cloneable across threads. Lineage is CSR: the parents of node i
 * are `parentIndexes[parentOffsets[i] .. parentOffsets[i+1])`, indexes into `nodes`.
 */
export interface DbtIndexData {
  readonly info: DbtProjectInfo;
  readonly nodes: DbtNode[];
  readonly parentOffsets: Int32Array;
  readonly parentIndexes: Int32Array;
  readonly warnings: DbtManifestWarning[];
  /** Warnings beyond the cap, counted but not kept. */
  readonly droppedWarnings: number;
  readonly file: DbtManifestFile;
  /** Byte span [start, end) of each node's JSON in the file (2 per node), when the load scanned it. */
  readonly codeSpans?: Float64Array;
}

export interface DbtLoadOptions {
  readonly signal?: AbortSignal;
  /** Refuse files above this size (default 2 GiB). */
  readonly maxBytes?: number;
  /** Files at or above this size are parsed by streaming (default 256 MiB; V8 strings stop at ~512 MiB). */
  readonly streamThresholdBytes?: number;
  /** Streaming only: an entry larger than this is skipped with a warning (default 64 MiB). */
  readonly maxEntryBytes?: number;
  /** Newest `manifest/vN.json` accepted (default 20, dbt Fusion). */
  readonly maxSchemaVersion?: number;
  /** Streaming read size (default 4 MiB). */
  readonly chunkBytes?: number;
  /** Display language of sizes in errors and warnings (a tag, not a Formatter: it crosses to the worker). */
  readonly locale?: string;
}

export interface DbtNodeCode {
  readonly rawCode?: string;
  readonly compiledCode?: string;
}
