// The two interactive sign-in flows, on top of OidcClient, with the user-facing parts behind
// SignInUi so tests play the user (and the browser) with fakes.
import * as client from 'openid-client';
import { AuthError, findAuthError } from './authError';
import type { AuthorizationOptions } from './authorizationParams';
import { LOOPBACK_TIMEOUT_MS, startLoopbackReceiver } from './loopback';
import type { OidcClient, TokenResult } from './oidcClient';
import { t } from '../core/l10n';

export interface DeviceCodePrompt {
  userCode: string;
  verificationUri: string;
  verificationUriComplete?: string;
}

/** What sign-in needs from the user interface (VS Code's window/env in the extension). */
export interface SignInUi {
  /** Opens the URL in the user's browser; false when it could not or the user declined. */
  openExternal(url: string): Promise<boolean>;
  /** Shows the device code with a way to copy it and open the verification page; must not block. */
  showDeviceCode(prompt: DeviceCodePrompt, signal: AbortSignal): void;
}

export interface FlowOptions {
  signal?: AbortSignal;
  /** Upper bound for the user to finish in the browser (default 5 minutes). */
  timeoutMs?: number;
  /** Extra authorization-request options ("Switch Account" prompt). */
  authorization?: AuthorizationOptions;
}

function asAuthError(err: unknown): AuthError {
  return findAuthError(err) ?? new AuthError('idpRejected', 'Signing in failed unexpectedly.', 'The log has details.', { cause: err });
}

export async function signInWithLoopback(oidc: OidcClient, ui: SignInUi, opts: FlowOptions = {}): Promise<TokenResult> {
  // Discovery first: a misconfigured issuer should fail before a server is started.
  await oidc.discover(opts.signal);
  const state = client.randomState();
  const receiver = await startLoopbackReceiver({ expectedState: state, timeoutMs: opts.timeoutMs ?? LOOPBACK_TIMEOUT_MS, signal: opts.signal });
  try {
    const request = await oidc.beginAuthorization(receiver.redirectUri, state, opts.signal, opts.authorization);
    if (!(await ui.openExternal(request.url.href))) throw new AuthError('cancelled', 'The browser was not opened, so sign-in was cancelled.');
    const callback = await receiver.result;
    const tokens = await oidc.exchangeCode(callback, request, opts.signal);
    receiver.finish({ ok: true });
    return tokens;
  } catch (err) {
    const error = asAuthError(err);
    receiver.finish({ ok: false, message: error.userMessage });
    throw error;
  }
}

export async function signInWithDevice(oidc: OidcClient, ui: SignInUi, opts: FlowOptions = {}): Promise<TokenResult> {
  const device = await oidc.startDeviceAuthorization(opts.signal);
  const timeoutMs = Math.min(opts.timeoutMs ?? LOOPBACK_TIMEOUT_MS, Math.max(0, device.expiresAt - Date.now()));
  const timeout = AbortSignal.timeout(timeoutMs);
  // Ends the prompt when the flow ends, however it ends.
  const done = new AbortController();
  const signal = AbortSignal.any([timeout, done.signal, ...(opts.signal ? [opts.signal] : [])]);
  try {
    ui.showDeviceCode({ userCode: device.userCode, verificationUri: device.verificationUri, verificationUriComplete: device.verificationUriComplete }, signal);
    return await oidc.pollDeviceAuthorization(device, signal);
  } catch (err) {
    if (opts.signal?.aborted) throw new AuthError('cancelled', 'Sign-in was cancelled.');
    if (timeout.aborted) {
      throw new AuthError('timeout', t('The device code was not approved within {0} seconds.', Math.round(timeoutMs / 1000)), 'Run "Gatehouse: Sign In" again and enter the code promptly.');
    }
    throw asAuthError(err);
  } finally {
    done.abort();
  }
}
