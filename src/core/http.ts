// The HTTP client every service client uses: timeouts, cancellation, a cap on concurrent
// requests, a cap on the size of a response (enforced while it streams in), no redirects (a
// credential stays with the origin it was issued for), JSON parsed defensively, and retries only
// for requests that are safe to send twice. A POST or PATCH is never sent again, whatever the
// status: a gateway's 503 or 429 can come after the backend accepted it, and a second sync would
// start. The caller may mark a request idempotent when it is (a token request, a cancel, an insert
// with a client-chosen id).
import type { Readable } from 'node:stream';
import type { AxiosInstance, AxiosResponse, AxiosStatic } from 'axios';
import { HttpError, reasonForStatus } from './errors';
import type { Logger } from './logger';
import { DEFAULT_RETRY_POLICY, withRetry, type RetryPolicy, type RetryVerdict } from './retry';
import { t } from './l10n';

export { sleep } from './retry';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** The setting that raises the response cap; named in the error, so the user knows what to change. */
export const MAX_RESPONSE_SETTING = 'gatehouse.http.maxResponseMiB';
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

export interface HttpRequest {
  method: Method;
  /** Absolute URL, or a path resolved against the client's baseUrl. */
  url: string;
  query?: Record<string, string | number | boolean | undefined | readonly (string | number)[]>;
  headers?: Record<string, string>;
  /** JSON body (objects) or a pre-encoded string/URLSearchParams. */
  body?: unknown;
  signal?: AbortSignal;
  timeoutMs?: number;
  /**
   * May this request be sent again after a failure (timeout, reset, 5xx, 429)? Defaults to true
   * for GET only. PUT and DELETE are idempotent by the HTTP spec but services do not always honour
   * that, so they are retried only when the caller says so; a POST only when the caller knows a
   * second one is harmless.
   */
  idempotent?: boolean;
  /** Overrides the client's response cap for this request. */
  maxResponseBytes?: number;
}

export interface HttpResponse<T = unknown> {
  status: number;
  headers: Record<string, string>;
  data: T;
}

export interface HttpClientOptions {
  baseUrl?: string;
  timeoutMs?: number;
  maxConcurrent?: number;
  /** Attempts of an idempotent request, the first included (1: no retries). */
  maxAttempts?: number;
  /** Upper bound for a server's Retry-After we are willing to wait inside one call. */
  maxRetryAfterMs?: number;
  /** Largest response body accepted (decoded bytes); a function is read per request (a setting). */
  maxResponseBytes?: number | (() => number);
  logger?: Logger;
  userAgent?: string;
  /** Sleep used between attempts (tests pass a fast one). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Jitter source in [0, 1) (tests pass a fixed one). */
  random?: () => number;
}

export interface HttpClient {
  request<T = unknown>(req: HttpRequest): Promise<HttpResponse<T>>;
}

/** Parses Retry-After (seconds or an HTTP date) into milliseconds. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Statuses after which an idempotent request is worth sending again. */
const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504]);

/**
 * Whether a failed request may be sent again. Never for a request that is not idempotent, whatever
 * the status; for an idempotent one after a network failure, a timeout or a transient status.
 */
export function retryVerdict(err: unknown, idempotent: boolean): RetryVerdict {
  if (!idempotent || !(err instanceof HttpError)) return { retry: false };
  if (err.reason === 'network' || err.reason === 'timeout') return { retry: true };
  if (err.status !== undefined && RETRY_STATUS.has(err.status)) return { retry: true, retryAfterMs: err.retryAfterMs };
  return { retry: false };
}

class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}

  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (this.active >= this.limit) {
      await new Promise<void>((resolve, reject) => {
        const go = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = () => {
          const i = this.waiting.indexOf(go);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(new HttpError('cancelled', 'Cancelled.'));
        };
        this.waiting.push(go);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
    this.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.waiting.shift()?.();
    };
  }
}

let axiosModule: AxiosStatic | undefined;

/**
 * axios loads with the first HTTP client a service builds, not at activation: the extension
 * bundle maps this require to dist/vendor/axios.js (see esbuild.mjs); plain Node resolves it as usual.
 */
function loadAxios(): AxiosStatic {
  if (!axiosModule) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require('axios') as AxiosStatic & { default?: AxiosStatic };
    axiosModule = mod.default ?? mod;
  }
  return axiosModule;
}

export class AxiosHttpClient implements HttpClient {
  private readonly axios: AxiosInstance;
  private readonly semaphore: Semaphore;
  private readonly timeoutMs: number;
  private readonly policy: RetryPolicy;

  constructor(private readonly options: HttpClientOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.policy = { ...DEFAULT_RETRY_POLICY, maxAttempts: options.maxAttempts ?? 3, maxRetryAfterMs: options.maxRetryAfterMs ?? DEFAULT_RETRY_POLICY.maxRetryAfterMs };
    this.semaphore = new Semaphore(options.maxConcurrent ?? 6);
    this.axios = loadAxios().create({
      baseURL: options.baseUrl,
      // A stream, read here: the size cap is enforced while it arrives, and malformed JSON becomes
      // a typed error, not a string.
      responseType: 'stream',
      validateStatus: () => true,
      // A redirect would carry the Authorization header (or a session header) to wherever the
      // Location points; a redirect is an error instead.
      maxRedirects: 0,
      headers: options.userAgent ? { 'User-Agent': options.userAgent } : undefined,
      proxy: false,
    });
  }

  request<T = unknown>(req: HttpRequest): Promise<HttpResponse<T>> {
    const idempotent = req.idempotent ?? req.method === 'GET';
    return withRetry(() => this.once<T>(req), {
      policy: this.policy,
      shouldRetry: (err) => retryVerdict(err, idempotent),
      signal: req.signal,
      sleep: this.options.sleep,
      random: this.options.random,
      onRetry: (err, n, delay) =>
        this.options.logger?.debug(`retrying ${req.method} ${safeUrl(req.url)} after ${(err as HttpError).reason} in ${delay} ms (attempt ${n + 1})`),
    }).catch((err) => {
      // A cancel while waiting between attempts surfaces like a cancel during a request.
      if (req.signal?.aborted && !HttpError.is(err, 'cancelled')) throw new HttpError('cancelled', 'Cancelled.', undefined, undefined, undefined, { cause: err });
      throw err;
    });
  }

  private maxResponseBytes(req: HttpRequest): number {
    const configured = typeof this.options.maxResponseBytes === 'function' ? this.options.maxResponseBytes() : this.options.maxResponseBytes;
    const limit = req.maxResponseBytes ?? configured ?? DEFAULT_MAX_RESPONSE_BYTES;
    return Number.isFinite(limit) && limit > 0 ? limit : DEFAULT_MAX_RESPONSE_BYTES;
  }

  private async once<T>(req: HttpRequest): Promise<HttpResponse<T>> {
    const release = await this.semaphore.acquire(req.signal);
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), req.timeoutMs ?? this.timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout.signal]) : timeout.signal;
    const where = host(req.url, this.options.baseUrl);
    const failed = (err: unknown): HttpError => {
      if (HttpError.is(err)) return err;
      if (req.signal?.aborted) return new HttpError('cancelled', 'Cancelled.', undefined, undefined, undefined, { cause: err });
      if (timeout.signal.aborted) return new HttpError('timeout', t('No answer from {0} in time.', where));
      const code = loadAxios().isAxiosError(err) ? err.code : (err as { code?: unknown })?.code;
      return new HttpError('network', typeof code === 'string' ? t('Could not reach {0} ({1}).', where, code) : t('Could not reach {0}.', where), undefined, undefined, undefined, { cause: err });
    };
    try {
      let res: AxiosResponse<Readable>;
      try {
        const { data, contentType } = encodeBody(req.body);
        res = await this.axios.request<Readable>({
          method: req.method,
          url: req.url,
          params: req.query,
          paramsSerializer: { serialize: serializeQuery },
          headers: { Accept: 'application/json', ...(contentType ? { 'Content-Type': contentType } : {}), ...req.headers },
          data,
          signal,
          // The stream is ours to bound; axios's own limit would throw an untyped error.
          maxContentLength: -1,
        });
      } catch (err) {
        throw failed(err);
      }
      const headers = normalizeHeaders(res.headers as Record<string, unknown>);
      if (res.status >= 300 && res.status < 400) {
        res.data.destroy();
        throw new HttpError(
          'redirected',
          t('{0} answered with a redirect (HTTP {1}). Gatehouse does not follow redirects, so your credentials stay with {0}; check the configured URL.', where, res.status),
          res.status,
        );
      }
      let text: string;
      try {
        text = await readCapped(res.data, this.maxResponseBytes(req), headers['content-length'], where, signal);
      } catch (err) {
        throw failed(err);
      }
      return parse<T>(res.status, headers, text, where);
    } finally {
      clearTimeout(timer);
      release();
    }
  }
}

/** Reads a body up to `limit` bytes; past it (or when Content-Length says so) the connection is dropped. */
async function readCapped(stream: Readable, limit: number, contentLength: string | undefined, where: string, signal: AbortSignal): Promise<string> {
  const tooLarge = () => {
    stream.destroy();
    const mib = Math.round((limit / (1024 * 1024)) * 100) / 100;
    return new HttpError('responseTooLarge', t('{0} sent a response larger than {1} MiB, so Gatehouse stopped reading it. If you expect answers this large, raise {2}.', where, mib, MAX_RESPONSE_SETTING));
  };
  if (contentLength !== undefined && Number(contentLength) > limit) throw tooLarge();
  const onAbort = () => stream.destroy(new Error('aborted'));
  signal.addEventListener('abort', onAbort, { once: true });
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of stream) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      total += buf.length;
      if (total > limit) throw tooLarge();
      chunks.push(buf);
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  return Buffer.concat(chunks, total).toString('utf8');
}

function parse<T>(status: number, headers: Record<string, string>, text: string, where: string): HttpResponse<T> {
  const isJson = /json/i.test(headers['content-type'] ?? '');
  let data: unknown = text;
  let malformed = false;
  if (isJson && text.length > 0) {
    try {
      data = JSON.parse(text);
    } catch {
      malformed = true;
    }
  }
  if (status >= 200 && status < 300) {
    if (malformed) throw new HttpError('badResponse', t('{0} sent a response that is not valid JSON.', where), status);
    return { status, headers, data: data as T };
  }
  throw new HttpError(reasonForStatus(status), t('{0} answered HTTP {1}.', where, status), status, malformed ? undefined : data, parseRetryAfter(headers['retry-after']));
}

function encodeBody(body: unknown): { data?: string | Buffer; contentType?: string } {
  if (body === undefined) return {};
  if (body instanceof URLSearchParams) return { data: body.toString(), contentType: 'application/x-www-form-urlencoded' };
  if (typeof body === 'string' || Buffer.isBuffer(body)) return { data: body };
  return { data: JSON.stringify(body), contentType: 'application/json' };
}

function serializeQuery(params: Record<string, unknown>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const item of v) q.append(k, String(item));
    else q.append(k, String(v));
  }
  return q.toString();
}

function normalizeHeaders(h: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  return out;
}

function host(url: string, base?: string): string {
  try {
    return new URL(url, base).host;
  } catch {
    return t('the server');
  }
}

/** The URL without its query (which may carry secrets) for log lines. */
export function safeUrl(url: string): string {
  return url.split('?')[0];
}
