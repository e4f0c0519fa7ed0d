// HTML of the sandbox IdP: the demo user picker and the device-flow pages. No external assets,
// every dynamic value escaped, a strict CSP with a per-render nonce for the one <style> block.
import { randomBytes } from 'node:crypto';
import type { DemoUser } from '../directory';
import { SANDBOX_HOST } from '../http';

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export interface Page {
  html: string;
  csp: string;
}

const STYLE = `
body{font:15px/1.4 system-ui,sans-serif;background:#f4f5f7;color:#1d2330;margin:0;padding:40px 16px}
main{max-width:420px;margin:0 auto;background:#fff;border-radius:8px;padding:24px 28px;box-shadow:0 1px 3px rgba(0,0,0,.15)}
h1{font-size:20px;margin:0 0 4px}p{margin:4px 0 16px;color:#4a5263}
.user{display:block;width:100%;text-align:left;margin:0 0 10px;padding:10px 14px;border:1px solid #c9ced8;border-radius:6px;background:#fff;cursor:pointer;font:inherit}
.user:hover{border-color:#3b6fd8;background:#f1f5ff}.user strong{display:block}.user span{font-size:13px;color:#5d6575}
.cancel{margin-top:6px;background:none;border:0;color:#5d6575;cursor:pointer;font:inherit;text-decoration:underline}
.error{color:#b3261e}input[type=text]{width:100%;box-sizing:border-box;padding:8px;font-size:18px;text-transform:uppercase;text-align:center;margin-bottom:10px}
button[type=submit]:not(.user):not(.cancel){padding:8px 16px;font:inherit;cursor:pointer}code{font-size:20px}
`;

/** Wraps a body; the CSP lets forms post to the IdP and its redirects land on loopback clients. */
export function page(title: string, body: string): Page {
  const nonce = randomBytes(16).toString('base64');
  const html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style nonce="${nonce}">${STYLE}</style></head>
<body><main>${body}</main></body></html>`;
  const csp = [
    "default-src 'none'",
    `style-src 'nonce-${nonce}'`,
    // Chrome applies form-action to the redirects after a POST, which end at the client's loopback.
    // The sandbox's own services (Looker's SSO callback) may sit on another loopback address.
    `form-action 'self' http://127.0.0.1:* http://localhost:* http://[::1]:*${SANDBOX_HOST === '127.0.0.1' ? '' : ` http://${SANDBOX_HOST}:*`}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
  return { html, csp };
}

export function loginPage(uid: string, clientName: string, users: readonly DemoUser[]): Page {
  const base = `/interaction/${encodeURIComponent(uid)}`;
  const buttons = users
    .map(
      (u) =>
        `<button class="user" type="submit" name="user" value="${escapeHtml(u.id)}">` +
        `<strong>${escapeHtml(u.name)}</strong><span>${escapeHtml(u.email)} · ${escapeHtml(u.groups.join(', '))}</span></button>`,
    )
    .join('\n');
  return page(
    'Sign in · Gatehouse sandbox',
    `<h1>Sign in to the Gatehouse sandbox</h1>
<p><strong>${escapeHtml(clientName)}</strong> asks you to sign in. Pick a demo user:</p>
<form method="post" action="${base}/login">${buttons}</form>
<form method="post" action="${base}/abort"><button class="cancel" type="submit">Cancel</button></form>`,
  );
}

export function errorPage(message: string): Page {
  return page('Sign-in error', `<h1>Sign-in error</h1><p class="error">${escapeHtml(message)}</p>`);
}

/** `form` is oidc-provider's own form markup (it carries the xsrf token and escapes the code). */
export function deviceInputPage(form: string, error: boolean): Page {
  const msg = error ? '<p class="error">That code is not valid. Try again.</p>' : '<p>Enter the code shown on your device.</p>';
  return page(
    'Device sign-in',
    `<h1>Device sign-in</h1>${msg}${form}<button type="submit" form="op.deviceInputForm">Continue</button>`,
  );
}

export function deviceConfirmPage(form: string, clientName: string, userCode: string): Page {
  return page(
    'Confirm device',
    `<h1>Confirm device</h1><p><strong>${escapeHtml(clientName)}</strong> shows this code:</p><p><code>${escapeHtml(userCode)}</code></p>
${form}<button type="submit" form="op.deviceConfirmForm">Continue</button>
<button class="cancel" type="submit" form="op.deviceConfirmForm" name="abort" value="yes">Abort</button>`,
  );
}

export function messagePage(title: string, message: string): Page {
  return page(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>`);
}
