// Every word a webview shows is a message of ours that goes through media/l10n.ts's t('…'), so
// the host can hand the page its translations: this reads media/ and fails on a string literal
// with words (or a template with words in its literal parts) where the pages put text: `text:`,
// `title:`, `label:`, `placeholder`, `aria-label` and its kin, `.textContent =` and the like,
// setAttribute of those, and the arguments a media/ function takes as `label`, `text`, `title`,
// `message` or `placeholder` (button() and menuButton() labels among them). Values from data
// (column names, the host's messages) and literals without letters (✕, ▾, ·) pass; keyboard-key
// names, CSS classes, SVG path data and protocol values are never in those places.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ts from 'typescript';
import { repoRoot } from '../../support/shared';
import { listTs } from '../../support/sourceFiles';

/** Properties and attributes whose value is shown (or read out) as text. */
const TEXT_NAMES = new Set(['text', 'title', 'label', 'placeholder', 'aria-label', 'aria-roledescription', 'aria-valuetext', 'aria-description', 'alt']);
/** Element properties that set shown text. */
const TEXT_PROPERTIES = new Set(['textContent', 'innerText', 'title', 'placeholder', 'ariaLabel', 'ariaRoleDescription', 'ariaValueText', 'ariaDescription', 'alt']);
/** Parameters whose argument is shown as text. */
const TEXT_PARAMETERS = new Set(['label', 'text', 'title', 'message', 'placeholder']);

interface Finding {
  file: string;
  line: number;
  what: string;
  text: string;
}

/** Parameter names of functions and methods, by the name they are called with (`f`, or `.f` for a method). */
type Signatures = Map<string, string[]>;


const parse = (file: string, text: string) => ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
const paramNames = (f: ts.SignatureDeclaration) => f.parameters.map((p) => (ts.isIdentifier(p.name) ? p.name.text : ''));

/** The functions a file declares: exported ones for every file (`exported`), all of them for its own calls. */
export function signaturesOf(sf: ts.SourceFile, exportedOnly: boolean): Signatures {
  const out: Signatures = new Map();
  const exported = (n: ts.Node) => ts.canHaveModifiers(n) && (ts.getModifiers(n) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  const visit = (n: ts.Node) => {
    if (ts.isFunctionDeclaration(n) && n.name && (!exportedOnly || exported(n))) out.set(n.name.text, paramNames(n));
    else if (!exportedOnly && (ts.isMethodDeclaration(n) || ts.isMethodSignature(n)) && ts.isIdentifier(n.name)) out.set(`.${n.name.text}`, paramNames(n));
    else if (!exportedOnly && ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer && (ts.isArrowFunction(n.initializer) || ts.isFunctionExpression(n.initializer))) {
      out.set(n.name.text, paramNames(n.initializer));
    }
    if (!exportedOnly) ts.forEachChild(n, visit);
  };
  if (exportedOnly) sf.statements.forEach(visit);
  else visit(sf);
  return out;
}

/** The parts of `e` that put untranslated words on screen. */
export function untranslated(e: ts.Expression): ts.Node[] {
  const hasWords = (s: string) => /\p{L}/u.test(s);
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return hasWords(e.text) ? [e] : [];
  if (ts.isTemplateExpression(e)) {
    if (hasWords(e.head.text + e.templateSpans.map((s) => s.literal.text).join(''))) return [e];
    return e.templateSpans.flatMap((s) => untranslated(s.expression));
  }
  if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e) || ts.isSatisfiesExpression(e)) return untranslated(e.expression);
  if (ts.isConditionalExpression(e)) return [...untranslated(e.whenTrue), ...untranslated(e.whenFalse)];
  if (ts.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    const joins = [ts.SyntaxKind.PlusToken, ts.SyntaxKind.QuestionQuestionToken, ts.SyntaxKind.BarBarToken, ts.SyntaxKind.AmpersandAmpersandToken];
    return joins.includes(op) ? [...untranslated(e.left), ...untranslated(e.right)] : [];
  }
  if (ts.isCallExpression(e)) {
    if (ts.isIdentifier(e.expression) && e.expression.text === 't') return [];
    // ['a', b].join(' · '), 'word'.toUpperCase(): the receiver is the text.
    return ts.isPropertyAccessExpression(e.expression) ? untranslated(e.expression.expression) : [];
  }
  if (ts.isPropertyAccessExpression(e)) return ts.isArrayLiteralExpression(e.expression) || ts.isCallExpression(e.expression) ? untranslated(e.expression) : [];
  if (ts.isArrayLiteralExpression(e)) return e.elements.flatMap((x) => (ts.isSpreadElement(x) ? untranslated(x.expression) : untranslated(x)));
  // { tsv: 'Copy as TSV', … }[format]
  if (ts.isElementAccessExpression(e)) {
    const table = ts.isParenthesizedExpression(e.expression) ? e.expression.expression : e.expression;
    if (ts.isObjectLiteralExpression(table)) return table.properties.flatMap((p) => (ts.isPropertyAssignment(p) ? untranslated(p.initializer) : []));
    return untranslated(table);
  }
  return [];
}

const propertyName = (n: ts.PropertyName) => (ts.isIdentifier(n) || ts.isStringLiteral(n) ? n.text : undefined);

export function findUntranslated(file: string, text: string, shared: Signatures): Finding[] {
  const sf = parse(file, text);
  const local = signaturesOf(sf, false);
  const rel = relative(repoRoot, file).split(sep).join('/');
  const findings: Finding[] = [];
  const check = (what: string, e: ts.Expression | undefined) => {
    if (!e) return;
    for (const bad of untranslated(e)) findings.push({ file: rel, line: sf.getLineAndCharacterOfPosition(bad.getStart()).line + 1, what, text: bad.getText(sf).slice(0, 120) });
  };
  const visit = (n: ts.Node) => {
    if (ts.isPropertyAssignment(n)) {
      const name = propertyName(n.name);
      if (name && TEXT_NAMES.has(name)) check(`${name}:`, n.initializer);
    } else if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(n.left) && TEXT_PROPERTIES.has(n.left.name.text)) {
      check(`.${n.left.name.text} =`, n.right);
    } else if (ts.isCallExpression(n)) {
      const callee = n.expression;
      const [first, second] = n.arguments;
      if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'setAttribute' && first && ts.isStringLiteral(first) && TEXT_NAMES.has(first.text)) check(`setAttribute('${first.text}')`, second);
      const key = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? `.${callee.name.text}` : undefined;
      // t('…') itself takes the message to translate.
      const params = key !== undefined && key !== 't' ? (local.get(key) ?? shared.get(key)) : undefined;
      params?.forEach((p, i) => {
        if (TEXT_PARAMETERS.has(p)) check(`${key}(${p})`, n.arguments[i]);
      });
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return findings;
}

function mediaFiles(): string[] {
  return listTs(join(repoRoot, 'media'));
}

/** The exported functions of every media/ file (button, menuButton, …), callable from any other. */
function sharedSignatures(): Signatures {
  const out: Signatures = new Map();
  for (const f of mediaFiles()) for (const [k, v] of signaturesOf(parse(f, readFileSync(f, 'utf8')), true)) out.set(k, v);
  return out;
}

describe('webview text lint: every word on a page is t(…)', () => {
  const shared = sharedSignatures();

  describe('the scanner', () => {
    const file = join(repoRoot, 'media', 'fixture.ts');
    const samples: Array<[string, string, number]> = [
      ['a raw text property', "el('span', { text: 'Running' });", 1],
      ['a raw title', "el('div', { title: 'Select all (Ctrl+A)' });", 1],
      ['a raw placeholder and aria-label', "el('input', { attrs: { placeholder: 'Find', 'aria-label': 'Find in loaded rows' } });", 2],
      ['a raw menu item label', "const items = [{ label: 'Copy as TSV', run }];", 1],
      ['labels looked up in a table', "const items = formats.map((f) => ({ label: { csv: 'CSV…', json: 'JSON…' }[f], run }));", 2],
      ['a raw button label', "button('Cancel', () => cancel());", 1],
      ['a raw menu button label', "menuButton('Export', items, { title: t('Export the whole result') });", 1],
      ['a sentence built in a template', 'title.textContent = `Lineage of ${g.focusName}`;', 1],
      ['a sentence built by concatenation', "status.textContent = 'Loading ' + name;", 1],
      ['a word inside a template value', 'el(\'span\', { title: `${c.type}${c.mode === \'REPEATED\' ? \' (repeated)\' : \'\'}` });', 1],
      ['one raw branch of a choice', "cancel.textContent = busy ? t('Cancelling…') : 'Cancelled';", 1],
      ['a word from a default', "el('pre', { text: value ?? 'Loading…' });", 1],
      ['fragments joined', "caption.textContent = [t('a'), 'rows left out'].filter(Boolean).join(' · ');", 1],
      ['a data value made a label', "button(kind[0].toUpperCase() + kind.slice(1), run); button('bar'.toUpperCase(), run);", 1],
      ['a raw attribute', "node.setAttribute('aria-label', 'Zoom in');", 1],
      ['a raw argument to a local helper', "const item = (text: string, title?: string) => el('span', { text, title }); item(t('{0} rows', n), 'Rows in the result');", 1],
      ['a raw argument to a method', "class A { private toast(message: string) {} run() { this.toast('Copied'); } }", 1],
      ['a raw argument to an interface’s method', "interface Events { announce(text: string): void } function f(events: Events) { events.announce(`${name} has no file`); }", 1],
      [
        'nothing when all is translated or data',
        [
          "el('span', { text: t('Running') }); el('div', { title: t('Select all (Ctrl+A)') });",
          "el('input', { attrs: { placeholder: t('Find'), 'aria-label': t('Find in loaded rows'), type: 'search' } });",
          "button(t('Cancel'), run, { class: 'secondary link' }); button('✕', close, { title: t('Close (Escape)') }); menuButton(t('Copy'), items);",
          "title.textContent = t('Lineage of {0}', g.focusName); count.textContent = n === 1 ? t('1 row') : t('{0} rows', n);",
          'el(\'span\', { text: `${label} ▾`, title: `${c.name}: ${c.type}` }); el(\'span\', { text: column.name }); el(\'div\', { text });',
          "el('div', { text: '!', attrs: { 'aria-hidden': 'true', role: 'status' } }); svg('path', { d: 'M0,0L1,1Z', class: 'edge' });",
          "if (e.key === 'Escape') close(); const kind = node.resourceType.replace('_', ' ');",
          "caption.textContent = [t('a {0}', x), hint ? t('b') : ''].filter(Boolean).join(' · ');",
          "interface P { label: string; title?: string } class H { post(message: object) {} run() { this.post({ type: 'cancel', text: x }); } }",
        ].join('\n'),
        0,
      ],
    ];
    for (const [name, source, n] of samples) {
      it(`finds ${n ? name : 'nothing when all is translated or data'}`, () => {
        const found = findUntranslated(file, source, shared);
        assert.equal(found.length, n, JSON.stringify(found));
      });
    }
  });

  it('scans the webview sources and knows their shared helpers', () => {
    const files = mediaFiles().map((f) => relative(repoRoot, f).split(sep).join('/'));
    for (const f of ['media/results/app.ts', 'media/results/grid.ts', 'media/results/chartView.ts', 'media/lineage.ts', 'media/lineage/graphView.ts']) assert.ok(files.includes(f), f);
    assert.deepEqual(shared.get('button')?.[0], 'label');
    assert.deepEqual(shared.get('menuButton')?.[0], 'label');
  });

  it('no word in media/ reaches a page untranslated', () => {
    const findings = mediaFiles().flatMap((f) => findUntranslated(f, readFileSync(f, 'utf8'), shared));
    assert.deepEqual(
      findings.map((f) => `${f.file}:${f.line} ${f.what} ${f.text}`),
      [],
      "Put the page's own words through t('…') from media/l10n.ts (a sentence with values: one message with {0}, {1})",
    );
  });
});
