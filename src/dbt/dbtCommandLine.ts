// dbt invocations as argument arrays, never a shell string: a node name goes into argv as one
// element, and names that dbt's selector syntax or a process could misread (whitespace, quotes,
// a leading dash, globs, operators) are refused rather than escaped.
import { GatehouseError } from '../core/errors';
import type { DbtNode } from './manifestTypes';
import { lookup } from '../core/lookup';
import { t } from '../core/l10n';

export const DBT_COMMANDS = ['run', 'build', 'test', 'compile', 'ls'] as const;
export type DbtCommand = (typeof DBT_COMMANDS)[number];

/** `only`: the node; `parents`: +node; `children`: node+; `both`: +node+. */
export const DBT_SCOPES = ['only', 'parents', 'children', 'both'] as const;
export type DbtScope = (typeof DBT_SCOPES)[number];

export type DbtCommandLineErrorReason = 'unsafeName' | 'unsupportedNode' | 'unknownCommand';

export class DbtCommandLineError extends GatehouseError<DbtCommandLineErrorReason> {
  readonly service = 'dbt';
  static is(value: unknown, reason?: DbtCommandLineErrorReason): value is DbtCommandLineError {
    return value instanceof DbtCommandLineError && (reason === undefined || value.reason === reason);
  }
}

/** A selector token: letters, digits, `_`, and `-`/`.` inside. */
const SAFE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

export type SelectableNode = Pick<DbtNode, 'uniqueId' | 'name' | 'resourceType' | 'sourceName' | 'version'>;

/** The dbt selection method prefix per resource type (models, seeds, snapshots, tests: by name). */
const METHOD: Partial<Record<DbtNode['resourceType'], string>> = {
  source: 'source:',
  exposure: 'exposure:',
  metric: 'metric:',
  semantic_model: 'semantic_model:',
  saved_query: 'saved_query:',
};

const SELECTABLE = new Set<DbtNode['resourceType']>(['model', 'seed', 'snapshot', 'test', 'unit_test', 'source', 'exposure', 'metric', 'semantic_model', 'saved_query', 'analysis']);

function safe(name: string, node: SelectableNode): string {
  if (!SAFE_NAME.test(name)) {
    throw new DbtCommandLineError('unsafeName', t('Gatehouse does not pass the name "{0}" of {1} to dbt: it contains characters a selector could misread.', name.slice(0, 80), node.uniqueId), 'Run dbt yourself in a terminal for this node.');
  }
  return name;
}

/** The `--select` value for a node and scope, e.g. `+stg_orders+` or `source:raw.orders+`. */
export function selectorFor(node: SelectableNode, scope: DbtScope): string {
  if (!SELECTABLE.has(node.resourceType)) {
    throw new DbtCommandLineError('unsupportedNode', t('dbt cannot select {0} (a {1}).', node.uniqueId, node.resourceType));
  }
  let core: string;
  if (node.resourceType === 'source') {
    if (!node.sourceName) throw new DbtCommandLineError('unsupportedNode', t('The source {0} has no source name in the manifest.', node.uniqueId));
    core = `${safe(node.sourceName, node)}.${safe(node.name, node)}`;
  } else if (node.resourceType === 'model' && node.version !== undefined) {
    // A versioned model is selected as name.vN (its fqn); the bare name would select every version.
    core = `${safe(node.name, node)}.${safe(`v${node.version}`, node)}`;
  } else core = safe(node.name, node);
  const selector = `${lookup(METHOD, node.resourceType) ?? ''}${core}`;
  return `${scope === 'parents' || scope === 'both' ? '+' : ''}${selector}${scope === 'children' || scope === 'both' ? '+' : ''}`;
}

export interface DbtInvocation {
  command: DbtCommand;
  /** Values for `--select`, already built by selectorFor (or typed by a person in tasks.json). */
  select?: readonly string[];
  /**
   * dbt's file log (logs/dbt.log) as JSON lines (`--log-format-file json`, dbt 1.5+), which
   * Gatehouse reads for problems; the terminal keeps dbt's readable text.
   */
  jsonLog?: boolean;
}

/** argv for the dbt executable, without the executable itself. */
export function dbtArgs(invocation: DbtInvocation): string[] {
  if (!(DBT_COMMANDS as readonly string[]).includes(invocation.command)) {
    throw new DbtCommandLineError('unknownCommand', t('"{0}" is not a dbt command Gatehouse runs.', String(invocation.command).slice(0, 40)));
  }
  const args: string[] = [invocation.command];
  const select = (invocation.select ?? []).filter((s) => s.length > 0);
  for (const s of select) {
    // A value that starts with a dash would be read as a flag by dbt's argument parser.
    if (s.startsWith('-') || /[\0\r\n]/.test(s)) throw new DbtCommandLineError('unsafeName', t('"{0}" is not a selector Gatehouse passes to dbt.', s.slice(0, 80)));
  }
  if (select.length) args.push('--select', ...select);
  if (invocation.jsonLog) args.push('--log-format-file', 'json');
  return args;
}

/** Human words for a scope, for quick picks and task names. */
export function describeScope(scope: DbtScope): string {
  return { only: 'only this node', parents: 'with its parents (+node)', children: 'with its children (node+)', both: 'with parents and children (+node+)' }[scope];
}
