// Hostile IdP modes for the extension's sign-in tests: the next token responses (or discovery
// documents) come back subtly wrong. Tampered id tokens are re-signed with the IdP's real key,
// so only the defect under test is wrong.
import { SignJWT, decodeJwt, decodeProtectedHeader, type CryptoKey, type JWTPayload } from 'jose';
import type { Middleware } from 'oidc-provider';

export type MisbehaveMode =
  | 'id-token-wrong-iss'
  | 'id-token-wrong-aud'
  | 'id-token-expired'
  | 'id-token-bad-signature'
  | 'id-token-alg-none'
  | 'id-token-no-nonce'
  | 'id-token-wrong-nonce'
  | 'discovery-wrong-issuer'
  /** A refresh_token grant answers with a (validly signed) id token for OTHER_SUBJECT. */
  | 'refresh-id-token-other-sub'
  | `slow:${number}`;

export const WRONG_ISSUER = 'https://evil.example';
export const WRONG_AUDIENCE = 'someone-elses-client';
export const WRONG_NONCE = 'not-the-nonce-you-sent';
/** A real demo user, so the id token names someone who exists. */
export const OTHER_SUBJECT = 'bob';

const DISCOVERY_PATH = '/.well-known/openid-configuration';
const TOKEN_PATH = '/token';

interface Armed {
  mode: MisbehaveMode;
  remaining: number;
}

export class Misbehaviour {
  private armed: Armed[] = [];

  constructor(private readonly signingKey: CryptoKey) {}

  arm(mode: MisbehaveMode, count = 1): void {
    if (!isMode(mode)) throw new Error(`unknown misbehave mode ${mode}`);
    this.armed.push({ mode, remaining: count });
  }

  clear(): void {
    this.armed = [];
  }

  /** Koa middleware for provider.use(): delays or rewrites what the provider answered. */
  middleware(): Middleware {
    return async (ctx, next) => {
      const isToken = ctx.path === TOKEN_PATH && ctx.method === 'POST';
      const isDiscovery = ctx.path === DISCOVERY_PATH;
      if (!isToken && !isDiscovery) return next();
      const slow = this.take((m) => m.startsWith('slow:'));
      if (slow) await new Promise((r) => setTimeout(r, Number(slow.slice(5))));
      await next();
      if (ctx.status !== 200 || !ctx.body || typeof ctx.body !== 'object') return;
      if (isDiscovery) {
        if (this.take((m) => m === 'discovery-wrong-issuer')) ctx.body = { ...ctx.body, issuer: WRONG_ISSUER };
        return;
      }
      if (typeof ctx.body.id_token !== 'string') return;
      const isRefresh = (ctx.oidc?.params as { grant_type?: unknown } | undefined)?.grant_type === 'refresh_token';
      const mode = this.take((m) => m.startsWith('id-token-') || (isRefresh && m.startsWith('refresh-id-token-')));
      if (mode) ctx.body = { ...ctx.body, id_token: await this.tamper(ctx.body.id_token, mode) };
    };
  }

  private take(match: (mode: MisbehaveMode) => boolean): MisbehaveMode | undefined {
    const i = this.armed.findIndex((a) => match(a.mode));
    if (i < 0) return undefined;
    const a = this.armed[i];
    if (--a.remaining <= 0) this.armed.splice(i, 1);
    return a.mode;
  }

  private async tamper(idToken: string, mode: MisbehaveMode): Promise<string> {
    const header = decodeProtectedHeader(idToken);
    const payload: JWTPayload = decodeJwt(idToken);
    const now = Math.floor(Date.now() / 1000);
    const resign = (p: JWTPayload) =>
      new SignJWT(p).setProtectedHeader({ ...header, alg: 'RS256' }).sign(this.signingKey);
    switch (mode) {
      case 'id-token-wrong-iss':
        return resign({ ...payload, iss: WRONG_ISSUER });
      case 'id-token-wrong-aud':
        return resign({ ...payload, aud: WRONG_AUDIENCE });
      case 'id-token-expired':
        return resign({ ...payload, iat: now - 1200, exp: now - 600 });
      case 'id-token-no-nonce': {
        const { nonce: _dropped, ...rest } = payload;
        return resign(rest);
      }
      case 'id-token-wrong-nonce':
        return resign({ ...payload, nonce: WRONG_NONCE });
      case 'refresh-id-token-other-sub':
        return resign({ ...payload, sub: OTHER_SUBJECT, email: `${OTHER_SUBJECT}@example.com` });
      case 'id-token-bad-signature': {
        const [h, p, sig] = idToken.split('.');
        const bytes = Buffer.from(sig, 'base64url');
        bytes[bytes.length - 1] ^= 0x01;
        return `${h}.${p}.${bytes.toString('base64url')}`;
      }
      case 'id-token-alg-none': {
        const h = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
        return `${h}.${idToken.split('.')[1]}.`;
      }
      default:
        return idToken;
    }
  }
}

function isMode(mode: string): mode is MisbehaveMode {
  if (/^slow:\d+$/.test(mode)) return true;
  return [
    'id-token-wrong-iss',
    'id-token-wrong-aud',
    'id-token-expired',
    'id-token-bad-signature',
    'id-token-alg-none',
    'id-token-no-nonce',
    'id-token-wrong-nonce',
    'discovery-wrong-issuer',
    'refresh-id-token-other-sub',
  ].includes(mode);
}
