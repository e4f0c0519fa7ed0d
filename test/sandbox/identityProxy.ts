// The sandbox's identity-aware proxy (the pattern of Google IAP, Pomerium, oauth2-proxy): one
// proxy server per service, on its own port, in front of it. The proxy is the only place that
// accepts the IdP's access tokens: it validates the bearer token (signature, issuer, expiry,
// audience = AUDIENCES.<service>), strips Authorization, and forwards the request with a signed
// assertion header, `x-gatehouse-proxy-assertion` (like IAP's `x-goog-iap-jwt-assertion`): a
// short-lived ES256 JWT from a key only the sandbox holds, with email, sub and aud = the service
// name. A service trusts that header only after `ctx.identityProxy.verifyAssertion(req, name)`.
//
// A refusal at the proxy is RFC 6750's: 401 with `WWW-Authenticate: Bearer error="invalid_token"`
// and a JSON body `{error, error_description}`; the service behind it never sees the request.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, generateKeyPair, jwtVerify, type CryptoKey, type KeyObject } from 'jose';
import { AUDIENCES } from './constants';
import type { IdpTokenVerifier } from './context';
import type { DemoUser, Directory } from './directory';
import { SANDBOX_HOST } from './http';

export const PROXIED_SERVICES = ['airbyte', 'dbtCloud', 'looker', 'metabase'] as const;
export type ProxiedService = (typeof PROXIED_SERVICES)[number];

export const PROXY_ASSERTION_HEADER = 'x-gatehouse-proxy-assertion';
/** The `iss` of every assertion (IAP's is `https://cloud.google.com/iap`). */
export const PROXY_ASSERTION_ISSUER = 'https://identity-proxy.sandbox.gatehouse.test';
/** Lifetime of an assertion: it covers one forwarded request, not a session. */
export const PROXY_ASSERTION_LIFETIME_SECONDS = 60;

type SigningKey = CryptoKey | KeyObject;

/** What a service needs from the proxy: checking the header a request arrived with. */
export interface ProxyAssertionVerifier {
  /** The directory user the proxy vouched for, or undefined (no header, forged, expired, other service). */
  verifyAssertion(req: { headers: http.IncomingHttpHeaders }, service: ProxiedService): Promise<DemoUser | undefined>;
}

/** Holds the proxy's signing key (never leaves the sandbox process) and verifies its assertions. */
export class ProxyAssertions implements ProxyAssertionVerifier {
  private constructor(
    private readonly privateKey: SigningKey,
    private readonly publicKey: SigningKey,
    private readonly directory: Directory,
  ) {}

  static async create(directory: Directory): Promise<ProxyAssertions> {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    return new ProxyAssertions(privateKey, publicKey, directory);
  }

  /** Signs an assertion for `user` to `service`. `lifetimeSeconds` < 0 makes an expired one (tests). */
  sign(user: DemoUser, service: ProxiedService, lifetimeSeconds = PROXY_ASSERTION_LIFETIME_SECONDS): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const iat = Math.min(now, now + lifetimeSeconds - 60);
    return new SignJWT({ email: user.email })
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: 'sandbox-identity-proxy' })
      .setIssuer(PROXY_ASSERTION_ISSUER)
      .setSubject(user.id)
      .setAudience(service)
      .setIssuedAt(iat)
      .setExpirationTime(now + lifetimeSeconds)
      .sign(this.privateKey);
  }

  async verifyAssertion(req: { headers: http.IncomingHttpHeaders }, service: ProxiedService): Promise<DemoUser | undefined> {
    const raw = req.headers[PROXY_ASSERTION_HEADER];
    const assertion = Array.isArray(raw) ? undefined : raw;
    if (!assertion) return undefined;
    try {
      const { payload } = await jwtVerify(assertion, this.publicKey, { issuer: PROXY_ASSERTION_ISSUER, audience: service, algorithms: ['ES256'], clockTolerance: 0 });
      const user = typeof payload.email === 'string' ? this.directory.find(payload.email) : undefined;
      return user && user.id === payload.sub ? user : undefined;
    } catch {
      return undefined;
    }
  }
}

export interface IdentityProxyOptions {
  service: ProxiedService;
  /** Origin of the service behind the proxy (`http://127.0.0.1:port`). */
  upstream: string;
  idp: IdpTokenVerifier;
  assertions: ProxyAssertions;
  port?: number;
  log?: (line: string) => void;
}

export interface RunningProxy {
  name: string;
  url: string;
  close(): Promise<void>;
}

// Hop-by-hop headers (RFC 9110 §7.6.1) are never forwarded; neither are the caller's credentials
// nor anything claiming to be the proxy's own assertion. Host is kept (as IAP does), so the links a
// service builds from it (next pages) lead back through the proxy.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

function refuse(res: http.ServerResponse, description: string, error = 'invalid_token'): void {
  const body = JSON.stringify({ error, error_description: description });
  const challenge = error === 'invalid_request' ? 'Bearer realm="gatehouse-sandbox-proxy"' : `Bearer realm="gatehouse-sandbox-proxy", error="${error}", error_description="${description}"`;
  res.writeHead(401, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'www-authenticate': challenge });
  res.end(body);
}

export async function startIdentityProxy(opts: IdentityProxyOptions): Promise<RunningProxy> {
  const audience = AUDIENCES[opts.service];
  const upstream = new URL(opts.upstream);
  const server = http.createServer(async (req, res) => {
    try {
      const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
      if (!m) return refuse(res, 'A bearer token from the identity provider is required.', 'invalid_request');
      const user = await opts.idp.verifyAccessToken(m[1], audience);
      if (!user) return refuse(res, `The token is invalid, expired or not issued for ${audience}.`);
      const headers: http.OutgoingHttpHeaders = {};
      for (const [k, v] of Object.entries(req.headers)) {
        if (v === undefined || HOP_BY_HOP.has(k) || k === 'authorization' || k === PROXY_ASSERTION_HEADER) continue;
        headers[k] = v;
      }
      headers[PROXY_ASSERTION_HEADER] = await opts.assertions.sign(user, opts.service);
      headers['x-forwarded-for'] = req.socket.remoteAddress ?? '';
      headers['x-forwarded-proto'] = 'http';
      const forwarded = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (answer) => {
        const out: http.OutgoingHttpHeaders = {};
        for (const [k, v] of Object.entries(answer.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
        res.writeHead(answer.statusCode ?? 502, out);
        answer.pipe(res);
      });
      forwarded.on('error', (err) => {
        opts.log?.(`[proxy:${opts.service}] upstream failed: ${err.message}`);
        if (!res.headersSent) {
          res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' });
          res.end('Bad gateway');
        } else res.destroy();
      });
      // The caller going away ends the forwarded request too.
      res.on('close', () => !res.writableFinished && forwarded.destroy());
      req.pipe(forwarded);
    } catch (err) {
      opts.log?.(`[proxy:${opts.service}] ${req.method} ${req.url} failed: ${(err as Error).stack ?? err}`);
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('proxy error');
      }
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, SANDBOX_HOST, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    name: `${opts.service}Proxy`,
    url: `http://${SANDBOX_HOST}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
