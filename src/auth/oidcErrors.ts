// Turns what openid-client (and our fetch boundary) throws into AuthError. A table of cases, tested
// as one; messages are ours, never the IdP's error_description, which may echo request data.
import * as client from 'openid-client';
import { AuthError, findAuthError } from './authError';
import { markMessage, t } from '../core/l10n';

/** What was being done, so the same IdP answer can be explained in its context. */
export type OidcStep = 'discovery' | 'authorize' | 'code' | 'device' | 'refresh' | 'exchange' | 'revoke';

// oauth4webapi's error codes, which openid-client passes through on ClientError.code.
const JSON_ATTRIBUTE_COMPARISON = 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED';
const ID_TOKEN_CHECKS = ['OAUTH_JWT_CLAIM_COMPARISON_FAILED', 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED', 'OAUTH_INVALID_RESPONSE', 'OAUTH_KEY_SELECTION_FAILED'];

// Next steps of typed errors: translated by userMessage.
const SIGN_IN_AGAIN = markMessage('Run "Gatehouse: Sign In" again.');
const CHECK_IDP = markMessage('Check that the identity provider is reachable from this machine, then try again.');

/** OAuth error codes are short ASCII tokens; anything else from the server is not shown. */
function safeCode(code: unknown): string | undefined {
  return typeof code === 'string' && /^[a-z0-9_.:-]{1,64}$/i.test(code) ? code : undefined;
}

function isUrlLike(value: string): boolean {
  try {
    return ['https:', 'http:'].includes(new URL(value).protocol) && !/\s/.test(value);
  } catch {
    return false;
  }
}

/** The id token claim a check failed on, when oauth4webapi says. */
function failedClaim(err: Error): unknown {
  const inner = err.cause instanceof Error ? err.cause.message : err.message;
  // oauth4webapi names the claim in `cause.claim` for wrong values, only in its message when missing.
  return (err.cause as { cause?: { claim?: unknown } } | undefined)?.cause?.claim ?? /JWT "(\w+)" \(/.exec(inner)?.[1];
}

function idTokenDefect(err: Error): string {
  const inner = err.cause instanceof Error ? err.cause.message : err.message;
  const claim = failedClaim(err);
  if (claim === 'iss') return t('it was issued by a different issuer');
  if (claim === 'aud' || claim === 'azp') return t('it was issued for a different client');
  if (claim === 'exp' || claim === 'iat' || claim === 'nbf') return t("it has expired or is not valid yet (check this machine's clock)");
  if (claim === 'nonce') return t('its nonce is missing or does not match this sign-in attempt');
  if (/"alg"/.test(inner)) return t('it is unsigned or signed with an unexpected algorithm');
  if (/signature/i.test(inner)) return t('its signature does not verify');
  return t('it failed a security check');
}

function fromOAuthErrorCode(error: string, step: OidcStep, status?: number): AuthError {
  if (error === 'access_denied') {
    return new AuthError('accessDenied', 'The identity provider denied the sign-in.', 'If you did not cancel it, ask your identity team whether you are assigned to the Gatehouse application.');
  }
  if (error === 'invalid_grant') {
    return step === 'refresh' || step === 'exchange'
      ? new AuthError('invalidGrant', 'Your Gatehouse session has expired or was revoked at the identity provider.', SIGN_IN_AGAIN)
      : new AuthError('invalidGrant', 'The identity provider did not accept the sign-in code (it may have expired or been used already).', SIGN_IN_AGAIN);
  }
  if (error === 'expired_token') return new AuthError('deviceCodeExpired', 'The device code expired before the sign-in was approved.', SIGN_IN_AGAIN);
  if (error === 'invalid_target') {
    return new AuthError('audienceNotConfigured', 'The identity provider does not issue tokens for the requested service audience.', 'Check the gatehouse.<service>.audience setting against the resources your identity team registered.');
  }
  if (error === 'invalid_client' || error === 'unauthorized_client') {
    return new AuthError('idpRejected', t('The identity provider rejected the client ({0}).', error), 'Check gatehouse.auth.clientId and, for a confidential client, the client secret ("Gatehouse: Set Client Secret").');
  }
  if (status !== undefined && status >= 500) return new AuthError('idpUnavailable', t('The identity provider answered HTTP {0}.', status), CHECK_IDP);
  return new AuthError('idpRejected', t('The identity provider refused the request ({0}).', error), 'Check the Gatehouse sign-in settings; the log has details.');
}

/** A refresh answered for another identity (sub or iss): the session is ended, never switched. */
export function subjectChanged(): AuthError {
  return new AuthError(
    'subjectChanged',
    'The identity provider renewed your Gatehouse session for a different account, so Gatehouse refused the renewal and signed you out.',
    'Run "Gatehouse: Sign In" again with the account you mean to use; if it happens again, tell your identity team.',
  );
}

export function toAuthError(err: unknown, step: OidcStep, issuer: string): AuthError {
  const ours = findAuthError(err);
  if (ours) return ours;
  if (err instanceof client.AuthorizationResponseError) {
    const error = safeCode(err.error) ?? 'unknown_error';
    if (error !== 'access_denied' && /redirect_uri/i.test(err.error_description ?? '')) {
      return new AuthError('redirectRefused', 'The identity provider refused the loopback redirect address.', "Ask your identity team to allow http://127.0.0.1/callback (any port) in the client's allowed redirect URIs.");
    }
    return fromOAuthErrorCode(error, step);
  }
  if (err instanceof client.ResponseBodyError) {
    if (/redirect_uri/i.test(err.error_description ?? '')) {
      return new AuthError('redirectRefused', 'The identity provider refused the loopback redirect address.', "Ask your identity team to allow http://127.0.0.1/callback (any port) in the client's allowed redirect URIs.");
    }
    return fromOAuthErrorCode(safeCode(err.error) ?? 'unknown_error', step, err.status);
  }
  if (err instanceof client.ClientError) {
    const cause = err.cause as { attribute?: unknown; body?: { issuer?: unknown } } | undefined;
    if (step === 'discovery' && err.code === JSON_ATTRIBUTE_COMPARISON && cause?.attribute === 'issuer') {
      const reported = String(cause.body?.issuer ?? '').slice(0, 200);
      // Shown, never applied: the server's answer is only a hint for the person (a trailing slash
      // is the usual difference, e.g. Okta's /oauth2/default vs Auth0's https://tenant/).
      const hint = isUrlLike(reported) ? t('If that is your identity provider, set gatehouse.auth.issuer to {0} exactly.', reported) : t('Check gatehouse.auth.issuer: it must be exactly the issuer your identity provider reports.');
      return new AuthError('issuerMismatch', t('The identity provider at {0} reports issuer {1}.', issuer, reported), hint);
    }
    if (step === 'discovery') {
      return new AuthError('discoveryFailed', t('Could not read the OpenID configuration of {0}.', issuer), 'Check gatehouse.auth.issuer: it should be the URL whose /.well-known/openid-configuration describes your identity provider.');
    }
    if (err.code && ID_TOKEN_CHECKS.includes(err.code)) {
      // A renewal whose id token names another issuer is another identity, not a broken token.
      if (step === 'refresh' && failedClaim(err) === 'iss') return subjectChanged();
      return new AuthError('idTokenInvalid', t("The identity provider's id token was rejected: {0}.", idTokenDefect(err)), 'Nothing was stored. Ask your identity team to check the Gatehouse client configuration.');
    }
    if (err.code === 'OAUTH_TIMEOUT') return new AuthError('timeout', 'The identity provider did not answer in time.', CHECK_IDP);
    if (err.code === 'OAUTH_ABORT') return new AuthError('cancelled', 'Cancelled.');
    const status = err.cause instanceof Response ? err.cause.status : undefined;
    if (status !== undefined && status >= 500) return new AuthError('idpUnavailable', t('The identity provider answered HTTP {0}.', status), CHECK_IDP);
    return new AuthError('idpRejected', 'The identity provider sent an answer Gatehouse cannot use.', 'The log has details.');
  }
  if (err instanceof TypeError) return new AuthError('idpUnavailable', t('Could not reach the identity provider at {0}.', issuer), CHECK_IDP);
  return new AuthError('idpRejected', 'Signing in failed unexpectedly.', 'The log has details.');
}
