#!/usr/bin/env node
// Localisation files, from the sources:
//   node scripts/l10n.mjs            writes l10n/bundle.l10n.json (every message key in src/ and
//                                    media/), src/core/webviewMessages.ts (the keys of each webview)
//                                    and moves any new user-facing text of package.json into
//                                    package.nls.json, leaving a %key% in its place
//   node scripts/l10n.mjs --check    exits 1 when any of them is out of date (the unit tests run it)
//
// Message keys in src/ are: the first argument of t('…') (src/core/l10n.ts), the literal parts of
// every safe`…` template (`{0}` for each value; src/core/displayText.ts), and the string values of
// l10nTable({…}); in media/, the first argument of t('…') (media/l10n.ts). VS Code loads a
// translation from l10n/bundle.l10n.<locale>.json, and package.json text from
// package.nls.<locale>.json. A webview has no vscode.l10n: its panel passes it the translations of
// the keys listed for its entry (media/<entry>.ts and the media files it imports) in
// src/core/webviewMessages.ts.
import { readFileSync, writeFileSync, readdirSync, statSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { webviewPages } from './webviewPages.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function listTs(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return listTs(p);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Every message key in `files`: { key: [file:line, …] }. Throws on a t() whose message is not a literal. */
export function extractMessages(files) {
  const keys = new Map();
  const problems = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const where = (node) => `${relative(root, file).split(sep).join('/')}:${sf.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
    const add = (key, node) => {
      // A key needs words: `{0}{1}` or an icon alone is nothing to translate.
      if (!key || !/\p{L}/u.test(key.replace(/\{\d+\}/g, '').replace(/\$\([a-z0-9~-]+\)/g, ''))) return;
      if (!keys.has(key)) keys.set(key, []);
      keys.get(key).push(where(node));
    };
    const visit = (node) => {
      if (ts.isTaggedTemplateExpression(node) && ts.isIdentifier(node.tag) && node.tag.text === 'safe') {
        const tpl = node.template;
        if (ts.isNoSubstitutionTemplateLiteral(tpl)) add(tpl.text, node);
        else add(tpl.head.text + tpl.templateSpans.map((s, i) => `{${i}}${s.literal.text}`).join(''), node);
      } else if (ts.isCallExpression(node)) {
        const callee = node.expression;
        const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.name) ? callee.name.text : '';
        const base = ts.isPropertyAccessExpression(callee) ? callee.expression : undefined;
        const isOurs = ts.isIdentifier(callee) || (base && ts.isIdentifier(base) && base.text === 'l10n') || (base && ts.isPropertyAccessExpression(base) && base.name.text === 'l10n' && ts.isIdentifier(base.expression) && base.expression.text === 'vscode');
        if (name === 'markMessage' && node.arguments[0] && (ts.isStringLiteral(node.arguments[0]) || ts.isNoSubstitutionTemplateLiteral(node.arguments[0]))) add(node.arguments[0].text, node);
        if (name === 't' && isOurs) {
          const arg = node.arguments[0];
          if (arg && (ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg))) add(arg.text, node);
          else if (arg && !isTableLookup(arg)) problems.push(`${where(node)}: t() takes a string literal (or an l10nTable entry), not ${arg.getText(sf).slice(0, 60)}`);
        } else if (name === 'l10nTable' && node.arguments[0] && ts.isObjectLiteralExpression(node.arguments[0])) {
          collectStrings(node.arguments[0], add);
        }
      }
      // new XError('reason', 'Message.', 'Next step.'): the literal message and next step.
      if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && /Error$/.test(node.expression.text)) {
        for (const arg of (node.arguments ?? []).slice(1, 3)) if (ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg)) add(arg.text, arg);
      }
      // const MESSAGES: Record<Reason, string> = { … }: tables of words and sentences.
      if (ts.isVariableDeclaration(node) && node.type && /^(?:Partial<)?Record<[^,]+,\s*string>>?$/.test(node.type.getText(sf)) && node.initializer && ts.isObjectLiteralExpression(node.initializer)) {
        for (const prop of node.initializer.properties) if (ts.isPropertyAssignment(prop) && (ts.isStringLiteral(prop.initializer) || ts.isNoSubstitutionTemplateLiteral(prop.initializer)) && /\s/.test(prop.initializer.text)) add(prop.initializer.text, prop.initializer);
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return { keys, problems };
}

// t(TABLE[reason]) and t(TABLE.x) look up an l10nTable, whose values are extracted where it is built.
function isTableLookup(arg) {
  return ts.isElementAccessExpression(arg) || ts.isPropertyAccessExpression(arg) || (ts.isBinaryExpression(arg) && arg.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken && isTableLookup(arg.left));
}

function collectStrings(node, add) {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) add(node.text, node);
  else ts.forEachChild(node, (c) => collectStrings(c, add));
}

/** The media/ files `entry` loads: itself and, transitively, the media/ files it imports. */
export function webviewFiles(entry) {
  const mediaRoot = join(root, 'media');
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const { fileName } of ts.preProcessFile(readFileSync(file, 'utf8'), true, false).importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const target = [`${join(dirname(file), fileName)}.ts`, join(dirname(file), fileName)].find((p) => existsSync(p) && statSync(p).isFile());
      if (target && !relative(mediaRoot, target).startsWith('..')) visit(target);
    }
  };
  visit(entry);
  return [...seen].sort();
}

/** src/core/webviewMessages.ts: for each webview entry (media/<name>.ts), the keys its page shows. */
export function webviewMessagesModule(entries) {
  const names = Object.keys(entries).sort();
  const lists = names.map((name) => `  ${name}: [\n${[...entries[name]].sort().map((k) => `    ${JSON.stringify(k)},\n`).join('')}  ],\n`).join('');
  return `// Generated by \`node scripts/l10n.mjs\` from the t('…') calls in media/; do not edit (\`--check\` fails
// when it is out of date). For each webview, the messages its page shows: its panel passes the page
// the translations of these only (webviewTranslations in src/core/l10n.ts).
export type WebviewEntry = ${names.map((n) => `'${n}'`).join(' | ')};

export const WEBVIEW_MESSAGES: Record<WebviewEntry, readonly string[]> = {
${lists}};
`;
}

export function bundleFor(keys) {
  const out = {};
  for (const k of [...keys.keys()].sort()) out[k] = k;
  return out;
}

// ---- package.json ------------------------------------------------------------------------------------

/** The user-facing strings of package.json, as [path in the JSON, suggested nls key]. */
export function packageTextFields(pkg) {
  const out = [];
  const c = pkg.contributes ?? {};
  const push = (holder, field, key) => {
    if (holder && typeof holder[field] === 'string') out.push({ holder, field, key });
  };
  const pushList = (holder, field, key) => {
    if (holder && Array.isArray(holder[field])) holder[field].forEach((_, i) => typeof holder[field][i] === 'string' && out.push({ holder: holder[field], field: i, key: `${key}.${i}` }));
  };
  push(pkg, 'displayName', 'displayName');
  push(pkg, 'description', 'description');
  for (const cmd of c.commands ?? []) {
    push(cmd, 'title', `command.${cmd.command}.title`);
    push(cmd, 'shortTitle', `command.${cmd.command}.shortTitle`);
    push(cmd, 'category', 'command.category');
  }
  const configs = Array.isArray(c.configuration) ? c.configuration : c.configuration ? [c.configuration] : [];
  configs.forEach((cfg, i) => {
    push(cfg, 'title', `configuration.${cfg.id ?? i}.title`);
    for (const [name, prop] of Object.entries(cfg.properties ?? {})) {
      for (const f of ['description', 'markdownDescription', 'deprecationMessage', 'markdownDeprecationMessage']) push(prop, f, `config.${name}.${f}`);
      pushList(prop, 'enumDescriptions', `config.${name}.enumDescriptions`);
      pushList(prop, 'markdownEnumDescriptions', `config.${name}.markdownEnumDescriptions`);
      if (prop.items) {
        push(prop.items, 'description', `config.${name}.items.description`);
        pushList(prop.items, 'enumDescriptions', `config.${name}.items.enumDescriptions`);
      }
    }
  });
  for (const [where, list] of Object.entries(c.viewsContainers ?? {})) for (const vc of list) push(vc, 'title', `viewsContainer.${where}.${vc.id}.title`);
  for (const list of Object.values(c.views ?? {}))
    for (const v of list) {
      push(v, 'name', `view.${v.id}.name`);
      push(v, 'contextualTitle', `view.${v.id}.contextualTitle`);
    }
  const welcomeSeen = new Map();
  for (const w of c.viewsWelcome ?? []) {
    const n = welcomeSeen.get(w.view) ?? 0;
    welcomeSeen.set(w.view, n + 1);
    push(w, 'contents', `viewsWelcome.${w.view}.${n}`);
  }
  for (const s of c.submenus ?? []) push(s, 'label', `submenu.${s.id}.label`);
  for (const a of c.authentication ?? []) push(a, 'label', `authentication.${a.id}.label`);
  for (const wt of c.walkthroughs ?? []) {
    push(wt, 'title', `walkthrough.${wt.id}.title`);
    push(wt, 'description', `walkthrough.${wt.id}.description`);
    for (const st of wt.steps ?? []) {
      push(st, 'title', `walkthrough.${wt.id}.${st.id}.title`);
      push(st, 'description', `walkthrough.${wt.id}.${st.id}.description`);
      if (st.media) push(st.media, 'altText', `walkthrough.${wt.id}.${st.id}.altText`);
    }
  }
  for (const td of c.taskDefinitions ?? []) for (const [name, prop] of Object.entries(td.properties ?? {})) push(prop, 'description', `task.${td.type}.${name}.description`);
  return out;
}

const NLS = /^%([^%\s]+)%$/;

/** Moves raw text of `pkg` into `nls` (both changed in place); returns the keys in use. */
export function externalise(pkg, nls) {
  const used = new Set();
  for (const { holder, field, key } of packageTextFields(pkg)) {
    const value = holder[field];
    const m = NLS.exec(value);
    if (m) {
      used.add(m[1]);
      continue;
    }
    // The same text under the same key (a shared category) is one entry.
    let k = key;
    for (let n = 2; k in nls && nls[k] !== value; n++) k = `${key}.${n}`;
    nls[k] = value;
    holder[field] = `%${k}%`;
    used.add(k);
  }
  return used;
}

function sorted(obj) {
  return Object.fromEntries(Object.keys(obj).sort().map((k) => [k, obj[k]]));
}

function main() {
  const check = process.argv.includes('--check');
  const { keys, problems } = extractMessages(listTs(join(root, 'src')));
  const mediaDir = join(root, 'media');
  const webviewEntries = {};
  for (const name of webviewPages(mediaDir)) {
    const found = extractMessages(webviewFiles(join(mediaDir, name)));
    problems.push(...found.problems.filter((p) => !problems.includes(p)));
    webviewEntries[name.slice(0, -3)] = [...found.keys.keys()];
    for (const [k, where] of found.keys) keys.set(k, [...new Set([...(keys.get(k) ?? []), ...where])]);
  }
  const webviewModule = webviewMessagesModule(webviewEntries);
  const webviewKeys = new Set(Object.values(webviewEntries).flat()).size;
  const webviewPath = join(root, 'src', 'core', 'webviewMessages.ts');
  const bundle = JSON.stringify(bundleFor(keys), null, 2) + '\n';
  const bundlePath = join(root, 'l10n', 'bundle.l10n.json');

  const pkgPath = join(root, 'package.json');
  const nlsPath = join(root, 'package.nls.json');
  const pkgText = readFileSync(pkgPath, 'utf8');
  const pkg = JSON.parse(pkgText);
  const nls = existsSync(nlsPath) ? JSON.parse(readFileSync(nlsPath, 'utf8')) : {};
  const used = externalise(pkg, nls);
  for (const k of Object.keys(nls)) if (!used.has(k)) delete nls[k];
  const newPkg = JSON.stringify(pkg, null, 2) + '\n';
  const newNls = JSON.stringify(sorted(nls), null, 2) + '\n';

  const stale = [];
  if (problems.length) stale.push(...problems);
  if (!existsSync(bundlePath) || readFileSync(bundlePath, 'utf8') !== bundle) stale.push('l10n/bundle.l10n.json');
  if (!existsSync(webviewPath) || readFileSync(webviewPath, 'utf8') !== webviewModule) stale.push('src/core/webviewMessages.ts');
  if (newPkg !== pkgText) stale.push('package.json (text not in package.nls.json)');
  if (!existsSync(nlsPath) || readFileSync(nlsPath, 'utf8') !== newNls) stale.push('package.nls.json');
  if (check) {
    if (stale.length) {
      console.error(`l10n: out of date: ${stale.join('; ')}. Run node scripts/l10n.mjs`);
      process.exit(1);
    }
    console.log(`l10n: ${keys.size} messages (${webviewKeys} in webviews), ${used.size} package.json texts, up to date`);
    return;
  }
  if (problems.length) {
    console.error(problems.join('\n'));
    process.exit(1);
  }
  mkdirSync(dirname(bundlePath), { recursive: true });
  writeFileSync(bundlePath, bundle);
  writeFileSync(webviewPath, webviewModule);
  writeFileSync(pkgPath, newPkg);
  writeFileSync(nlsPath, newNls);
  console.log(`l10n: ${keys.size} messages in l10n/bundle.l10n.json (${webviewKeys} in webviews, listed in src/core/webviewMessages.ts), ${used.size} package.json texts in package.nls.json`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
