// For integration suites that need BigQuery rows without the BigQuery module: signs in at the
// sandbox IdP over HTTP (PKCE, as a browser would), exchanges the id token at the sandbox STS
// for a Google access token (workforce federation, as the extension does), and runs a query
// through the BigQuery REST API. The token stays in the test; only rows reach the panel.
import { createHash, randomBytes } from 'node:crypto';
import { Browser, redirectTarget } from '../../sandbox/idp/browser';
import { EXTENSION_CLIENT_ID, GOOGLE_WORKFORCE_AUDIENCE, GOOGLE_WORKFORCE_USER_PROJECT } from '../../sandbox/constants';
import { BigQueryResultSource, type BigQueryPageFetcher, type BigQueryRowsResponse } from '../../../src/bigquery/rows';

export interface SandboxUrls {
  issuer: string;
  sts: string;
  bigquery: string;
}

export function sandboxUrls(): SandboxUrls {
  const urls = JSON.parse(process.env.GATEHOUSE_SANDBOX_URLS ?? '{}') as Partial<SandboxUrls>;
  if (!urls.issuer || !urls.sts || !urls.bigquery) throw new Error('GATEHOUSE_SANDBOX_URLS must name the issuer, sts and bigquery');
  return urls as SandboxUrls;
}

/** An id token for `user` from the sandbox IdP (authorization code + PKCE, loopback redirect not followed). */
export async function sandboxIdToken(issuer: string, user: string): Promise<string> {
  const verifier = randomBytes(32).toString('base64url');
  const redirectUri = 'http://127.0.0.1:53682/callback';
  const auth = new URL(`${issuer}/auth`);
  auth.search = new URLSearchParams({
    client_id: EXTENSION_CLIENT_ID,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: 'openid profile email groups',
    state: randomBytes(8).toString('base64url'),
    nonce: randomBytes(8).toString('base64url'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  const browser = new Browser();
  let url = auth.href;
  let res = await browser.get(url);
  let callback: URL | undefined;
  for (let hop = 0; hop < 20 && !callback; hop++) {
    const next = redirectTarget(res, url);
    await res.body?.cancel();
    if (next && new URL(next).origin !== new URL(issuer).origin) callback = new URL(next);
    else if (next) res = await browser.get((url = next));
    else {
      const uid = /^\/interaction\/([^/]+)\/?$/.exec(new URL(url).pathname)?.[1];
      if (!uid) throw new Error(`unexpected IdP page ${new URL(url).pathname} (${res.status})`);
      res = await browser.postForm((url = `${issuer}/interaction/${uid}/login`), { user });
    }
  }
  const code = callback?.searchParams.get('code');
  if (!code) throw new Error('the IdP did not return a code');
  const token = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: EXTENSION_CLIENT_ID, code_verifier: verifier }).toString(),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await token.json()) as { id_token?: string };
  if (!token.ok || !body.id_token) throw new Error(`token endpoint answered ${token.status}`);
  return body.id_token;
}

/** A Google access token for `user` through the sandbox STS (workforce pool federation). */
export async function sandboxGoogleToken(urls: SandboxUrls, user: string): Promise<string> {
  const idToken = await sandboxIdToken(urls.issuer, user);
  const res = await fetch(`${urls.sts}/v1/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
      subject_token: idToken,
      audience: GOOGLE_WORKFORCE_AUDIENCE,
      scope: 'https://www.googleapis.com/auth/bigquery',
      options: JSON.stringify({ userProject: GOOGLE_WORKFORCE_USER_PROJECT }),
    }).toString(),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await res.json()) as { access_token?: string };
  if (!res.ok || !body.access_token) throw new Error(`STS answered ${res.status}`);
  return body.access_token;
}

export interface QueryResult {
  source: BigQueryResultSource;
  jobId: string;
  bytesProcessed: number;
  cacheHit: boolean;
  timeToFirstRowMs: number;
}

/** Runs `sql` (standard SQL) in gatehouse-demo and returns its rows as a ResultSource. */
export async function runSandboxQuery(urls: SandboxUrls, token: string, sql: string, pageSize: number): Promise<QueryResult> {
  const started = Date.now();
  const base = `${urls.bigquery}/bigquery/v2/projects/gatehouse-demo`;
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const call = async (url: string, init: RequestInit = {}): Promise<BigQueryRowsResponse & Record<string, unknown>> => {
    const timeout = AbortSignal.timeout(120_000);
    const res = await fetch(url, { ...init, headers, signal: init.signal ? AbortSignal.any([init.signal, timeout]) : timeout });
    const body = (await res.json()) as BigQueryRowsResponse & Record<string, unknown>;
    if (!res.ok) throw new Error(`BigQuery answered ${res.status}: ${JSON.stringify(body).slice(0, 300)}`);
    return body;
  };
  let first = await call(`${base}/queries`, {
    method: 'POST',
    body: JSON.stringify({ query: sql, useLegacySql: false, maxResults: pageSize, timeoutMs: 60_000, formatOptions: { useInt64Timestamp: true } }),
  });
  const jobId = (first.jobReference as { jobId: string }).jobId;
  const results = `${base}/queries/${encodeURIComponent(jobId)}`;
  while (first.jobComplete === false) {
    first = await call(`${results}?${new URLSearchParams({ maxResults: String(pageSize), timeoutMs: '10000', 'formatOptions.useInt64Timestamp': 'true' })}`);
  }
  const fetchPage: BigQueryPageFetcher = (params, signal) => {
    const q = new URLSearchParams({ maxResults: String(params.maxResults), 'formatOptions.useInt64Timestamp': 'true' });
    if (params.pageToken) q.set('pageToken', params.pageToken);
    else q.set('startIndex', String(params.startIndex ?? 0));
    return call(`${results}?${q}`, signal ? { signal } : {});
  };
  const source = await BigQueryResultSource.open({ fetchPage, pageSize, first });
  return { source, jobId, bytesProcessed: Number(first.totalBytesProcessed ?? 0), cacheHit: first.cacheHit === true, timeToFirstRowMs: Date.now() - started };
}
