// Typed errors. Callers branch on `reason`, never on message text. `message` is safe to show a
// user (no tokens, no raw server error descriptions); `nextStep` says what to do about it.

import { t } from './l10n';

export abstract class GatehouseError<R extends string = string> extends Error {
  abstract readonly service: string;

  constructor(
    readonly reason: R,
    message: string,
    readonly nextStep?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }

  static isGatehouseError(value: unknown): value is GatehouseError {
    return value instanceof GatehouseError;
  }

  /** Message plus the next step, for a notification, in the user's language where it is one of ours. */
  get userMessage(): string {
    const message = t(this.message);
    return this.nextStep ? `${message} ${t(this.nextStep)}` : message;
  }
}

export type HttpErrorReason =
  | 'network'
  | 'timeout'
  | 'cancelled'
  | 'unauthorized'
  | 'forbidden'
  | 'notFound'
  | 'conflict'
  | 'rateLimited'
  | 'server'
  | 'badResponse'
  | 'badRequest'
  /** The answer was a 3xx: not followed, so a credential never travels to the Location. */
  | 'redirected'
  /** The body passed the response cap (gatehouse.http.maxResponseMiB) and was not read further. */
  | 'responseTooLarge';

/** A failed HTTP exchange, before a service client turns it into its own error type. */
export class HttpError extends GatehouseError<HttpErrorReason> {
  readonly service = 'http';

  constructor(
    reason: HttpErrorReason,
    message: string,
    readonly status?: number,
    /** Parsed response body when it was JSON (for service clients to read their error shape). */
    readonly body?: unknown,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(reason, message, undefined, options);
  }

  static is(value: unknown, reason?: HttpErrorReason): value is HttpError {
    return value instanceof HttpError && (reason === undefined || value.reason === reason);
  }
}

export class CancelledError extends GatehouseError<'cancelled'> {
  readonly service = 'core';
  constructor(message = 'Cancelled.') {
    super('cancelled', message);
  }
  static is(value: unknown): value is CancelledError {
    return value instanceof CancelledError || (value instanceof HttpError && value.reason === 'cancelled');
  }
}

/**
 * How a service reads an HTTP status: the statuses it names, then any other 5xx, then everything
 * else. Each service keeps its own typed reasons; only the lookup is shared.
 */
export interface StatusReasons<R extends string> {
  readonly exact: Readonly<Partial<Record<number, R>>>;
  /** Any status from 500 up not in `exact`. */
  readonly server: R;
  /** Any other status, or none; omitted: undefined (the caller looks further). */
  readonly otherwise?: R;
}

export function statusReason<R extends string>(status: number | undefined, table: StatusReasons<R> & { readonly otherwise: R }): R;
export function statusReason<R extends string>(status: number | undefined, table: StatusReasons<R>): R | undefined;
export function statusReason<R extends string>(status: number | undefined, table: StatusReasons<R>): R | undefined {
  if (status === undefined || !Number.isInteger(status)) return table.otherwise;
  const exact = Object.prototype.hasOwnProperty.call(table.exact, status) ? table.exact[status] : undefined;
  if (exact) return exact;
  if (status >= 500) return table.server;
  return table.otherwise;
}

/** The reasons of a failed HTTP exchange, before a service names its own. */
export const HTTP_STATUS_REASONS: StatusReasons<HttpErrorReason> & { otherwise: HttpErrorReason } = {
  exact: { 401: 'unauthorized', 403: 'forbidden', 404: 'notFound', 409: 'conflict', 429: 'rateLimited' },
  server: 'server',
  otherwise: 'badRequest',
};

export function reasonForStatus(status: number): HttpErrorReason {
  return statusReason(status, HTTP_STATUS_REASONS);
}
