// Plays a browser against the IdP for headless tests: a cookie jar (path-scoped, expiry-aware)
// and manual redirect handling, so the caller sees where each step leads.

interface Cookie {
  name: string;
  value: string;
  path: string;
}

export class Browser {
  private readonly jar = new Map<string, Cookie>();

  async get(url: string): Promise<Response> {
    return this.send(url, { method: 'GET' });
  }

  async postForm(url: string, form: Record<string, string>): Promise<Response> {
    return this.send(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  }

  private async send(url: string, init: RequestInit): Promise<Response> {
    const target = new URL(url);
    const cookie = [...this.jar.values()]
      .filter((c) => target.pathname === c.path || target.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
    const headers = new Headers(init.headers);
    if (cookie) headers.set('cookie', cookie);
    headers.set('accept', 'text/html,application/json');
    const res = await fetch(target, { ...init, headers, redirect: 'manual', signal: AbortSignal.timeout(10_000) });
    for (const line of res.headers.getSetCookie()) this.store(line);
    return res;
  }

  private store(line: string): void {
    const [pair, ...attrs] = line.split(';').map((s) => s.trim());
    const eq = pair.indexOf('=');
    if (eq <= 0) return;
    const cookie: Cookie = { name: pair.slice(0, eq), value: pair.slice(eq + 1), path: '/' };
    let expired = cookie.value === '';
    for (const attr of attrs) {
      const [k, v = ''] = attr.split('=');
      const key = k.toLowerCase();
      if (key === 'path' && v) cookie.path = v;
      else if (key === 'max-age' && Number(v) <= 0) expired = true;
      else if (key === 'expires' && Date.parse(v) <= Date.now()) expired = true;
    }
    const id = `${cookie.name};${cookie.path}`;
    if (expired) this.jar.delete(id);
    else this.jar.set(id, cookie);
  }
}

/** Location of a redirect response, resolved against the request URL; undefined when not a redirect. */
export function redirectTarget(res: Response, from: string): string | undefined {
  if (res.status < 300 || res.status >= 400) return undefined;
  const loc = res.headers.get('location');
  return loc ? new URL(loc, from).href : undefined;
}
