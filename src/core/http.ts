// The HTTP client every service client uses: timeouts, cancellation, a cap on concurrent
// requests, retries only where a retry is safe (idempotent requests, or a 429/503 that says the
// request was not processed), Retry-After honoured, JSON parsed defensively.
import axios, { type AxiosInstance, type AxiosResponse, isAxiosError } from 'axios';
import { CancelledError, HttpError, reasonForStatus } from './errors';
import type { Logger } from './logger';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

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
   * May this request be sent again after a failure whose outcome is unknown (timeout, reset, 5xx)?
   * Defaults to true for GET and false otherwise: a sync trigger is never retried blindly.
   */
  idempotent?: boolean;
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
  maxAttempts?: number;
  /** Upper bound for a server's Retry-After we are willing to wait inside one call. */
  maxRetryAfterMs?: number;
  logger?: Logger;
  userAgent?: string;
  /** Sleep used between attempts (tests pass a fast one). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface HttpClient {
  request<T = unknown>(req: HttpRequest): Promise<HttpResponse<T>>;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new CancelledError());
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new CancelledError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Parses Retry-After (seconds or an HTTP date) into milliseconds. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
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
          reject(new CancelledError());
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

export class AxiosHttpClient implements HttpClient {
  private readonly axios: AxiosInstance;
  private readonly semaphore: Semaphore;
  private readonly opts: Required<Omit<HttpClientOptions, 'baseUrl' | 'logger' | 'userAgent'>> & HttpClientOptions;

  constructor(options: HttpClientOptions = {}) {
    this.opts = {
      timeoutMs: 30_000,
      maxConcurrent: 6,
      maxAttempts: 3,
      maxRetryAfterMs: 30_000,
      sleep,
      ...options,
    };
    this.semaphore = new Semaphore(this.opts.maxConcurrent);
    this.axios = axios.create({
      baseURL: options.baseUrl,
      // We parse ourselves so that malformed JSON becomes a typed error, not a string.
      responseType: 'text',
      transformResponse: [(d) => d],
      validateStatus: () => true,
      maxRedirects: 0,
      headers: options.userAgent ? { 'User-Agent': options.userAgent } : undefined,
      proxy: false,
    });
  }

  async request<T = unknown>(req: HttpRequest): Promise<HttpResponse<T>> {
    const idempotent = req.idempotent ?? req.method === 'GET';
    let attempt = 0;
    for (;;) {
      attempt++;
      try {
        return await this.once<T>(req);
      } catch (err) {
        if (!(err instanceof HttpError) || attempt >= this.opts.maxAttempts) throw err;
        const delay = this.retryDelay(err, attempt, idempotent);
        if (delay === undefined) throw err;
        this.opts.logger?.debug(`retrying ${req.method} ${safeUrl(req.url)} after ${err.reason} in ${delay} ms (attempt ${attempt + 1})`);
        await this.opts.sleep(delay, req.signal);
      }
    }
  }

  /** When to try again, or undefined when a retry is not safe or not useful. */
  private retryDelay(err: HttpError, attempt: number, idempotent: boolean): number | undefined {
    const backoff = Math.min(8_000, 250 * 2 ** (attempt - 1)) + Math.floor(Math.random() * 100);
    // 429 and 503 mean the server did not process the request: safe to resend even a POST,
    // but only when the server told us how long to wait and the wait is reasonable.
    if (err.reason === 'rateLimited' || err.status === 503) {
      if (err.retryAfterMs !== undefined) return err.retryAfterMs <= this.opts.maxRetryAfterMs ? err.retryAfterMs : undefined;
      return idempotent ? backoff : undefined;
    }
    if (!idempotent) return undefined;
    if (err.reason === 'network' || err.reason === 'timeout' || err.reason === 'server') return backoff;
    return undefined;
  }

  private async once<T>(req: HttpRequest): Promise<HttpResponse<T>> {
    const release = await this.semaphore.acquire(req.signal);
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), req.timeoutMs ?? this.opts.timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout.signal]) : timeout.signal;
    let res: AxiosResponse<string>;
    try {
      const { data, contentType } = encodeBody(req.body);
      res = await this.axios.request<string>({
        method: req.method,
        url: req.url,
        params: req.query,
        paramsSerializer: { serialize: serializeQuery },
        headers: { Accept: 'application/json', ...(contentType ? { 'Content-Type': contentType } : {}), ...req.headers },
        data,
        signal,
      });
    } catch (err) {
      if (req.signal?.aborted) throw new HttpError('cancelled', 'Cancelled.', undefined, undefined, undefined, { cause: err });
      if (timeout.signal.aborted) throw new HttpError('timeout', `No answer from ${host(req.url, this.opts.baseUrl)} in time.`);
      const code = isAxiosError(err) ? err.code : undefined;
      throw new HttpError('network', `Could not reach ${host(req.url, this.opts.baseUrl)}${code ? ` (${code})` : ''}.`, undefined, undefined, undefined, { cause: err });
    } finally {
      clearTimeout(timer);
      release();
    }
    const headers = normalizeHeaders(res.headers as Record<string, unknown>);
    const text = typeof res.data === 'string' ? res.data : '';
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
    if (res.status >= 200 && res.status < 300) {
      if (malformed) throw new HttpError('badResponse', `${host(req.url, this.opts.baseUrl)} sent a response that is not valid JSON.`, res.status);
      return { status: res.status, headers, data: data as T };
    }
    const retryAfterMs = parseRetryAfter(headers['retry-after']);
    throw new HttpError(
      reasonForStatus(res.status),
      `${host(req.url, this.opts.baseUrl)} answered HTTP ${res.status}.`,
      res.status,
      malformed ? undefined : data,
      retryAfterMs,
    );
  }
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
    return 'the server';
  }
}

/** The URL without its query (which may carry secrets) for log lines. */
export function safeUrl(url: string): string {
  return url.split('?')[0];
}
