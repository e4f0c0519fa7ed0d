// Records what arrives at a sandbox service: a forwarding server in front of it that notes each
// request's method, path and credential header, then passes the request on unchanged. Tests count
// renewals and check which tokens were sent where the service receives them, not in the client.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TappedRequest {
  method: string;
  path: string;
  /** The credential the request carried: Authorization, X-Metabase-Session or x-api-key (whichever is set). */
  credential?: string;
}

export interface SandboxTap {
  /** The tap's base URL: use it instead of the service's. */
  readonly url: string;
  readonly requests: TappedRequest[];
  count(method: string, path: string | RegExp): number;
  /** The credentials that arrived on requests matching `path`, in order. */
  credentials(path?: string | RegExp): (string | undefined)[];
  close(): Promise<void>;
}

const matches = (p: string, path: string | RegExp) => (typeof path === 'string' ? p === path : path.test(p));

export async function tapSandbox(target: string): Promise<SandboxTap> {
  const to = new URL(target);
  const requests: TappedRequest[] = [];
  const server = http.createServer((req, res) => {
    const h = req.headers;
    const credential = (h.authorization ?? h['x-metabase-session'] ?? h['x-api-key']) as string | undefined;
    requests.push({ method: req.method ?? 'GET', path: (req.url ?? '/').split('?')[0], credential });
    const upstream = http.request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: { ...h, host: to.host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    count: (method, path) => requests.filter((r) => r.method === method && matches(r.path, path)).length,
    credentials: (path) => requests.filter((r) => path === undefined || matches(r.path, path)).map((r) => r.credential),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
