// The one way Gatehouse builds webview HTML: a strict Content Security Policy (no inline script,
// no eval, no network: `connect-src 'none'`), a fresh nonce per render, scripts and styles only
// from the extension's dist/media folder. Panels pass data by postMessage, never in the HTML; the one
// exception is the page's translations (`l10n`), the extension's own text, in an escaped attribute.
import { randomBytes } from 'node:crypto';
import { safeLocale } from './format';

export interface WebviewLike {
  readonly cspSource: string;
  asWebviewUri(uri: { toString(): string } & object): { toString(): string };
}

export interface WebviewHtmlOptions {
  title: string;
  /** URIs (already converted with asWebviewUri) of the bundle and stylesheet. */
  scriptUri: string;
  styleUri?: string;
  cspSource: string;
  /** Extra attributes on <body>, e.g. data-view. Values are escaped; `l10n` is the option below. */
  bodyData?: Record<string, string>;
  /** The display language (vscode.env.language) for <html lang>; the page formats numbers and dates in it. */
  lang?: string;
  /**
   * The translations of the page's messages (message → translation), as JSON in <body data-l10n>
   * for media/l10n.ts. None in English: no attribute is written.
   */
  l10n?: Record<string, string>;
}

export function newNonce(): string {
  return randomBytes(18).toString('base64url');
}

export function webviewHtml(o: WebviewHtmlOptions, nonce = newNonce()): string {
  const csp = [
    "default-src 'none'",
    `img-src ${o.cspSource} data:`,
    `style-src ${o.cspSource}`,
    `font-src ${o.cspSource}`,
    `script-src 'nonce-${nonce}'`,
    "connect-src 'none'",
    "frame-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
  ].join('; ');
  // Attribute names are case-insensitive: data-L10n would be the page's translations too.
  const attrs = Object.entries(o.bodyData ?? {})
    .map(([k, v]) => [k.replace(/[^a-z0-9-]/gi, '').toLowerCase(), v])
    .filter(([k]) => k !== 'l10n');
  if (o.l10n && Object.keys(o.l10n).length) attrs.push(['l10n', JSON.stringify(o.l10n)]);
  const data = attrs.map(([k, v]) => ` data-${escapeAttr(k)}="${escapeAttr(v)}"`).join('');
  return `<!DOCTYPE html>
<html lang="${escapeAttr(safeLocale(o.lang) ?? 'en')}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp.replace(/[&"<>]/g, '')}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${o.styleUri ? `<link rel="stylesheet" href="${escapeAttr(o.styleUri)}">` : ''}
<title>${escapeText(o.title)}</title>
</head>
<body${data}>
<div id="app" role="application" aria-busy="true"></div>
<script nonce="${nonce}" src="${escapeAttr(o.scriptUri)}"></script>
</body>
</html>`;
}

export function escapeText(s: string): string {
  return s.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!);
}

export function escapeAttr(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
