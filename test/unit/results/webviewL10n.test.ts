// The webviews' translations: media/l10n.ts reads what the host wrote into <body data-l10n>, and
// the host sends a page only its own messages (src/core/webviewMessages.ts, webviewTranslations).
import * as assert from 'node:assert/strict';
import { parseTranslations, t, useTranslations } from '../../../media/l10n';
import { webviewTranslations } from '../../../src/core/l10n';
import { WEBVIEW_MESSAGES } from '../../../src/core/webviewMessages';
import { webviewHtml } from '../../../src/core/webviewHtml';

/** The value of <body data-l10n> as the page's dataset would read it. */
function bodyL10n(html: string): string | undefined {
  const m = /<body[^>]* data-l10n="([^"]*)"/.exec(html);
  const entities: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };
  return m?.[1].replace(/&(?:amp|lt|gt|quot|#39);/g, (e) => entities[e]);
}

describe('webview l10n (media/l10n.ts)', () => {
  afterEach(() => useTranslations(undefined));

  it('stays English with no translations (Node has no document either) and formats its values', () => {
    assert.equal(t('Lineage of {0}', 'orders'), 'Lineage of orders');
    assert.equal(t('Cancel'), 'Cancel');
  });

  it('uses a translation, and one that moves the placeholders', () => {
    useTranslations(JSON.stringify({ Cancel: 'Abbrechen', 'Exported {0} rows as {1}': '{1}: {0} Zeilen exportiert' }));
    assert.equal(t('Cancel'), 'Abbrechen');
    assert.equal(t('Exported {0} rows as {1}', '1.000', 'CSV'), 'CSV: 1.000 Zeilen exportiert');
  });

  it('keeps a message it has no translation for in English', () => {
    useTranslations(JSON.stringify({ Cancel: 'Abbrechen' }));
    assert.equal(t('Showing {0} nodes', 5), 'Showing 5 nodes');
  });

  const hostile: Array<[string, unknown]> = [
    ['not JSON', '{"Cancel": "Abbrechen"'],
    ['an array', JSON.stringify([['Cancel', 'Abbrechen']])],
    ['a string', JSON.stringify('Abbrechen')],
    ['null', 'null'],
    ['a number', '42'],
    ['non-string values', JSON.stringify({ Cancel: 7, Fit: { toString: 'x' }, Running: null, Failed: ['x'], Table: '' })],
    ['not a string at all', { Cancel: 'Abbrechen' }],
    ['empty', ''],
  ];
  for (const [name, raw] of hostile) {
    it(`ignores ${name} without throwing`, () => {
      assert.doesNotThrow(() => useTranslations(raw));
      for (const m of ['Cancel', 'Fit', 'Running', 'Failed', 'Table']) assert.equal(t(m), m);
    });
  }

  it('reads only the object’s own entries: __proto__, constructor and inherited names are no messages', () => {
    const raw = '{"__proto__": {"Cancel": "polluted"}, "constructor": "x", "prototype": "y", "Fit": "Anpassen"}';
    const table = parseTranslations(raw);
    assert.deepEqual([...table.keys()], ['Fit']);
    useTranslations(raw);
    assert.equal(t('Cancel'), 'Cancel');
    assert.equal(t('constructor'), 'constructor');
    assert.equal(t('toString'), 'toString');
    assert.equal(t('hasOwnProperty'), 'hasOwnProperty');
    assert.equal(({} as Record<string, unknown>).Cancel, undefined, 'Object.prototype untouched');
  });

  it('keeps values inert: a value that looks like a placeholder or markup is text', () => {
    useTranslations(JSON.stringify({ 'Lineage of {0}': 'Herkunft von {0}', '{0} of {1}': '{1} / {0}' }));
    assert.equal(t('Lineage of {0}', '{0}{1}'), 'Herkunft von {0}{1}');
    assert.equal(t('{0} of {1}', '{1}', '<img src=x onerror=alert(1)>'), '<img src=x onerror=alert(1)> / {1}');
  });

  it('leaves a placeholder without a value as written, also one a translation invents', () => {
    useTranslations(JSON.stringify({ 'Row {0}': 'Zeile {0} {3}' }));
    assert.equal(t('Row {0}', 4), 'Zeile 4 {3}');
    assert.equal(t('Row {0}'), 'Zeile {0} {3}');
  });
});

describe('webview l10n: what the host sends', () => {
  afterEach(() => useTranslations(undefined));

  it('lists the messages of each page, the chart’s and the grid’s in the results page only', () => {
    assert.ok(WEBVIEW_MESSAGES.results.includes('Copy value'));
    assert.ok(WEBVIEW_MESSAGES.results.includes('Other'), 'the pie’s "Other" slice (chartModel.ts)');
    assert.ok(WEBVIEW_MESSAGES.lineage.includes('Lineage of {0}'));
    assert.ok(!WEBVIEW_MESSAGES.lineage.includes('Copy value'));
    assert.ok(!WEBVIEW_MESSAGES.results.includes('Lineage of {0}'));
  });

  it('picks the page’s own translated messages, nothing else, and nothing in English', () => {
    const keys = ['Cancel', 'Fit', 'Table', 'Chart'];
    const bundle = { Cancel: 'Abbrechen', Fit: 'Fit', Chart: '', 'Signed in as {0}.': 'Angemeldet als {0}.', Table: 3 } as Record<string, unknown>;
    assert.deepEqual(webviewTranslations(keys, bundle), { Cancel: 'Abbrechen' });
    assert.equal(webviewTranslations(keys, undefined), undefined, 'English: no bundle');
    assert.equal(webviewTranslations(keys, { 'Signed in as {0}.': 'Angemeldet als {0}.' }), undefined, 'a bundle without the page’s keys');
  });

  it('takes no inherited names from the bundle and keeps a __proto__ key a plain entry', () => {
    const bundle = JSON.parse('{"__proto__": "x"}') as Record<string, unknown>;
    assert.equal(webviewTranslations(['toString', 'constructor'], {}), undefined);
    const picked = webviewTranslations(['__proto__'], bundle)!;
    assert.equal(Object.getPrototypeOf(picked), Object.prototype);
  });

  it('reaches the page through <body data-l10n>, escaped, and the page reads it back', () => {
    const l10n = { Cancel: 'Abbrechen"><script>alert(1)</script>', "Lineage of {0}": "Herkunft von '{0}' & mehr" };
    const html = webviewHtml({ title: 't', scriptUri: 's', cspSource: 'c', l10n });
    assert.equal((html.match(/<script/g) ?? []).length, 1, 'no script but the page’s own');
    assert.ok(!html.includes('"><script>'));
    useTranslations(bodyL10n(html));
    assert.equal(t('Cancel'), l10n.Cancel);
    assert.equal(t('Lineage of {0}', 'orders'), "Herkunft von 'orders' & mehr");
  });
});
