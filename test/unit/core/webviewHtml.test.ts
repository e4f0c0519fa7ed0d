import * as assert from 'node:assert/strict';
import { webviewHtml } from '../../../src/core/webviewHtml';

describe('webviewHtml', () => {
  const html = webviewHtml({
    title: 'Results <script>alert(1)</script>',
    scriptUri: 'https://file+.vscode-resource/x/results.js',
    styleUri: 'https://file+.vscode-resource/x/results.css',
    cspSource: 'https://file+.vscode-resource',
    bodyData: { view: '"><img src=x onerror=alert(1)>' },
  }, 'NONCE123');

  it('has a strict CSP: nonce scripts only, no network, no eval', () => {
    const csp = /content="([^"]+)"/.exec(html)![1];
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'nonce-NONCE123'/);
    assert.match(csp, /connect-src 'none'/);
    assert.doesNotMatch(csp, /unsafe-(inline|eval)/);
  });

  it('escapes the title and data attributes', () => {
    assert.ok(!html.includes('<script>alert(1)'));
    assert.ok(!html.includes('<img src=x'));
    assert.equal((html.match(/<script/g) ?? []).length, 1);
  });

  it('uses a new nonce for every render', () => {
    const a = webviewHtml({ title: 't', scriptUri: 's', cspSource: 'c' });
    const b = webviewHtml({ title: 't', scriptUri: 's', cspSource: 'c' });
    assert.notEqual(/nonce-([^']+)/.exec(a)![1], /nonce-([^']+)/.exec(b)![1]);
  });

  const langs: Array<[string | undefined, string]> = [
    ['de-DE', 'de-DE'],
    ['zh-cn', 'zh-CN'],
    [undefined, 'en'],
    ['"><script>alert(1)</script>', 'en'],
  ];
  for (const [lang, shown] of langs) {
    it(`sets <html lang> to ${shown} for ${JSON.stringify(lang)}`, () => {
      const page = webviewHtml({ title: 't', scriptUri: 's', cspSource: 'c', lang });
      assert.equal(/<html lang="([^"]*)">/.exec(page)?.[1], shown);
      assert.equal((page.match(/<script/g) ?? []).length, 1);
    });
  }

  describe('translations (l10n)', () => {
    const attr = (page: string) => /<body([^>]*)>/.exec(page)![1];

    it('writes none in English, or when there is nothing to translate', () => {
      for (const l10n of [undefined, {}]) assert.doesNotMatch(attr(webviewHtml({ title: 't', scriptUri: 's', cspSource: 'c', l10n })), /data-l10n/);
    });

    it('writes the JSON into one escaped attribute: a translation cannot break out of it', () => {
      const page = webviewHtml({ title: 't', scriptUri: 's', cspSource: 'c', l10n: { Cancel: '"><script>alert(1)</script>', Fit: "' onload='alert(1)" } }, 'N');
      assert.equal((page.match(/<script/g) ?? []).length, 1);
      assert.match(attr(page), /^ data-l10n="[^"<>]*"$/);
      assert.ok(!page.includes("' onload="));
      assert.match(page, /script-src 'nonce-N'/, 'the CSP stays as it was');
    });

    it('is the l10n option alone: bodyData cannot set or overwrite it, in any case', () => {
      const page = webviewHtml({ title: 't', scriptUri: 's', cspSource: 'c', bodyData: { l10n: '{"Cancel":"x"}', L10N: '{}', view: 'grid' } });
      assert.equal(attr(page), ' data-view="grid"');
      const both = webviewHtml({ title: 't', scriptUri: 's', cspSource: 'c', bodyData: { l10n: '{}' }, l10n: { Cancel: 'Abbrechen' } });
      assert.equal((both.match(/data-l10n=/g) ?? []).length, 1);
      assert.match(both, /data-l10n="\{&quot;Cancel&quot;:&quot;Abbrechen&quot;\}"/);
    });
  });
});
