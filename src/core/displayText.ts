// The one way service- and workspace-derived text reaches a VS Code surface (notifications and
// their modal detail, quick picks, input boxes, the status bar, tree items): as inert text. VS Code
// turns `[label](command:id?args)` in a notification into a link that runs the command, renders
// `$(icon)` in labels and the status bar, and shows bidi controls that reorder what a person
// reads. A name from a manifest or a message from a service must never become any of these.
//
// `plain(value)` neutralises one value; `safe\`Sync of ${name} failed\`` keeps the developer's
// literal parts (status bar icons such as `$(warning)` stay) and neutralises every value, and
// then re-checks the joined text so that no link forms across a value and its neighbour. Its
// literal parts are translated as one message (`{0}` for the first value; see ./l10n).

import { translateTemplate } from './l10n';

export interface PlainOptions {
  /** Longest result in characters (code points), ellipsis included. Default 500. */
  max?: number;
  /** Keep line breaks (modal detail, plain-string tooltips). Default: one line. */
  lines?: boolean;
}

export const DEFAULT_MAX = 500;
/** Each value inside `safe` is capped on its own, so one long name cannot push the rest out. */
export const VALUE_MAX = 300;

// Bidi embeddings, overrides and isolates, marks, and the BOM: removed, so the text shows in the
// order it is stored.
const BIDI = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C\uFEFF]/g;
// C0 and C1 controls other than tab and line breaks (those are handled first).
const CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;
const LINE_BREAKS = /\r\n?|[\n\u0085\u2028\u2029]/g;
// `](` is what turns brackets into a markdown link (VS Code's notification links included).
const LINK_JOIN = /\]\(/g;
// URI schemes that run something when followed. `scheme:` directly followed by text becomes
// `scheme: text`, which is no URI.
const ACTIVE_SCHEME = /\b(command|javascript|vbscript|vscode|vscode-insiders|vscode-webview|data|file)\s*:(?=\S)/gi;
// `$(name)` renders as a codicon in labels, descriptions and the status bar.
const CODICON = /\$\(/g;

/** `value` as inert, single-line (unless `lines`) text of at most `max` characters. */
export function plain(value: unknown, options: PlainOptions = {}): string {
  const max = options.max ?? DEFAULT_MAX;
  let s = textOf(value).replace(LINE_BREAKS, '\n');
  s = options.lines ? s.replace(/\t/g, ' ') : s.replace(/[\t\n]/g, ' ');
  s = s.replace(BIDI, '').replace(CONTROLS, '');
  s = neutraliseLinks(s).replace(CODICON, '$ (');
  return cap(s, max);
}

/**
 * A tagged template for messages: `safe\`Could not trigger "${job.name}": ${err.userMessage}\``.
 * Literal parts are ours and kept; each value goes through `plain` (capped at VALUE_MAX).
 */
export function safe(literals: TemplateStringsArray, ...values: unknown[]): string {
  // The literal parts are a message of ours: translated as one template, `{n}` for the n-th value.
  const key = literals.reduce((acc, lit, i) => (i === 0 ? lit : `${acc}{${i - 1}}${lit}`), '');
  const translated = translateTemplate(key);
  const parts: string[] = [];
  const order: number[] = [];
  if (translated === key) {
    parts.push(...literals);
    order.push(...values.map((_, i) => i));
  } else {
    // A translation may reorder the values; a placeholder it names twice or not at all is kept as written.
    let last = 0;
    for (const m of translated.matchAll(/\{(\d+)\}/g)) {
      const n = Number(m[1]);
      if (n >= values.length) continue;
      parts.push(translated.slice(last, m.index));
      order.push(n);
      last = m.index + m[0].length;
    }
    parts.push(translated.slice(last));
  }
  let out = parts[0] ?? '';
  order.forEach((n, i) => {
    out = joinInert(joinInert(out, plain(values[n], { max: VALUE_MAX })), parts[i + 1] ?? '');
  });
  return neutraliseLinks(out);
}

/** Modal detail and other multi-line text: `plain` keeping line breaks. */
export function plainLines(value: unknown, max = DEFAULT_MAX * 2): string {
  return plain(value, { lines: true, max });
}

function neutraliseLinks(s: string): string {
  return s.replace(LINK_JOIN, '] (').replace(ACTIVE_SCHEME, '$1: ');
}

// A value ending in `]` or `$` next to a part starting with `(` (or the reverse) would form a link
// or an icon only once joined: keep them apart by a space.
function joinInert(left: string, right: string): string {
  if (/[\]$]$/.test(left) && right.startsWith('(')) return `${left} ${right}`;
  return left + right;
}

function textOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString();
  // Objects never reach a surface by their own toString (which a hostile payload could define).
  return '';
}

function cap(s: string, max: number): string {
  if (s.length <= max) return s;
  const points = Array.from(s);
  if (points.length <= max) return s;
  return `${points.slice(0, Math.max(0, max - 1)).join('')}…`;
}
