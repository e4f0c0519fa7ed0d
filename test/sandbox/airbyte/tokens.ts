// Application access tokens: HS256 JWTs like Airbyte's, signed with a key that lives as long as
// the server. Short-lived on purpose, and revocable all at once so tests can expire a token mid-follow.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Lifetime Airbyte documents today (older releases used 3 minutes). */
export const DEFAULT_APPLICATION_TOKEN_SECONDS = 900;

export class ApplicationTokens {
  private readonly key = randomBytes(32);
  /** Tokens carry the generation they were issued in; older generations are rejected. */
  private generation = 0;

  constructor(
    private readonly issuer: string,
    public lifetimeSeconds = DEFAULT_APPLICATION_TOKEN_SECONDS,
    private readonly clock: () => number = Date.now,
  ) {}

  issue(userId: string, clientId: string): { token: string; expiresIn: number } {
    const now = this.clock();
    const claims = { iss: this.issuer, sub: userId, client_id: clientId, iat: Math.floor(now / 1000), gen: this.generation, exp: Math.floor(now / 1000) + this.lifetimeSeconds, jti: randomBytes(8).toString('hex') };
    const head = b64(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
    const body = b64(JSON.stringify(claims));
    return { token: `${head}.${body}.${this.sign(`${head}.${body}`)}`, expiresIn: this.lifetimeSeconds };
  }

  /** The user id of a live token, or undefined (not ours, tampered, expired or revoked). */
  verify(token: string): string | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const expected = Buffer.from(this.sign(`${parts[0]}.${parts[1]}`));
    const got = Buffer.from(parts[2]);
    if (expected.length !== got.length || !timingSafeEqual(expected, got)) return undefined;
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as { sub: string; exp: number; gen: number };
    const now = this.clock();
    if (claims.exp * 1000 <= now || claims.gen !== this.generation) return undefined;
    return claims.sub;
  }

  /** Every token issued so far stops working (as if all had expired now). */
  expireAll(): void {
    this.generation += 1;
  }

  private sign(input: string): string {
    return createHmac('sha256', this.key).update(input).digest('base64url');
  }
}

function b64(s: string): string {
  return Buffer.from(s).toString('base64url');
}
