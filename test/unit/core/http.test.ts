import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { AxiosHttpClient, MAX_RESPONSE_SETTING, parseRetryAfter } from '../../../src/core/http';
import { HttpError } from '../../../src/core/errors';

type Reply = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** A loopback server that answers from a script, one reply per request, and counts calls. */
async function scripted(replies: Reply[]): Promise<{ url: string; calls: () => number; close: () => Promise<void> }> {
  let n = 0;
  const server = http.createServer((req, res) => {
    const reply = replies[Math.min(n, replies.length - 1)];
    n++;
    reply(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls: () => n,
    close: () => new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => (_req, res) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};
const fastSleep = async () => undefined;

async function waitFor(check: () => boolean, ms = 5_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('AxiosHttpClient', () => {
  it('parses JSON and passes repeated query parameters', async () => {
    let seen = '';
    const s = await scripted([(req, res) => { seen = req.url ?? ''; json(200, { ok: true })(req, res); }]);
    try {
      const client = new AxiosHttpClient({ baseUrl: s.url });
      const res = await client.request<{ ok: boolean }>({ method: 'GET', url: '/x', query: { workspaceIds: ['a', 'b'], limit: 5, skip: undefined } });
      assert.deepEqual(res.data, { ok: true });
      assert.equal(seen, '/x?workspaceIds=a&workspaceIds=b&limit=5');
    } finally {
      await s.close();
    }
  });

  it('retries an idempotent GET after a 500 and succeeds', async () => {
    const s = await scripted([json(500, { error: 'boom' }), json(200, { ok: 1 })]);
    try {
      const client = new AxiosHttpClient({ baseUrl: s.url, sleep: fastSleep });
      const res = await client.request({ method: 'GET', url: '/' });
      assert.deepEqual(res.data, { ok: 1 });
      assert.equal(s.calls(), 2);
    } finally {
      await s.close();
    }
  });

  it('never resends a non-idempotent POST after a 500', async () => {
    const s = await scripted([json(500, { error: 'boom' }), json(200, { ok: 1 })]);
    try {
      const client = new AxiosHttpClient({ baseUrl: s.url, sleep: fastSleep });
      await assert.rejects(client.request({ method: 'POST', url: '/jobs', body: { connectionId: 'c' } }), (e: unknown) => HttpError.is(e, 'server'));
      assert.equal(s.calls(), 1);
    } finally {
      await s.close();
    }
  });

  it('never resends a POST after a connection reset', async () => {
    const s = await scripted([(req) => req.socket.destroy(), json(200, { ok: 1 })]);
    try {
      const client = new AxiosHttpClient({ baseUrl: s.url, sleep: fastSleep });
      await assert.rejects(client.request({ method: 'POST', url: '/jobs', body: {} }), (e: unknown) => HttpError.is(e, 'network'));
      assert.equal(s.calls(), 1);
    } finally {
      await s.close();
    }
  });

  // Every request that is not idempotent is sent once, whatever comes back: a gateway's 503 or
  // 429 may arrive after the backend accepted the POST.
  const once: { title: string; reply: Reply }[] = [
    { title: '429 with Retry-After', reply: json(429, { error: 'slow down' }, { 'retry-after': '1' }) },
    { title: '503 with Retry-After', reply: json(503, { error: 'busy' }, { 'retry-after': '1' }) },
    { title: '503 without Retry-After', reply: json(503, {}) },
    { title: '502', reply: json(502, {}) },
    { title: 'a reset', reply: (req) => req.socket.destroy() },
  ];
  for (const method of ['POST', 'PATCH', 'PUT', 'DELETE'] as const) {
    for (const { title, reply } of once) {
      it(`sends ${method} once after ${title} unless marked idempotent`, async () => {
        const s = await scripted([reply, json(200, { ok: 1 })]);
        try {
          const client = new AxiosHttpClient({ baseUrl: s.url, sleep: fastSleep });
          await assert.rejects(client.request({ method, url: '/jobs', body: { connectionId: 'c' } }), (e: unknown) => HttpError.is(e));
          assert.equal(s.calls(), 1);
        } finally {
          await s.close();
        }
      });
    }
  }

  it('resends a POST the caller marked idempotent after 503, waiting at least the Retry-After', async () => {
    const waits: number[] = [];
    const s = await scripted([json(503, { error: 'busy' }, { 'retry-after': '2' }), json(200, { ok: 1 })]);
    try {
      const client = new AxiosHttpClient({ baseUrl: s.url, sleep: async (ms) => { waits.push(ms); }, random: () => 0.5 });
      const res = await client.request({ method: 'POST', url: '/jobs', body: {}, idempotent: true });
      assert.deepEqual(res.data, { ok: 1 });
      assert.equal(s.calls(), 2);
      assert.equal(waits.length, 1);
      assert.ok(waits[0] >= 2000 && waits[0] <= 2250, `waited ${waits[0]} ms`);
    } finally {
      await s.close();
    }
  });

  it('retries a GET after 429 with Retry-After, with backoff up to maxAttempts, then gives up', async () => {
    const waits: number[] = [];
    const s = await scripted([json(429, {}, { 'retry-after': '1' }), json(500, {}), json(500, {})]);
    try {
      const client = new AxiosHttpClient({ baseUrl: s.url, sleep: async (ms) => { waits.push(ms); }, random: () => 0, maxAttempts: 3 });
      await assert.rejects(client.request({ method: 'GET', url: '/' }), (e: unknown) => HttpError.is(e, 'server'));
      assert.equal(s.calls(), 3);
      // 1 s as told, then half of the second backoff step (random 0).
      assert.deepEqual(waits, [1000, 250]);
    } finally {
      await s.close();
    }
  });

  it('stops waiting for a retry when cancelled', async () => {
    const s = await scripted([json(503, {}, { 'retry-after': '20' })]);
    try {
      const client = new AxiosHttpClient({ baseUrl: s.url });
      const ac = new AbortController();
      const started = Date.now();
      setTimeout(() => ac.abort(), 100);
      await assert.rejects(client.request({ method: 'GET', url: '/', signal: ac.signal }), (e: unknown) => HttpError.is(e, 'cancelled'));
      assert.ok(Date.now() - started < 5_000);
      assert.equal(s.calls(), 1);
    } finally {
      await s.close();
    }
  });

  it('gives up when Retry-After is longer than it is willing to wait', async () => {
    const s = await scripted([json(429, {}, { 'retry-after': '3600' })]);
    try {
      const client = new AxiosHttpClient({ baseUrl: s.url, sleep: fastSleep, maxRetryAfterMs: 10_000 });
      await assert.rejects(client.request({ method: 'GET', url: '/' }), (e: unknown) => HttpError.is(e, 'rateLimited') && e.retryAfterMs === 3_600_000);
      assert.equal(s.calls(), 1);
    } finally {
      await s.close();
    }
  });

  it('turns malformed JSON into a badResponse error', async () => {
    const s = await scripted([(_q, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"data": [ {"trunc'); }]);
    try {
      const client = new AxiosHttpClient({ baseUrl: s.url });
      await assert.rejects(client.request({ method: 'GET', url: '/' }), (e: unknown) => HttpError.is(e, 'badResponse'));
    } finally {
      await s.close();
    }
  });

  it('keeps the error body for the service client and maps statuses to reasons', async () => {
    const body = { error: { code: 403, errors: [{ reason: 'accessDenied' }] } };
    const s = await scripted([json(403, body)]);
    try {
      const client = new AxiosHttpClient({ baseUrl: s.url });
      await assert.rejects(client.request({ method: 'GET', url: '/' }), (e: unknown) => HttpError.is(e, 'forbidden') && JSON.stringify(e.body) === JSON.stringify(body));
    } finally {
      await s.close();
    }
  });

  it('times out a hanging server and cancels on abort', async () => {
    const s = await scripted([() => undefined]);
    try {
      const client = new AxiosHttpClient({ baseUrl: s.url, maxAttempts: 1 });
      await assert.rejects(client.request({ method: 'GET', url: '/', timeoutMs: 150 }), (e: unknown) => HttpError.is(e, 'timeout'));
      const ac = new AbortController();
      setTimeout(() => ac.abort(), 50);
      await assert.rejects(client.request({ method: 'GET', url: '/', signal: ac.signal }), (e: unknown) => HttpError.is(e, 'cancelled'));
    } finally {
      await s.close();
    }
  });

  it('caps concurrent requests', async () => {
    let active = 0;
    let peak = 0;
    const s = await scripted([(_q, res) => {
      active++;
      peak = Math.max(peak, active);
      setTimeout(() => { active--; res.writeHead(200, { 'content-type': 'application/json' }); res.end('{}'); }, 30);
    }]);
    try {
      const client = new AxiosHttpClient({ baseUrl: s.url, maxConcurrent: 2 });
      await Promise.all(Array.from({ length: 8 }, () => client.request({ method: 'GET', url: '/' })));
      assert.equal(peak, 2);
      assert.equal(s.calls(), 8);
    } finally {
      await s.close();
    }
  });

  describe('response cap', () => {
    const MiB = 1024 * 1024;

    /** Streams `totalMiB` of JSON-ish bytes with backpressure; records how much went out before the client hung up. */
    async function bigBody(totalMiB: number, declareLength: boolean) {
      const sent = { bytes: 0, closedEarly: false };
      const chunk = Buffer.alloc(MiB, 0x20);
      const s = await scripted([(_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', ...(declareLength ? { 'content-length': String(totalMiB * MiB) } : {}) });
        let left = totalMiB;
        res.on('close', () => { if (left > 0) sent.closedEarly = true; });
        const pump = () => {
          while (left > 0 && !res.destroyed) {
            left--;
            sent.bytes += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          if (left === 0) res.end();
        };
        pump();
      }]);
      return { s, sent };
    }

    it('refuses a 300 MiB streamed body at the default 64 MiB cap without buffering it', async function () {
      this.timeout(30_000);
      const { s, sent } = await bigBody(300, false);
      try {
        global.gc?.();
        const before = process.memoryUsage();
        const client = new AxiosHttpClient({ baseUrl: s.url });
        await assert.rejects(client.request({ method: 'GET', url: '/huge' }), (e: unknown) =>
          HttpError.is(e, 'responseTooLarge') && /64 MiB/.test(e.message) && e.message.includes(MAX_RESPONSE_SETTING));
        const after = process.memoryUsage();
        await waitFor(() => sent.closedEarly);
        // The server was cut off a little after the cap (socket buffers), nowhere near 300 MiB.
        assert.ok(sent.bytes < 100 * MiB, `server sent ${sent.bytes / MiB} MiB`);
        // Buffers held at the end of the request: at most the cap's worth, never the whole body.
        const grown = after.arrayBuffers + after.heapUsed - before.arrayBuffers - before.heapUsed;
        assert.ok(grown < 150 * MiB, `memory grew by ${Math.round(grown / MiB)} MiB`);
        assert.equal(s.calls(), 1, 'a response that is too large is not fetched again');
      } finally {
        await s.close();
      }
    });

    it('refuses at once when Content-Length is over the cap, and honours a per-client cap', async () => {
      const { s, sent } = await bigBody(300, true);
      try {
        const client = new AxiosHttpClient({ baseUrl: s.url, maxResponseBytes: () => 2 * MiB });
        await assert.rejects(client.request({ method: 'GET', url: '/huge' }), (e: unknown) => HttpError.is(e, 'responseTooLarge') && /2 MiB/.test(e.message));
        await waitFor(() => sent.closedEarly);
        assert.ok(sent.bytes < 40 * MiB, `server sent ${sent.bytes / MiB} MiB`);
      } finally {
        await s.close();
      }
    });

    it('counts the bytes after decompression, so a small gzip body that inflates past the cap is refused', async () => {
      const bomb = gzipSync(Buffer.alloc(16 * MiB, 0x20));
      assert.ok(bomb.length < MiB / 8);
      const s = await scripted([(_q, res) => { res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(bomb.length) }); res.end(bomb); }]);
      try {
        const client = new AxiosHttpClient({ baseUrl: s.url, maxResponseBytes: 2 * MiB });
        await assert.rejects(client.request({ method: 'GET', url: '/' }), (e: unknown) => HttpError.is(e, 'responseTooLarge'));
      } finally {
        await s.close();
      }
    });

    it('accepts a body just under the cap', async () => {
      const body = JSON.stringify({ rows: 'x'.repeat(MiB - 100) });
      const s = await scripted([(_q, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(body); }]);
      try {
        const client = new AxiosHttpClient({ baseUrl: s.url, maxResponseBytes: MiB });
        const res = await client.request<{ rows: string }>({ method: 'GET', url: '/' });
        assert.equal(res.data.rows.length, MiB - 100);
        await assert.rejects(client.request({ method: 'GET', url: '/', maxResponseBytes: MiB / 2 }), (e: unknown) => HttpError.is(e, 'responseTooLarge'));
      } finally {
        await s.close();
      }
    });
  });

  describe('redirects', () => {
    for (const status of [301, 302, 303, 307, 308]) {
      it(`does not follow a ${status} to another origin, so the token never arrives there`, async () => {
        const seen: (string | undefined)[] = [];
        const other = await scripted([(req, res) => { seen.push(req.headers.authorization); json(200, { stolen: true })(req, res); }]);
        const s = await scripted([(_req, res) => { res.writeHead(status, { location: `${other.url}/collect` }); res.end(); }]);
        try {
          const client = new AxiosHttpClient({ baseUrl: s.url, sleep: fastSleep });
          for (const method of ['GET', 'POST'] as const) {
            await assert.rejects(
              client.request({ method, url: '/api', headers: { Authorization: 'Bearer secret-token' }, body: method === 'POST' ? {} : undefined }),
              (e: unknown) => HttpError.is(e, 'redirected') && e.status === status && !e.message.includes('secret-token'),
            );
          }
          assert.equal(other.calls(), 0);
          assert.deepEqual(seen, []);
          assert.equal(s.calls(), 2, 'a redirect is not retried');
        } finally {
          await s.close();
          await other.close();
        }
      });
    }
  });

  it('parses Retry-After in seconds and as a date', () => {
    assert.equal(parseRetryAfter('5'), 5000);
    assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 4_000), 6000);
    assert.equal(parseRetryAfter('soon'), undefined);
  });
});
