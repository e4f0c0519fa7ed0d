#!/usr/bin/env node
// Merges a fragment of `contributes` into package.json, so several people can add commands,
// menus, keybindings and views without hand-editing the same JSON at once.
//   node scripts/contribute.mjs fragment.json
// Arrays are merged by identity (command id, or the whole entry); objects merge key by key.
// A lock file serializes concurrent runs.
import { readFileSync, writeFileSync, openSync, closeSync, unlinkSync } from 'node:fs';

const LOCK = 'package.json.lock';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function identity(entry) {
  if (entry && typeof entry === 'object') {
    if ('command' in entry && 'when' in entry) return `${entry.command}|${entry.when ?? ''}|${entry.key ?? ''}|${entry.group ?? ''}`;
    if ('command' in entry && 'title' in entry) return `command:${entry.command}`;
    if ('id' in entry) return `id:${entry.id}`;
    if ('view' in entry && 'contents' in entry) return `welcome:${entry.view}|${entry.when ?? ''}`;
  }
  return JSON.stringify(entry);
}

function merge(target, fragment) {
  for (const [k, v] of Object.entries(fragment)) {
    if (Array.isArray(v)) {
      const list = Array.isArray(target[k]) ? target[k] : [];
      for (const item of v) {
        const i = list.findIndex((x) => identity(x) === identity(item));
        if (i >= 0) list[i] = item;
        else list.push(item);
      }
      target[k] = list;
    } else if (v && typeof v === 'object') {
      target[k] = merge(target[k] && typeof target[k] === 'object' ? target[k] : {}, v);
    } else target[k] = v;
  }
  return target;
}

const fragmentPath = process.argv[2];
if (!fragmentPath) throw new Error('usage: node scripts/contribute.mjs fragment.json');
const fragment = JSON.parse(readFileSync(fragmentPath, 'utf8'));
for (let tries = 0; ; tries++) {
  try {
    closeSync(openSync(LOCK, 'wx'));
    break;
  } catch {
    if (tries > 100) throw new Error(`${LOCK} held too long; remove it if no merge is running`);
    await sleep(100);
  }
}
try {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
  pkg.contributes = merge(pkg.contributes ?? {}, fragment.contributes ?? fragment);
  if (fragment.activationEvents) pkg.activationEvents = [...new Set([...(pkg.activationEvents ?? []), ...fragment.activationEvents])];
  writeFileSync('package.json', `${JSON.stringify(pkg, null, 2)}\n`);
} finally {
  unlinkSync(LOCK);
}
