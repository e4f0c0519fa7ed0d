// One refresh at a time. Refresh tokens may rotate: two grants sent with the same refresh token
// can make the IdP revoke the whole grant (reuse detection), so every refresh-token use is queued,
// and callers asking for the same thing while it runs share its promise.

export class Sequencer {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly running = new Map<string, Promise<unknown>>();

  /** Runs `task` after every task queued before it. */
  queue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.tail.then(task, task);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Like queue, but concurrent callers with the same key share one run. */
  coalesce<T>(key: string, task: () => Promise<T>): Promise<T> {
    const existing = this.running.get(key) as Promise<T> | undefined;
    if (existing) return existing;
    const run = this.queue(task).finally(() => this.running.delete(key));
    this.running.set(key, run);
    return run;
  }
}
