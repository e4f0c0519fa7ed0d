// The one retry loop every client uses (the axios HTTP client and the BigQuery transport): a
// capped number of attempts, exponential backoff with jitter, a server's Retry-After honoured up
// to a cap, and cancellation while waiting. What may be retried is the caller's decision, and a
// caller only ever says yes for a request that is safe to send twice (see HttpRequest.idempotent).
import { CancelledError } from './errors';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for inside one call: the error is thrown. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 250, maxDelayMs: 8_000, maxRetryAfterMs: 30_000 };

/** The caller's verdict on one failure: give up, or try again (after the server's wait, if it named one). */
export type RetryVerdict = { retry: false } | { retry: true; retryAfterMs?: number };

export interface RetryOptions {
  policy?: Partial<RetryPolicy>;
  /** Only true for a request that is safe to send twice; called once per failure. */
  shouldRetry(err: unknown, attempt: number): RetryVerdict;
  signal?: AbortSignal;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** In [0, 1); tests pass a fixed one. */
  random?: () => number;
  onRetry?(err: unknown, attempt: number, delayMs: number): void;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new CancelledError());
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new CancelledError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Backoff before attempt `attempt + 1`: half of the exponential step plus a random half of it
 * ("equal jitter"), so many clients limited at once do not come back at once.
 */
export function backoffMs(attempt: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>, random: () => number = Math.random): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(step / 2 + random() * (step / 2));
}

/**
 * The wait before the next attempt, or undefined to give up. A Retry-After is a minimum: the
 * wait is the server's plus a little jitter (at most a quarter second).
 */
export function retryDelayMs(verdict: RetryVerdict, attempt: number, policy: RetryPolicy, random: () => number = Math.random): number | undefined {
  if (!verdict.retry || attempt >= policy.maxAttempts) return undefined;
  if (verdict.retryAfterMs === undefined) return backoffMs(attempt, policy, random);
  if (verdict.retryAfterMs > policy.maxRetryAfterMs) return undefined;
  return verdict.retryAfterMs + Math.round(random() * 250);
}

/** Runs `attempt` until it succeeds, the verdict says stop, attempts run out, or the signal fires. */
export async function withRetry<T>(attempt: (n: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const policy = { ...DEFAULT_RETRY_POLICY, ...options.policy };
  const wait = options.sleep ?? sleep;
  for (let n = 1; ; n++) {
    if (options.signal?.aborted) throw new CancelledError();
    try {
      return await attempt(n);
    } catch (err) {
      if (options.signal?.aborted) throw err;
      const delay = retryDelayMs(options.shouldRetry(err, n), n, policy, options.random);
      if (delay === undefined) throw err;
      options.onRetry?.(err, n, delay);
      await wait(delay, options.signal);
    }
  }
}
