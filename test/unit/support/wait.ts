// Waiting for something that happens on its own time (a job, a tree refresh, a webview paint):
// polls `probe` until it returns a truthy value, which it resolves with; fails after `timeoutMs`
// naming what it waited for and, when given, what it saw last.
export interface UntilOptions {
  intervalMs?: number;
  /** Added to the timeout error so a failure says what was there instead. */
  lastSeen?: () => string;
}

export async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000, options: UntilOptions = {}): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${options.lastSeen ? `; last saw ${options.lastSeen()}` : ''}`);
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 100));
  }
}
