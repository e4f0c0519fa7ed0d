import * as assert from 'node:assert/strict';
import { DEFAULT_MAX, plain, plainLines, safe, VALUE_MAX } from '../../../src/core/displayText';

// What VS Code turns into something other than text: a notification link (its own parser wants
// `[label](href)`), a markdown link, a codicon, a runnable URI, and bidi reordering.
const LINK = /\[[^\]]*\]\(/;
const ACTIVE_URI = /\b(?:command|javascript|vbscript|vscode|data|file)\s*:\S/i;
const CODICON = /\$\(/;
const BIDI_OR_CONTROL = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/;

function assertInert(out: string) {
  assert.doesNotMatch(out, LINK, out);
  assert.doesNotMatch(out, ACTIVE_URI, out);
  assert.doesNotMatch(out, CODICON, out);
  assert.doesNotMatch(out, BIDI_OR_CONTROL, JSON.stringify(out));
}

describe('displayText.plain', () => {
  const cases: [string, unknown, string][] = [
    ['ordinary text', 'orders_daily', 'orders_daily'],
    ['a command link', '[Open](command:workbench.action.quit)', '[Open] (command: workbench.action.quit)'],
    ['a command link with arguments', '[x](command:vscode.open?%5B%22file%3A%2F%2F%2Fetc%22%5D)', '[x] (command: vscode.open?%5B%22file%3A%2F%2F%2Fetc%22%5D)'],
    ['a javascript link', '[y](javascript:alert(1))', '[y] (javascript: alert(1))'],
    ['a https link', '[docs](https://evil.example/)', '[docs] (https://evil.example/)'],
    ['an autolink', '<command:workbench.action.quit>', '<command: workbench.action.quit>'],
    ['a vscode URI', 'vscode://gatehouse/x', 'vscode: //gatehouse/x'],
    ['a mixed-case scheme', 'JaVaScRiPt:alert(1)', 'JaVaScRiPt: alert(1)'],
    ['a scheme split by a control char', 'java\u0000script:alert(1)', 'javascript: alert(1)'],
    ['a scheme split by spaces before the colon', 'command :quit', 'command: quit'],
    ['a data word in prose', 'data: 3 rows', 'data: 3 rows'],
    ['a codicon', '$(alert) Pay now', '$ (alert) Pay now'],
    ['a spinning codicon', 'x $(sync~spin)', 'x $ (sync~spin)'],
    ['a right-to-left override', 'invoice\u202Efdp.exe', 'invoicefdp.exe'],
    ['bidi isolates and marks', '\u2066a\u2067b\u2068c\u2069\u200E\u200Fd\u061C', 'abcd'],
    ['C0 and C1 controls', 'a\u0007b\u001bc\u0085d\u009be', 'abc de'],
    ['line breaks in one-line text', 'one\r\ntwo\nthree\u2028four\tfive', 'one two three four five'],
    ['HTML stays visible text', '<img src=x onerror=alert(1)>', '<img src=x onerror=alert(1)>'],
    ['a spreadsheet formula stays visible text', '=HYPERLINK("https://evil","x")', '=HYPERLINK("https://evil","x")'],
    ['undefined', undefined, ''],
    ['null', null, ''],
    ['a number', 42, '42'],
    ['an object with its own toString', { toString: () => '[x](command:quit)' }, ''],
    ['an array', ['[a](command:b)'], ''],
  ];
  for (const [name, input, expected] of cases) {
    it(`renders ${name} inert`, () => {
      const out = plain(input);
      assert.equal(out, expected);
      assertInert(out);
    });
  }

  it('caps length with an ellipsis, by code points (no broken surrogate pair)', () => {
    assert.equal(plain('x'.repeat(DEFAULT_MAX)), 'x'.repeat(DEFAULT_MAX));
    const long = plain('y'.repeat(DEFAULT_MAX + 1));
    assert.equal(Array.from(long).length, DEFAULT_MAX);
    assert.ok(long.endsWith('…'));
    const emoji = plain('😀'.repeat(20), { max: 10 });
    assert.equal(emoji, `${'😀'.repeat(9)}…`);
    assert.doesNotMatch(emoji, /[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it('keeps line breaks only when asked', () => {
    assert.equal(plainLines('a\r\nb\u2029c'), 'a\nb\nc');
    assert.equal(plain('a\nb', { lines: true }), 'a\nb');
    assert.equal(plainLines('[x]\n(command:quit)'), '[x]\n(command: quit)');
  });

  it('is idempotent', () => {
    const hostile = '[x](command:workbench.action.quit) $(bug) \u202Eevil';
    assert.equal(plain(plain(hostile)), plain(hostile));
  });
});

describe('displayText.safe', () => {
  it('keeps the literal parts and neutralises each value', () => {
    const name = '[x](command:workbench.action.quit)';
    assert.equal(safe`Sync of "${name}" failed.`, 'Sync of "[x] (command: workbench.action.quit)" failed.');
  });

  it('keeps an icon in a literal part, not in a value', () => {
    assert.equal(safe`$(warning) ${'$(bug)'}`, '$(warning) $ (bug)');
  });

  it('does not let a link form across a value and its neighbour', () => {
    assert.equal(safe`${'[x]'}${'(command:quit)'}`, '[x] (command: quit)');
    assertInert(safe`${'[x]'}(command:quit)`);
    assertInert(safe`[x]${'(command:quit)'}`);
    assertInert(safe`${'$'}(bug)`);
    assertInert(safe`${'command'}:${'quit'}`);
  });

  it('caps each value on its own so the sentence stays readable', () => {
    const out = safe`Job "${'n'.repeat(VALUE_MAX * 3)}" failed.`;
    assert.ok(out.endsWith('…" failed.'), out.slice(-20));
    assert.equal(out.length, 'Job "'.length + VALUE_MAX + '" failed.'.length);
  });

  it('renders numbers and missing values', () => {
    assert.equal(safe`Run #${7} of ${undefined}`, 'Run #7 of ');
  });
});
