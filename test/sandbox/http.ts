// A small router over node:http, shared by every sandbox service. No framework: the point is
// to control the wire format exactly.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FaultRegistry, FaultSpec } from './faults';
import { hostileMode } from './hostile';

export type Params = Record<string, string>;
export interface Request {
  raw: http.IncomingMessage;
  method: string;
  path: string;
  query: URLSearchParams;
  params: Params;
  headers: http.IncomingHttpHeaders;
  /** Raw body (read before the handler runs). */
  body: Buffer;
  json<T = any>(): T;
  form(): URLSearchParams;
  bearer(): string | undefined;
}
export type Handler = (req: Request, res: http.ServerResponse) => unknown | Promise<unknown>;

interface Route {
  method: string;
  regex: RegExp;
  keys: string[];
  handler: Handler;
}

/**
 * The loopback address every sandbox server binds to: 127.0.0.1, or another address of the
 * loopback range from GATEHOUSE_SANDBOX_HOST. The demo uses 127.0.0.2, because VS Code in a
 * browser rewrites links to localhost/127.0.0.1 through its port-forwarding proxy.
 */
export const SANDBOX_HOST = loopbackHost(process.env.GATEHOUSE_SANDBOX_HOST);

function loopbackHost(value: string | undefined): string {
  if (!value) return '127.0.0.1';
  if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(value)) throw new Error(`GATEHOUSE_SANDBOX_HOST must be a 127.x.y.z loopback address, not ${value}`);
  return value;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`HTTP ${status}`);
  }
}

export class Router {
  private readonly routes: Route[] = [];

  /** Pattern like `/v1/jobs/:jobId`; `:name` matches one segment, `*name` matches the rest. */
  on(method: string, pattern: string, handler: Handler): this {
    const keys: string[] = [];
    const src = pattern
      .split('/')
      .map((seg) => {
        if (seg.startsWith(':')) {
          keys.push(seg.slice(1));
          return '([^/]+)';
        }
        if (seg.startsWith('*')) {
          keys.push(seg.slice(1));
          return '(.*)';
        }
        return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      })
      .join('/');
    this.routes.push({ method: method.toUpperCase(), regex: new RegExp(`^${src}/?$`), keys, handler });
    return this;
  }

  get(p: string, h: Handler): this {
    return this.on('GET', p, h);
  }
  post(p: string, h: Handler): this {
    return this.on('POST', p, h);
  }
  put(p: string, h: Handler): this {
    return this.on('PUT', p, h);
  }
  patch(p: string, h: Handler): this {
    return this.on('PATCH', p, h);
  }
  delete(p: string, h: Handler): this {
    return this.on('DELETE', p, h);
  }

  match(method: string, path: string): { route: Route; params: Params } | { allowed: string[] } | undefined {
    const allowed: string[] = [];
    for (const route of this.routes) {
      const m = route.regex.exec(path);
      if (!m) continue;
      if (route.method !== method) {
        allowed.push(route.method);
        continue;
      }
      const params: Params = {};
      route.keys.forEach((k, i) => (params[k] = decodeURIComponent(m[i + 1])));
      return { route, params };
    }
    return allowed.length ? { allowed } : undefined;
  }
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendText(res: http.ServerResponse, status: number, text: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: http.IncomingMessage, limit = 10 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) throw new HttpError(413, { error: 'payload too large' });
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

export interface ServeOptions {
  name: string;
  port?: number;
  router: Router;
  faults: FaultRegistry;
  /** How to render an error the router produces itself (404 unknown path, 405, bad JSON). */
  errorBody?: (status: number, message: string) => unknown;
  log?: (line: string) => void;
}

export interface RunningServer {
  url: string;
  port: number;
  server: http.Server;
  close(): Promise<void>;
}

/**
 * Starts a service on SANDBOX_HOST; `/__sandbox/faults` on every service arms or clears faults,
 * `/__sandbox/hostile` switches hostile mode (see hostile.ts).
 */
export async function serve(opts: ServeOptions): Promise<RunningServer> {
  const errorBody = opts.errorBody ?? ((status: number, message: string) => ({ error: { code: status, message } }));
  const server = http.createServer(async (raw, res) => {
    const url = new URL(raw.url ?? '/', 'http://127.0.0.1');
    const method = (raw.method ?? 'GET').toUpperCase();
    try {
      if (url.pathname === '/__sandbox/faults') {
        const body = await readBody(raw);
        if (method === 'DELETE') opts.faults.clear();
        else if (method === 'POST') {
          const spec = JSON.parse(body.toString('utf8') || '{}') as FaultSpec;
          opts.faults.arm({ service: spec.service ?? opts.name, ...spec });
        } else throw new HttpError(405, errorBody(405, 'method not allowed'));
        return sendJson(res, 200, { ok: true });
      }
      if (url.pathname === '/__sandbox/hostile') {
        const body = await readBody(raw);
        if (method === 'POST') hostileMode.on = (JSON.parse(body.toString('utf8') || '{}') as { on?: unknown }).on === true;
        else if (method !== 'GET') throw new HttpError(405, errorBody(405, 'method not allowed'));
        return sendJson(res, 200, { on: hostileMode.on });
      }
      if (opts.faults.apply(opts.name, raw, res)) return;
      if (hostileMode.applies(opts.name)) hostileMode.wrap(opts.name, res);
      const m = opts.router.match(method, url.pathname);
      if (!m) throw new HttpError(404, errorBody(404, `Not found: ${method} ${url.pathname}`));
      if ('allowed' in m) throw new HttpError(405, errorBody(405, `Method ${method} not allowed`), { allow: m.allowed.join(', ') });
      const body = await readBody(raw);
      const req: Request = {
        raw,
        method,
        path: url.pathname,
        query: url.searchParams,
        params: m.params,
        headers: raw.headers,
        body,
        json() {
          try {
            return JSON.parse(body.toString('utf8') || 'null');
          } catch {
            throw new HttpError(400, errorBody(400, 'Request body is not valid JSON'));
          }
        },
        form() {
          return new URLSearchParams(body.toString('utf8'));
        },
        bearer() {
          const h = raw.headers.authorization;
          const m2 = h && /^(?:Bearer|Token|token)\s+(.+)$/.exec(h);
          return m2?.[1];
        },
      };
      await m.route.handler(req, res);
    } catch (err) {
      if (res.headersSent || res.destroyed) return;
      if (err instanceof HttpError) {
        if (typeof err.body === 'string') {
          res.writeHead(err.status, { 'content-type': 'text/plain; charset=utf-8', ...err.headers });
          res.end(err.body);
        } else sendJson(res, err.status, err.body, err.headers);
      } else {
        opts.log?.(`[${opts.name}] ${method} ${url.pathname} failed: ${(err as Error).stack ?? err}`);
        sendJson(res, 500, errorBody(500, 'internal sandbox error'));
      }
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, SANDBOX_HOST, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${SANDBOX_HOST}:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        opts.faults.clear();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
