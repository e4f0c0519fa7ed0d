// Secrets bound to the server they were issued for. A Looker API3 key, an Airbyte application
// secret, a Metabase session or a dbt Cloud token is stored under its own key plus the service's
// origin (`gatehouse.looker.clientSecret@https://acme.cloud.looker.com`). When the configured URL
// points at another origin (settings a workspace can change), a secret stored for a different
// origin, or one stored before secrets were bound, is not sent there until the person confirms;
// a refusal is remembered for the rest of the session, so it is asked once.

/** Where secrets live: VS Code's SecretStorage, a Map in tests. */
export interface SecretStore {
  get(key: string): PromiseLike<string | undefined>;
  store(key: string, value: string): PromiseLike<void>;
  delete(key: string): PromiseLike<void>;
}

export interface SecretReuseRequest {
  /** What would be sent, for the question ("your Looker API3 credentials"). */
  readonly what: string;
  /** The origin it was stored for; undefined: stored before secrets were bound to one. */
  readonly storedFor?: string;
  /** The origin it would now be sent to. */
  readonly target: string;
}

/** Asks the person (a modal in VS Code). True only when they agreed. */
export interface SecretReuseConfirm {
  confirmReuse(request: SecretReuseRequest): Promise<boolean>;
}

export type SecretPresence = 'here' | 'elsewhere' | 'none';

export interface OriginBoundSecretsOptions {
  store: SecretStore;
  /** The keys of one secret, read and written together (a client id and its secret). */
  keys: readonly string[];
  what: string;
  confirm: SecretReuseConfirm;
}

type Values = Record<string, string>;

export class OriginBoundSecrets {
  private readonly declined = new Set<string>();
  private readonly asking = new Map<string, Promise<Values | undefined>>();

  constructor(private readonly o: OriginBoundSecretsOptions) {
    if (!o.keys.length) throw new Error('OriginBoundSecrets needs at least one key.');
  }

  get keys(): readonly string[] {
    return this.o.keys;
  }

  /** The storage key of `key` for `origin`. */
  keyAt(key: string, origin: string): string {
    return `${key}@${origin}`;
  }

  /** Whether a SecretStorage key belongs to this secret (for change events). */
  owns(storageKey: string): boolean {
    return storageKey === this.indexKey || this.o.keys.some((k) => storageKey === k || storageKey.startsWith(`${k}@`));
  }

  /** Whether a secret can be had for `origin`: stored for it, stored elsewhere (ask first), or none. */
  async presence(origin: string): Promise<SecretPresence> {
    if (await this.valuesAt(origin)) return 'here';
    const other = await this.candidate(origin);
    return other && !this.declined.has(pairKey(other.storedFor, origin)) ? 'elsewhere' : 'none';
  }

  /**
   * The secret for `origin`. One stored for another origin (or unbound) is offered to the person
   * first; agreed, it is stored for `origin` too (an unbound one moves); refused, nothing.
   */
  async read(origin: string): Promise<Values | undefined> {
    const here = await this.valuesAt(origin);
    if (here) return here;
    const other = await this.candidate(origin);
    if (!other) return undefined;
    const pair = pairKey(other.storedFor, origin);
    if (this.declined.has(pair)) return undefined;
    let pending = this.asking.get(pair);
    if (!pending) {
      pending = this.offer(other, origin).finally(() => this.asking.delete(pair));
      this.asking.set(pair, pending);
    }
    return pending;
  }

  /** One value of the secret for `origin` (no question asked: for prefilling a form). */
  async peek(origin: string, key: string): Promise<string | undefined> {
    return this.o.store.get(this.keyAt(key, origin));
  }

  async write(origin: string, values: Values): Promise<void> {
    for (const key of this.o.keys) {
      const value = values[key];
      if (typeof value !== 'string' || !value) throw new Error(`OriginBoundSecrets.write: ${key} is missing.`);
    }
    // The index first: a secret is never stored where the index cannot find it.
    await this.index(origin, 'add');
    for (const key of this.o.keys) await this.o.store.store(this.keyAt(key, origin), values[key]);
    // This origin has a secret of its own now: earlier refusals to bring another's here are moot.
    for (const pair of [...this.declined]) if (pair.endsWith(`>${origin}`)) this.declined.delete(pair);
  }

  async remove(origin: string): Promise<void> {
    for (const key of this.o.keys) await this.o.store.delete(this.keyAt(key, origin));
    await this.index(origin, 'remove');
  }

  /**
   * A SecretStore for code written against the unbound keys (the commands): those keys are read
   * and written at the origin `origin()` names (it throws when there is none); other keys go to
   * `rest` (another secret's scoped store, or the store itself).
   */
  scoped(origin: () => string, rest: SecretStore = this.o.store): SecretStore {
    // Without a usable origin nothing is stored for it: reads find nothing, deletes have nothing to
    // do, and only a write says what is missing.
    const known = (): string | undefined => {
      try {
        return origin();
      } catch {
        return undefined;
      }
    };
    return {
      get: async (key) => {
        if (!this.o.keys.includes(key)) return rest.get(key);
        const at = known();
        return at === undefined ? undefined : this.peek(at, key);
      },
      store: async (key, value) => {
        if (!this.o.keys.includes(key)) return rest.store(key, value);
        const at = origin();
        await this.index(at, 'add');
        await this.o.store.store(this.keyAt(key, at), value);
        for (const pair of [...this.declined]) if (pair.endsWith(`>${at}`)) this.declined.delete(pair);
      },
      delete: async (key) => {
        if (!this.o.keys.includes(key)) return rest.delete(key);
        const at = known();
        if (at === undefined) return;
        await this.o.store.delete(this.keyAt(key, at));
        if (!(await this.anyAt(at))) await this.index(at, 'remove');
      },
    };
  }

  private get indexKey(): string {
    return `${this.o.keys[0]}.origins`;
  }

  private async valuesAt(origin: string | undefined): Promise<Values | undefined> {
    const out: Values = {};
    for (const key of this.o.keys) {
      const value = await this.o.store.get(origin === undefined ? key : this.keyAt(key, origin));
      if (!value) return undefined;
      out[key] = value;
    }
    return out;
  }

  private async anyAt(origin: string): Promise<boolean> {
    for (const key of this.o.keys) if (await this.o.store.get(this.keyAt(key, origin))) return true;
    return false;
  }

  /** The most recently stored secret of another origin, else an unbound one (stored before binding). */
  private async candidate(origin: string): Promise<{ storedFor?: string; values: Values } | undefined> {
    const origins = await this.origins();
    for (const other of origins.reverse()) {
      if (other === origin) continue;
      const values = await this.valuesAt(other);
      if (values) return { storedFor: other, values };
    }
    const unbound = await this.valuesAt(undefined);
    return unbound && { values: unbound };
  }

  private async offer(other: { storedFor?: string; values: Values }, origin: string): Promise<Values | undefined> {
    let agreed = false;
    try {
      agreed = await this.o.confirm.confirmReuse({ what: this.o.what, storedFor: other.storedFor, target: origin });
    } catch {
      agreed = false;
    }
    if (agreed !== true) {
      this.declined.add(pairKey(other.storedFor, origin));
      return undefined;
    }
    await this.write(origin, other.values);
    // An unbound secret now has its origin: it is not offered again elsewhere unasked.
    if (other.storedFor === undefined) for (const key of this.o.keys) await this.o.store.delete(key);
    return other.values;
  }

  private async origins(): Promise<string[]> {
    const raw = await this.o.store.get(this.indexKey);
    if (!raw) return [];
    try {
      const list: unknown = JSON.parse(raw);
      return Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string') : [];
    } catch {
      return [];
    }
  }

  private async index(origin: string, change: 'add' | 'remove'): Promise<void> {
    const list = (await this.origins()).filter((o) => o !== origin);
    if (change === 'add') list.push(origin);
    if (list.length) await this.o.store.store(this.indexKey, JSON.stringify(list));
    else await this.o.store.delete(this.indexKey);
  }
}

function pairKey(from: string | undefined, to: string): string {
  return `${from ?? '(unbound)'}>${to}`;
}

/** A client id and secret pair (Airbyte applications, Looker API3 keys) as the credentials read it. */
export function clientPair(secret: OriginBoundSecrets, origin: string): () => Promise<{ clientId: string; clientSecret: string } | undefined> {
  const [idKey, secretKey] = secret.keys;
  return async () => {
    const stored = await secret.read(origin);
    return stored && { clientId: stored[idKey], clientSecret: stored[secretKey] };
  };
}
