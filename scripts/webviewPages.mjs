// The webview pages: each media/<name>.ts is one page, bundled on its own (esbuild.mjs) and given
// the translations of its own messages (scripts/l10n.mjs). media/l10n.ts is the translator the
// pages share, not a page.
import { existsSync, readdirSync } from 'node:fs';

const SHARED = new Set(['l10n.ts']);

/** The file names of the pages in `mediaDir` (media/<name>.ts), none when it is missing. */
export function webviewPages(mediaDir) {
  return existsSync(mediaDir) ? readdirSync(mediaDir).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !SHARED.has(f)) : [];
}
