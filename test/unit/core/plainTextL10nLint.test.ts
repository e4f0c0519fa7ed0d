// Our words reach people from all of src/. Plain code builds much of the text the glue shows
// (status bar text, tree labels, validation messages, problem lists, explanations, refusals); the
// glue (the `vscode/` folders and extension.ts) builds the rest. The display lint
// (displayTextLint.test.ts) keeps service- and workspace-derived text inert at a surface and takes
// a translated message, safe`` or plain() for text, so it is here that our own words must go
// through l10n: `t('…')` (in the glue `vscode.l10n.t('…')`), `safe\`…\`` (its literal parts),
// `markMessage` / `l10nTable`, or a literal message or next step of
// `new XxxError(reason, 'Message.', 'Next step.')` (all extracted by scripts/l10n.mjs). This reads
// every source of src/ and fails on a wordy literal or untagged template that is returned, is a
// branch or part of a returned value, an element of a returned array, the value of a display
// property, a value of safe`` or t() (shown as it is), an argument of a function that shows it
// (plain() included), a typed error's text built from parts, or is kept in a variable (or a
// constant of the module) that goes to one of those places; and on an entry of a table of words
// looked up where it is shown without t().
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import * as ts from 'typescript';
import { repoRoot } from '../../support/shared';
import { listTs } from '../../support/sourceFiles';

// ---- what counts as words a person reads -----------------------------------------------------------

// Names we never translate count as a value (`{0}`), not as words.
const NAMES = /\b(?:Gatehouse|BigQuery|Looker|Metabase|Airbyte|dbt Cloud|dbt|Google Cloud|Google|Keycloak|Entra ID|OIDC|OAuth|VS Code)\b/g;
const ICON = /\$\([a-z0-9~-]+\)/g;
const URL_LIKE = /\b[a-z][a-z0-9+.-]*:\/\/\S*/gi;
// A setting id, a dotted path or a file name: code, not words.
const DOTTED = /\b[\w-]+(?:\.[\w-]+)+\b/g;
// SQL we build: keywords in capitals.
const SQL = /^\s*(?:SELECT|WITH|INSERT|UPDATE|DELETE|MERGE|CREATE|DROP|ALTER|DECLARE|CALL)\b|\b(?:FROM|WHERE|LIMIT|JOIN)\s|^\s*select\b[^]*\bfrom\b/;
const PUNCT_AROUND = /^[("'“‘[«]+|[)"'’”\].,:;!?…»]+$/g;

/**
 * Whether a literal's text (`{n}` for a template's values) is words a person reads: two or more
 * words with a space (a value counts as a word beside a real one: `{0} rows`), or one capitalised
 * word. Icons, URLs, setting ids, SQL, identifiers (camelCase, snake_case, ALLCAPS) are not words.
 */
export function isProse(text: string): boolean {
  if (SQL.test(text)) return false;
  const s = text.replace(ICON, ' ').replace(URL_LIKE, ' ').replace(NAMES, '{n}').replace(DOTTED, ' x_x ');
  const tokens = s.split(/\s+/).filter(Boolean);
  let words = 0;
  let values = 0;
  for (const token of tokens) {
    const core = token.replace(PUNCT_AROUND, '');
    if (/^\{(?:\d+|n)\}/.test(core)) values++;
    else if (/^\p{L}[\p{Ll}'’-]*$/u.test(core) && !/^[-']|[-']$/.test(core)) words++;
  }
  if (tokens.length >= 2 && words >= 1 && words + values >= 2) return true;
  return tokens.length === 1 && /^\p{Lu}\p{Ll}+[.…!?:]*$/u.test(tokens[0]);
}

// ---- where the words end up ------------------------------------------------------------------------

// Properties whose value is text a surface shows (quick pick items, tree nodes, problems, hints, …;
// `what` is the request a refusal names in Explain Access).
const DISPLAY_PROPERTY = /^(?:what|label|description|detail|message|title|tooltip|text|hint|nextStep|placeholder|placeHolder|prompt|summary|heading|caption|explanation|why|lines)$/;

/** `t('…')`, `markMessage('…')`, `l10nTable({…})`: extracted and translated (or marked to be, where shown). */
const L10N_CALL = /^(?:t|markMessage|l10nTable|vscode\.l10n\.t|l10n\.t)$/;
const TRANSLATE_CALL = /^(?:t|vscode\.l10n\.t|l10n\.t)$/;
// Log lines are for the output channel and bug reports, in English.
const LOG_CALL = /(?:^|\.)(?:log|logger|_logger|logs)\.(?:trace|debug|info|warn|error)$|^log$/;

// Functions (our own, and the UI interfaces plain code is handed) whose text arguments are shown:
// plain() and plainLines() (the glue's way to a surface), tree messages, a results panel's state,
// warnings and progress, the parts of a refusal, the notification that offers Explain Access.
const TEXT_CALL = /^(?:plain|plainLines|offerExplainAccess|message|setRunning|setCancelled|setError|showWarning|showError|showInformation|withExportProgress|report|userMessage|explain|explainDenied)$/;

function lastName(callee: ts.Expression): string {
  return ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
}

interface Finding {
  file: string;
  line: number;
  where: string;
  text: string;
}

function calleeText(node: ts.CallExpression | ts.NewExpression, sf: ts.SourceFile): string {
  return node.expression.getText(sf).replace(/\s+/g, '');
}

function propertyName(name: ts.PropertyName, sf: ts.SourceFile): string {
  return ts.isIdentifier(name) || ts.isStringLiteral(name) ? name.text : name.getText(sf);
}

/** A `new XxxError(reason, message, nextStep)` of ours (GatehouseError's shape), not a plain `new Error(…)`. */
function isOurError(node: ts.Node): node is ts.NewExpression {
  return ts.isNewExpression(node) && ts.isIdentifier(node.expression) && /^\w+Error$/.test(node.expression.text) && !/^(?:Error|TypeError|RangeError|SyntaxError)$/.test(node.expression.text);
}

/** The literal's text as l10n would key it: a template's values as `{0}`, `{1}`, …. */
function keyOf(node: ts.StringLiteral | ts.NoSubstitutionTemplateLiteral | ts.TemplateExpression): string {
  if (!ts.isTemplateExpression(node)) return node.text;
  return node.head.text + node.templateSpans.map((s, i) => `{${i}}${s.literal.text}`).join('');
}

/** Whether a wordy literal here is already translated (or deliberately English): inside an l10n call, a log call, a type. */
function isExempt(node: ts.Node, sf: ts.SourceFile): boolean {
  for (let p: ts.Node | undefined = node.parent, c: ts.Node = node; p; c = p, p = p.parent) {
    if (ts.isTypeNode(p) || ts.isImportDeclaration(p) || ts.isExportDeclaration(p)) return true;
    if (ts.isCallExpression(p) && p.expression !== c) {
      const callee = calleeText(p, sf);
      // Of t('…', …) only the message is translated: its values are shown as they are.
      if (L10N_CALL.test(callee) && (!TRANSLATE_CALL.test(callee) || p.arguments[0] === c)) return true;
      if (LOG_CALL.test(callee)) return true;
    }
    // The literal message and next step of our typed errors are extracted (scripts/l10n.mjs) and
    // translated by `userMessage`; anything built there from parts is not, and is checked below.
    if (isOurError(p) && c === node && [1, 2].includes(p.arguments?.indexOf(node as ts.Expression) ?? -1) && !ts.isTemplateExpression(node)) return true;
  }
  return false;
}

/**
 * Where the value of `node` goes, looking through parentheses, conditional branches, `??`, `||`,
 * `&&`, `+`, arrays, spreads, `.filter()`, `.join()` and untagged templates: a description of the display place,
 * `{ name }` when it is kept in a variable (decided once every use of the name is known), or undefined.
 */
function destination(node: ts.Node, sf: ts.SourceFile, tables: ReadonlySet<string> = new Set()): string | { name: string } | undefined {
  let c: ts.Node = node;
  let p: ts.Node = node.parent;
  for (;;) {
    if (ts.isParenthesizedExpression(p) || ts.isAsExpression(p) || ts.isSatisfiesExpression(p) || ts.isNonNullExpression(p) || ts.isTypeAssertionExpression(p) || ts.isSpreadElement(p) || ts.isArrayLiteralExpression(p)) {
      // (an array is a list of lines or items: where it goes, its elements go)
    } else if (ts.isConditionalExpression(p)) {
      if (p.condition === c) return undefined;
    } else if (ts.isBinaryExpression(p) && [ts.SyntaxKind.QuestionQuestionToken, ts.SyntaxKind.BarBarToken, ts.SyntaxKind.AmpersandAmpersandToken, ts.SyntaxKind.PlusToken].includes(p.operatorToken.kind)) {
      if (p.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken && p.left === c) return undefined;
    } else if (ts.isTemplateSpan(p)) {
      const tpl = p.parent;
      if (ts.isTaggedTemplateExpression(tpl.parent)) return ts.isIdentifier(tpl.parent.tag) && tpl.parent.tag.text === 'safe' ? 'a value of safe`` (shown, not translated)' : undefined;
      p = tpl;
    } else if (ts.isPropertyAccessExpression(p) && p.expression === c && /^(?:join|filter)$/.test(p.name.text) && ts.isCallExpression(p.parent) && p.parent.expression === p) {
      p = p.parent;
    } else {
      break;
    }
    c = p;
    p = p.parent;
  }
  if (ts.isCallExpression(p) && p.expression !== c && TRANSLATE_CALL.test(calleeText(p, sf)) && p.arguments[0] !== c) return 'a value of t() (shown, not translated)';
  const textCall = (call: ts.Node) => ts.isCallExpression(call) && TEXT_CALL.test(lastName(call.expression));
  if (textCall(p) && (p as ts.CallExpression).expression !== c) return `an argument of ${lastName((p as ts.CallExpression).expression)}() (shown)`;
  if (ts.isPropertyAssignment(p) && p.initializer === c && ts.isObjectLiteralExpression(p.parent) && textCall(p.parent.parent) && (p.parent.parent as ts.CallExpression).arguments.includes(p.parent)) {
    return `${propertyName(p.name, sf)}: of ${lastName((p.parent.parent as ts.CallExpression).expression)}() (shown)`;
  }
  if (ts.isReturnStatement(p)) return 'returned';
  if (ts.isArrowFunction(p) && p.body === c) return 'returned';
  if (ts.isPropertyAssignment(p) && p.initializer === c) {
    const name = propertyName(p.name, sf);
    return DISPLAY_PROPERTY.test(name) ? `${name}:` : undefined;
  }
  if (ts.isShorthandPropertyAssignment(p)) return DISPLAY_PROPERTY.test(p.name.text) ? `${p.name.text}:` : undefined;
  if (ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.EqualsToken && p.right === c) {
    if (ts.isPropertyAccessExpression(p.left)) return DISPLAY_PROPERTY.test(p.left.name.text) ? `.${p.left.name.text} =` : undefined;
    if (ts.isIdentifier(p.left)) return { name: p.left.text };
  }
  if (ts.isVariableDeclaration(p) && p.initializer === c && ts.isIdentifier(p.name)) return { name: p.name.text };
  // `lines.push('…')`: the words go where `lines` goes.
  if (ts.isCallExpression(p) && p.expression !== c && ts.isPropertyAccessExpression(p.expression) && /^(?:push|unshift)$/.test(p.expression.name.text) && ts.isIdentifier(p.expression.expression)) {
    return { name: p.expression.expression.text };
  }
  // A message or next step of our typed errors built from parts is not extracted: `t(this.message)`
  // finds no key. (An entry of a table of messages is extracted with its table.)
  // Nor is a literal anywhere else in the list (ServiceUrlError's next step is its fourth argument).
  if (isOurError(p) && (p.arguments?.indexOf(c as ts.Expression) ?? -1) >= 1) return tableLookup(node, tables) ? undefined : ERROR_TEXT;
  // CancelledError's message is its first argument.
  if (ts.isNewExpression(p) && ts.isIdentifier(p.expression) && p.expression.text === 'CancelledError' && p.arguments?.[0] === c) return ERROR_TEXT;
  return undefined;
}

const ERROR_TEXT = 'error text built from parts, or not where scripts/l10n.mjs extracts it';

/**
 * Names whose value is shown: returned, a display property, a value of safe``, … (true), or only
 * handed to a typed error as its text (false: there an entry of a table of messages is translated).
 */
function shownNames(sf: ts.SourceFile): Map<string, boolean> {
  const shown = new Map<string, boolean>();
  // Names flow into names (`const text = base; return text`): repeat until nothing is added.
  const flows: [from: string, to: string][] = [];
  const visit = (node: ts.Node): void => {
    const parent = node.parent;
    const declares = ts.isIdentifier(node) && parent && ((ts.isPropertyAccessExpression(parent) && parent.name === node) || ((ts.isPropertyAssignment(parent) || ts.isVariableDeclaration(parent) || ts.isParameter(parent) || ts.isFunctionDeclaration(parent) || ts.isBindingElement(parent)) && parent.name === node));
    if (ts.isIdentifier(node) && parent && !declares) {
      const d = destination(node, sf);
      if (typeof d === 'string') shown.set(node.text, shown.get(node.text) || d !== ERROR_TEXT);
      else if (d && d.name !== node.text) flows.push([node.text, d.name]);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  for (let grown = true; grown; ) {
    grown = false;
    for (const [from, to] of flows) {
      const display = shown.get(to);
      if (display !== undefined && (!shown.has(from) || (display && !shown.get(from)))) {
        shown.set(from, display || !!shown.get(from));
        grown = true;
      }
    }
  }
  return shown;
}

/** Names of tables of words in `sf`: `const X = { key: 'Some words', … }` (also inside l10nTable, `as const`). */
export function proseTables(sf: ts.SourceFile): Set<string> {
  const out = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) {
      let init: ts.Expression = node.initializer;
      while (ts.isAsExpression(init) || ts.isSatisfiesExpression(init) || ts.isParenthesizedExpression(init) || (ts.isCallExpression(init) && init.arguments.length === 1 && /^(?:l10nTable|Object\.freeze)$/.test(init.expression.getText(sf)))) {
        init = ts.isCallExpression(init) ? init.arguments[0] : init.expression;
      }
      if (ts.isObjectLiteralExpression(init) && init.properties.some((p) => ts.isPropertyAssignment(p) && (ts.isStringLiteral(p.initializer) || ts.isNoSubstitutionTemplateLiteral(p.initializer)) && isProse(p.initializer.text))) out.add(node.name.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** `TABLE[key]`, `TABLE.key` or `lookup(TABLE, key)` of a table of words: the table's name. */
function tableLookup(node: ts.Node, tables: ReadonlySet<string>): string | undefined {
  if ((ts.isElementAccessExpression(node) || ts.isPropertyAccessExpression(node)) && ts.isIdentifier(node.expression) && tables.has(node.expression.text)) return node.expression.text;
  if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'lookup' && node.arguments[0] && ts.isIdentifier(node.arguments[0]) && tables.has(node.arguments[0].text)) return node.arguments[0].text;
  return undefined;
}

// Words in a constant of the module are read before the translator is installed, and may be used
// in another file (where the name is not followed).
const MODULE_CONSTANT = 'a module constant: markMessage it, then t() it where shown (a typed error does)';

function isModuleConstant(node: ts.Node): boolean {
  let c = node;
  while (ts.isParenthesizedExpression(c.parent) || ts.isAsExpression(c.parent) || ts.isConditionalExpression(c.parent)) c = c.parent;
  const decl = c.parent;
  return ts.isVariableDeclaration(decl) && decl.initializer === c && ts.isVariableStatement(decl.parent.parent) && ts.isSourceFile(decl.parent.parent.parent);
}

// ---- deliberate English: each with its reason ---------------------------------------------------------

/** [file, pattern matched against the literal's text (its source, quotes included), reason]. */
const NOT_TRANSLATED: [file: string, text: RegExp, reason: string][] = [
  ['src/core/format.ts', /} m?s`$/, 'unit symbols (ms, s), the same in every language; the formatter also runs in the webviews, which have no translator'],
  ['src/results/resultsController.ts', /^FORMAT_LABEL\[format\]$/, 'names of formats (CSV, JSON Lines, Markdown), the same in every language'],
  ['src/dbt/cloud/dbtCloudActions.ts', /Triggered from VS Code|'an unknown user'/, 'a wire value: the cause dbt Cloud stores with the run and shows the whole account'],
];

/**
 * What in `source` (at `rel`) shows our words untranslated. `tables` names tables of words declared
 * elsewhere (imported); this file's own are found here.
 */
export function findUntranslated(rel: string, source: string, exceptions = NOT_TRANSLATED, tables: ReadonlySet<string> = new Set()): Finding[] {
  const sf = ts.createSourceFile(rel, source, ts.ScriptTarget.Latest, true);
  const shown = shownNames(sf);
  const allTables = new Set([...tables, ...proseTables(sf)]);
  const findings: Finding[] = [];
  const visit = (node: ts.Node): void => {
    const literal = ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || (ts.isTemplateExpression(node) && !ts.isTaggedTemplateExpression(node.parent));
    const table = tableLookup(node, allTables);
    if (((literal && isProse(keyOf(node))) || table) && !isExempt(node, sf)) {
      const d = destination(node, sf, allTables);
      const kept = d && typeof d !== 'string' ? shown.get(d.name) : undefined;
      const where = typeof d === 'string' ? d : d && (kept || (kept === false && !table)) ? `kept in ${d.name}, which is shown` : literal && isModuleConstant(node) ? MODULE_CONSTANT : undefined;
      const text = node.getText(sf);
      if (where && !exceptions.some(([f, re]) => f === rel && re.test(text))) {
        findings.push({ file: rel, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, where: table ? `${where} (looked up in ${table}, not through t())` : where, text: text.slice(0, 100) });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return findings;
}


/** Every source of src/: plain code and the glue (the `vscode/` folders, extension.ts). */
function sourceFiles(): string[] {
  return listTs(join(repoRoot, 'src')).map((f) => relative(repoRoot, f).split(sep).join('/'));
}

describe('plain text l10n lint', () => {
  describe('words', () => {
    const cases: [string, boolean][] = [
      ['Not signed in', true],
      ['Today', true],
      ['$(sign-in) Sign in', true],
      ['{0} rows', true],
      ['Enter the issuer URL, starting with https://.', true],
      ['Gatehouse: explain access', true],
      ['none', false],
      ['$(account)', false],
      ['{0} · {1}', false],
      ['{0} ({1})', false],
      ['gatehouse.roles.mapping', false],
      ['https://login.microsoftonline.com/{0}/v2.0', false],
      ['SELECT * FROM `t` LIMIT 10', false],
      ['accessDenied', false],
      ['application/json', false],
      ['BigQuery', false],
      ['dbt Cloud', false],
      ['YYYY-MM-DD', false],
    ];
    for (const [text, prose] of cases) it(`${prose ? 'reads' : 'does not read'} ${JSON.stringify(text)} as words`, () => assert.equal(isProse(text), prose));
  });

  describe('the scanner', () => {
    const file = 'src/x/fixture.ts';
    const samples: [name: string, source: string, hits: number][] = [
      ['a returned literal', "export function f() { return 'Not signed in'; }", 1],
      ['both branches of a returned conditional', "const f = (ok: boolean) => (ok ? 'Ready' : 'Not ready');", 2],
      ['an untagged template with a value', 'function f(n: number) { return `${n} rows`; }', 1],
      ['an element of a returned array', "function f() { return ['Not configured.', t('Next.')]; }", 1],
      ['a display property', "const item = { label: 'Loading the manifest…', id: 'loading' };", 1],
      ['an assigned display property', "item.description = 'No manifest yet.';", 1],
      ['a constant kept, then returned', "function f(ok: boolean) { const text = ok ? 'Signed in' : 'Signed out'; return text; }", 2],
      ['lines pushed, then joined and returned', "function f() { const lines: string[] = []; lines.push('Ask your administrator.'); return lines.join('\\n'); }", 1],
      // A naive check takes anything inside safe`` for translated: only its literal parts are.
      ['a literal value inside safe``', "function f(s: S) { return safe`Signed in as ${s.name}${s.renews ? ' (renewed automatically)' : ''}.`; }", 1],
      ['an error message built from parts', "throw new LookerError('notFound', `Look ${id} was not found.`);", 1],
      ['a table of words looked up where it is shown', "const WORDS: Record<string, string> = { q: 'Query run' }; export const words = (a: string) => WORDS[a] ?? a;", 1],
      ['a table of words translated where it is shown', "const WORDS = l10nTable({ q: 'Query run' }); export const words = (a: string) => t(WORDS[a]); throw new XError('r', WORDS.q);", 0],
      ['a table entry translated by translatedEntry', "const WORDS = l10nTable({ q: 'Query run' }); export const words = (a: string) => translatedEntry(WORDS, a) ?? a;", 0],
      ['a cancellation’s message', "throw new CancelledError('Export cancelled.');", 1],
      ['a next step past the arguments scripts/l10n.mjs reads', "throw new ServiceUrlError('missing', setting, 'The URL is not set.', 'Set the URL.');", 1],
      ['a literal value of t()', "const f = (n: number) => t('{0} ({1})', n, 'no rows');", 1],
      ['a table entry kept, then handed to a typed error', "const MESSAGES: Record<string, string> = { a: 'Not found.' }; function f(r: string) { const message = MESSAGES[r]; throw new XError(r, message); }", 0],
      ['a constant of the module, used in another file', "export const RERUN = 'Run dbt parse again.';", 1],
      ['a literal handed to plain() (the glue’s way to a surface)', "const f = (k?: K) => ({ title: plain(k?.title ?? 'Results') });", 1],
      ['a refusal’s fallback message and what it names', "void offerExplainAccess(ui, m ?? 'Looker refused to run this.', { service: 'Looker', what: `run ${what}` });", 2],
      ['lines filtered, then joined', "item.tooltip = plainLines([`Started ${at}`, d ? `Duration ${d}` : ''].filter(Boolean).join('\\n'));", 2],
      ['the glue’s translated messages', "function f(n: number) { return n ? vscode.l10n.t('{0} rows', n) : vscode.l10n.t('No rows.'); }", 0],
      ['text handed to a function that shows it', "function f(h: Handle) { h.setRunning('Estimating the bytes…'); return explainDenied({ who: 'you', missing: 'the permission to run jobs' }); }", 2],
      ['a translated message, safe text, markers and tables', "function f(n: number) { if (n) return t('{0} rows', n); return safe`Sync of ${n} failed`; } const A = markMessage('Load more'); const B = l10nTable({ x: 'Not found.' });", 0],
      ['log lines', "function f() { logger.info('Signed in as someone'); this.deps.logger.warn(`Could not read ${x}`); }", 0],
      ['a literal error message and next step (extracted)', "throw new AirbyteError('forbidden', 'Airbyte refused the request.', 'Ask for access.');", 0],
      ['ids, keys and codes', "function f(k: string) { if (k === 'Not signed in') return 'sign-in'; return { id: 'Some Id', kind: 'Loading the manifest' }; }", 0],
      ['a conditional’s test and a guard', "const f = (a: string) => (a === 'Two words' ? t('Yes') : t('No'));", 0],
      ['a variable never shown', "function f() { const sql = 'select the rows'; run(sql); return 1; }", 0],
    ];
    for (const [name, source, hits] of samples) {
      it(`${hits ? `finds ${name}` : `accepts ${name}`}`, () => assert.equal(findUntranslated(file, source, []).length, hits, JSON.stringify(findUntranslated(file, source, []))));
    }
    it('names the file, line, place and text', () => {
      assert.deepEqual(findUntranslated(file, "\nconst f = () => 'Not signed in';", []), [{ file, line: 2, where: 'returned', text: "'Not signed in'" }]);
    });
    it('takes an exception by file and text only', () => {
      const source = "const f = () => 'Not signed in';";
      assert.equal(findUntranslated(file, source, [[file, /Not signed in/, 'test']]).length, 0);
      assert.equal(findUntranslated('src/y/other.ts', source, [[file, /Not signed in/, 'test']]).length, 1);
    });
  });

  it('scans all of src/: the plain code and the glue', () => {
    const files = sourceFiles();
    for (const f of ['src/auth/identityText.ts', 'src/core/http.ts', 'src/dbt/explorerModel.ts', 'src/bigquery/vscode/bigQueryHistoryTreeDataProvider.ts', 'src/vscode/serviceUi.ts', 'src/extension.ts']) assert.ok(files.includes(f), f);
  });

  it('every exception still matches something', () => {
    const sources = new Map<string, string>();
    const unused = NOT_TRANSLATED.filter(([f, re]) => {
      if (!sources.has(f)) sources.set(f, existsSync(join(repoRoot, f)) ? readFileSync(join(repoRoot, f), 'utf8') : '');
      const all = findUntranslated(f, sources.get(f)!, []);
      return !all.some((x) => re.test(x.text));
    });
    assert.deepEqual(unused.map(([f, re]) => `${f} ${re}`), []);
  });

  it('our words in src/ go through l10n', () => {
    const sources = new Map(sourceFiles().map((f) => [f, readFileSync(join(repoRoot, f), 'utf8')]));
    // Tables of words are looked up across files (SERVICE_NAMES, ACTION_WORDS): every file's count.
    const tables = new Set([...sources].flatMap(([f, text]) => [...proseTables(ts.createSourceFile(f, text, ts.ScriptTarget.Latest, true))]));
    const findings = [...sources].flatMap(([f, text]) => findUntranslated(f, text, NOT_TRANSLATED, tables));
    assert.deepEqual(
      findings.map((f) => `${f.file}:${f.line} ${f.where}: ${f.text}`),
      [],
      "Wrap our words in t('…') ({0} for values) or safe`…` (src/core/l10n.ts, src/core/displayText.ts), or add a reasoned exception",
    );
  });
});
