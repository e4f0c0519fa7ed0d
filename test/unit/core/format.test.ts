import * as assert from 'node:assert/strict';
import { Formatter, safeLocale } from '../../../src/core/format';

const en = new Formatter({ locale: 'en-US', timeZone: 'UTC' });
const de = new Formatter({ locale: 'de-DE', timeZone: 'UTC' });
const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
const TiB = 1024 * GiB;

// Intl may put a narrow no-break space before AM/PM and a no-break space in "1.234 $": compare
// with plain spaces so the tables stay readable.
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

describe('format: one formatter for bytes, numbers, durations and dates', () => {
  const bytes: Array<[number | undefined, string, string]> = [
    [undefined, '', ''],
    [Number.NaN, '', ''],
    [0, '0 B', '0 B'],
    [512, '512 B', '512 B'],
    [1023, '1,023 B', '1.023 B'],
    [1024, '1 KiB', '1 KiB'],
    [1536, '1.5 KiB', '1,5 KiB'],
    [10_218_400, '9.7 MiB', '9,7 MiB'],
    [150 * MiB, '150 MiB', '150 MiB'],
    [1023.97 * KiB, '1 MiB', '1 MiB'],
    [1.25 * GiB, '1.3 GiB', '1,3 GiB'],
    [10 * TiB, '10 TiB', '10 TiB'],
    [-2048, '-2 KiB', '-2 KiB'],
  ];
  for (const [n, inEnglish, inGerman] of bytes) {
    it(`bytes(${n}) is "${inEnglish}" in en-US and "${inGerman}" in de-DE`, () => {
      assert.equal(en.bytes(n), inEnglish);
      assert.equal(de.bytes(n), inGerman);
    });
  }

  const counts: Array<[number | undefined, string, string]> = [
    [undefined, '', ''],
    [0, '0', '0'],
    [999, '999', '999'],
    [1_000_000, '1,000,000', '1.000.000'],
    [12.7, '13', '13'],
    [Number.POSITIVE_INFINITY, '', ''],
  ];
  for (const [n, inEnglish, inGerman] of counts) {
    it(`count(${n}) is "${inEnglish}" / "${inGerman}"`, () => {
      assert.equal(en.count(n), inEnglish);
      assert.equal(de.count(n), inGerman);
    });
  }

  const compacts: Array<[number, string, string]> = [
    [0, '0', '0'],
    [0.125, '0.13', '0,13'],
    [9_999, '9,999', '9.999'],
    [15_300, '15.3K', '15.300'],
    [2_345_678, '2.35M', '2,35 Mio.'],
    [-4_000_000_000, '-4B', '-4 Mrd.'],
  ];
  for (const [n, inEnglish, inGerman] of compacts) {
    it(`compact(${n}) is "${inEnglish}" / "${inGerman}"`, () => {
      assert.equal(plain(en.compact(n)), inEnglish);
      assert.equal(plain(de.compact(n)), inGerman);
    });
  }

  it('formats money in the locale', () => {
    assert.equal(en.currency(1.5, 'USD'), '$1.50');
    assert.equal(plain(de.currency(1234.5, 'USD')), '1.234,50 $');
  });

  const durations: Array<[number | undefined, string, string]> = [
    [undefined, '', ''],
    [-1, '', ''],
    [0, '0 ms', '0 ms'],
    [850.4, '850 ms', '850 ms'],
    [999.7, '1 s', '1 s'],
    [4_240, '4.2 s', '4,2 s'],
    [59_960, '1 min', '1 min'],
    [192_000, '3 min 12 s', '3 min 12 s'],
    [7_500_000, '2 h 5 min', '2 h 5 min'],
    [3_600_000, '1 h', '1 h'],
    [(3 * 86_400 + 4 * 3_600) * 1_000, '3 d 4 h', '3 d 4 h'],
    [1_500 * 86_400_000, '1,500 d', '1.500 d'],
  ];
  for (const [ms, inEnglish, inGerman] of durations) {
    it(`duration(${ms}) is "${inEnglish}" / "${inGerman}"`, () => {
      assert.equal(en.duration(ms), inEnglish);
      assert.equal(de.duration(ms), inGerman);
    });
  }

  const instant = Date.UTC(2026, 1, 2, 15, 4, 5);
  const dates: Array<[string, (f: Formatter) => string, string, string]> = [
    ['date', (f) => f.date(instant), 'Feb 2, 2026', '02.02.2026'],
    ['date of ISO text', (f) => f.date('2026-02-02T15:04:05Z'), 'Feb 2, 2026', '02.02.2026'],
    ['date of a Date', (f) => f.date(new Date(instant)), 'Feb 2, 2026', '02.02.2026'],
    ['dateTime', (f) => f.dateTime(instant), 'Feb 2, 2026, 3:04 PM', '02.02.2026, 15:04'],
    ['time', (f) => f.time(instant), '3:04 PM', '15:04'],
    ['time in another zone', (f) => f.time(instant, 'Asia/Tokyo'), '12:04 AM', '00:04'],
    ['unreadable date', (f) => f.date('not a date'), '', ''],
    ['missing date', (f) => f.dateTime(undefined), '', ''],
    ['null date', (f) => f.time(null), '', ''],
  ];
  for (const [name, run, inEnglish, inGerman] of dates) {
    it(`${name} reads "${inEnglish}" / "${inGerman}"`, () => {
      assert.equal(plain(run(en)), inEnglish);
      assert.equal(plain(run(de)), inGerman);
    });
  }

  const now = Date.UTC(2026, 1, 10, 12, 0, 0);
  const agos: Array<[number | string | undefined, string, string]> = [
    [now - 20_000, 'now', 'jetzt'],
    [now + 60_000, 'now', 'jetzt'], // a clock a little ahead is not "in 1 minute"
    [now - 5 * 60_000, '5 minutes ago', 'vor 5 Minuten'],
    [now - 3 * 3_600_000 - 59_000, '3 hours ago', 'vor 3 Stunden'],
    [now - 86_400_000, '1 day ago', 'vor 1 Tag'],
    [now - 9 * 86_400_000, '9 days ago', 'vor 9 Tagen'],
    [new Date(now - 120_000).toISOString(), '2 minutes ago', 'vor 2 Minuten'],
    [undefined, '', ''],
    ['garbage', '', ''],
  ];
  for (const [t, inEnglish, inGerman] of agos) {
    it(`ago(${t}) is "${inEnglish}" / "${inGerman}"`, () => {
      assert.equal(en.ago(t, now), inEnglish);
      assert.equal(de.ago(t, now), inGerman);
    });
  }

  const locales: Array<[string | undefined, string | undefined]> = [
    ['en-us', 'en-US'],
    ['de', 'de'],
    ['zh-cn', 'zh-CN'],
    ['', undefined],
    [undefined, undefined],
    ['not a locale!', undefined],
    ['en_US', undefined],
  ];
  for (const [input, canonical] of locales) {
    it(`accepts the locale ${JSON.stringify(input)} as ${String(canonical)}`, () => {
      assert.equal(safeLocale(input), canonical);
      // A malformed tag must not make every formatting call throw.
      assert.doesNotThrow(() => new Formatter({ locale: input }).count(1234));
    });
  }

  it('uses the locale it was given, not the runtime default', () => {
    assert.equal(new Formatter({ locale: 'fr-FR' }).decimal(1.5, 1), '1,5');
    assert.equal(new Formatter({ locale: 'en-IN' }).count(12_345_678), '1,23,45,678');
  });
});
