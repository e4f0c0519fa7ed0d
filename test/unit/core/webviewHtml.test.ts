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
});
