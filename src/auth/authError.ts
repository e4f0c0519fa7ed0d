// Errors of signing in and of getting tokens. Callers branch on `reason`; `message` and
// `nextStep` are written for the user and never carry a token, a code or an IdP's raw text.
import { GatehouseError } from '../core/errors';

export type AuthErrorReason =
  | 'notConfigured'
  | 'discoveryFailed'
  | 'issuerMismatch'
  | 'stateMismatch'
  | 'missingCode'
  | 'accessDenied'
  | 'redirectRefused'
  | 'idTokenInvalid'
  | 'timeout'
  | 'cancelled'
  | 'invalidGrant'
  | 'idpUnavailable'
  | 'idpRejected'
  | 'deviceCodeExpired'
  | 'deviceFlowUnsupported'
  | 'noRefreshToken'
  | 'audienceNotConfigured'
  | 'notSignedIn'
  /** A renewal came back for another subject or issuer: refused, and the session ended. */
  | 'subjectChanged'
  | 'groupsOverage';

export class AuthError extends GatehouseError<AuthErrorReason> {
  readonly service = 'auth';
  /** How long the IdP asked us to wait (Retry-After on a 429 or 5xx), when it said. */
  retryAfterMs?: number;

  static is(value: unknown, reason?: AuthErrorReason): value is AuthError {
    return value instanceof AuthError && (reason === undefined || value.reason === reason);
  }
}

/** The first AuthError in an error's cause chain (openid-client wraps what our fetch throws). */
export function findAuthError(err: unknown): AuthError | undefined {
  for (let e = err, depth = 0; e && depth < 5; depth++) {
    if (e instanceof AuthError) return e;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}
