// SecretStorage stand-ins for plain Node tests: the keyed store the session code uses (VS Code's
// SecretStorage shape, over a Map) and the one-value secret the service credentials read.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Disposable } from '../../../src/core/disposable';
import { Emitter } from '../../../src/core/event';
import type { SecretStore } from '../../../src/auth/sessionStore';
import type { StoredSecret } from '../../../src/metabase/credentials';

export class MemorySecretStore implements SecretStore {
  readonly values = new Map<string, string>();
  private readonly changed = new Emitter<{ key: string }>();
  private lockPath: string | undefined;

  /** How long a read takes (VS Code's SecretStorage answers from another process). */
  readDelayMs = 0;
  /**
   * Models VS Code delivering the change event of an earlier write late: each write or delete
   * first fires an event for the key, then takes this long before it lands.
   */
  lateEventMs = 0;

  /** Where windows sharing this store keep their refresh lock (VS Code: global storage). */
  get lockFile(): string {
    this.lockPath ??= join(mkdtempSync(join(tmpdir(), 'gh-auth-lock-')), 'session-refresh.lock');
    return this.lockPath;
  }

  async get(key: string): Promise<string | undefined> {
    const value = this.values.get(key);
    if (this.readDelayMs) await new Promise((r) => setTimeout(r, this.readDelayMs));
    return value;
  }
  async store(key: string, value: string): Promise<void> {
    await this.late(key);
    this.values.set(key, value);
    this.changed.fire({ key });
  }
  async delete(key: string): Promise<void> {
    await this.late(key);
    this.values.delete(key);
    this.changed.fire({ key });
  }
  onDidChange(listener: (e: { key: string }) => unknown): Disposable {
    return this.changed.event(listener);
  }
  private async late(key: string): Promise<void> {
    if (!this.lateEventMs) return;
    this.changed.fire({ key });
    await new Promise((r) => setTimeout(r, this.lateEventMs));
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
