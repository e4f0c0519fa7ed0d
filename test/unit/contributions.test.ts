// What package.json offers a person, read as VS Code reads it: keys and palette entries that make
// no sense signed out (Run Statement on Ctrl+Enter in any .sql file) or signed in (Sign In) are
// scoped by the context key the extension sets.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../support/shared';
import { readPackageJson } from '../support/packageJson';

interface Scoped {
  command: string;
  when?: string;
}
interface Step {
  id: string;
  title: string;
  description: string;
  media: { image?: string; markdown?: string; altText?: string };
  completionEvents?: string[];
}
const pkg = readPackageJson() as {
  contributes: {
    keybindings: Scoped[];
    menus: { commandPalette: Scoped[] };
    commands: Array<{ command: string }>;
    views: Record<string, Array<{ id: string }>>;
    walkthroughs: Array<{ id: string; steps: Step[] }>;
  };
};
const clauses = (when: string | undefined) => (when ?? '').split('&&').map((c) => c.trim());

describe('contributions: offered only when they apply', () => {
  it('binds the BigQuery run keys only while signed in', () => {
    const runKeys = pkg.contributes.keybindings.filter((k) => k.command.startsWith('gatehouse.bigquery.run'));
    assert.ok(runKeys.length >= 2);
    for (const k of runKeys) assert.ok(clauses(k.when).includes('gatehouse.signedIn'), `${k.command}: ${k.when}`);
  });

  const palette: Array<[string, string]> = [
    ['gatehouse.auth.signIn', '!gatehouse.signedIn'],
    ['gatehouse.auth.signOut', 'gatehouse.signedIn'],
    ['gatehouse.auth.showIdentity', 'gatehouse.signedIn'],
  ];
  for (const [command, clause] of palette) {
    it(`offers ${command} in the palette only when ${clause}`, () => {
      const entry = pkg.contributes.menus.commandPalette.find((e) => e.command === command);
      assert.ok(entry, `${command} has a palette entry`);
      assert.ok(clauses(entry.when).includes(clause), `${command}: ${entry.when}`);
    });
  }
});

describe('contributions: the getting-started walkthrough', () => {
  const walkthrough = pkg.contributes.walkthroughs?.find((w) => w.id === 'gatehouse.start');
  const commands = new Set(pkg.contributes.commands.map((c) => c.command));
  const views = new Set(Object.values(pkg.contributes.views).flat().map((v) => v.id));
  // A view's focus command exists for every contributed view.
  const exists = (command: string) => commands.has(command) || (command.endsWith('.focus') && views.has(command.slice(0, -'.focus'.length)));
  const shipped = readFileSync(join(repoRoot, '.vscodeignore'), 'utf8').split('\n').filter((l) => l.startsWith('!')).map((l) => l.slice(1));
  const ships = (path: string) => shipped.some((pattern) => pattern === path || (pattern.endsWith('/**') && path.startsWith(pattern.slice(0, -2))));

  it('walks through configure, sign in, BigQuery, dbt, Airbyte and the audit trail', () => {
    assert.ok(walkthrough, 'a walkthrough gatehouse.start');
    assert.deepEqual(walkthrough.steps.map((s) => s.id), ['configure', 'signIn', 'bigquery', 'dbt', 'airbyte', 'activity']);
  });

  for (const step of pkg.contributes.walkthroughs?.[0]?.steps ?? []) {
    it(`step ${step.id}: a button that runs a real command, media that exists and ships`, () => {
      const buttons = [...step.description.matchAll(/\[[^\]]+\]\(command:([\w.]+)\)/g)].map((m) => m[1]);
      assert.ok(buttons.length >= 1, `${step.id} has a button`);
      for (const b of buttons) assert.ok(exists(b), `${step.id}: ${b} is a contributed command or view`);
      const media = step.media.image ?? step.media.markdown;
      assert.ok(media, `${step.id} has media`);
      assert.ok(existsSync(join(repoRoot, media)), `${media} exists`);
      assert.ok(ships(media), `${media} is in the .vsix (.vscodeignore)`);
      if (step.media.image) assert.ok(step.media.altText && step.media.altText.length > 20, 'an image has alt text');
      assert.ok(step.completionEvents?.length, `${step.id} completes by itself`);
    });
  }

  it('the configure step has an example for each identity provider people use', () => {
    const text = readFileSync(join(repoRoot, 'media/walkthrough/configure.md'), 'utf8');
    for (const idp of ['Okta', 'Entra ID', 'Auth0', 'Keycloak', 'Google']) assert.match(text, new RegExp(idp));
    assert.match(text, /workforcePools/, 'and the Google workforce federation audience');
  });
});
