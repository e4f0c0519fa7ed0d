import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const EXTENSION_ID = 'gatehouse.gatehouse';

describe('activation', () => {
  it('activates and reports the VS Code it runs in', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is installed in the test host`);
    await ext.activate();
    assert.equal(ext.isActive, true);
    console.log(`running inside VS Code ${vscode.version} (${vscode.env.appHost})`);
  });

  it('registers its commands', async () => {
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('gatehouse.auth.signIn'), 'gatehouse.auth.signIn is registered');
  });
});
