// BigQuery failures as typed errors. The reason is BigQuery's own `errors[].reason` where it gave
// one (accessDenied, notFound, invalidQuery, rateLimitExceeded, ...), so callers can tell a
// missing permission from a quota from a syntax error without reading messages.
import { GatehouseError, statusReason, type StatusReasons } from '../core/errors';
import { findAuthError } from '../auth/authError';
import { lookup } from '../core/lookup';
import { t } from '../core/l10n';

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
  | 'federationRefused'
  | 'resourcesExceeded'
  | 'unknown';

const KNOWN: readonly BigQueryErrorReason[] = [
  'accessDenied', 'notFound', 'invalidQuery', 'invalid', 'duplicate', 'rateLimitExceeded', 'quotaExceeded',
  'bytesBilledLimitExceeded', 'billingNotEnabled', 'stopped', 'timeout', 'authError', 'backendError', 'resourcesExceeded',
];

/** BigQuery reasons that mean the same thing to a user as one we know. */
const ALIASES: Record<string, BigQueryErrorReason> = {
  userRateLimitExceeded: 'rateLimitExceeded',
  insufficientPermissions: 'accessDenied',
  internalError: 'backendError',
  jobBackendError: 'backendError',
  jobInternalError: 'backendError',
  responseTooLarge: 'resourcesExceeded',
  billingTierLimitExceeded: 'resourcesExceeded',
};

const NEXT_STEPS: Partial<Record<BigQueryErrorReason, string>> = {
  accessDenied: 'Ask the dataset owner to grant your account access, or run Gatehouse: Show Identity to check who you are signed in as.',
  notFound: 'Check the name and location; refresh the BigQuery view.',
  invalidQuery: 'Fix the query at the marked position and run it again.',
  rateLimitExceeded: 'Wait a moment and try again.',
  quotaExceeded: 'Your project has used its quota; try later or ask your admin to raise it.',
  bytesBilledLimitExceeded: 'Narrow the query, or raise gatehouse.bigquery.maximumBytesBilled.',
  authError: 'Sign in again with Gatehouse: Sign In.',
  backendError: 'BigQuery had a temporary problem; try again.',
  federationRefused: 'Check gatehouse.bigquery.federationAudience (and the service account, if you impersonate one) with your Google Cloud admin, then sign in again.',
  resourcesExceeded: 'Narrow the query (fewer rows or columns, a LIMIT, a filter) and run it again.',
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

/** The permission BigQuery named in an access-denied message ("bigquery.jobs.create"), if any. */
export function missingPermission(message: string): string | undefined {
  const named = /\b(bigquery\.[a-zA-Z]+\.[a-zA-Z]+)\b/.exec(message)?.[1];
  if (named) return t('the permission {0}', named);
  if (/permission to query table/i.test(message)) return t('read access to the table (bigquery.tables.getData)');
  return undefined;
}

/** Extracts `[line:col]` from messages like "Syntax error: Unexpected ... at [3:15]". */
export function parseLocation(message: string): SourceLocation | undefined {
  const m = /\bat \[(\d+):(\d+)\]/.exec(message);
  return m ? { line: Number(m[1]), column: Number(m[2]) } : undefined;
}

/** When BigQuery named no reason: its status; other statuses leave the reason to the error's shape. */
export const BIGQUERY_STATUS_REASONS: StatusReasons<BigQueryErrorReason> = {
  exact: { 401: 'authError', 403: 'accessDenied', 404: 'notFound', 409: 'duplicate', 429: 'rateLimitExceeded' },
  server: 'backendError',
};

interface GoogleErrorShape {
  code?: number | string;
  message?: string;
  name?: string;
  errors?: { reason?: string; message?: string }[];
  response?: { statusCode?: number; status?: number; data?: unknown; config?: { url?: unknown } };
}

/** Turns whatever the official client threw (ApiError, gaxios error, plain Error) into a BigQueryError. */
export function toBigQueryError(err: unknown): BigQueryError {
  if (err instanceof BigQueryError) return err;
  const auth = findAuthError(err);
  if (auth) {
    // The session behind the federated credentials is gone or cannot be refreshed.
    return new BigQueryError(auth.reason === 'cancelled' ? 'cancelled' : 'authError', auth.message, undefined, undefined, { cause: err });
  }
  const e = (err ?? {}) as GoogleErrorShape;
  const federation = federationFailure(e);
  if (federation) return federation;
  const status = typeof e.code === 'number' ? e.code : (e.response?.statusCode ?? e.response?.status);
  const rawReason = Array.isArray(e.errors) ? e.errors.find((x) => x?.reason)?.reason : undefined;
  const message = cleanMessage((Array.isArray(e.errors) ? e.errors[0]?.message : undefined) ?? e.message ?? 'BigQuery request failed.');
  const byStatus = statusReason(status, BIGQUERY_STATUS_REASONS);
  let reason: BigQueryErrorReason;
  if (rawReason && (KNOWN as readonly string[]).includes(rawReason)) reason = rawReason as BigQueryErrorReason;
  else if (lookup(ALIASES, rawReason)) reason = lookup(ALIASES, rawReason) as BigQueryErrorReason;
  else if (byStatus) reason = byStatus;
  else if (typeof e.code === 'string' && /ECONN|ENOTFOUND|ETIMEDOUT|EAI_AGAIN|EPIPE|socket hang up/i.test(`${e.code} ${e.message}`)) reason = 'network';
  else if (/ECONNREFUSED|ECONNRESET|ENOTFOUND|socket hang up|EAI_AGAIN/i.test(e.message ?? '')) reason = 'network';
  else if (e.name === 'SyntaxError' || /Unexpected token|JSON/i.test(e.message ?? '')) reason = 'badResponse';
  else reason = 'unknown';
  const shown = reason === 'network' ? t('Could not reach BigQuery.') : reason === 'badResponse' ? t('BigQuery sent a response that is not valid JSON.') : message;
  return new BigQueryError(reason, shown, status, reason === 'invalidQuery' ? parseLocation(message) : undefined, { cause: err });
}

/**
 * Failures of the token exchange (Google STS, RFC 6749 error body) or of service-account
 * impersonation (IAM Credentials), raised by google-auth-library before BigQuery is asked. Their
 * descriptions are the token service's raw text, so the message is ours.
 */
function federationFailure(e: GoogleErrorShape): BigQueryError | undefined {
  const data = e.response?.data as { error?: unknown; error_description?: unknown } | undefined;
  const url = String(e.response?.config?.url ?? '');
  const status = e.response?.status ?? e.response?.statusCode;
  if (data && typeof data.error === 'string') {
    return new BigQueryError('federationRefused', t("Google's token service did not accept your sign-in for BigQuery ({0}).", data.error.replace(/[^a-z_]/gi, '').slice(0, 40)), status);
  }
  if (/generateAccessToken/.test(url) || /iamcredentials/.test(url)) {
    return status === 403
      ? new BigQueryError('federationRefused', 'You may not impersonate the configured service account (iam.serviceAccounts.getAccessToken denied).', status)
      : new BigQueryError('federationRefused', t('Impersonating the configured service account failed (HTTP {0}).', status ?? 'error'), status);
  }
  return undefined;
}

/** BigQuery messages are safe text, but keep them short and single-paragraph. */
function cleanMessage(message: string): string {
  const oneLine = message.replace(/\s+/g, ' ').trim();
  return oneLine.length > 600 ? `${oneLine.slice(0, 600)}…` : oneLine;
}
