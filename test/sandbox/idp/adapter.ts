// Per-IdP in-memory storage for oidc-provider. The library's own MemoryAdapter shares one
// module-level LRU between every Provider in the process (and prints a warning); tests start
// several IdPs, and revokeAll() needs to find a user's artifacts.

type Payload = Record<string, unknown> & { grantId?: string; userCode?: string; uid?: string; accountId?: string };

interface Entry {
  payload: Payload;
  expiresAt?: number;
}

export class IdpStore {
  private readonly entries = new Map<string, Entry>();

  /** Adapter class for `new Provider(..., { adapter })`: one instance per model name. */
  adapterClass(): new (model: string) => unknown {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const store = this;
    return class {
      constructor(readonly model: string) {}
      async upsert(id: string, payload: Payload, expiresIn?: number): Promise<void> {
        store.set(this.model, id, payload, expiresIn);
      }
      async find(id: string): Promise<Payload | undefined> {
        return store.get(this.model, id);
      }
      async findByUid(uid: string): Promise<Payload | undefined> {
        return store.findBy(this.model, (p) => p.uid === uid);
      }
      async findByUserCode(userCode: string): Promise<Payload | undefined> {
        return store.findBy(this.model, (p) => p.userCode === userCode);
      }
      async consume(id: string): Promise<void> {
        const p = store.get(this.model, id);
        if (p) p.consumed = Math.floor(Date.now() / 1000);
      }
      async destroy(id: string): Promise<void> {
        store.entries.delete(`${this.model}:${id}`);
      }
      async revokeByGrantId(grantId: string): Promise<void> {
        store.deleteWhere((_, p) => p.grantId === grantId);
      }
    };
  }

  /** Forgets every grant, token, code and session of one account. */
  revokeAccount(accountId: string): number {
    return this.deleteWhere((_, p) => p.accountId === accountId);
  }

  private set(model: string, id: string, payload: Payload, expiresIn?: number): void {
    this.entries.set(`${model}:${id}`, { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : undefined });
  }

  private get(model: string, id: string): Payload | undefined {
    const key = `${model}:${id}`;
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expiresAt !== undefined && e.expiresAt <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e.payload;
  }

  private findBy(model: string, test: (p: Payload) => boolean): Payload | undefined {
    for (const [key, e] of this.entries) {
      if (!key.startsWith(`${model}:`) || !test(e.payload)) continue;
      return this.get(model, key.slice(model.length + 1));
    }
    return undefined;
  }

  private deleteWhere(test: (key: string, p: Payload) => boolean): number {
    let n = 0;
    for (const [key, e] of this.entries) {
      if (test(key, e.payload)) {
        this.entries.delete(key);
        n++;
      }
    }
    return n;
  }
}
