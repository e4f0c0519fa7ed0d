// Plays the browser through Looker's OAuth authorization for headless tests: Looker's /auth, its
// login page's hop to the sandbox IdP, the IdP's user picker (answered as `user`), the SSO callback
// that sets the Looker session cookie, and back to /auth, until a redirect leaves both (the
// application's redirect_uri), which is returned without being requested. Keep the Browser to
// come back with Looker's session (then the IdP is not asked again).
import { Browser, redirectTarget } from '../idp/browser';

export async function authorizeAtLooker(start: string, o: { issuer: string; user: string; browser?: Browser }): Promise<string> {
  const browser = o.browser ?? new Browser();
  const looker = new URL(start).origin;
  const issuer = new URL(o.issuer).origin;
  let url = start;
  let res = await browser.get(url);
  for (let hop = 0; hop < 25; hop++) {
    const next = redirectTarget(res, url);
    if (next) {
      await res.body?.cancel();
      const origin = new URL(next).origin;
      if (origin !== looker && origin !== issuer) return next;
      url = next;
      res = await browser.get(url);
      continue;
    }
    const html = await res.text();
    const uid = new URL(url).origin === issuer ? /^\/interaction\/([^/]+)\/?$/.exec(new URL(url).pathname)?.[1] : undefined;
    if (res.status !== 200 || !uid) throw new Error(`unexpected page ${new URL(url).pathname} (${res.status}): ${html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').slice(0, 200)}`);
    url = `${issuer}/interaction/${uid}/login`;
    res = await browser.postForm(url, { user: o.user });
  }
  throw new Error('too many redirects');
}
