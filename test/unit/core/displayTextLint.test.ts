// Every text a VS Code surface renders (notifications and their modal detail, quick pick items,
// input boxes, the status bar, tree items and views, markdown tooltips) is built in the glue
// folders. This reads those sources and fails when such text is anything but a string literal,
// `safe\`...\``, `plain(...)` / `plainLines(...)` (or a conditional choosing between those), so a
// name from a manifest or a message from a service cannot reach a surface raw.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { repoRoot } from '../../support/shared';
import { listTs } from '../../support/sourceFiles';

// ---- a small expression scanner (enough for our own sources) -----------------------------------

const OPEN = '([{';
const CLOSE = ')]}';

/** Index just past the string or template literal that starts at `i`. */
function skipQuoted(s: string, i: number): number {
  const q = s[i];
  let j = i + 1;
  while (j < s.length) {
    const c = s[j];
    if (c === '\\') j += 2;
    else if (c === q) return j + 1;
    else if (q === '`' && c === '$' && s[j + 1] === '{') j = skipBalanced(s, j + 1);
    else j++;
  }
  return j;
}

/** Index just past the bracket group that opens at `i`. */
function skipBalanced(s: string, i: number): number {
  let depth = 0;
  let j = i;
  while (j < s.length) {
    const c = s[j];
    if (c === "'" || c === '"' || c === '`') {
      j = skipQuoted(s, j);
      continue;
    }
    if (c === '/' && s[j + 1] === '/') {
      j = s.indexOf('\n', j);
      if (j < 0) return s.length;
      continue;
    }
    if (OPEN.includes(c)) depth++;
    else if (CLOSE.includes(c)) {
      depth--;
      if (depth === 0) return j + 1;
    }
    j++;
  }
  return j;
}

/** The expression starting at `i`: up to a top-level `,` `;` or closing bracket. */
export function expressionAt(s: string, i: number): string {
  let j = i;
  while (j < s.length) {
    const c = s[j];
    if (c === "'" || c === '"' || c === '`') j = skipQuoted(s, j);
    else if (OPEN.includes(c)) j = skipBalanced(s, j);
    else if (CLOSE.includes(c) || c === ',' || c === ';') break;
    else if (c === '/' && s[j + 1] === '/') j = s.indexOf('\n', j);
    else j++;
    if (j < 0) return s.slice(i);
  }
  return s.slice(i, j).trim();
}

/** `cond ? a : b` at top level as [a, b], else undefined. */
export function ternaryBranches(e: string): [string, string] | undefined {
  let j = 0;
  let q = -1;
  let nested = 0;
  while (j < e.length) {
    const c = e[j];
    if (c === "'" || c === '"' || c === '`') {
      j = skipQuoted(e, j);
      continue;
    }
    if (OPEN.includes(c)) {
      j = skipBalanced(e, j);
      continue;
    }
    if (c === '?' && e[j + 1] !== '.' && e[j + 1] !== '?' && e[j - 1] !== '?') {
      if (q < 0) q = j;
      else nested++;
    } else if (c === ':' && q >= 0) {
      if (nested === 0) return [e.slice(q + 1, j).trim(), e.slice(j + 1).trim()];
      nested--;
    }
    j++;
  }
  return undefined;
}

const STRING_LITERAL = /^(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\$]|\\.|\$(?!\{))*`)$/s;

/** A literal with words in it: our own message, which must be translatable (`t('…')`). */
export function isWordyLiteral(e: string): boolean {
  return STRING_LITERAL.test(e) && /\p{L}/u.test(e.slice(1, -1).replace(/\\./g, '').replace(/\$\([a-z0-9~-]+\)/g, ''));
}

/** `t('…')` (plain code's translator) or `vscode.l10n.t('…')`: our message, translated. */
function isTranslated(e: string): boolean {
  const call = /^(?:vscode\.l10n\.t|l10n\.t|t)\(/.exec(e);
  return !!call && skipBalanced(e, call[0].length - 1) === e.length;
}

/** Whether `e` is text we accept at a surface. */
export function isSafeText(e: string): boolean {
  e = e.trim();
  while (e.startsWith('(') && skipBalanced(e, 0) === e.length) e = e.slice(1, -1).trim();
  if (e === 'undefined') return true;
  // Literals only without words (an icon, punctuation); words go through t('…') to be translated.
  if (STRING_LITERAL.test(e)) return !isWordyLiteral(e);
  if (/^safe`/.test(e) && skipQuoted(e, 4) === e.length) return true;
  if (isTranslated(e)) return true;
  const call = /^(plain|plainLines)\(/.exec(e);
  if (call && skipBalanced(e, call[0].length - 1) === e.length) return true;
  const branches = ternaryBranches(e);
  return branches !== undefined && branches.every(isSafeText);
}

// ---- what counts as a surface ---------------------------------------------------------------------

interface Finding {
  file: string;
  line: number;
  what: string;
  text: string;
  /** Offset of the text in the file. */
  index: number;
}

/** Where text arguments start: [name, pattern whose match ends where the text begins, args to check]. */
const CALLS: [string, RegExp, number][] = [
  // The message, then its buttons (an options object between them is checked by the property rule).
  ['notification', /\bshow(?:Information|Warning|Error)Message\(/g, 8],
  ['notification (ui)', /\bui(?:\(\))?\.(?:info|warn|error)\(/g, 8],
  ['confirmation', /\.confirm\(/g, 3],
  ['tree item label', /\bnew vscode\.TreeItem\(/g, 1],
  ['markdown text', /\.appendText\(/g, 1],
];
const ASSIGNMENTS = /\.(text|tooltip|description|title|message|placeholder|prompt)\s*=(?!=)\s*/g;
// Properties of option and item objects: quick pick items, input box and quick pick options, the
// modal detail of a notification, tree views.
const PROPERTIES = /[{,]\s*(label|description|detail|prompt|placeHolder|placeholder|title|tooltip|saveLabel|openLabel)\s*:\s*/g;

// Places those patterns match that are not display text, each with its reason.
const NOT_DISPLAY: [file: string, snippet: RegExp, reason: string][] = [
  ['src/airbyte/vscode/airbyteModule.ts', /label: id\.label/, 'the identity handed to the plain Airbyte code, not a surface'],
  ['src/dbt/vscode/dbtModule.ts', /label: id\.label/, 'the identity handed to the plain dbt code, not a surface'],
  ['src/auth/vscode/authenticationProvider.ts', /label: session\.identity\.label/, 'the account VS Code shows in its Accounts menu from our session; it renders text only'],
  ['src/bigquery/vscode/bigQueryModule.ts', /label: String\(typeof item\.label/, 'copies an already built TreeItem label into a test-facing snapshot'],
  ['src/auth/vscode/statusBar.ts', /statusBarText\(session\?\.identity\)/, 'statusBarText builds its text with safe`` in src/auth/identityText.ts (it keeps the $(account) icon)'],
];

// A markdown template whose every value goes through a markdown escaper (`esc(...)`, escaping
// brackets, backticks, emphasis, pipes and angle brackets) is our markup with inert values.
function isEscapedMarkdown(e: string): boolean {
  if (!e.startsWith('`') || skipQuoted(e, 0) !== e.length) return false;
  const values = [...e.matchAll(/\$\{/g)].map((m) => e.slice(m.index + 2));
  return values.every((v) => v.startsWith('esc(') && skipBalanced(v, 3) === v.indexOf('}'));
}

// `label: string` in an interface is a type, not a value.
const TYPE_ANNOTATION = /^(?:string|number|boolean)\b/;

// Tooltip values that are MarkdownStrings built in the same file (checked by the markdown rules).
const MARKDOWN_TOOLTIP = /^(md|[A-Za-z]*[tT]ooltip[A-Za-z]*\([^]*\))$/;


function glueFiles(): string[] {
  return listTs(join(repoRoot, 'src')).filter((f) => relative(repoRoot, f).split(sep).includes('vscode'));
}

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}

function argumentsAt(text: string, open: number, count: number): { index: number; expr: string }[] {
  const out: { index: number; expr: string }[] = [];
  let i = open + 1;
  for (let n = 0; n < count; n++) {
    while (/\s/.test(text[i] ?? '')) i++;
    if (text[i] === ')' || i >= text.length) break;
    const expr = expressionAt(text, i);
    out.push({ index: i, expr });
    i += text.slice(i).indexOf(expr) + expr.length;
    while (/\s/.test(text[i] ?? '')) i++;
    if (text[i] !== ',') break;
    i++;
  }
  return out;
}

export function findRawText(file: string, text: string): Finding[] {
  const rel = relative(repoRoot, file).split(sep).join('/');
  const findings: Finding[] = [];
  const excused = (index: number, expr: string) => {
    const line = text.split('\n')[lineOf(text, index) - 1];
    return NOT_DISPLAY.some(([f, re]) => f === rel && (re.test(line) || re.test(expr)));
  };
  const report = (what: string, index: number, expr: string) => {
    if (!excused(index, expr)) findings.push({ file: rel, line: lineOf(text, index), what, text: expr.slice(0, 120), index });
  };

  for (const [what, re, count] of CALLS) {
    for (const m of text.matchAll(re)) {
      const open = m.index + m[0].length - 1;
      argumentsAt(text, open, count).forEach(({ index, expr }, n) => {
        // An options object ({ modal, detail }) is checked by the property rule.
        if (expr.startsWith('{')) return;
        // Buttons (after a notification's message) are our labels: literals must be translated.
        const button = what.startsWith('notification') ? n > 0 : n > 1;
        if (button ? isWordyLiteral(expr) : !isSafeText(expr)) report(button ? `${what} button` : what, index, expr);
      });
    }
  }
  for (const m of text.matchAll(ASSIGNMENTS)) {
    const start = m.index + m[0].length;
    const expr = expressionAt(text, start);
    if (m[1] === 'tooltip' && MARKDOWN_TOOLTIP.test(expr)) continue;
    if (!isSafeText(expr)) report(`.${m[1]} =`, start, expr);
  }
  for (const m of text.matchAll(PROPERTIES)) {
    const start = m.index + m[0].length;
    const expr = expressionAt(text, start);
    if (m[1] === 'tooltip' && MARKDOWN_TOOLTIP.test(expr)) continue;
    if (TYPE_ANNOTATION.test(expr)) continue;
    if (!isSafeText(expr)) report(`${m[1]}:`, start, expr);
  }
  // A webview panel's tab title: createWebviewPanel(viewType, title, …).
  for (const m of text.matchAll(/\bcreateWebviewPanel\(/g)) {
    const title = argumentsAt(text, m.index + m[0].length - 1, 2)[1];
    if (title && !isSafeText(title.expr)) report('webview panel title', title.index, title.expr);
  }
  // `{ title }` shorthand in progress options, and progress messages.
  for (const m of text.matchAll(/withProgress\(\s*\{[^{}]*[{,]\s*title\s*[,}]/g)) report('progress title (shorthand)', m.index, m[0]);
  for (const m of text.matchAll(/\.report\(\s*\{[^{}]*\bmessage\s*[,}]/g)) report('progress message (shorthand)', m.index, m[0]);
  for (const m of text.matchAll(/\.report\(\s*\{[^{}]*\bmessage:\s*/g)) {
    const start = m.index + m[0].length;
    const expr = expressionAt(text, start);
    if (!isSafeText(expr)) report('progress message', start, expr);
  }
  // `{ detail }` shorthand hands a raw variable to a modal's detail.
  for (const m of text.matchAll(/\bmodal:\s*true\s*,\s*detail\s*[,}]|\{\s*detail\s*,\s*modal\b/g)) report('detail (shorthand)', m.index, m[0]);
  // Markdown: only our own literal markup, never from a value; no trusted or icon-rendering strings.
  for (const m of text.matchAll(/\.appendMarkdown\(/g)) {
    const open = m.index + m[0].length - 1;
    for (const { index, expr } of argumentsAt(text, open, 1)) {
      const ours = (STRING_LITERAL.test(expr) && !isWordyLiteral(expr)) || isTranslated(expr);
      if (!ours && !isEscapedMarkdown(expr)) report('appendMarkdown', index, expr);
    }
  }
  const constructions = [...text.matchAll(/new vscode\.MarkdownString\(/g)];
  for (const m of constructions) {
    const open = m.index + m[0].length - 1;
    const args = text.slice(open, skipBalanced(text, open)).replace(/\s/g, '');
    if (args !== '()' && args !== '(undefined,false)') report('MarkdownString with content or theme icons', m.index, args);
  }
  const untrusted = (text.match(/\.isTrusted\s*=\s*false/g) ?? []).length;
  if (constructions.length > untrusted) report('MarkdownString without isTrusted = false', constructions[0].index, `${constructions.length} built, ${untrusted} marked untrusted`);
  if (/\.isTrusted\s*=\s*(?!\s|false)/.test(text) || /supportThemeIcons\s*=\s*true|supportHtml\s*=\s*true/.test(text)) report('trusted markdown', 0, 'isTrusted/supportThemeIcons/supportHtml set');
  return findings;
}

describe('display text lint', () => {
  describe('the scanner', () => {
    const cases: [string, boolean][] = [
      [`t('Saved.')`, true],
      [`vscode.l10n.t('Saved.')`, true],
      [`'**\\n\\n'`, true],
      [`'$(sync~spin)'`, true],
      [`''`, true],
      [`'Saved.'`, false],
      [`"Saved."`, false],
      ['`Saved.`', false],
      ['safe`Sync of ${name} failed`', true],
      ['plain(outcome.message)', true],
      ['plainLines(a + b)', true],
      [`ok ? t('a') : safe\`b \${x}\``, true],
      [`x ? plain(y) : z ? t('a') : t('b')`, true],
      [`ok ? 'a' : safe\`b \${x}\``, false],
      ['(plain(x))', true],
      ['undefined', true],
      ['`Sync of ${name} failed`', false],
      ["'Sync of ' + name", false],
      ['outcome.message', false],
      ['plain(a) + b', false],
      ['safe`a` + b', false],
      [`ok ? 'a' : name`, false],
      ['outcome.message ?? plain(x)', false],
      ['[a, b].join()', false],
    ];
    for (const [expr, ok] of cases) it(`${ok ? 'accepts' : 'rejects'} ${expr}`, () => assert.equal(isSafeText(expr), ok));

    const file = join(repoRoot, 'src', 'x', 'vscode', 'fixture.ts');
    const samples: [string, string, number][] = [
      ['a raw notification', 'void vscode.window.showErrorMessage(`Sync of ${name} failed`, t("Retry"));', 1],
      ['a raw ui call', 'void this.deps.ui().warn(outcome.message);', 1],
      ['raw modal detail', "await vscode.window.showWarningMessage(t('Run?'), { modal: true, detail: err.message }, t('Run'));", 1],
      ['an untranslated button', "void vscode.window.showErrorMessage(plain(m), 'Retry');", 1],
      ['an untranslated message', "void vscode.window.showInformationMessage('Signed out.');", 1],
      ['an untranslated tree label', "const item = new vscode.TreeItem(ok ? t('Ready') : 'Not ready');", 1],
      ['a raw shorthand modal detail', "confirm: async (m, detail, a) => (await vscode.window.showWarningMessage(plain(m), { modal: true, detail }, a)) === a,", 1],
      ['a raw progress title', "vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, run);", 1],
      ['a raw progress message', "progress.report({ message: describe(j) });", 1],
      ['raw confirmation detail', "await ui.confirm(safe`Trigger ${job.name}?`, `Steps ${s}`, t('Go'));", 1],
      ['a raw quick pick item', 'await vscode.window.showQuickPick(items.map((n) => ({ label: n.name, description: plain(n.path) })));', 1],
      ['raw status bar text', 'this.item.text = `$(warning) ${reason}`;', 1],
      ['an untranslated save dialog button', "await vscode.window.showSaveDialog({ defaultUri, saveLabel: 'Export' });", 1],
      ['an untranslated webview tab title', "vscode.window.createWebviewPanel(VIEW_TYPE, 'dbt Lineage', vscode.ViewColumn.Beside, options);", 1],
      ['a translated webview tab title', "vscode.window.createWebviewPanel(VIEW_TYPE, vscode.l10n.t('Results'), { viewColumn }, this.webviewOptions());", 0],
      ['a raw tree label', 'const item = new vscode.TreeItem(n.title, vscode.TreeItemCollapsibleState.None);', 1],
      ['a raw tree tooltip', 'item.tooltip = n.detail ? `${n.text}\\n${n.detail}` : n.text;', 1],
      ['markdown from a value', 'const md = new vscode.MarkdownString(`**${name}**`); md.isTrusted = false;', 1],
      ['escaped markdown', "const md = new vscode.MarkdownString(); md.isTrusted = false; md.appendMarkdown(`| Type | ${esc(t)} |`);", 0],
      ['markdown escaped in part', "const md = new vscode.MarkdownString(); md.isTrusted = false; md.appendMarkdown(`| ${esc(t)} | ${u} |`);", 1],
      ['appendMarkdown from a value', "const md = new vscode.MarkdownString(); md.isTrusted = false; md.appendMarkdown(name);", 1],
      ['markdown left trusted by default', "const md = new vscode.MarkdownString(); md.appendText(plain(x));", 1],
      ['all safe', "void ui.info(safe`Cancelled ${id}.`); item.tooltip = md; const md = new vscode.MarkdownString(undefined, false); md.isTrusted = false; md.appendMarkdown('**').appendText(plain(n));", 0],
    ];
    for (const [name, source, n] of samples) it(`finds ${n ? name : 'nothing when all is safe'}`, () => assert.equal(findRawText(file, source).length, n, JSON.stringify(findRawText(file, source))));
  });

  it('scans every glue file', () => {
    const files = glueFiles().map((f) => relative(repoRoot, f).split(sep).join('/'));
    for (const f of ['src/airbyte/vscode/airbyteCommands.ts', 'src/vscode/serviceUi.ts', 'src/dbt/vscode/dbtTreeDataProvider.ts', 'src/auth/vscode/statusBar.ts']) assert.ok(files.includes(f), f);
  });

  it('no surface text in src/**/vscode is built from raw strings', () => {
    const findings = glueFiles().flatMap((f) => findRawText(f, readFileSync(f, 'utf8')));
    assert.deepEqual(
      findings.map((f) => `${f.file}:${f.line} ${f.what}: ${f.text}`),
      [],
      'Put service- and workspace-derived text through safe`...` or plain() from src/core/displayText.ts',
    );
  });
});
