#!/usr/bin/env node
// Renders media/icon.svg into media/icon.png (256x256, the Marketplace listing's icon) with the
// system Chromium through playwright-core. Run again after changing the drawing.
import { readFileSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const SIZE = 256;
const svg = readFileSync('media/icon.svg', 'utf8');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage({ viewport: { width: SIZE, height: SIZE } });
  await page.setContent(`<html><body style="margin:0;background:transparent">${svg.replace('width="256" height="256"', `width="${SIZE}" height="${SIZE}"`)}</body></html>`);
  writeFileSync('media/icon.png', await page.locator('svg').screenshot({ omitBackground: true }));
} finally {
  await browser.close();
}
