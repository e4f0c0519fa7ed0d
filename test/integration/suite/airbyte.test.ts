// Airbyte inside VS Code against the sandbox: the tree for two demo users (alice, an engineer who
// may run jobs; bob, an analyst who may only read Shop Analytics), Sync now followed to success,
// "already running", cancel, Open in Airbyte, and the audit trail of all of it. The sandbox is
// sped up through its control endpoint so a sync takes about two seconds.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { signInAs as signInWith } from '../support/signIn';
import { RecordingUi } from '../../unit/support/recordingUi';
import { until } from '../../unit/support/wait';

const EXTENSION_ID = 'gatehouse.gatehouse';
const SHOP = '6b1f3c2e-4d5a-4e7b-9c8d-1a2b3c4d5e01';
const FINANCE = '6b1f3c2e-4d5a-4e7b-9c8d-1a2b3c4d5e02';
const CONN = {
  postgresShop: '9e2d7a10-1111-4c3b-8a5e-0f1e2d3c4b01',
  stripe: '9e2d7a10-1111-4c3b-8a5e-0f1e2d3c4b02',
  shopify: '9e2d7a10-1111-4c3b-8a5e-0f1e2d3c4b03',
  salesforce: '9e2d7a10-1111-4c3b-8a5e-0f1e2d3c4b04',
};

interface Job {
  jobId: number;
  status: string;
  connectionId: string;
  rowsSynced?: number;
}
interface Node {
  kind: string;
  key: string;
  workspace?: { workspaceId: string; name: string };
  connection?: { connectionId: string; name: string };
  jobs?: Job[];
  health?: string;
  job?: Job;
}
interface AirbyteTesting {
  tree: vscode.TreeDataProvider<Node>;
  model: { connection(id: string): Node | undefined; refresh(): void };
  commands: { followOf(jobId: number): Promise<{ kind: string; job?: Job }> | undefined };
  setUi(ui: unknown): void;
  setFollowerOptions(o: { initialDelayMs?: number; maxDelayMs?: number }): void;
}
interface Testing {
  auth: { setBrowser(b: ((url: string) => Promise<void>) | undefined): void; settled(): Promise<void> };
  airbyte: AirbyteTesting;
  audit: { recent(limit?: number): Promise<{ action: string; outcome: string; jobIds?: string[]; service: string; actor: { email?: string } }[]> };
  roles: { can(action: string): boolean };
}

describe('Airbyte (tree, sync, follow, cancel)', function () {
  this.timeout(60_000);
  let t: Testing;
  let issuer: string;
  let airbyteUrl: string;
  /** The identity-aware proxy in front of Airbyte: gatehouse.airbyte.baseUrl, so also where its web links lead. */
  let airbyteProxyUrl: string;
  const ui = new RecordingUi();
  const started: number[] = [];

  async function signInAs(user: string): Promise<void> {
    await signInWith(t.auth, issuer, user);
  }


  async function roots(): Promise<Node[]> {
    t.airbyte.model.refresh();
    return (await t.airbyte.tree.getChildren()) as Node[];
  }

  async function connectionNode(id: string): Promise<Node> {
    for (const ws of await roots()) {
      if (ws.kind !== 'workspace') continue;
      const found = ((await t.airbyte.tree.getChildren(ws)) as Node[]).find((c) => c.connection?.connectionId === id);
      if (found) return found;
    }
    throw new Error(`connection ${id} is not in the tree`);
  }

  const icon = (n: Node) => ((t.airbyte.tree.getTreeItem(n) as vscode.TreeItem).iconPath as vscode.ThemeIcon).id;

  before(async () => {
    const urls = JSON.parse(process.env.GATEHOUSE_SANDBOX_URLS ?? '{}') as { issuer?: string; airbyte?: string; airbyteProxy?: string };
    assert.ok(urls.issuer && urls.airbyte, 'GATEHOUSE_SANDBOX_URLS names the sandbox issuer and Airbyte');
    issuer = urls.issuer;
    airbyteUrl = urls.airbyte;
    airbyteProxyUrl = urls.airbyteProxy ?? '';
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    const exports = (await ext.activate()) as { testing?: Testing };
    assert.ok(exports.testing?.airbyte, 'the extension exports its Airbyte test seam in ExtensionMode.Test');
    t = exports.testing;
    await t.auth.settled();
    const speed = await fetch(`${airbyteUrl}/__sandbox/airbyte/speed`, { method: 'POST', body: JSON.stringify({ factor: 20 }) });
    assert.equal(speed.status, 200);
    t.airbyte.setUi(ui);
    t.airbyte.setFollowerOptions({ initialDelayMs: 100, maxDelayMs: 300 });
  });

  after(async () => {
    t?.airbyte.setUi(undefined);
    t?.auth.setBrowser(undefined);
    await vscode.commands.executeCommand('gatehouse.auth.signOut');
    await fetch(`${airbyteUrl}/__sandbox/airbyte/speed`, { method: 'POST', body: JSON.stringify({ factor: 1 }) }).catch(() => undefined);
  });

  describe('as alice (engineer)', () => {
    before(async () => signInAs('alice'));
    after(async () => {
      // Leave nothing running for the next suites (a finished job answers "already finished").
      for (const id of started) await vscode.commands.executeCommand('gatehouse.airbyte.cancelJob', id).then(undefined, () => undefined);
    });

    it('shows both workspaces, connections with status icons, schedules and recent jobs', async () => {
      const ws = await roots();
      assert.deepEqual(ws.map((w) => w.key), [`airbyte:ws:${FINANCE}`, `airbyte:ws:${SHOP}`]);
      const shop = (await t.airbyte.tree.getChildren(ws[1])) as Node[];
      assert.equal(shop.length, 4);
      const byId = Object.fromEntries(shop.map((c) => [c.connection!.connectionId, c]));
      assert.equal(icon(byId[CONN.stripe]), 'error', 'the Stripe connection always fails');
      assert.equal(icon(byId[CONN.postgresShop]), 'pass');
      assert.equal(icon(byId[CONN.salesforce]), 'circle-slash', 'Salesforce is disabled');
      const item = t.airbyte.tree.getTreeItem(byId[CONN.stripe]) as vscode.TreeItem;
      assert.equal(item.id, `airbyte:conn:${CONN.stripe}`);
      assert.match(String(item.description), /^failed in source · .+ ago · .+ · every 24 hours$/);
      assert.equal(item.contextValue, 'airbyteConnection.active');
      assert.match((item.tooltip as vscode.MarkdownString).value.replace(/&nbsp;/g, ' '), /From Stripe to BigQuery raw/);
      const jobs = (await t.airbyte.tree.getChildren(byId[CONN.postgresShop])) as Node[];
      assert.equal(jobs.length, 5);
      const jobItem = t.airbyte.tree.getTreeItem(jobs[0]) as vscode.TreeItem;
      assert.match(String(jobItem.description), /rows · .*B · /);
      assert.ok(t.roles.can('airbyte.sync'));
    });

    it('syncs now and follows the job to success; the tree and the audit trail show it', async () => {
      const node = await connectionNode(CONN.shopify);
      const outcome = (await vscode.commands.executeCommand('gatehouse.airbyte.syncNow', node)) as { kind: string; job: Job };
      assert.equal(outcome.kind, 'started');
      const jobId = outcome.job.jobId;
      started.push(jobId);
      const following = t.airbyte.commands.followOf(jobId);
      assert.ok(following, 'the new job is followed');
      const done = await following;
      assert.equal(done.kind, 'finished');
      assert.equal(done.job?.status, 'succeeded');
      const after = t.airbyte.model.connection(CONN.shopify)!;
      assert.equal(after.jobs![0].jobId, jobId);
      assert.equal(after.health, 'succeeded');
      assert.ok(ui.messages.some((m) => m.startsWith('info: Airbyte sync of "Shopify → BigQuery raw" succeeded')), ui.messages.join('\n'));
      const audit = (await t.audit.recent(50)).filter((r) => r.service === 'airbyte' && r.jobIds?.includes(String(jobId)));
      assert.deepEqual(audit.map((r) => `${r.action}:${r.outcome}`), ['trigger-sync:started', 'trigger-sync:succeeded']);
      assert.equal(audit[0].actor.email, 'alice@example.com');
    });

    it('a failed Stripe sync says why in the notification and the tree, and Open Logs shows its attempts’ logs', async () => {
      const offered: { message: string; actions: string[] }[] = [];
      t.airbyte.setUi({
        ...ui,
        error: async (message: string, ...actions: string[]) => {
          offered.push({ message, actions });
          return actions.includes('Open Logs') ? 'Open Logs' : undefined;
        },
      });
      try {
        const opened = new Promise<vscode.TextDocument>((resolve) => {
          const sub = vscode.workspace.onDidOpenTextDocument((d) => d.uri.scheme === 'gatehouse-airbyte-log' && (sub.dispose(), resolve(d)));
        });
        const outcome = (await vscode.commands.executeCommand('gatehouse.airbyte.syncNow', await connectionNode(CONN.stripe))) as { kind: string; job: Job };
        assert.equal(outcome.kind, 'started');
        started.push(outcome.job.jobId);
        const done = await t.airbyte.commands.followOf(outcome.job.jobId);
        assert.equal(done?.job?.status, 'failed');
        const doc = await opened;
        const said = offered.find((o) => o.message.startsWith('Airbyte sync of "Stripe → BigQuery raw" failed'));
        assert.ok(said, JSON.stringify(offered));
        assert.equal(said.message, `Airbyte sync of "Stripe → BigQuery raw" failed (job ${outcome.job.jobId}): source config_error: Stripe rejected the API key: Expired API Key provided: rk_live_****Xq2L. Update the secret key in the Stripe source.`);
        assert.deepEqual(said.actions, ['Open Logs', 'Open in Airbyte']);
        assert.match(doc.getText(), new RegExp(`^# Job ${outcome.job.jobId}, attempt 1: failed\\n# failure \\(source, config_error\\): Stripe rejected the API key`));
        assert.match(doc.getText(), /# Job \d+, attempt 2: failed/);
        // The follow put the failed job into the tree; its reason follows from the config API.
        let seen = '';
        const node = await until(
          'the failure in the tree',
          () => {
            const n = t.airbyte.model.connection(CONN.stripe);
            const item = n && (t.airbyte.tree.getTreeItem(n) as vscode.TreeItem);
            seen = `${n?.jobs?.[0]?.jobId} ${item?.description} ${(item?.tooltip as vscode.MarkdownString | undefined)?.value}`;
            return n?.jobs?.[0]?.jobId === outcome.job.jobId && /Why it failed/.test(seen.replace(/&nbsp;/g, ' ')) ? n : undefined;
          },
          15_000,
          { lastSeen: () => seen },
        );
        const item = t.airbyte.tree.getTreeItem(node) as vscode.TreeItem;
        assert.match(String(item.description), /^failed in source · /);
        assert.match((item.tooltip as vscode.MarkdownString).value.replace(/&nbsp;/g, ' '), /Why it failed: source config\\?_error: Stripe rejected the API key/);
      } finally {
        t.airbyte.setUi(ui);
      }
    });

    it('answers a second Sync now with "a sync is already running" and sends no second job', async () => {
      const node = await connectionNode(CONN.postgresShop);
      const first = (await vscode.commands.executeCommand('gatehouse.airbyte.syncNow', node)) as { kind: string; job: Job };
      assert.equal(first.kind, 'started');
      started.push(first.job.jobId);
      const second = (await vscode.commands.executeCommand('gatehouse.airbyte.syncNow', CONN.postgresShop)) as { kind: string; job?: Job };
      assert.equal(second.kind, 'alreadyRunning');
      assert.equal(second.job?.jobId, first.job.jobId);
      assert.ok(ui.messages.some((m) => m.includes(`A sync is already running for "Postgres (shop) → BigQuery raw" (job ${first.job.jobId}`)), ui.messages.join('\n'));
    });

    it('cancels the running job; the follow ends in cancelled and the cancel is audited', async () => {
      const jobId = started[started.length - 1];
      const following = t.airbyte.commands.followOf(jobId);
      assert.ok(following);
      const jobNode = ((await t.airbyte.tree.getChildren(await connectionNode(CONN.postgresShop))) as Node[]).find((j) => j.job?.jobId === jobId);
      assert.ok(jobNode, 'the running job is under its connection');
      assert.equal((t.airbyte.tree.getTreeItem(jobNode) as vscode.TreeItem).contextValue, 'airbyteJob.running');
      const outcome = (await vscode.commands.executeCommand('gatehouse.airbyte.cancelJob', jobNode)) as { kind: string };
      assert.equal(outcome.kind, 'cancelled');
      const done = await following;
      assert.equal(done.job?.status, 'cancelled');
      const audit = (await t.audit.recent(50)).filter((r) => r.service === 'airbyte' && r.jobIds?.includes(String(jobId)));
      assert.deepEqual(audit.map((r) => `${r.action}:${r.outcome}`), ['trigger-sync:started', 'cancel-job:cancelled', 'trigger-sync:cancelled']);
    });

    it('opens the connection in the Airbyte web UI', async () => {
      const url = await vscode.commands.executeCommand('gatehouse.airbyte.openInAirbyte', await connectionNode(CONN.stripe));
      assert.equal(url, `${airbyteProxyUrl}/workspaces/${SHOP}/connections/${CONN.stripe}`);
      assert.deepEqual(ui.opened.slice(-1), [url]);
    });
  });

  describe('as bob (analyst)', () => {
    before(async () => signInAs('bob'));

    it('shows only Shop Analytics and offers no job actions', async () => {
      const ws = await roots();
      assert.deepEqual(ws.map((w) => w.workspace?.name), ['Shop Analytics']);
      const shop = (await t.airbyte.tree.getChildren(ws[0])) as Node[];
      assert.equal(shop.length, 4);
      assert.equal(t.roles.can('airbyte.sync'), false);
      assert.equal(t.roles.can('airbyte.cancel'), false);
    });

    it('does not start a sync for bob, and audits the refusal', async () => {
      const outcome = (await vscode.commands.executeCommand('gatehouse.airbyte.syncNow', await connectionNode(CONN.shopify))) as { kind: string };
      assert.equal(outcome.kind, 'notAllowed');
      const last = (await t.audit.recent(20)).filter((r) => r.service === 'airbyte' && r.action === 'trigger-sync').pop();
      assert.equal(`${last?.action}:${last?.outcome}:${last?.actor.email}`, 'trigger-sync:denied:bob@example.com');
    });
  });
});
