// Localisation in the webviews, by the convention of src/core/l10n.ts: a message is its own key,
// `t('Lineage of {0}', name)`, and the values are formatted in after translation (so a translation
// can move them). The host writes the translations of this page's messages into <body data-l10n>
// as JSON (webviewHtml's `l10n`); in English it writes none and every message stays as written.
// `scripts/l10n.mjs` extracts the t('…') calls here into l10n/bundle.l10n.json and into the list of
// each page's messages (src/core/webviewMessages.ts) that tells the host which ones to send.
import { formatMessage } from '../src/core/l10n';

/** Keys that name an object's machinery rather than a message. */
const NOT_MESSAGES = new Set(['__proto__', 'constructor', 'prototype']);

let translations: ReadonlyMap<string, string> | undefined;

// The page's document, typed by hand: the DOM-free modules that use `t` also run in plain Node tests
// (type-checked there without the DOM library), where there is none.
function pageDocument(): { body?: { dataset?: { l10n?: string } } | null } | undefined {
  return (globalThis as { document?: { body?: { dataset?: { l10n?: string } } | null } }).document;
}

/**
 * The translations in `raw`, the JSON the host wrote: the object's own entries whose value is a
 * non-empty string. Anything else (not JSON, not an object, other values) is left out. Never throws.
 */
export function parseTranslations(raw: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (typeof raw !== 'string' || raw === '') return out;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return out;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return out;
  for (const [key, value] of Object.entries(parsed)) {
    if (!NOT_MESSAGES.has(key) && typeof value === 'string' && value !== '') out.set(key, value);
  }
  return out;
}

/** Replaces the translations (tests; the page reads its own from <body data-l10n> on first use). */
export function useTranslations(raw: unknown): void {
  translations = parseTranslations(raw);
}

/** Our own message, translated when the host sent a translation, with `{n}` replaced by `values[n]`. */
export function t(message: string, ...values: (string | number)[]): string {
  translations ??= parseTranslations(pageDocument()?.body?.dataset?.l10n);
  return formatMessage(translations.get(message) ?? message, values);
}
