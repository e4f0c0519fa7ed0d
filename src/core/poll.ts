// Polling a remote job until it ends, the one way Gatehouse follows jobs (Airbyte syncs, dbt Cloud
// runs): a growing interval that drops back to the shortest whenever the state changes, a few
// transient failures in a row tolerated (Retry-After honoured), an overall limit, cancellation.
// Service followers wrap this with their own types and errors.
import { sleep as defaultSleep } from './http';

export interface PollOptions {
  initialDelayMs: number;
  maxDelayMs: number;
  factor: number;
  /** Transient failures in a row tolerated before giving up. */
  maxErrors: number;
  /** Give up following after this long (the job itself goes on). */
  timeoutMs: number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  now: () => number;
}

export const DEFAULT_POLL_OPTIONS: PollOptions = {
  initialDelayMs: 1_000,
  maxDelayMs: 10_000,
  factor: 1.5,
  maxErrors: 5,
  timeoutMs: 12 * 3_600_000,
  sleep: defaultSleep,
  now: Date.now,
};

export interface PollSpec<T, E extends Error> {
  fetch(signal?: AbortSignal): Promise<T>;
  isFinal(value: T): boolean;
  /** The part of a value whose change is worth reporting (and resets the interval when the state moves). */
  state(value: T): string;
  /** Finer detail that is reported but does not reset the interval (rows synced, steps). */
  detail?(value: T): string;
  /** The service's typed error for a failure; `transient` decides whether to try again. */
  toError(err: unknown): E & { retryAfterMs?: number };
  transient(error: E): boolean;
  cancelled(error: E): boolean;
  stopped(cause?: unknown): E;
  timedOut(): E;
  onUpdate?(value: T): void;
  signal?: AbortSignal;
}

export async function pollUntilFinal<T, E extends Error>(spec: PollSpec<T, E>, options: PollOptions): Promise<T> {
  const { signal } = spec;
  const deadline = options.now() + options.timeoutMs;
  const next = (d: number) => Math.min(options.maxDelayMs, Math.round(d * options.factor));
  const wait = async (ms: number) => {
    try {
      await options.sleep(ms, signal);
    } catch (err) {
      throw spec.stopped(err);
    }
  };
  let delay = options.initialDelayMs;
  let errors = 0;
  let last: T | undefined;
  for (;;) {
    if (signal?.aborted) throw spec.stopped();
    if (options.now() > deadline) throw spec.timedOut();
    let value: T;
    try {
      value = await spec.fetch(signal);
      errors = 0;
    } catch (err) {
      const e = spec.toError(err);
      if (spec.cancelled(e) || signal?.aborted) throw spec.stopped(err);
      if (!spec.transient(e) || ++errors > options.maxErrors) throw e;
      await wait(Math.max(e.retryAfterMs ?? 0, delay));
      delay = next(delay);
      continue;
    }
    const moved = last === undefined || spec.state(last) !== spec.state(value);
    if (moved || spec.detail?.(last!) !== spec.detail?.(value)) spec.onUpdate?.(value);
    if (moved && last !== undefined) delay = options.initialDelayMs;
    last = value;
    if (spec.isFinal(value)) return value;
    await wait(delay);
    delay = next(delay);
  }
}
