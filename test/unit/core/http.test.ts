import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AxiosHttpClient, parseRetryAfter } from '../../../src/core/http';
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

  it('resends a POST after 429 with Retry-After, waiting as told', async () => {
    const waits: number[] = [];
    const s = await scripted([json(429, { error: 'slow down' }, { 'retry-after': '2' }), json(200, { ok: 1 })]);
    try {
      const client = new AxiosHttpClient({ baseUrl: s.url, sleep: async (ms) => { waits.push(ms); } });
      const res = await client.request({ method: 'POST', url: '/jobs', body: {} });
      assert.deepEqual(res.data, { ok: 1 });
      assert.deepEqual(waits, [2000]);
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

  it('parses Retry-After in seconds and as a date', () => {
    assert.equal(parseRetryAfter('5'), 5000);
    assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 4_000), 6000);
    assert.equal(parseRetryAfter('soon'), undefined);
  });
});
