// Faults on demand: any sandbox endpoint can be told to misbehave for its next N calls.
// Tests arm a fault with POST /__sandbox/faults on the service (or through FaultRegistry directly).
import type { IncomingMessage, ServerResponse } from 'node:http';

export type FaultKind = 'status' | 'hang' | 'malformed' | 'reset';

export interface FaultSpec {
  /** Service name as registered ("bigquery", "airbyte", ...); omitted = any service. */
  service?: string;
  /** HTTP method to match; omitted = any. */
  method?: string;
  /** Regular expression source matched against the path (no query string). */
  path: string;
  kind: FaultKind;
  /** For kind "status": the status code (429, 500, 503...). */
  status?: number;
  /** For 429/503: Retry-After header value in seconds. */
  retryAfter?: number;
  /** Optional JSON body for kind "status" (defaults to a generic error body). */
  body?: unknown;
  /** How many matching calls to affect (default 1). */
  count?: number;
}

interface ArmedFault extends FaultSpec {
  remaining: number;
  regex: RegExp;
}

export class FaultRegistry {
  private faults: ArmedFault[] = [];
  private readonly hung = new Set<ServerResponse>();

  arm(spec: FaultSpec): void {
    if (!['status', 'hang', 'malformed', 'reset'].includes(spec.kind)) throw new Error(`unknown fault kind ${spec.kind}`);
    this.faults.push({ ...spec, remaining: spec.count ?? 1, regex: new RegExp(spec.path) });
  }

  /** Requests held by a 'hang' fault right now. */
  get hanging(): number {
    return this.hung.size;
  }

  clear(): void {
    this.faults = [];
    for (const res of this.hung) res.destroy();
    this.hung.clear();
  }

  /** Applies a matching fault; returns true when the request was handled by it. */
  apply(service: string, req: IncomingMessage, res: ServerResponse): boolean {
    const path = (req.url ?? '/').split('?')[0];
    const i = this.faults.findIndex(
      (f) =>
        f.remaining > 0 &&
        (!f.service || f.service === service) &&
        (!f.method || f.method.toUpperCase() === req.method) &&
        f.regex.test(path),
    );
    if (i < 0) return false;
    const f = this.faults[i];
    f.remaining -= 1;
    if (f.remaining === 0) this.faults.splice(i, 1);
    switch (f.kind) {
      case 'status': {
        const status = f.status ?? 500;
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (f.retryAfter !== undefined) headers['retry-after'] = String(f.retryAfter);
        res.writeHead(status, headers);
        res.end(JSON.stringify(f.body ?? { error: { code: status, message: `sandbox fault ${status}` } }));
        return true;
      }
      case 'malformed':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"data": [ {"truncated": ');
        return true;
      case 'reset':
        req.socket.destroy();
        return true;
      case 'hang':
        // Never answer; the client's timeout or cancellation is what is under test.
        this.hung.add(res);
        res.on('close', () => this.hung.delete(res));
        return true;
    }
  }
}
