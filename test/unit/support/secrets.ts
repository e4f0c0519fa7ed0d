// SecretStorage stand-ins for plain Node tests: the keyed store the session code uses (VS Code's
// SecretStorage shape, over a Map) and the one-value secret the service credentials read.
import type { Disposable } from '../../../src/core/disposable';
import { Emitter } from '../../../src/core/event';
import type { SecretStore } from '../../../src/auth/sessionStore';
import type { StoredSecret } from '../../../src/metabase/credentials';

export class MemorySecretStore implements SecretStore {
  readonly values = new Map<string, string>();
  private readonly changed = new Emitter<{ key: string }>();

  async get(key: string): Promise<string | undefined> {
    return this.values.get(key);
  }
  async store(key: string, value: string): Promise<void> {
    this.values.set(key, value);
    this.changed.fire({ key });
  }
  async delete(key: string): Promise<void> {
    this.values.delete(key);
    this.changed.fire({ key });
  }
  onDidChange(listener: (e: { key: string }) => unknown): Disposable {
    return this.changed.event(listener);
  }
}

/** One stored value (an API key, a session id); delete() forgets it, as the real store would. */
export class MemorySecret implements StoredSecret {
  constructor(public value?: string) {}
  async get(): Promise<string | undefined> {
    return this.value;
  }
  async delete(): Promise<void> {
    this.value = undefined;
  }
}
