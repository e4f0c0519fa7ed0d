// Running a look, a dashboard tile or a whole dashboard into the results panel, with the
// decisions that must not live in a command handler: roles decide whether Gatehouse tries, a 403
// becomes a sentence the person can act on, and every run, refusal and failure goes to the audit
// trail. A dashboard runs its tiles a few at a time into one panel; a failing tile fails alone.
import type { AuditRecord, CredentialOrigin } from '../audit/auditTrail';
import { credentialOriginOf, recordAccess, type AccessActor } from '../audit/recordAccess';
import type { Logger } from '../core/logger';
import type { ResultsPanelHandle, ResultsPanelRequest, ResultsPresenter, TilesPresenter } from '../results/resultsPresenter';
import { explainDenied } from '../policy/roles';
import type { RoleView } from '../policy/roleModel';
import { runIntoPanel, type PanelRunOutcome } from '../results/panelRun';
import type { LookerClient } from './client';
import type { FilterValue, TilePlan, TileRun } from './dashboard';
import { lookerChartHint } from './chartHint';
import { toLookerError, type LookerError } from './errors';
import { t } from '../core/l10n';

export interface LookRunnerDeps {
  client: () => LookerClient;
  presenter: ResultsPresenter & TilesPresenter;
  audit: { record(entry: Omit<AuditRecord, 'time'>): Promise<unknown> };
  actor: () => (AccessActor & { label?: string }) | undefined;
  roles: RoleView;
  /** Rows per page of the result source (gatehouse.results.pageSize). */
  pageSize: () => number;
  logger?: Logger;
  /** Overall limit of one run (default 5 minutes). */
  runTimeoutMs?: number;
  /** Tiles of one dashboard running at once (default 3). */
  tileConcurrency?: number;
}

/** What to run: a look, or a dashboard tile (which runs its look or its own query). */
export type LookerRunTarget =
  | { kind: 'look'; lookId: string; title: string; fieldOrder?: readonly string[]; visType?: string }
  | { kind: 'element'; dashboardId: string; dashboardTitle: string; elementId: string; title: string; run: TileRun; fieldOrder?: readonly string[]; visType?: string };

export type LookerRunOutcome = PanelRunOutcome<LookerError> | { status: 'notAllowed'; message: string };

/** A dashboard to run: its tiles as planned with the filter values the person chose. */
export interface DashboardRunTarget {
  dashboardId: string;
  title: string;
  tiles: readonly TilePlan[];
  filters: readonly FilterValue[];
}

export interface DashboardTileOutcome {
  elementId: string;
  title: string;
  status: PanelRunOutcome<LookerError>['status'] | 'text';
  rowCount?: number;
  reason?: string;
}

export type DashboardRunOutcome =
  | { status: 'succeeded' | 'partial' | 'failed' | 'cancelled'; tiles: DashboardTileOutcome[] }
  | { status: 'notAllowed'; message: string; tiles: [] }
  | { status: 'unavailable'; error: LookerError; tiles: [] };

export class LookRunner {
  constructor(private readonly deps: LookRunnerDeps) {}

  async run(target: LookerRunTarget, signal?: AbortSignal): Promise<LookerRunOutcome> {
    const { action, resource } = describe(target);
    const name = target.kind === 'look' ? target.title : `${target.dashboardTitle} · ${target.title}`;
    if (!this.deps.roles.can('looker.run')) {
      await this.record(action, resource, name, 'denied', 'role');
      return { status: 'notAllowed', message: this.deps.roles.refusal('looker.run') };
    }
    let client: LookerClient;
    try {
      client = this.deps.client();
    } catch (err) {
      const error = toLookerError(err);
      await this.record(action, resource, name, 'failed', error.reason);
      return { status: 'failed', error };
    }
    return this.execute(target, client, this.deps.presenter, {}, signal);
  }

  /**
   * Runs every tile of a dashboard into one panel (a tile picker), a few at a time: text tiles
   * show their words, a tile Gatehouse cannot run or that fails is shown as failed and the others
   * go on; the panel's Cancel all (or closing it, or `signal`) stops the rest.
   */
  async runDashboard(target: DashboardRunTarget, signal?: AbortSignal): Promise<DashboardRunOutcome> {
    if (!this.deps.roles.can('looker.run')) {
      await this.record('run-dashboard', `dashboard/${target.dashboardId}`, target.title, 'denied', 'role');
      return { status: 'notAllowed', message: this.deps.roles.refusal('looker.run'), tiles: [] };
    }
    let client: LookerClient;
    try {
      client = this.deps.client();
    } catch (err) {
      const error = toLookerError(err);
      await this.record('run-dashboard', `dashboard/${target.dashboardId}`, target.title, 'failed', error.reason);
      return { status: 'unavailable', error, tiles: [] };
    }
    const panel = this.deps.presenter.openTiles(
      { title: target.title, ownerKey: `looker:dashboard/${target.dashboardId}`, origin: `Looker · ${new URL(client.baseUrl).host}` },
      target.tiles.map((t) => ({ title: t.title })),
    );
    const all = new AbortController();
    const stop = () => all.abort();
    const subscriptions = [panel.onDidRequestCancel(stop), panel.onDidDispose(stop)];
    signal?.addEventListener('abort', stop, { once: true });
    if (signal?.aborted) stop();
    // A queued tile cancelled from the panel is skipped when its turn comes.
    const skipped = new Set<number>();
    panel.tiles.forEach((tile, i) => subscriptions.push(tile.onDidRequestCancel(() => skipped.add(i))));
    const filterFacts = Object.fromEntries(target.filters.filter((f) => f.value.trim() !== '').map((f) => [t('Filter {0}', f.title).slice(0, 200), f.value]));
    const outcomes: DashboardTileOutcome[] = target.tiles.map((t) => ({ elementId: t.elementId, title: t.title, status: 'cancelled' }));
    const runTile = async (i: number): Promise<void> => {
      const plan = target.tiles[i];
      const tile = panel.tiles[i];
      if (!tile) return;
      if (plan.kind === 'text') {
        tile.setText(plan.text);
        outcomes[i] = { elementId: plan.elementId, title: plan.title, status: 'text' };
        return;
      }
      if (all.signal.aborted || skipped.has(i)) {
        tile.setCancelled(t('Cancelled.'));
        return;
      }
      if (plan.kind === 'unavailable') {
        tile.setError(plan.message);
        outcomes[i] = { elementId: plan.elementId, title: plan.title, status: 'failed', reason: 'unavailable' };
        return;
      }
      const element: LookerRunTarget = { kind: 'element', dashboardId: target.dashboardId, dashboardTitle: target.title, elementId: plan.elementId, title: plan.title, run: plan.run, fieldOrder: plan.fieldOrder, visType: plan.visType };
      const applied = Object.fromEntries(Object.entries(plan.applied).map(([field, value]) => [t('Filter {0}', field).slice(0, 200), value]));
      const outcome = await this.execute(element, client, { open: () => tile }, { ...filterFacts, ...applied }, all.signal);
      outcomes[i] = { elementId: plan.elementId, title: plan.title, status: outcome.status, rowCount: outcome.rowCount, reason: outcome.error?.reason };
    };
    try {
      let next = 0;
      const worker = async () => {
        while (next < target.tiles.length) await runTile(next++);
      };
      const width = Math.max(1, Math.min(this.deps.tileConcurrency ?? 3, target.tiles.length));
      await Promise.all(Array.from({ length: width }, worker));
    } finally {
      signal?.removeEventListener('abort', stop);
      for (const s of subscriptions) s.dispose();
    }
    const ran = outcomes.filter((o) => o.status !== 'text');
    const failed = ran.filter((o) => o.status === 'failed' || o.status === 'denied').length;
    const succeeded = ran.filter((o) => o.status === 'succeeded').length;
    const status = all.signal.aborted && succeeded + failed < ran.length ? 'cancelled' : failed === 0 ? 'succeeded' : succeeded > 0 ? 'partial' : 'failed';
    return { status, tiles: outcomes };
  }

  private async execute(target: LookerRunTarget, client: LookerClient, presenter: { open(request: ResultsPanelRequest): ResultsPanelHandle }, facts: Record<string, string>, signal?: AbortSignal): Promise<PanelRunOutcome<LookerError>> {
    const { action, resource } = describe(target);
    const name = target.kind === 'look' ? target.title : `${target.dashboardTitle} · ${target.title}`;
    const extra: Record<string, string> = target.kind === 'look' ? { [t('Look')]: target.title } : { [t('Dashboard')]: target.dashboardTitle, [t('Tile')]: target.title, ...facts };
    const outcome = await runIntoPanel<LookerError>({
      presenter,
      request: { title: target.title, ownerKey: `looker:${resource}`, origin: `Looker · ${new URL(client.baseUrl).host}`, exportAudit: () => ({ service: 'looker', resource, resourceName: name, credential: client.credentialOrigin }) },
      runningMessage: target.kind === 'look' ? t('Running look "{0}" in Looker…', target.title) : t('Running tile "{0}" in Looker…', target.title),
      pageSize: this.deps.pageSize(),
      timeoutMs: this.deps.runTimeoutMs ?? 300_000,
      extra,
      chart: lookerChartHint(target.visType),
      signal,
      toError: toLookerError,
      // Looker answers 404, not 403, when the person's Looker account may not see or run the content
      // (content access, or see_looks / access_data on its model): a run's 404 is explained as one.
      denial: (e) => (e.reason === 'forbidden' ? this.explain(target, client.credentialOrigin) : e.reason === 'notFound' ? this.explain(target, client.credentialOrigin, true) : undefined),
      run: (s) => {
        if (target.kind === 'look') return client.runLook(target.lookId, { signal: s, fieldOrder: target.fieldOrder });
        const opts = { signal: s, fieldOrder: target.fieldOrder };
        switch (target.run.kind) {
          case 'look':
            return client.runLook(target.run.lookId, opts);
          case 'query':
            return client.runQuery(target.run.queryId, opts);
          case 'inline':
            return client.runInlineQuery(target.run.query, opts);
        }
      },
    });
    await this.record(action, resource, name, outcome.status, outcome.error?.reason, client.credentialOrigin);
    if (outcome.error && outcome.status === 'failed') this.deps.logger?.warn(`Looker ${action} of ${resource} failed: ${outcome.error.reason}`);
    return outcome;
  }

  private explain(target: LookerRunTarget, credential: CredentialOrigin, notFound = false): string {
    const actor = this.deps.actor();
    const denied = explainDenied({
      who: actor?.email ?? actor?.label ?? actor?.subject ?? t('you'),
      credential,
      service: 'Looker',
      action: t('run'),
      resource: target.kind === 'look' ? t('the look "{0}"', target.title) : t('the tile "{0}" of dashboard "{1}"', target.title, target.dashboardTitle),
      // Looker's 403 on a run is a model or database permission (e.g. Database OAuth); it does not name it.
      missing: t('access to the model or connection behind this query'),
      roles: this.deps.roles.roles,
      access: this.deps.roles.hint('looker.run'),
    });
    if (!notFound) return denied;
    const what = target.kind === 'look' ? t('the look "{0}"', target.title) : t('the tile "{0}" of dashboard "{1}"', target.title, target.dashboardTitle);
    return t('Looker answered "Not found" to running {0}. Looker says this both when the content does not exist and when your Looker account may not see it or run it (content access, or see_looks / access_data on its model). {1}', what, denied);
  }

  private async record(action: string, resource: string, resourceName: string | undefined, outcome: AuditRecord['outcome'], reason?: string, credential?: CredentialOrigin): Promise<void> {
    await recordAccess(this.deps, { credential: credentialOriginOf(this.deps.client, credential), service: 'looker', action, resource, resourceName, outcome, reason });
  }
}

function describe(target: LookerRunTarget): { action: string; resource: string } {
  if (target.kind === 'look') return { action: 'run-look', resource: `look/${target.lookId}` };
  return { action: 'run-dashboard-element', resource: `dashboard/${target.dashboardId}/element/${target.elementId}` };
}
