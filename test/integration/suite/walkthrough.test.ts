// The getting-started walkthrough as VS Code shows it: opened by its id, with its steps and buttons.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { driverAvailable, workbenchText } from '../runner/driverClient';
import { until } from '../../unit/support/wait';

describe('walkthrough', function () {
  this.timeout(60_000);
  after(() => vscode.commands.executeCommand('workbench.action.closeAllEditors'));

  it('opens Get started with Gatehouse with its six steps', async () => {
    assert.ok(driverAvailable(), 'the workbench is read through the code-server driver');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', 'gatehouse.gatehouse#gatehouse.start', false);
    const steps = ['Connect your identity provider', 'Sign in', 'Explore BigQuery and run a query', 'Open your dbt project', 'Sync an Airbyte connection', 'Read the audit trail'];
    let text = '';
    await until('the walkthrough to render', async () => {
      text = (await workbenchText('body').catch(() => [])).join('\n');
      return text.includes('Get started with Gatehouse') && steps.every((s) => text.includes(s));
    }, 30_000).catch(() => undefined);
    assert.ok(text.includes('Get started with Gatehouse'), `the walkthrough's title shows; saw ${text.slice(0, 300)}`);
    for (const s of steps) assert.ok(text.includes(s), `step "${s}"`);
  });
});
