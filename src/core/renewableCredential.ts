// Shared by the service clients whose credential a server can reject mid-life (an IdP token
// revoked early, a Looker API3 token or a Metabase session that expired): one fresh credential
// and one more try after a rejection, and waits on a shared exchange that one caller can abandon.

/** Something that hands out a credential and can be told the server rejected it. */
export interface RenewableCredential<T> {
  token(signal?: AbortSignal): Promise<T>;
  /** The server rejected `token`: forget it (only that one) so the next `token()` renews. */
  invalidate(token: T): void;
}

/**
 * Sends with a credential; when the server says it was rejected, invalidates it and sends once
 * more with a fresh one. A rejection is answered before anything happens on the server, so the
 * second try is safe even for a non-idempotent request.
 */
export async function sendWithRenewal<T, R>(
  credential: RenewableCredential<T>,
  send: (token: T) => Promise<R>,
  isRejection: (err: unknown) => boolean,
  signal?: AbortSignal,
): Promise<R> {
  const token = await credential.token(signal);
  try {
    return await send(token);
  } catch (err) {
    if (!isRejection(err)) throw err;
    credential.invalidate(token);
    return send(await credential.token(signal));
  }
}

/**
 * Waits for `shared` (work other callers may also wait on) unless `signal` aborts first; the
 * shared work goes on for the others.
 */
export function abandonable<T>(shared: Promise<T>, signal: AbortSignal | undefined, cancelled: () => Error): Promise<T> {
  if (!signal) return shared;
  if (signal.aborted) return Promise.reject(cancelled());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(cancelled());
    signal.addEventListener('abort', onAbort, { once: true });
    shared.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
