#!/usr/bin/env node
// The .vsix carries README.md for the Marketplace page, where repository-relative images cannot
// resolve (there is no public repository URL to rewrite them against). Write dist/README.md
// without them; the repository's README keeps its screenshots.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';

const text = readFileSync('README.md', 'utf8');
const stripped = text.replace(/!\[[^\]]*\]\((?!https:)[^)]*\)\n?/g, '').replace(/\n{3,}/g, '\n\n');
mkdirSync('dist', { recursive: true });
writeFileSync('dist/README.md', stripped);
