// The activation benchmark's probe, on a tiny synthetic dist/: it must see what a bundle requires
// while loading and inside activate(), which dist files were evaluated, and what activate() threw.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProbeReport } from '../../../bench/lib/activationProbe';
import { repoRoot } from '../../support/shared';

function probe(bundle: string, lazy = 'module.exports = { x: 1 };'): ProbeReport {
  const root = mkdtempSync(join(tmpdir(), 'gatehouse-probe-'));
  try {
    mkdirSync(join(root, 'dist', 'vendor'), { recursive: true });
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'x', version: '0.0.1' }));
    writeFileSync(join(root, 'dist', 'extension.js'), bundle);
    writeFileSync(join(root, 'dist', 'vendor', 'lazy.js'), lazy);
    const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', join(repoRoot, 'bench/lib/activationProbe.ts'), join(root, 'dist', 'extension.js')], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout.trim()) as ProbeReport;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

describe('bench: activation probe', function () {
  this.timeout(30_000);

  it('separates what loading and activate() require, and lists the dist files evaluated', () => {
    const report = probe(`
      const vscode = require('vscode');
      require('node:path');
      exports.activate = (context) => {
        require('node:zlib');
        context.subscriptions.push(vscode.commands.registerCommand('x.y', () => undefined));
        vscode.window.createOutputChannel('X', { log: true }).info(\`\${vscode.env.language} \${context.extension.packageJSON.version}\`);
        if (context.extensionMode !== vscode.ExtensionMode.Production) throw new Error('not production');
      };
    `);
    assert.deepEqual(report.load, ['node:path', 'vscode']);
    assert.deepEqual(report.activate, ['node:zlib']);
    assert.deepEqual(report.distFiles, ['dist/extension.js']);
    assert.deepEqual(report.errors, []);
  });

  it('sees a lazily loaded chunk once activate() loads it, and reports what activate() threw', () => {
    const report = probe(`
      exports.activate = () => {
        require('./vendor/lazy.js');
        Promise.reject(new Error('left behind'));
        throw new Error('boom');
      };
    `);
    assert.deepEqual(report.distFiles, ['dist/extension.js', 'dist/vendor/lazy.js']);
    assert.deepEqual(report.activate, ['./vendor/lazy.js']);
    assert.deepEqual(report.errors.sort(), ['activate threw: boom', 'left behind']);
  });
});
