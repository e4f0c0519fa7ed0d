// What every sandbox service receives from the launcher. Services never import each other:
// they share the directory, the IdP's token verification, the Google token store and the
// DuckDB warehouse through this context.
import { randomBytes } from 'node:crypto';
import type { DemoUser, Directory } from './directory';
import type { FaultRegistry } from './faults';
import type { ProxyAssertionVerifier } from './identityProxy';

/** Verifies tokens the sandbox IdP (oidc-provider) issued. Implemented by idp.ts. */
export interface IdpTokenVerifier {
  readonly issuer: string;
  /**
   * Verifies a JWT access token issued for `audience` (a resource indicator, RFC 8707, or a
   * token-exchange audience, RFC 8693): signature, issuer, audience, expiry. Returns the user or
   * undefined (the caller answers with its own service's 401 body).
   */
  verifyAccessToken(token: string, audience: string): Promise<DemoUser | undefined>;
  /** Verifies an id token (signature, issuer, expiry; audience = the extension's client id). */
  verifyIdToken(token: string): Promise<DemoUser | undefined>;
}

export interface GoogleToken {
  user: DemoUser;
  scopes: string[];
  expiresAt: number;
  /** How the token was obtained, for the principal BigQuery reports. */
  principal: string;
}

/** Opaque Google access tokens the fake STS / IAM Credentials mint and BigQuery accepts. */
export class GoogleTokenStore {
  private readonly tokens = new Map<string, GoogleToken>();

  issue(user: DemoUser, scopes: string[], lifetimeSeconds: number, principal: string): { token: string; expiresAt: number } {
    const token = `ya29.sandbox.${randomBytes(24).toString('base64url')}`;
    const expiresAt = Date.now() + lifetimeSeconds * 1000;
    this.tokens.set(token, { user, scopes, expiresAt, principal });
    return { token, expiresAt };
  }

  /** The live token's record, or undefined when unknown or expired. */
  lookup(token: string | undefined): GoogleToken | undefined {
    if (!token) return undefined;
    const t = this.tokens.get(token);
    if (!t) return undefined;
    if (t.expiresAt <= Date.now()) {
      this.tokens.delete(token);
      return undefined;
    }
    return t;
  }

  /** Test hook: expire every token of a user now (to exercise refresh paths). */
  expireAllFor(userId: string): void {
    for (const [k, t] of this.tokens) if (t.user.id === userId) this.tokens.delete(k);
  }
}

/** Column as BigQuery describes it (the warehouse's schema language). */
export interface WarehouseField {
  name: string;
  type: string; // STRING, INTEGER, FLOAT, NUMERIC, BOOLEAN, TIMESTAMP, DATE, DATETIME, RECORD, JSON...
  mode?: 'NULLABLE' | 'REQUIRED' | 'REPEATED';
  description?: string;
  fields?: WarehouseField[];
}

export interface WarehouseResult {
  fields: WarehouseField[];
  /** Row values in BigQuery JSON-friendly JS form (strings for INT64, nested arrays/objects for REPEATED/RECORD, null). */
  rows: unknown[][];
}

/** The DuckDB-backed data every sandbox service serves (BigQuery directly, Looker/Metabase via saved SQL). */
export interface Warehouse {
  /** Runs BigQuery-dialect SQL (backtick `project.dataset.table` names). */
  query(sql: string, opts?: { signal?: AbortSignal; params?: Record<string, unknown> }): Promise<WarehouseResult>;
}

export interface SandboxContext {
  directory: Directory;
  idp: IdpTokenVerifier;
  /** Checks the identity-aware proxy's assertion header: the only way an IdP sign-in reaches a service. */
  identityProxy: ProxyAssertionVerifier;
  googleTokens: GoogleTokenStore;
  faults: FaultRegistry;
  warehouse: Warehouse;
  log(line: string): void;
}

export interface RunningService {
  name: string;
  url: string;
  close(): Promise<void>;
}
