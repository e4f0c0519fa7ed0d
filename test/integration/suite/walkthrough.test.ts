// The getting-started walkthrough as VS Code shows it: opened by its id, with its steps and buttons.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { driverAvailable, queryWebviews, readWorkbench, workbenchText } from '../runner/driverClient';
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

  // Every step shows a picture: an image step as an <img> of the workbench, the configure step
  // inside its markdown (a webview), each from the shipped extension's media/walkthrough/.
  interface Step { id: string; media: { image?: string; altText?: string; markdown?: string } }
  const steps = (): Step[] => vscode.extensions.getExtension('gatehouse.gatehouse')!.packageJSON.contributes.walkthroughs[0].steps;
  // A walkthrough already open keeps its selected step: open it afresh on the step.
  const openStep = async (id: string) => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', { category: 'gatehouse.gatehouse#gatehouse.start', step: id }, false);
  };

  it('shows a picture on every step', async () => {
    assert.ok(driverAvailable(), 'the workbench is read through the code-server driver');
    for (const step of steps()) {
      await openStep(step.id);
      if (step.media.image) {
        assert.ok(step.media.altText && !step.media.altText.includes('"'), `${step.id}: alt text usable in a selector`);
        // VS Code sets the picture as srcset (1x), a vscode-remote-resource URL with the path encoded.
        const srcs = (await readWorkbench(`img[alt="${step.media.altText}"]`, { attribute: 'srcset', timeoutMs: 30_000 })).map((v) => decodeURIComponent(v ?? ''));
        assert.ok(srcs.some((src) => src.includes(step.media.image!)), `${step.id}: the workbench shows ${step.media.image}; saw ${JSON.stringify(srcs)}`);
      } else {
        assert.ok(step.media.markdown, `${step.id}: markdown media`);
        let imgs: string[] = [];
        await until(`${step.id}'s markdown to show its picture`, async () => {
          const matches = await queryWebviews({ selector: 'img', property: 'outerHTML' }).catch(() => []);
          imgs = matches.flatMap((m) => m.values).filter((v): v is string => !!v && /media\/walkthrough\/[a-z-]+\.png/.test(decodeURIComponent(v)));
          return imgs.length > 0;
        }, 30_000).catch(() => undefined);
        assert.ok(imgs.length >= 1, `${step.id}: its markdown shows a picture from media/walkthrough`);
      }
    }
  });
});
