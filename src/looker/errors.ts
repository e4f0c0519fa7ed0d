// Looker failures as typed errors. The reason comes from the HTTP status (Looker's `Error` body
// carries only a message and a documentation link; a 422 `ValidationError` lists fields), never
// from message text, and Looker's own words stay out of `message`. Note: Looker answers bad API3
// credentials at /login with 404, which the credentials turn into credentialsRejected.
import { GatehouseError, HttpError, statusReason, type StatusReasons } from '../core/errors';
import { AuthError } from '../auth/authError';
import { t } from '../core/l10n';

export type LookerErrorReason =
  | 'unauthorized'
  | 'forbidden'
  | 'notFound'
  | 'validation'
  | 'conflict'
  | 'rateLimited'
  | 'badRequest'
  | 'server'
  | 'unavailable'
  | 'network'
  | 'timeout'
  | 'cancelled'
  | 'badResponse'
  | 'notConfigured'
  | 'credentialsMissing'
  | 'credentialsRejected'
  | 'signIn'
  /** Looker OAuth: not signed in to Looker (no tokens for this Looker instance). */
  | 'lookerSignInRequired'
  /** Looker OAuth: the refresh token was refused (expired, revoked, app disabled). */
  | 'lookerSignInExpired'
  /** Looker OAuth: the browser sign-in did not complete (refused, timed out, port in use). */
  | 'lookerSignInFailed';

const MESSAGES: Record<LookerErrorReason, string> = {
  unauthorized: 'Looker did not accept the access token.',
  forbidden: 'Looker refused the request.',
  notFound: 'Looker does not know this item, or it is not shared with you.',
  validation: 'Looker could not run this query (a field, model or filter is not valid).',
  conflict: 'Looker reported a conflicting change.',
  rateLimited: 'Looker is rate limiting requests.',
  badRequest: 'Looker did not understand the request.',
  server: 'Looker had an internal problem.',
  unavailable: 'Looker is unavailable right now.',
  network: 'Looker could not be reached.',
  timeout: 'Looker did not answer in time.',
  cancelled: 'Cancelled.',
  badResponse: 'Looker sent an answer Gatehouse could not read.',
  notConfigured: 'Looker is not configured.',
  credentialsMissing: 'No Looker API3 credentials are set.',
  credentialsRejected: 'Looker rejected the API3 client id or secret.',
  signIn: 'Gatehouse could not get an access token for Looker.',
  lookerSignInRequired: 'You are not signed in to Looker.',
  lookerSignInExpired: 'Your Looker sign-in has expired or was revoked.',
  lookerSignInFailed: 'Signing in to Looker did not complete.',
};

const NEXT_STEPS: Partial<Record<LookerErrorReason, string>> = {
  unauthorized: 'Sign in again, or check gatehouse.looker.audience.',
  rateLimited: 'Wait a moment and try again.',
  server: 'Try again later.',
  unavailable: 'Try again later.',
  network: 'Check gatehouse.looker.baseUrl and your network.',
  notConfigured: 'Set gatehouse.looker.baseUrl to your Looker API host.',
  credentialsMissing: 'Run "Gatehouse: Set Looker API3 Credentials".',
  credentialsRejected: 'Run "Gatehouse: Set Looker API3 Credentials" with a key from your Looker account page (Admin > Users > Edit Keys).',
  validation: 'Open it in Looker to see which field is at fault.',
  lookerSignInRequired: 'Run "Gatehouse: Sign In to Looker".',
  lookerSignInExpired: 'Sign in to Looker again.',
  lookerSignInFailed: 'Run "Gatehouse: Sign In to Looker" again and finish signing in in the browser.',
};

export class LookerError extends GatehouseError<LookerErrorReason> {
  readonly service = 'looker';

  constructor(
    reason: LookerErrorReason,
    message = MESSAGES[reason],
    readonly status?: number,
    /** For rateLimited / unavailable: how long Looker asked us to wait. */
    readonly retryAfterMs?: number,
    /** For validation: the fields Looker named (never its messages). */
    readonly fields?: readonly string[],
    options?: { cause?: unknown; nextStep?: string },
  ) {
    super(reason, message, options?.nextStep ?? NEXT_STEPS[reason], options);
  }

  static is(value: unknown, reason?: LookerErrorReason): value is LookerError {
    return value instanceof LookerError && (reason === undefined || value.reason === reason);
  }
}

export const LOOKER_STATUS_REASONS: StatusReasons<LookerErrorReason> & { otherwise: LookerErrorReason } = {
  exact: { 400: 'badRequest', 401: 'unauthorized', 403: 'forbidden', 404: 'notFound', 409: 'conflict', 422: 'validation', 429: 'rateLimited', 503: 'unavailable' },
  server: 'server',
  otherwise: 'badRequest',
};

export function reasonForStatus(status: number | undefined): LookerErrorReason {
  return statusReason(status, LOOKER_STATUS_REASONS);
}

/** Field names of a ValidationError body (`errors[].field`), short and few. */
function validationFields(body: unknown): string[] | undefined {
  const errors = body && typeof body === 'object' ? (body as { errors?: unknown }).errors : undefined;
  if (!Array.isArray(errors)) return undefined;
  return errors
    .map((e) => (e && typeof e === 'object' ? (e as { field?: unknown }).field : undefined))
    .filter((f): f is string => typeof f === 'string')
    .map((f) => f.slice(0, 100))
    .slice(0, 10);
}

/** Whatever a call threw, as a LookerError. */
export function toLookerError(err: unknown): LookerError {
  if (err instanceof LookerError) return err;
  if (err instanceof AuthError) {
    return new LookerError(err.reason === 'cancelled' ? 'cancelled' : 'signIn', err.message, undefined, undefined, undefined, { cause: err, nextStep: err.nextStep });
  }
  if (err instanceof HttpError) {
    switch (err.reason) {
      case 'network':
      case 'timeout':
      case 'cancelled':
        return new LookerError(err.reason, undefined, undefined, undefined, undefined, { cause: err });
      case 'badResponse':
        return new LookerError('badResponse', undefined, err.status, undefined, undefined, { cause: err });
      case 'redirected':
      case 'responseTooLarge':
        // The HTTP layer's message says what happened and which setting to change.
        return new LookerError('badResponse', err.message, err.status, undefined, undefined, { cause: err });
    }
    const reason = reasonForStatus(err.status);
    const fields = reason === 'validation' ? validationFields(err.body) : undefined;
    const message = fields?.length ? `${t(MESSAGES.validation)} ${t('Fields: {0}.', fields.join(', '))}` : undefined;
    return new LookerError(reason, message, err.status, err.retryAfterMs, fields, { cause: err });
  }
  if (GatehouseError.isGatehouseError(err) && err.reason === 'cancelled') return new LookerError('cancelled', undefined, undefined, undefined, undefined, { cause: err });
  return new LookerError('badResponse', 'Unexpected problem talking to Looker.', undefined, undefined, undefined, { cause: err });
}
