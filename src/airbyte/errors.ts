// Airbyte failures as typed errors. The reason comes from the HTTP status and the RFC 9457 problem
// body's `title` (Airbyte's api-problems: invalid-api-key, forbidden, resource-not-found,
// state-conflict, try-again-later, ...), never from message text. The server's own words stay out
// of `message`: it is written here, for the person reading the notification.
import { GatehouseError, HttpError, statusReason, type StatusReasons } from '../core/errors';
import { AuthError } from '../auth/authError';
import { lookup } from '../core/lookup';

export type AirbyteErrorReason =
  | 'unauthorized'
  | 'forbidden'
  | 'notFound'
  | 'conflict'
  | 'rateLimited'
  | 'badRequest'
  | 'unprocessable'
  | 'server'
  | 'unavailable'
  | 'network'
  | 'timeout'
  | 'cancelled'
  | 'badResponse'
  | 'notConfigured'
  | 'credentialsMissing'
  | 'credentialsRejected'
  | 'signIn';

const MESSAGES: Record<AirbyteErrorReason, string> = {
  unauthorized: 'Airbyte did not accept the access token.',
  forbidden: 'Airbyte refused the request.',
  notFound: 'Airbyte does not know this item (it may have been deleted).',
  conflict: 'A sync is already running for this connection.',
  rateLimited: 'Airbyte is rate limiting requests.',
  badRequest: 'Airbyte did not understand the request.',
  unprocessable: 'Airbyte cannot do this now (the connection may be disabled or the job already finished).',
  server: 'Airbyte had an internal problem.',
  unavailable: 'Airbyte is unavailable right now.',
  network: 'Airbyte could not be reached.',
  timeout: 'Airbyte did not answer in time.',
  cancelled: 'Cancelled.',
  badResponse: 'Airbyte sent an answer Gatehouse could not read.',
  notConfigured: 'Airbyte is not configured.',
  credentialsMissing: 'No Airbyte application credentials are set.',
  credentialsRejected: 'Airbyte rejected the application client id or secret.',
  signIn: 'Gatehouse could not get an access token for Airbyte.',
};

const NEXT_STEPS: Partial<Record<AirbyteErrorReason, string>> = {
  unauthorized: 'Sign in again, or check the audience in gatehouse.airbyte.audience.',
  rateLimited: 'Wait a moment and try again.',
  server: 'Try again later.',
  unavailable: 'Try again later.',
  network: 'Check gatehouse.airbyte.baseUrl and your network.',
  notConfigured: 'Set gatehouse.airbyte.baseUrl to your Airbyte API URL.',
  credentialsMissing: 'Run "Gatehouse: Set Airbyte Application Credentials".',
  credentialsRejected: 'Run "Gatehouse: Set Airbyte Application Credentials" with the values from Airbyte > Settings > Applications.',
};

export interface AirbyteProblem {
  type?: string;
  title?: string;
  status?: number;
}

export class AirbyteError extends GatehouseError<AirbyteErrorReason> {
  readonly service = 'airbyte';

  constructor(
    reason: AirbyteErrorReason,
    message = MESSAGES[reason],
    readonly status?: number,
    /** The problem document's title (a fixed slug such as `forbidden`), when Airbyte sent one. */
    readonly problemTitle?: string,
    /** For rateLimited / unavailable: how long the server asked us to wait. */
    readonly retryAfterMs?: number,
    options?: { cause?: unknown; nextStep?: string },
  ) {
    super(reason, message, options?.nextStep ?? NEXT_STEPS[reason], options);
  }

  static is(value: unknown, reason?: AirbyteErrorReason): value is AirbyteError {
    return value instanceof AirbyteError && (reason === undefined || value.reason === reason);
  }
}

/** The problem fields of an error body, when it is one (the 409 on POST /jobs is not). */
export function readProblem(body: unknown): AirbyteProblem | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  if (typeof b.title !== 'string' && typeof b.type !== 'string') return undefined;
  return {
    type: typeof b.type === 'string' ? b.type : undefined,
    title: typeof b.title === 'string' ? b.title.slice(0, 100) : undefined,
    status: typeof b.status === 'number' ? b.status : undefined,
  };
}

/** Problem titles that decide the reason whatever the status says. */
const BY_TITLE: Record<string, AirbyteErrorReason> = {
  'invalid-api-key': 'unauthorized',
  forbidden: 'forbidden',
  'resource-not-found': 'notFound',
  'value-not-found': 'notFound',
  'state-conflict': 'conflict',
  'try-again-later': 'rateLimited',
  'unprocessable-entity': 'unprocessable',
  'bad-request': 'badRequest',
  'service-unavailable': 'unavailable',
};

/** Statuses Airbyte answers without a problem title we know. */
export const AIRBYTE_STATUS_REASONS: StatusReasons<AirbyteErrorReason> & { otherwise: AirbyteErrorReason } = {
  exact: { 401: 'unauthorized', 403: 'forbidden', 404: 'notFound', 409: 'conflict', 422: 'unprocessable', 429: 'rateLimited', 503: 'unavailable' },
  server: 'server',
  otherwise: 'badRequest',
};

export function reasonFor(status: number | undefined, problem?: AirbyteProblem): AirbyteErrorReason {
  const byTitle = lookup(BY_TITLE, problem?.title);
  return byTitle ?? statusReason(status, AIRBYTE_STATUS_REASONS);
}

/** Whatever a call threw, as an AirbyteError. */
export function toAirbyteError(err: unknown): AirbyteError {
  if (err instanceof AirbyteError) return err;
  if (err instanceof AuthError) {
    const reason: AirbyteErrorReason = err.reason === 'cancelled' ? 'cancelled' : 'signIn';
    return new AirbyteError(reason, err.message, undefined, undefined, undefined, { cause: err, nextStep: err.nextStep });
  }
  if (err instanceof HttpError) {
    switch (err.reason) {
      case 'network':
      case 'timeout':
      case 'cancelled':
        return new AirbyteError(err.reason, undefined, undefined, undefined, undefined, { cause: err });
      case 'badResponse':
        return new AirbyteError('badResponse', undefined, err.status, undefined, undefined, { cause: err });
      case 'redirected':
      case 'responseTooLarge':
        // The HTTP layer's message says what happened and which setting to change.
        return new AirbyteError('badResponse', err.message, err.status, undefined, undefined, { cause: err });
    }
    const problem = readProblem(err.body);
    const reason = reasonFor(err.status, problem);
    return new AirbyteError(reason, undefined, err.status, problem?.title, err.retryAfterMs, { cause: err });
  }
  if (GatehouseError.isGatehouseError(err) && err.reason === 'cancelled') return new AirbyteError('cancelled', undefined, undefined, undefined, undefined, { cause: err });
  return new AirbyteError('badResponse', 'Unexpected problem talking to Airbyte.', undefined, undefined, undefined, { cause: err });
}
