// The webview renders data as text only. This guards the whole webview code and the panel hosts
// against APIs that parse strings as markup or code.
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from '../../support/shared';

const FORBIDDEN: Array<[string, RegExp]> = [
  ['innerHTML', /\binnerHTML\b/],
  ['outerHTML', /\bouterHTML\b/],
  ['insertAdjacentHTML', /\binsertAdjacentHTML\b/],
  ['document.write', /\bdocument\s*\.\s*write(ln)?\b/],
  ['eval', /(^|[^.\w])eval\s*\(/],
  ['new Function', /\bnew\s+Function\b/],
  ['createContextualFragment', /\bcreateContextualFragment\b/],
  ['DOMParser', /\bDOMParser\b/],
  ['srcdoc', /\bsrcdoc\b/],
  ['string timers', /\bset(Timeout|Interval)\s*\(\s*['"`]/],
  ['console', /\bconsole\s*\.\s*(log|info|debug|warn|error)\b/],
];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return /\.(ts|js|mjs)$/.test(name) ? [path] : [];
  });
}

describe('webview code has no markup or code sinks', () => {
  // The webview hosts are the *Panel.ts files beside each feature, and the shared page builder.
  const hosts = files(join(repoRoot, 'src')).filter((f) => /Panel\.ts$|webviewHtml\.ts$/.test(f));
  const scanned = [...files(join(repoRoot, 'media')), ...hosts];

  it('scans the webview and panel sources', () => {
    assert.ok(scanned.some((f) => f.endsWith(join('media', 'results.ts'))), 'media/results.ts is scanned');
    assert.ok(scanned.some((f) => f.endsWith(join('media', 'results', 'grid.ts'))), 'media/results/grid.ts is scanned');
    assert.ok(scanned.some((f) => f.endsWith(join('src', 'results', 'vscode', 'resultsPanel.ts'))), 'the results panel host is scanned');
    assert.ok(scanned.some((f) => f.endsWith(join('src', 'dbt', 'vscode', 'lineagePanel.ts'))), 'the lineage panel host is scanned');
  });

  for (const [name, pattern] of FORBIDDEN) {
    it(`uses no ${name}`, () => {
      const hits = scanned.flatMap((file) =>
        readFileSync(file, 'utf8')
          .split('\n')
          .flatMap((line, i) => (pattern.test(line) ? [`${relative(repoRoot, file)}:${i + 1}: ${line.trim()}`] : [])),
      );
      assert.deepEqual(hits, []);
    });
  }
});
