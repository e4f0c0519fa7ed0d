// Google's JSON error envelope, exactly as BigQuery sends it:
// {error:{code, message, errors:[{message, domain:'global', reason, location?, locationType?}], status}}
import { HttpError } from '../http';

export type BigQueryReason =
  | 'accessDenied'
  | 'authError'
  | 'insufficientPermissions'
  | 'notFound'
  | 'invalid'
  | 'invalidQuery'
  | 'duplicate'
  | 'bytesBilledLimitExceeded'
  | 'stopped'
  | 'backendError'
  | 'rateLimitExceeded'
  | 'quotaExceeded'
  | 'notImplemented';

/** BigQuery's reason → HTTP status table (rateLimitExceeded is 403, not 429). */
export const REASON_STATUS: Record<BigQueryReason, number> = {
  accessDenied: 403,
  authError: 401,
  insufficientPermissions: 403,
  notFound: 404,
  invalid: 400,
  invalidQuery: 400,
  duplicate: 409,
  bytesBilledLimitExceeded: 400,
  // The table says 200 for `stopped`; getQueryResults of a cancelled job answers 400.
  stopped: 400,
  backendError: 500,
  rateLimitExceeded: 403,
  quotaExceeded: 403,
  notImplemented: 501,
};

const STATUS_TEXT: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  405: 'INVALID_ARGUMENT',
  409: 'ALREADY_EXISTS',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  503: 'UNAVAILABLE',
};

export interface ErrorDetail {
  location?: string;
  locationType?: string;
}

export function errorEnvelope(code: number, reason: string, message: string, detail: ErrorDetail = {}): unknown {
  return {
    error: {
      code,
      message,
      errors: [{ message, domain: 'global', reason, ...detail }],
      status: STATUS_TEXT[code] ?? 'UNKNOWN',
    },
  };
}

export function bqError(reason: BigQueryReason, message: string, detail: ErrorDetail = {}, headers: Record<string, string> = {}): HttpError {
  const code = REASON_STATUS[reason];
  return new HttpError(code, errorEnvelope(code, reason, message, detail), headers);
}

/** Error body for what the router rejects itself (unknown path, bad JSON). */
export function routerErrorBody(status: number, message: string): unknown {
  return errorEnvelope(status, status === 404 ? 'notFound' : 'invalid', message);
}
