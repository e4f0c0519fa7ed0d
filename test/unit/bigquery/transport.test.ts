// The BigQuery transport and the Google token exchange never carry a credential across a
// redirect, and a response over the cap is refused. Two loopback servers on different ports are
// two origins: the first answers with a redirect to the second, which records what arrived.
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BigQueryClient } from '../../../src/bigquery/client';
import { createGoogleCredentials, type GoogleCredentials } from '../../../src/bigquery/credentials';
import { BigQueryError } from '../../../src/bigquery/errors';
import { AxiosHttpClient, MAX_RESPONSE_SETTING } from '../../../src/core/http';

interface Seen {
  method: string;
  url: string;
  authorization?: string;
  body: string;
}

async function server(reply: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void) {
  const seen: Seen[] = [];
  const s = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, body });
      reply(req, res, body);
    });
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise<void>((r) => {
      s.closeAllConnections();
      s.close(() => r());
    }),
  };
}

const GOOGLE_TOKEN = 'ya29.google-access-token-for-bigquery';
const ID_TOKEN = 'eyJhbGciOiJSUzI1NiJ9.the-id-token.signature';

/** An AuthClient stand-in that hands out a fixed Google token (google-auth-library 10 returns Headers). */
const fixedToken: GoogleCredentials = {
  authClient: { getRequestHeaders: async () => new Headers({ authorization: `Bearer ${GOOGLE_TOKEN}` }) } as unknown as GoogleCredentials['authClient'],
  origin: 'google-federation',
};

describe('BigQuery transport: redirects and response size', () => {
  let collector: Awaited<ReturnType<typeof server>>;
  beforeEach(async () => {
    collector = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ projects: [{ id: 'stolen' }], access_token: 'x', expires_in: 3600, token_type: 'Bearer' }));
    });
  });
  afterEach(() => collector.close());

  for (const status of [301, 302, 307, 308]) {
    it(`does not follow a ${status} from the BigQuery endpoint to another origin with the Google token`, async () => {
      const endpoint = await server((req, res) => {
        res.writeHead(status, { location: `${collector.url}${req.url}` });
        res.end();
      });
      try {
        const client = new BigQueryClient({ billingProject: 'p', apiEndpoint: endpoint.url, credentials: fixedToken, retry: { baseDelayMs: 1, maxDelayMs: 1 } });
        await assert.rejects(client.listProjects(), (e: unknown) => BigQueryError.is(e, 'badResponse') && /redirect/.test(e.message) && !e.message.includes(GOOGLE_TOKEN));
        await assert.rejects(client.startQuery('select 1', { jobId: 'gatehouse_fixed' }), (e: unknown) => BigQueryError.is(e, 'badResponse'));
        // The endpoint got the token (it is the configured one); the other origin got nothing.
        assert.equal(endpoint.seen[0].authorization, `Bearer ${GOOGLE_TOKEN}`);
        assert.equal(endpoint.seen.length, 2, 'a redirect is not retried');
        assert.deepEqual(collector.seen, []);
      } finally {
        await endpoint.close();
      }
    });
  }

  it('does not follow a redirect from the token exchange (STS) with the id token', async () => {
    const sts = await server((_req, res) => {
      res.writeHead(307, { location: `${collector.url}/v1/token` });
      res.end();
    });
    try {
      const credentials = createGoogleCredentials(
        { audience: '//iam.googleapis.com/locations/global/workforcePools/p/providers/x', stsUrl: `${sts.url}/v1/token` },
        { getIdToken: async () => ID_TOKEN },
      );
      const client = new BigQueryClient({ billingProject: 'p', apiEndpoint: collector.url, credentials, retry: { maxAttempts: 1 } });
      await assert.rejects(client.listProjects(), (e: unknown) => BigQueryError.is(e) && !e.message.includes(ID_TOKEN));
      assert.ok(sts.seen.length >= 1);
      assert.ok(sts.seen.every((r) => r.body.includes('the-id-token')));
      assert.deepEqual(collector.seen, [], 'neither the id token nor a BigQuery call reached the other origin');
    } finally {
      await sts.close();
    }
  });

  it('does not follow a redirect from service-account impersonation with the federated token', async () => {
    const sts = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: 'federated-token', issued_token_type: 'urn:ietf:params:oauth:token-type:access_token', token_type: 'Bearer', expires_in: 3600 }));
    });
    const iam = await server((_req, res) => {
      res.writeHead(307, { location: `${collector.url}/generateAccessToken` });
      res.end();
    });
    try {
      const credentials = createGoogleCredentials(
        {
          audience: '//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/x',
          stsUrl: `${sts.url}/v1/token`,
          serviceAccountImpersonationUrl: `${iam.url}/v1/projects/-/serviceAccounts/sa@p.iam.gserviceaccount.com:generateAccessToken`,
        },
        { getIdToken: async () => ID_TOKEN },
      );
      const client = new BigQueryClient({ billingProject: 'p', apiEndpoint: collector.url, credentials, retry: { maxAttempts: 1 } });
      await assert.rejects(client.listProjects(), (e: unknown) => BigQueryError.is(e));
      // google-auth-library retries its token requests; every one got the redirect, none followed it.
      assert.ok(iam.seen.length >= 1);
      assert.ok(iam.seen.every((r) => r.authorization === 'Bearer federated-token'));
      assert.deepEqual(collector.seen, []);
    } finally {
      await sts.close();
      await iam.close();
    }
  });

  it('bounds getting the Google token by the request limit and the cancel', async () => {
    const hanging: GoogleCredentials = {
      authClient: { getRequestHeaders: () => new Promise<Headers>(() => undefined) } as unknown as GoogleCredentials['authClient'],
      origin: 'google-federation',
    };
    const client = new BigQueryClient({ billingProject: 'p', apiEndpoint: collector.url, credentials: hanging, requestTimeoutMs: 150, retry: { maxAttempts: 1 } });
    const started = Date.now();
    await assert.rejects(client.listProjects(), (e: unknown) => BigQueryError.is(e, 'timeout'));
    assert.ok(Date.now() - started < 2_000);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const slow = new BigQueryClient({ billingProject: 'p', apiEndpoint: collector.url, credentials: hanging, requestTimeoutMs: 60_000 });
    await assert.rejects(slow.listProjects({ signal: ac.signal }), (e: unknown) => BigQueryError.is(e, 'cancelled'));
    assert.deepEqual(collector.seen, []);
  });

  it('refuses a BigQuery answer over the response cap, naming the setting', async () => {
    const big = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ rows: [{ f: [{ v: 'x'.repeat(3 * 1024 * 1024) }] }] }));
    });
    try {
      const client = new BigQueryClient({
        billingProject: 'p',
        apiEndpoint: big.url,
        credentials: fixedToken,
        http: new AxiosHttpClient({ maxAttempts: 1, maxResponseBytes: 1024 * 1024 }),
        retry: { baseDelayMs: 1, maxDelayMs: 1 },
      });
      await assert.rejects(
        client.listTableData({ projectId: 'p', datasetId: 'd', tableId: 't' }),
        (e: unknown) => BigQueryError.is(e, 'resourcesExceeded') && e.message.includes(MAX_RESPONSE_SETTING),
      );
      assert.equal(big.seen.length, 1, 'a response that is too large is not fetched again');
    } finally {
      await big.close();
    }
  });
});
