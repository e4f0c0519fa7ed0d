// BigQuery failures as typed errors. The reason is BigQuery's own `errors[].reason` where it gave
// one (accessDenied, notFound, invalidQuery, rateLimitExceeded, ...), so callers can tell a
// missing permission from a quota from a syntax error without reading messages.
import { GatehouseError } from '../../core/errors';

export type BigQueryErrorReason =
  | 'accessDenied'
  | 'notFound'
  | 'invalidQuery'
  | 'invalid'
  | 'duplicate'
  | 'rateLimitExceeded'
  | 'quotaExceeded'
  | 'bytesBilledLimitExceeded'
  | 'billingNotEnabled'
  | 'stopped'
  | 'timeout'
  | 'authError'
  | 'backendError'
  | 'cancelled'
  | 'network'
  | 'badResponse'
  | 'notConfigured'
  | 'unknown';

const KNOWN: readonly BigQueryErrorReason[] = [
  'accessDenied', 'notFound', 'invalidQuery', 'invalid', 'duplicate', 'rateLimitExceeded', 'quotaExceeded',
  'bytesBilledLimitExceeded', 'billingNotEnabled', 'stopped', 'timeout', 'authError', 'backendError',
];

const NEXT_STEPS: Partial<Record<BigQueryErrorReason, string>> = {
  accessDenied: 'Ask the dataset owner to grant your account access, or run Gatehouse: Show Identity to check who you are signed in as.',
  notFound: 'Check the name and location; refresh the BigQuery view.',
  invalidQuery: 'Fix the query at the marked position and run it again.',
  rateLimitExceeded: 'Wait a moment and try again.',
  quotaExceeded: 'Your project has used its quota; try later or ask your admin to raise it.',
  bytesBilledLimitExceeded: 'Narrow the query, or raise gatehouse.bigquery.maximumBytesBilled.',
  authError: 'Sign in again with Gatehouse: Sign In.',
  backendError: 'BigQuery had a temporary problem; try again.',
};

export interface SourceLocation {
  line: number;
  column: number;
}

export class BigQueryError extends GatehouseError<BigQueryErrorReason> {
  readonly service = 'bigquery';

  constructor(
    reason: BigQueryErrorReason,
    message: string,
    readonly status?: number,
    /** Line/column in the query text, for invalidQuery errors that carry `at [l:c]`. */
    readonly location?: SourceLocation,
    options?: { cause?: unknown },
  ) {
    super(reason, message, NEXT_STEPS[reason], options);
  }

  static is(value: unknown, reason?: BigQueryErrorReason): value is BigQueryError {
    return value instanceof BigQueryError && (reason === undefined || value.reason === reason);
  }
}

/** Extracts `[line:col]` from messages like "Syntax error: Unexpected ... at [3:15]". */
export function parseLocation(message: string): SourceLocation | undefined {
  const m = /\bat \[(\d+):(\d+)\]/.exec(message);
  return m ? { line: Number(m[1]), column: Number(m[2]) } : undefined;
}

interface GoogleErrorShape {
  code?: number;
  message?: string;
  errors?: { reason?: string; message?: string }[];
  response?: { statusCode?: number };
}

/** Turns whatever the official client threw (ApiError, gaxios error, plain Error) into a BigQueryError. */
export function toBigQueryError(err: unknown): BigQueryError {
  if (err instanceof BigQueryError) return err;
  const e = (err ?? {}) as GoogleErrorShape & { name?: string; code?: number | string };
  const status = typeof e.code === 'number' ? e.code : e.response?.statusCode;
  const rawReason = e.errors?.find((x) => x.reason)?.reason;
  const message = cleanMessage(e.errors?.[0]?.message ?? e.message ?? 'BigQuery request failed.');
  let reason: BigQueryErrorReason;
  if (rawReason && (KNOWN as readonly string[]).includes(rawReason)) reason = rawReason as BigQueryErrorReason;
  else if (status === 401) reason = 'authError';
  else if (status === 403) reason = 'accessDenied';
  else if (status === 404) reason = 'notFound';
  else if (status === 409) reason = 'duplicate';
  else if (status === 429) reason = 'rateLimitExceeded';
  else if (status !== undefined && status >= 500) reason = 'backendError';
  else if (typeof e.code === 'string' && /ECONN|ENOTFOUND|ETIMEDOUT|EAI_AGAIN|socket hang up/i.test(`${e.code} ${e.message}`)) reason = 'network';
  else if (e.name === 'SyntaxError' || /Unexpected token|JSON/i.test(e.message ?? '')) reason = 'badResponse';
  else reason = 'unknown';
  return new BigQueryError(reason, message, status, reason === 'invalidQuery' ? parseLocation(message) : undefined, { cause: err });
}

/** BigQuery messages are safe text, but keep them short and single-paragraph. */
function cleanMessage(message: string): string {
  const oneLine = message.replace(/\s+/g, ' ').trim();
  return oneLine.length > 600 ? `${oneLine.slice(0, 600)}…` : oneLine;
}
