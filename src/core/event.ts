// A vscode-free event emitter with the same shape as vscode.Event, so core classes can expose
// `onDidChange…` and VS Code code can subscribe to them directly.
import type { Disposable } from './disposable';

export type Event<T> = (listener: (e: T) => unknown) => Disposable;

export class Emitter<T> implements Disposable {
  private listeners = new Set<(e: T) => unknown>();

  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  fire(value: T): void {
    for (const l of [...this.listeners]) {
      try {
        l(value);
      } catch {
        // A failing listener must not stop the others.
      }
    }
  }

  dispose(): void {
    this.listeners.clear();
  }
}
