// The loopback redirect receiver of RFC 8252: an HTTP server on 127.0.0.1 and an ephemeral port
// that waits for one authorization response on /callback, answers the browser with a small
// self-contained page, and closes on every exit path (answer, error, cancel, timeout).
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuthError } from './authError';
import { t } from '../core/l10n';

export const LOOPBACK_TIMEOUT_MS = 5 * 60_000;
/** How long the browser's request waits for the code exchange before it gets a page anyway. */
const BROWSER_WAIT_MS = 15_000;
const CALLBACK_PATH = '/callback';

export interface LoopbackOptions {
  /** The state sent in the authorization request; any other (or none) ends the attempt. */
  expectedState: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** A fixed port, for servers that match the registered redirect URI exactly (Looker); default: any free one. */
  port?: number;
}

export type BrowserOutcome = { ok: true } | { ok: false; message: string };

export interface LoopbackReceiver {
  /** http://127.0.0.1:PORT/callback, to send as redirect_uri. */
  readonly redirectUri: string;
  /**
   * The callback URL the browser was sent to, with the expected state. Rejects with AuthError
   * (stateMismatch, timeout, cancelled). Settles once; later callbacks change nothing.
   */
  readonly result: Promise<URL>;
  /** Answers the waiting browser with how sign-in really ended, then closes the server. */
  finish(outcome: BrowserOutcome): void;
}

export async function startLoopbackReceiver(opts: LoopbackOptions): Promise<LoopbackReceiver> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return new Receiver(server, `http://127.0.0.1:${port}${CALLBACK_PATH}`, opts);
}

class Receiver implements LoopbackReceiver {
  readonly result: Promise<URL>;
  private settled = false;
  private closed = false;
  private resolveResult!: (url: URL) => void;
  private rejectResult!: (err: AuthError) => void;
  private waitingBrowser?: ServerResponse;
  private readonly timer: NodeJS.Timeout;
  private readonly onAbort = () => this.fail(new AuthError('cancelled', 'Sign-in was cancelled.'));

  constructor(
    private readonly server: Server,
    readonly redirectUri: string,
    private readonly opts: LoopbackOptions,
  ) {
    this.result = new Promise<URL>((resolve, reject) => {
      this.resolveResult = resolve;
      this.rejectResult = reject;
    });
    // The flow may stop listening after a failure elsewhere; that is not an unhandled rejection.
    this.result.catch(() => undefined);
    server.on('request', (req, res) => this.handle(req, res));
    const timeoutMs = opts.timeoutMs ?? LOOPBACK_TIMEOUT_MS;
    this.timer = setTimeout(
      () =>
        this.fail(
          new AuthError(
            'timeout',
            t('No answer from the browser within {0} seconds.', Math.round(timeoutMs / 1000)),
            'Run "Gatehouse: Sign In" again and finish signing in in the browser.',
          ),
        ),
      timeoutMs,
    );
    if (opts.signal?.aborted) this.onAbort();
    else opts.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  finish(outcome: BrowserOutcome): void {
    const res = this.waitingBrowser;
    this.waitingBrowser = undefined;
    if (res) answer(res, outcome);
    if (!this.settled) {
      this.settled = true;
      this.rejectResult(new AuthError('cancelled', 'Sign-in was cancelled.'));
    }
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    this.opts.signal?.removeEventListener('abort', this.onAbort);
    this.server.close();
    // Browsers keep connections alive; without this the server would linger until they drop them.
    this.server.closeAllConnections();
  }

  private fail(err: AuthError): void {
    if (!this.settled) {
      this.settled = true;
      this.rejectResult(err);
    }
    this.finish({ ok: false, message: err.message });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.redirectUri);
    if (req.method !== 'GET' || url.pathname !== CALLBACK_PATH) {
      // favicon.ico and the like: no effect on the sign-in.
      res.writeHead(404, headers('text/plain; charset=utf-8')).end('Not found');
      return;
    }
    if (this.settled) {
      answer(res, { ok: false, message: t('This sign-in link was already used. Start a new sign-in from VS Code if you need one.') });
      return;
    }
    if (url.searchParams.get('state') !== this.opts.expectedState) {
      // Not the answer to our request (forged, stale, or from another attempt): fail closed.
      this.waitingBrowser = res;
      this.fail(
        new AuthError('stateMismatch', 'The sign-in response did not belong to this sign-in attempt, so it was ignored.', 'Start a new sign-in from VS Code and finish it in the browser tab it opens.'),
      );
      return;
    }
    this.settled = true;
    this.waitingBrowser = res;
    setTimeout(() => {
      if (this.waitingBrowser !== res) return;
      this.waitingBrowser = undefined;
      answer(res, { ok: false, message: t('VS Code is still finishing the sign-in. Return to VS Code to see the result.') });
    }, BROWSER_WAIT_MS).unref();
    this.resolveResult(url);
  }
}

const STYLE = 'body{font:15px/1.5 system-ui,sans-serif;max-width:32em;margin:15vh auto;padding:0 1em;color:#1d2330}h1{font-size:20px}';
const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64');

function headers(contentType: string): Record<string, string> {
  return {
    'Content-Type': contentType,
    'Content-Security-Policy': `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
    Connection: 'close',
  };
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function answer(res: ServerResponse, outcome: BrowserOutcome): void {
  if (res.headersSent || res.writableEnded) return;
  const title = outcome.ok ? 'You are signed in to Gatehouse' : 'Gatehouse sign-in did not complete';
  const body = outcome.ok ? 'You can close this tab and return to VS Code.' : outcome.message;
  const html = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(body)}</p></body></html>`;
  res.writeHead(outcome.ok ? 200 : 400, headers('text/html; charset=utf-8')).end(html);
}
