// Two lifetimes: the extension's and the signed-in session's. A DisposableStore collects what a
// lifetime created; disposing it (sign-out, deactivate) releases everything, including things
// registered after it was disposed (they are disposed at once).

export interface Disposable {
  dispose(): unknown;
}

export class DisposableStore implements Disposable {
  private items: Disposable[] = [];
  private disposed = false;

  add<T extends Disposable>(item: T): T {
    if (this.disposed) void item.dispose();
    else this.items.push(item);
    return item;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Disposes what it holds and stays usable (for a session scope that is renewed on sign-in). */
  clear(): void {
    const items = this.items.reverse();
    this.items = [];
    for (const item of items) {
      try {
        void item.dispose();
      } catch {
        // One failing disposal must not keep the others alive.
      }
    }
  }

  dispose(): void {
    this.clear();
    this.disposed = true;
  }
}
