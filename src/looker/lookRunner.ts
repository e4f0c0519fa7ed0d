// Running a look or a dashboard tile into the results panel, with the decisions that must not
// live in a command handler: roles decide whether Gatehouse tries, a 403 becomes a sentence the
// person can act on, and every run, refusal and failure goes to the audit trail.
import type { AuditRecord, CredentialOrigin } from '../audit/auditTrail';
import { credentialOriginOf, recordAccess, type AccessActor } from '../audit/recordAccess';
import type { Logger } from '../core/logger';
import type { ResultsPresenter } from '../results/resultsPresenter';
import { explainDenied } from '../policy/roles';
import type { RoleView } from '../policy/roleModel';
import { runIntoPanel, type PanelRunOutcome } from '../results/panelRun';
import type { LookerClient } from './client';
import { lookerChartHint } from './chartHint';
import { toLookerError, type LookerError } from './errors';

export interface LookRunnerDeps {
  client: () => LookerClient;
  presenter: ResultsPresenter;
  audit: { record(entry: Omit<AuditRecord, 'time'>): Promise<unknown> };
  actor: () => (AccessActor & { label?: string }) | undefined;
  roles: RoleView;
  /** Rows per page of the result source (gatehouse.results.pageSize). */
  pageSize: () => number;
  logger?: Logger;
  /** Overall limit of one run (default 5 minutes). */
  runTimeoutMs?: number;
}

/** What to run: a look, or a dashboard tile (which runs its look or its own query). */
export type LookerRunTarget =
  | { kind: 'look'; lookId: string; title: string; fieldOrder?: readonly string[]; visType?: string }
  | { kind: 'element'; dashboardId: string; dashboardTitle: string; elementId: string; title: string; run: { kind: 'look'; lookId: string } | { kind: 'query'; queryId: string }; visType?: string };

export type LookerRunOutcome = PanelRunOutcome<LookerError> | { status: 'notAllowed'; message: string };

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
    const extra: Record<string, string> = target.kind === 'look' ? { Look: target.title } : { Dashboard: target.dashboardTitle, Tile: target.title };
    const outcome = await runIntoPanel<LookerError>({
      presenter: this.deps.presenter,
      request: { title: target.title, ownerKey: `looker:${resource}`, origin: `Looker · ${new URL(client.baseUrl).host}`, exportAudit: () => ({ service: 'looker', resource, resourceName: name, credential: client.credentialOrigin }) },
      runningMessage: `Running ${target.kind === 'look' ? 'look' : 'tile'} "${target.title}" in Looker…`,
      pageSize: this.deps.pageSize(),
      timeoutMs: this.deps.runTimeoutMs ?? 300_000,
      extra,
      chart: lookerChartHint(target.visType),
      signal,
      toError: toLookerError,
      denial: (e) => (e.reason === 'forbidden' ? this.explain(target, client.credentialOrigin) : undefined),
      run: (s) => {
        if (target.kind === 'look') return client.runLook(target.lookId, { signal: s, fieldOrder: target.fieldOrder });
        return target.run.kind === 'look' ? client.runLook(target.run.lookId, { signal: s }) : client.runQuery(target.run.queryId, { signal: s });
      },
    });
    await this.record(action, resource, name, outcome.status, outcome.error?.reason, client.credentialOrigin);
    if (outcome.error && outcome.status === 'failed') this.deps.logger?.warn(`Looker ${action} of ${resource} failed: ${outcome.error.reason}`);
    return outcome;
  }

  private explain(target: LookerRunTarget, credential: CredentialOrigin): string {
    const actor = this.deps.actor();
    return explainDenied({
      who: actor?.email ?? actor?.label ?? actor?.subject ?? 'you',
      credential,
      service: 'Looker',
      action: 'run',
      resource: target.kind === 'look' ? `the look "${target.title}"` : `the tile "${target.title}" of dashboard "${target.dashboardTitle}"`,
      // Looker's 403 on a run is a model or database permission (e.g. Database OAuth); it does not name it.
      missing: 'access to the model or connection behind this query',
      roles: this.deps.roles.roles,
      access: this.deps.roles.hint('looker.run'),
    });
  }

  private async record(action: string, resource: string, resourceName: string | undefined, outcome: AuditRecord['outcome'], reason?: string, credential?: CredentialOrigin): Promise<void> {
    await recordAccess(this.deps, { credential: credentialOriginOf(this.deps.client, credential), service: 'looker', action, resource, resourceName, outcome, reason });
  }
}

function describe(target: LookerRunTarget): { action: string; resource: string } {
  if (target.kind === 'look') return { action: 'run-look', resource: `look/${target.lookId}` };
  return { action: 'run-dashboard-element', resource: `dashboard/${target.dashboardId}/element/${target.elementId}` };
}
