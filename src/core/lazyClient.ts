// One lazily-built client per feature: nothing is built at activation; the first use builds the
// client for the connection as it is then (settings, which stored secret, who is signed in), and
// the next use after the connection changed builds a new one. What the old client held (a cached
// token) is let go when it is replaced.

/** A value made on first use, then kept (the HTTP client of a feature). */
export function lazy<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}

export interface LazyClientOptions<T> {
  /**
   * What the client depends on, as text (origin, audience, strategy...): a different key builds a
   * new client. It may throw (not configured, an insecure URL): get() throws it, builds nothing.
   */
  key: () => string;
  build: (key: string) => T;
  /** The replaced or dropped client, to forget what it cached. */
  retire?: (client: T) => void;
}

export class LazyClient<T> {
  private current?: { key: string; client: T };

  constructor(private readonly o: LazyClientOptions<T>) {}

  /** The client for the connection as it is now; built if there is none or the connection changed. */
  get(): T {
    const key = this.o.key();
    if (this.current?.key !== key) {
      const client = this.o.build(key);
      this.drop();
      this.current = { key, client };
    }
    return this.current.client;
  }

  /** The client if one was built (nothing is built). */
  peek(): T | undefined {
    return this.current?.client;
  }

  /** Something the key does not capture changed (a stored secret, the session): build anew next time. */
  invalidate(): void {
    this.drop();
  }

  private drop(): void {
    const old = this.current;
    this.current = undefined;
    if (old) this.o.retire?.(old.client);
  }
}
