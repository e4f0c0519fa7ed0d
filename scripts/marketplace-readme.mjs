#!/usr/bin/env node
// The .vsix carries README.md for the Marketplace page, where repository-relative images cannot
// resolve: write dist/README.md with each screenshot as an absolute URL into the repository named
// in package.json (vsce refuses relative links and images in a packaged README).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const repository = pkg.repository.url.replace(/\.git$/, '');
const text = readFileSync('README.md', 'utf8');
const absolute = text.replace(/(!\[[^\]]*\]\()(?!https:)([^)]*\))/g, `$1${repository}/raw/HEAD/$2`);
mkdirSync('dist', { recursive: true });
writeFileSync('dist/README.md', absolute);
