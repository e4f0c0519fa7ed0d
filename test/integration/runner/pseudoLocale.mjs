// A pseudo-translation of the shipped extension, for running the suites in another display
// language: every message of l10n/bundle.l10n.json and every value of package.nls.json, with its
// vowels turned into their umlaut forms ("Sign in" → "Sïgn ïn"), written beside them as
// l10n/bundle.l10n.<locale>.json and package.nls.<locale>.json, the files VS Code loads for that
// language. Text a person reads changes; what the extension or VS Code parses stays as it was:
// placeholders ({0}), codicons ($(sign-in)), markdown link targets and code spans, setting
// references (#gatehouse.issuer#) and URLs. A string still in English on a surface is then one
// that did not go through l10n.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const VOWELS = { a: 'ä', e: 'ë', i: 'ï', o: 'ö', u: 'ü', A: 'Ä', E: 'Ë', I: 'Ï', O: 'Ö', U: 'Ü' };

// Kept as written: {0} / {name}, $(icon), ](target), `code`, #setting.id#, URLs, %nls-key%, &nbsp;-style entities.
const KEEP = /\{[\w.]+\}|\$\([\w~-]+\)|\]\([^)]*\)|`[^`]*`|#[\w.-]+#|\b[a-z][\w+.-]*:\/\/[^\s)\]]*|\bcommand:[^\s)\]]*|&#?\w+;/g;

/** The pseudo-translation of one message. */
export function pseudoTranslate(message) {
  let out = '';
  let last = 0;
  for (const m of message.matchAll(KEEP)) {
    out += swap(message.slice(last, m.index)) + m[0];
    last = m.index + m[0].length;
  }
  return out + swap(message.slice(last));
}

const swap = (text) => text.replace(/[aeiouAEIOU]/g, (c) => VOWELS[c]);

/**
 * Writes the pseudo-translated bundles into an extension folder (the unzipped .vsix the runner
 * loads); returns their paths. Throws when the folder has no English bundle to start from.
 */
export function writePseudoLocale(extensionPath, locale) {
  const bundle = join(extensionPath, 'l10n', 'bundle.l10n.json');
  const nls = join(extensionPath, 'package.nls.json');
  for (const f of [bundle, nls]) if (!existsSync(f)) throw new Error(`${f} is missing: the extension ships no English messages to translate`);
  const translate = (file) => Object.fromEntries(Object.entries(JSON.parse(readFileSync(file, 'utf8'))).map(([k, v]) => [k, typeof v === 'string' ? pseudoTranslate(v) : v]));
  const out = { bundle: join(extensionPath, 'l10n', `bundle.l10n.${locale}.json`), nls: join(extensionPath, `package.nls.${locale}.json`) };
  writeFileSync(out.bundle, JSON.stringify(translate(bundle), null, 2));
  writeFileSync(out.nls, JSON.stringify(translate(nls), null, 2));
  return out;
}
