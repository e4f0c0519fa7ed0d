import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { safe } from '../../../src/core/displayText';
import { AirbyteError } from '../../../src/airbyte/errors';
import { currentBundle, english, formatMessage, setTranslator, t, translatedEntry, useBundle } from '../../../src/core/l10n';
import { repoRoot } from '../../support/shared';

// useBundle takes a translation table as VS Code's bundle gives it: template → translated template.

describe('l10n', () => {
  afterEach(() => setTranslator(undefined));

  describe('t', () => {
    it('stays English without a translator and formats its values', () => {
      assert.equal(t('Signed in as {0} ({1}).', 'alice', 3), 'Signed in as alice (3).');
    });
    it('translates the template, then formats, so a translation may move the values', () => {
      useBundle({ 'Run {0} of {1}': '{1}: Lauf {0}' });
      assert.equal(t('Run {0} of {1}', 7, 'daily'), 'daily: Lauf 7');
    });
    it('keeps a message it has no translation for, and one whose translator throws', () => {
      useBundle({});
      assert.equal(t('Not in the bundle.'), 'Not in the bundle.');
      setTranslator(() => {
        throw new Error('broken bundle');
      });
      assert.equal(t('Still {0}.', 'English'), 'Still English.');
    });
    it("translates a words table's own entries only, by the code a record or service sends", () => {
      const WORDS = { denied: 'refused' };
      useBundle({ refused: 'abgelehnt' });
      assert.equal(translatedEntry(WORDS, 'denied'), 'abgelehnt');
      for (const key of ['unknown', 'constructor', '__proto__', 7, undefined]) assert.equal(translatedEntry(WORDS, key), undefined, String(key));
    });
    it('leaves a placeholder without a value as written', () => {
      assert.equal(formatMessage('{0} and {1}', ['a']), 'a and {1}');
    });
    it('translates from a bundle by its own entries only, and hands the bundle on (to a worker thread)', () => {
      const bundle = { 'Not found.': 'Nicht gefunden.' };
      useBundle(bundle);
      assert.equal(t('Not found.'), 'Nicht gefunden.');
      assert.equal(t('constructor'), 'constructor');
      assert.equal(currentBundle(), bundle);
      setTranslator(undefined);
      assert.equal(currentBundle(), undefined);
    });
    it('english formats without translating, for text that stays English (the audit trail)', () => {
      useBundle({ 'Run {0}': 'Lauf {0}' });
      assert.equal(english('Run {0}', 7), 'Run 7');
    });
  });

  describe('safe', () => {
    it('translates its literal parts as one template with {n} for each value', () => {
      useBundle({ 'Sync of {0} failed: {1}': 'Synchronisierung von {0} fehlgeschlagen: {1}' });
      assert.equal(safe`Sync of ${'orders'} failed: ${'timeout'}`, 'Synchronisierung von orders fehlgeschlagen: timeout');
    });
    it('lets a translation reorder the values', () => {
      useBundle({ 'Run #{0} of "{1}" failed.': '"{1}": Lauf #{0} ist fehlgeschlagen.' });
      assert.equal(safe`Run #${42} of "${'nightly'}" failed.`, '"nightly": Lauf #42 ist fehlgeschlagen.');
    });
    it('keeps values inert after translation: a value cannot become a link, an icon or a placeholder', () => {
      useBundle({ '{0} says {1}': '{1} — {0}' });
      const out = safe`${'[x]'} says ${'(command:evil)'}`;
      assert.doesNotMatch(out, /\]\(|command:\S|\$\(/, out);
      // A value that looks like a placeholder is data, not a slot.
      useBundle({ 'Open {0} now': 'Jetzt {0} öffnen' });
      assert.equal(safe`Open ${'{0}'} now`, 'Jetzt {0} öffnen');
    });
    it('ignores a placeholder the translation invents', () => {
      useBundle({ 'Hello {0}': 'Hallo {0} {5}' });
      assert.equal(safe`Hello ${'bob'}`, 'Hallo bob {5}');
    });
  });

  describe('typed errors', () => {
    it('show their message and next step in the user’s language', () => {
      const err = new AirbyteError('rateLimited');
      const english = err.userMessage;
      useBundle({ [err.message]: 'Airbyte bremst.', [err.nextStep!]: 'Kurz warten.' });
      assert.notEqual(english, err.userMessage);
      assert.equal(err.userMessage, 'Airbyte bremst. Kurz warten.');
    });
  });

  describe('scripts/l10n.mjs', () => {
    it('l10n/bundle.l10n.json and package.nls.json are up to date with the sources (run node scripts/l10n.mjs)', () => {
      const r = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'l10n.mjs'), '--check'], { cwd: repoRoot, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr || r.stdout);
    });

    it('every user-facing text of package.json is a %key% of package.nls.json, and no key is unused', () => {
      const pkg = readFileSync(join(repoRoot, 'package.json'), 'utf8');
      const nls = JSON.parse(readFileSync(join(repoRoot, 'package.nls.json'), 'utf8')) as Record<string, string>;
      const used = new Set([...pkg.matchAll(/"%([^%"\s]+)%"/g)].map((m) => m[1]));
      assert.ok(used.size > 100, `${used.size} keys`);
      for (const k of used) assert.ok(typeof nls[k] === 'string' && nls[k].length > 0, `package.nls.json has no ${k}`);
      for (const k of Object.keys(nls)) assert.ok(used.has(k), `package.nls.json key ${k} is not used`);
      const p = JSON.parse(pkg);
      for (const c of p.contributes.commands) assert.match(c.title, /^%.+%$/, c.command);
      for (const [k, v] of Object.entries(p.contributes.configuration.properties ?? {}) as [string, { description?: string; markdownDescription?: string }][]) {
        const d = v.markdownDescription ?? v.description;
        if (d) assert.match(d, /^%.+%$/, k);
      }
    });

    it('extracts t() calls, safe templates, marked messages, error literals and message tables, and refuses a t() of a variable', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'gh-l10n-'));
      const file = join(dir, 'fixture.ts');
      writeFileSync(
        file,
        [
          "const a = t('Plain message.');",
          "const b = vscode.l10n.t('Glue message.');",
          'const c = safe`Sync of ${name} failed: ${why}`;',
          'const d = safe`${x}${y}`;',
          "const e = markMessage('Module-level label');",
          "throw new AirbyteError('badResponse', 'Airbyte answered oddly.', 'Try again later.');",
          "const MESSAGES: Record<Reason, string> = { a: 'A sentence here.', icon: 'sync' };",
          "const f = t(TABLE[reason]);",
          'const g = t(someVariable);',
        ].join('\n'),
      );
      const { extractMessages } = (await import(join(repoRoot, 'scripts', 'l10n.mjs'))) as { extractMessages: (f: string[]) => { keys: Map<string, string[]>; problems: string[] } };
      const { keys, problems } = extractMessages([file]);
      assert.deepEqual([...keys.keys()].sort(), ['A sentence here.', 'Airbyte answered oddly.', 'Glue message.', 'Module-level label', 'Plain message.', 'Sync of {0} failed: {1}', 'Try again later.'].sort());
      assert.equal(problems.length, 1, problems.join('\n'));
      assert.match(problems[0], /someVariable/);
    });
  });
});
