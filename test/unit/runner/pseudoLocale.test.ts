// The pseudo-translation the locale run of the integration tier gives the extension: the words
// change, what VS Code or the extension parses stays as written, so a surface that still reads in
// English is one whose text never went through l10n.
import * as assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pseudoTranslate, writePseudoLocale } from '../../integration/runner/pseudoLocale.mjs';
import { repoRoot } from '../../support/shared';

describe('pseudo-translation for the locale run', () => {
  const cases: Array<[string, string, string]> = [
    ['words change', 'Sign in', 'Sïgn ïn'],
    ['placeholders stay', 'Signed in to {0} as {1}.', 'Sïgnëd ïn tö {0} äs {1}.'],
    ['named placeholders stay', 'Run {name} again', 'Rün {name} ägäïn'],
    ['codicons stay', '$(sign-in) Sign in', '$(sign-in) Sïgn ïn'],
    ['spinning codicons stay', '$(loading~spin) Gatehouse', '$(loading~spin) Gätëhöüsë'],
    ['a welcome button keeps its command', '[Sign in](command:gatehouse.auth.signIn)', '[Sïgn ïn](command:gatehouse.auth.signIn)'],
    ['link targets stay', 'See [the docs](https://example.com/a/b).', 'Sëë [thë döcs](https://example.com/a/b).'],
    ['code spans stay', 'Set `gatehouse.issuer` first', 'Sët `gatehouse.issuer` fïrst'],
    ['setting links stay', 'See #gatehouse.auth.issuer#.', 'Sëë #gatehouse.auth.issuer#.'],
    ['bare URLs stay', 'Open https://console.cloud.google.com/bigquery now', 'Öpën https://console.cloud.google.com/bigquery nöw'],
  ];
  for (const [what, english, pseudo] of cases) it(what, () => assert.equal(pseudoTranslate(english), pseudo));

  it('changes every message of the shipped bundle and package.nls.json that has words', () => {
    for (const file of ['l10n/bundle.l10n.json', 'package.nls.json']) {
      const messages = JSON.parse(readFileSync(join(repoRoot, file), 'utf8')) as Record<string, string>;
      const same = Object.values(messages).filter((m) => /[aeiou]/i.test(m.replace(/\{[\w.]+\}|\$\([\w~-]+\)|\]\([^)]*\)|`[^`]*`|#[\w.-]+#|https?:\/\/\S+|command:\S+/g, '')) && pseudoTranslate(m) === m);
      assert.deepEqual(same, [], `${file}: messages the pseudo-translation leaves in English`);
    }
  });

  it('writes bundle.l10n.<locale>.json and package.nls.<locale>.json beside the English ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-pseudo-'));
    try {
      mkdirSync(join(dir, 'l10n'));
      writeFileSync(join(dir, 'l10n', 'bundle.l10n.json'), JSON.stringify({ 'Sign in as {0}': 'Sign in as {0}' }));
      writeFileSync(join(dir, 'package.nls.json'), JSON.stringify({ 'view.x.name': 'Activity' }));
      const out = writePseudoLocale(dir, 'de');
      assert.deepEqual(JSON.parse(readFileSync(out.bundle, 'utf8')), { 'Sign in as {0}': 'Sïgn ïn äs {0}' });
      assert.deepEqual(JSON.parse(readFileSync(out.nls, 'utf8')), { 'view.x.name': 'Äctïvïty' });
      assert.equal(out.bundle, join(dir, 'l10n', 'bundle.l10n.de.json'));
      assert.equal(out.nls, join(dir, 'package.nls.de.json'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a folder that ships no English messages', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-pseudo-'));
    try {
      assert.throws(() => writePseudoLocale(dir, 'de'), /ships no English messages/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
