// Localisation for plain code. Every message of ours that a person reads goes through `t` (or the
// `safe` template of displayText, which translates its literal parts the same way), so VS Code's
// l10n bundles (l10n/bundle.l10n.<locale>.json) can translate it. Plain code cannot import `vscode`:
// the glue installs VS Code's translator at activation (`setTranslator`), and until then, and in
// plain Node tests, messages stay in English.
//
// A message is its own key: `t('Signed in as {0}.', name)`. Placeholders are `{0}`, `{1}`, …; the
// values are formatted in after translation, so a translation can move them.
// `scripts/l10n.mjs` extracts every key (t('…') calls, safe`…` templates, l10nTable({…}) values)
// into l10n/bundle.l10n.json, the file translators start from.

/** Returns the translation of a message template, placeholders intact (the message itself when there is none). */
export type Translator = (message: string) => string;

/** Translated templates by template, as VS Code loads them from l10n/bundle.l10n.<locale>.json. */
export type Bundle = Readonly<Record<string, unknown>>;

import { lookup } from './lookup';

let translator: Translator | undefined;
let bundle: Bundle | undefined;

/** Installs the translator; `undefined` goes back to English. */
export function setTranslator(next: Translator | undefined): void {
  translator = next;
  bundle = undefined;
}

/** Translates from `next` (VS Code's bundle in the extension); `undefined` goes back to English. */
export function useBundle(next: Bundle | undefined): void {
  // Own entries only: a message such as "constructor" must not answer from Object.prototype.
  setTranslator(next && ((message) => { const own = lookup(next, message); return typeof own === 'string' ? own : message; }));
  bundle = next;
}

/** The bundle in use, so that a worker thread can translate the same way (it is structured-cloned there). */
export function currentBundle(): Bundle | undefined {
  return bundle;
}

/** The translated template of `message`, placeholders intact. Never throws. */
export function translateTemplate(message: string): string {
  if (!translator) return message;
  try {
    const out = translator(message);
    return typeof out === 'string' && out ? out : message;
  } catch {
    return message;
  }
}

/** Our own message, translated, with `{n}` replaced by `args[n]`. */
export function t(message: string, ...args: (string | number | boolean)[]): string {
  return formatMessage(translateTemplate(message), args);
}

/**
 * The translation of `table`'s own entry for `key` (a table of our words keyed by a code from a
 * record or a service, extracted where it is declared), or undefined for an unknown or inherited key.
 */
export function translatedEntry(table: Readonly<Record<string, string>>, key: unknown): string | undefined {
  const message = lookup(table, key);
  return message === undefined ? undefined : translateTemplate(message);
}

/** `t`, or `english` where text stays English by design (the audit trail), for code that builds both. */
export type Translate = (message: string, ...args: (string | number | boolean)[]) => string;

/** A message of ours in English, with `{n}` replaced by `args[n]`: `t` without the translation. */
export function english(message: string, ...args: (string | number | boolean)[]): string {
  return formatMessage(message, args);
}

/** `{n}` → `args[n]`; a placeholder without a value stays as written. */
export function formatMessage(template: string, args: readonly (string | number | boolean)[]): string {
  if (args.length === 0) return template;
  return template.replace(/\{(\d+)\}/g, (m, n: string) => {
    const v = args[Number(n)];
    return v === undefined ? m : String(v);
  });
}

/**
 * Marks a message for extraction where it cannot be translated yet (a module-level constant, built
 * before the translator is installed); returns it unchanged. Translate it where it is shown: `t(x.label)`.
 */
export function markMessage(message: string): string {
  return message;
}

/**
 * Marks a table of messages (reason → text) for extraction; returns it unchanged. Look entries up
 * through `t(TABLE[key])` where they are shown, not where the table is built.
 */
export function l10nTable<T extends Record<string, string>>(table: T): T {
  return table;
}

/**
 * What a webview gets of a translation bundle: the translations of its messages (`keys`, from
 * src/core/webviewMessages.ts), own string entries only, or `undefined` when there is none (English,
 * or a bundle without them), so the page shows those as written.
 */
export function webviewTranslations(keys: readonly string[], bundle: Readonly<Record<string, unknown>> | undefined): Record<string, string> | undefined {
  if (!bundle) return undefined;
  const entries: [string, string][] = [];
  for (const key of keys) {
    const value = lookup(bundle, key);
    if (typeof value === 'string' && value !== '' && value !== key) entries.push([key, value]);
  }
  // fromEntries defines each key as an own property (an assignment of `__proto__` would not).
  return entries.length ? Object.fromEntries(entries) : undefined;
}
