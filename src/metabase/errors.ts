// Metabase failures as typed errors. The reason comes from the HTTP status (Metabase answers
// 401/403/404 with plain text) or, for a question that ran and failed, from the `error_type` of
// its 202 answer. Metabase's own error text (often the database's, naming tables and columns)
// never goes into `message`.
import { GatehouseError, HttpError, statusReason, type StatusReasons } from '../core/errors';
import { AuthError } from '../auth/authError';
import { lookup } from '../core/lookup';

export type MetabaseErrorReason =
  | 'unauthorized'
  | 'forbidden'
  | 'notFound'
  | 'badRequest'
  | 'rateLimited'
  | 'server'
  | 'unavailable'
  | 'network'
  | 'timeout'
  | 'cancelled'
  | 'badResponse'
  | 'notConfigured'
  | 'credentialsMissing'
  | 'credentialsRejected'
  | 'sessionExpired'
  | 'queryFailed'
  | 'signIn';

const MESSAGES: Record<MetabaseErrorReason, string> = {
  unauthorized: 'Metabase did not accept the credentials.',
  forbidden: 'Metabase refused the request.',
  notFound: 'Metabase does not know this item (it may have been deleted or archived).',
  badRequest: 'Metabase did not understand the request.',
  rateLimited: 'Metabase is rate limiting requests.',
  server: 'Metabase had an internal problem.',
  unavailable: 'Metabase is unavailable right now.',
  network: 'Metabase could not be reached.',
  timeout: 'Metabase did not answer in time.',
  cancelled: 'Cancelled.',
  badResponse: 'Metabase sent an answer Gatehouse could not read.',
  notConfigured: 'Metabase is not configured.',
  credentialsMissing: 'You are not signed in to Metabase.',
  credentialsRejected: 'Metabase rejected the username and password, or the API key.',
  sessionExpired: 'Your Metabase session has ended.',
  queryFailed: 'Metabase could not run this question.',
  signIn: 'Gatehouse could not get an access token for Metabase.',
};

const NEXT_STEPS: Partial<Record<MetabaseErrorReason, string>> = {
  unauthorized: 'Sign in again, or check gatehouse.metabase.audience.',
  rateLimited: 'Wait a moment and try again.',
  server: 'Try again later.',
  unavailable: 'Try again later.',
  network: 'Check gatehouse.metabase.baseUrl and your network.',
  notConfigured: 'Set gatehouse.metabase.baseUrl to your Metabase URL.',
  credentialsMissing: 'Run "Gatehouse: Sign In to Metabase" (or "Set Metabase API Key").',
  credentialsRejected: 'Run "Gatehouse: Sign In to Metabase" again, or set another API key.',
  sessionExpired: 'Run "Gatehouse: Sign In to Metabase" to open a new session.',
  queryFailed: 'Open it in Metabase to see the database\'s message.',
};

/** Metabase's `error_type` of a failed query → what it means for the person. */
const QUERY_FAILURES: Readonly<Record<string, string>> = {
  'invalid-query': 'Metabase could not run this question: the database rejected its query (a table or column may no longer exist).',
  'missing-required-permissions': 'Metabase could not run this question: you lack a permission on its data.',
  'timed-out': 'Metabase could not run this question: the database did not answer in time.',
  db: 'Metabase could not run this question: the database reported an error.',
  driver: 'Metabase could not run this question: the database reported an error.',
  qp: 'Metabase could not run this question: its query could not be prepared.',
  'unknown-error': 'Metabase could not run this question.',
};

export class MetabaseError extends GatehouseError<MetabaseErrorReason> {
  readonly service = 'metabase';

  constructor(
    reason: MetabaseErrorReason,
    message = MESSAGES[reason],
    readonly status?: number,
    readonly retryAfterMs?: number,
    /** For queryFailed: Metabase's `error_type` (a fixed slug such as `invalid-query`). */
    readonly errorType?: string,
    options?: { cause?: unknown; nextStep?: string },
  ) {
    super(reason, message, options?.nextStep ?? NEXT_STEPS[reason], options);
  }

  static is(value: unknown, reason?: MetabaseErrorReason): value is MetabaseError {
    return value instanceof MetabaseError && (reason === undefined || value.reason === reason);
  }
}

/** A failed query's answer (HTTP 202, `status: "failed"`) as an error naming its error type only. */
export function queryFailure(errorType: unknown): MetabaseError {
  const slug = typeof errorType === 'string' && /^[a-z0-9-]{1,60}$/i.test(errorType) ? errorType : undefined;
  if (slug === 'missing-required-permissions') return new MetabaseError('forbidden', QUERY_FAILURES[slug], 403, undefined, slug);
  return new MetabaseError('queryFailed', lookup(QUERY_FAILURES, slug) ?? MESSAGES.queryFailed, undefined, undefined, slug);
}

export const METABASE_STATUS_REASONS: StatusReasons<MetabaseErrorReason> & { otherwise: MetabaseErrorReason } = {
  exact: { 400: 'badRequest', 401: 'unauthorized', 403: 'forbidden', 404: 'notFound', 429: 'rateLimited', 503: 'unavailable' },
  server: 'server',
  otherwise: 'badRequest',
};

export function reasonForStatus(status: number | undefined): MetabaseErrorReason {
  return statusReason(status, METABASE_STATUS_REASONS);
}

export function toMetabaseError(err: unknown): MetabaseError {
  if (err instanceof MetabaseError) return err;
  if (err instanceof AuthError) {
    return new MetabaseError(err.reason === 'cancelled' ? 'cancelled' : 'signIn', err.message, undefined, undefined, undefined, { cause: err, nextStep: err.nextStep });
  }
  if (err instanceof HttpError) {
    switch (err.reason) {
      case 'network':
      case 'timeout':
      case 'cancelled':
        return new MetabaseError(err.reason, undefined, undefined, undefined, undefined, { cause: err });
      case 'badResponse':
        return new MetabaseError('badResponse', undefined, err.status, undefined, undefined, { cause: err });
      case 'redirected':
      case 'responseTooLarge':
        // The HTTP layer's message says what happened and which setting to change.
        return new MetabaseError('badResponse', err.message, err.status, undefined, undefined, { cause: err });
    }
    return new MetabaseError(reasonForStatus(err.status), undefined, err.status, err.retryAfterMs, undefined, { cause: err });
  }
  if (GatehouseError.isGatehouseError(err) && err.reason === 'cancelled') return new MetabaseError('cancelled', undefined, undefined, undefined, undefined, { cause: err });
  return new MetabaseError('badResponse', 'Unexpected problem talking to Metabase.', undefined, undefined, undefined, { cause: err });
}
