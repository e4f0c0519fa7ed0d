// Sessions live in SecretStorage only (the OS keychain), one per configured issuer and client.
// Other windows see changes through the store's change event and follow.
import type { Disposable } from '../core/disposable';
import type { Logger } from '../core/logger';
import type { Session } from './session';

/** What the core needs of VS Code's SecretStorage (which fits it as is). */
export interface SecretStore {
  get(key: string): PromiseLike<string | undefined>;
  store(key: string, value: string): PromiseLike<void>;
  delete(key: string): PromiseLike<void>;
  onDidChange(listener: (e: { key: string }) => unknown): Disposable;
}

const KEY_PREFIX = 'gatehouse.auth.session';

export class SessionStore {
  readonly key: string;

  constructor(
    private readonly secrets: SecretStore,
    issuer: string,
    clientId: string,
    private readonly logger: Logger,
  ) {
    // Keyed by issuer and client so that pointing the settings elsewhere never reuses a session.
    this.key = `${KEY_PREFIX}:${issuer}:${clientId}`;
  }

  async read(): Promise<Session | undefined> {
    const text = await this.secrets.get(this.key);
    if (!text) return undefined;
    try {
      const value = JSON.parse(text) as Session;
      if (typeof value?.id === 'string' && typeof value.accessToken === 'string' && typeof value.idToken === 'string' && value.identity) return value;
    } catch {
      // fall through: an unreadable entry is dropped, the user signs in again
    }
    this.logger.warn('stored session is unreadable; removing it');
    await this.secrets.delete(this.key);
    return undefined;
  }

  async write(session: Session): Promise<void> {
    await this.secrets.store(this.key, JSON.stringify(session));
  }

  async delete(): Promise<void> {
    await this.secrets.delete(this.key);
  }

  onDidChange(listener: () => unknown): Disposable {
    return this.secrets.onDidChange((e) => {
      if (e.key === this.key) listener();
    });
  }
}
