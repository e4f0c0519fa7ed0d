// dbt Cloud failures as typed errors. The reason comes from the HTTP status (dbt Cloud's envelope
// repeats it in status.code); the server's user_message stays out of `message`, which is written
// here for the person reading the notification.
import { GatehouseError, HttpError, statusReason, type StatusReasons } from '../../core/errors';
import { AuthError } from '../../auth/authError';
import { t } from '../../core/l10n';

export type DbtCloudErrorReason =
  | 'unauthorized'
  | 'forbidden'
  | 'notFound'
  | 'badRequest'
  | 'conflict'
  | 'rateLimited'
  | 'server'
  | 'network'
  | 'timeout'
  | 'cancelled'
  | 'badResponse'
  | 'notConfigured'
  | 'credentialsMissing'
  | 'signIn';

const MESSAGES: Record<DbtCloudErrorReason, string> = {
  unauthorized: 'dbt Cloud did not accept the token.',
  forbidden: 'dbt Cloud refused the request.',
  notFound: 'dbt Cloud does not know this account, job or run.',
  badRequest: 'dbt Cloud did not accept the request.',
  conflict: 'dbt Cloud reported a conflict with the current state of the run.',
  rateLimited: 'dbt Cloud is rate limiting requests.',
  server: 'dbt Cloud had an internal problem.',
  network: 'dbt Cloud could not be reached.',
  timeout: 'dbt Cloud did not answer in time.',
  cancelled: 'Cancelled.',
  badResponse: 'dbt Cloud sent an answer Gatehouse could not read.',
  notConfigured: 'dbt Cloud is not configured.',
  credentialsMissing: 'No dbt Cloud token is set.',
  signIn: 'Gatehouse could not get an access token for dbt Cloud.',
};

const NEXT_STEPS: Partial<Record<DbtCloudErrorReason, string>> = {
  unauthorized: 'Sign in again, or run "Gatehouse: Set dbt Cloud Token" with a valid personal token.',
  rateLimited: 'Wait a moment and try again.',
  server: 'Try again later.',
  network: 'Check gatehouse.dbtCloud.baseUrl and your network.',
  notConfigured: 'Set gatehouse.dbtCloud.baseUrl and gatehouse.dbtCloud.accountId.',
  credentialsMissing: 'Run "Gatehouse: Set dbt Cloud Token", or set gatehouse.dbtCloud.audience to sign in with your identity provider.',
  signIn: 'Sign in to Gatehouse first.',
};

export class DbtCloudError extends GatehouseError<DbtCloudErrorReason> {
  readonly service = 'dbtCloud';

  constructor(
    reason: DbtCloudErrorReason,
    message: string = MESSAGES[reason],
    readonly status?: number,
    /** Field names dbt Cloud said were invalid (400), never their messages. */
    readonly invalidFields: readonly string[] = [],
    readonly retryAfterMs?: number,
    options?: { cause?: unknown; nextStep?: string },
  ) {
    super(reason, message, options?.nextStep ?? NEXT_STEPS[reason], options);
  }

  static is(value: unknown, reason?: DbtCloudErrorReason): value is DbtCloudError {
    return value instanceof DbtCloudError && (reason === undefined || value.reason === reason);
  }
}

/** dbt Cloud's statuses (its envelope repeats them in status.code). */
export const DBT_CLOUD_STATUS_REASONS: StatusReasons<DbtCloudErrorReason> & { otherwise: DbtCloudErrorReason } = {
  exact: { 401: 'unauthorized', 403: 'forbidden', 404: 'notFound', 409: 'conflict', 429: 'rateLimited' },
  server: 'server',
  otherwise: 'badRequest',
};

/** Any failure (HTTP, sign-in, already typed) as a DbtCloudError. */
export function toDbtCloudError(err: unknown): DbtCloudError {
  if (err instanceof DbtCloudError) return err;
  if (err instanceof AuthError) return new DbtCloudError('signIn', `${MESSAGES.signIn} ${err.message}`, undefined, [], undefined, { cause: err, nextStep: err.nextStep });
  if (err instanceof HttpError) {
    // The HTTP layer's message says what happened and which setting to change.
    if (err.reason === 'redirected' || err.reason === 'responseTooLarge') return new DbtCloudError('badResponse', err.message, err.status, [], undefined, { cause: err });
    const reason: DbtCloudErrorReason = err.reason === 'network' || err.reason === 'timeout' || err.reason === 'cancelled' || err.reason === 'badResponse' ? err.reason : statusReason(err.status, DBT_CLOUD_STATUS_REASONS);
    const fields = invalidFieldsOf(err.body);
    const message = reason === 'badRequest' && fields.length ? t('dbt Cloud did not accept the request (invalid: {0}).', fields.join(', ')) : reason === 'network' || reason === 'timeout' ? err.message : MESSAGES[reason];
    return new DbtCloudError(reason, message, err.status, fields, err.retryAfterMs, { cause: err });
  }
  return new DbtCloudError('badResponse', MESSAGES.badResponse, undefined, [], undefined, { cause: err });
}

/** dbt Cloud puts validation errors as `{data: {field: [messages]}}` in the error envelope. */
function invalidFieldsOf(body: unknown): string[] {
  if (!body || typeof body !== 'object') return [];
  const data = (body as { data?: unknown }).data;
  if (!data || typeof data !== 'object' || Array.isArray(data)) return [];
  return Object.keys(data)
    .filter((k) => /^[a-z_][a-z0-9_]{0,60}$/i.test(k))
    .slice(0, 10);
}
