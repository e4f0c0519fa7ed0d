// What ships: the entries of gatehouse.vsix (made by `npm run package`; `npm test` makes it before
// the unit tier) against an allow-list, and everything package.json points at present in it.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readVsix } from '../../scripts/vsix.mjs';
import { repoRoot } from '../support/shared';

const VSIX = join(repoRoot, 'gatehouse.vsix');

// Every entry must match one of these; anything else (sources, tests, the sandbox, source maps,
// node_modules, the dbt venv, screenshots for the README only) fails the test by name.
const ALLOWED: RegExp[] = [
  /^extension\.vsixmanifest$/,
  /^\[Content_Types\]\.xml$/,
  /^extension\/(package\.json|package\.nls\.json|readme\.md|changelog\.md|LICENSE\.txt)$/,
  // English messages for translators (l10n/bundle.l10n.json) and any translations beside it.
  /^extension\/l10n\/bundle\.l10n(\.[a-z]{2,3}(-[a-z0-9]+)?)?\.json$/,
  /^extension\/dist\/(extension|dbtManifestWorker)\.js$/,
  /^extension\/dist\/vendor\/(google|axios|otlp)\.js$/,
  /^extension\/dist\/media\/[a-z]+\.(js|css)$/,
  /^extension\/media\/icon\.png$/,
  /^extension\/media\/icons\/[a-z-]+\.svg$/,
  /^extension\/media\/languages\/[A-Za-z.-]+\.json$/,
  /^extension\/media\/walkthrough\/[a-z-]+\.(md|png)$/,
];

interface Manifest {
  main: string;
  icon: string;
  contributes: {
    viewsContainers: { activitybar: Array<{ icon: string }> };
    languages?: Array<{ configuration?: string }>;
    grammars?: Array<{ path: string }>;
    walkthroughs: Array<{ steps: Array<{ media: { image?: string; markdown?: string } }> }>;
  };
}

describe('the .vsix: what ships', function () {
  let names: string[] = [];
  let read: (name: string) => Buffer = () => Buffer.alloc(0);

  before(() => {
    assert.ok(existsSync(VSIX), `${VSIX} is missing: run \`npm run package\` (npm test makes it before the unit tier)`);
    const entries = readVsix(VSIX);
    names = entries.map((e) => e.name);
    const byName = new Map(entries.map((e) => [e.name, e]));
    read = (name) => {
      const entry = byName.get(name);
      assert.ok(entry, `${name} is in the vsix`);
      return entry.read();
    };
  });

  it('holds only allowed entries', () => {
    const unexpected = names.filter((n) => !ALLOWED.some((re) => re.test(n)));
    assert.deepEqual(unexpected, [], 'entries outside the allow-list');
  });

  it('holds no sources, tests, sandbox, source maps, node_modules or dbt venv', () => {
    const forbidden = /(^|\/)(src|test|out|sandbox|node_modules|\.venv-dbt|\.vscode-test|bench|scripts)\/|\.(map|ts)$/;
    assert.deepEqual(names.filter((n) => forbidden.test(n)), []);
  });

  it('carries the license, the README and the changelog', () => {
    assert.match(read('extension/LICENSE.txt').toString(), /MIT License/);
    assert.match(read('extension/readme.md').toString(), /^# Gatehouse/);
    assert.match(read('extension/changelog.md').toString(), /## \[Unreleased\]|## \[\d/);
  });

  it('carries the production bundles: minified, no source map comments, the webview bundles', () => {
    const host = read('extension/dist/extension.js').toString();
    assert.doesNotMatch(host, /sourceMappingURL/);
    // Minified: the production bundle's lines are long (the dev build averages under 50 characters).
    const average = host.length / host.split('\n').length;
    assert.ok(average > 500, `dist/extension.js averages ${Math.round(average)} characters a line: not the production build`);
    for (const bundle of ['results.js', 'results.css', 'lineage.js', 'lineage.css']) {
      const text = read(`extension/dist/media/${bundle}`).toString();
      assert.ok(text.length > 500, `${bundle} has content`);
      assert.doesNotMatch(text, /sourceMappingURL/, `${bundle} has no inline source map`);
    }
  });

  it('carries every file package.json points at', () => {
    const pkg = JSON.parse(read('extension/package.json').toString()) as Manifest;
    const c = pkg.contributes;
    const paths = [
      pkg.main,
      pkg.icon,
      ...c.viewsContainers.activitybar.map((v) => v.icon),
      ...(c.languages ?? []).flatMap((l) => (l.configuration ? [l.configuration] : [])),
      ...(c.grammars ?? []).map((g) => g.path),
      ...c.walkthroughs.flatMap((w) => w.steps.flatMap((s) => [s.media.image, s.media.markdown].filter((m): m is string => !!m))),
    ];
    const missing = paths.map((p) => `extension/${p.replace(/^\.\//, '')}`).filter((p) => !names.includes(p));
    assert.deepEqual(missing, []);
  });

  it('pictures the markdown walkthrough steps point at ship too', () => {
    const markdown = names.filter((n) => /^extension\/media\/walkthrough\/.+\.md$/.test(n));
    for (const md of markdown) {
      for (const [, src] of read(md).toString().matchAll(/!\[[^\]]*\]\(([^)\s]+)/g)) {
        assert.ok(names.includes(`extension/media/walkthrough/${src}`), `${md} shows ${src}, which ships`);
      }
    }
  });

  it('has a listing icon of at least 128x128 pixels', () => {
    const png = read('extension/media/icon.png');
    assert.equal(png.toString('latin1', 1, 4), 'PNG');
    const width = png.readUInt32BE(16);
    const height = png.readUInt32BE(20);
    assert.ok(width >= 128 && height >= 128, `icon is ${width}x${height}`);
  });

  it('is the build of this package.json', () => {
    const shipped = JSON.parse(read('extension/package.json').toString()) as { version: string };
    const here = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    assert.equal(shipped.version, here.version);
  });
});
