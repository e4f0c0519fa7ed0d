// Running a question or a dashboard card into the results panel: roles decide whether Gatehouse
// tries, a refusal becomes a sentence the person can act on (saying when an API key, which acts
// as a group, was used), a failed query shows Metabase's error type only, and every run goes to
// the audit trail.
import type { AuditRecord, CredentialOrigin } from '../audit/auditTrail';
import { credentialOriginOf, recordAccess, type AccessActor } from '../audit/recordAccess';
import type { Logger } from '../core/logger';
import type { ResultsPresenter } from '../results/resultsPresenter';
import { explainDenied } from '../policy/roles';
import type { RoleView } from '../policy/roleModel';
import { runIntoPanel, type PanelRunOutcome } from '../results/panelRun';
import type { MetabaseClient } from './client';
import { metabaseChartHint } from './chartHint';
import { toMetabaseError, type MetabaseError } from './errors';
import type { ParameterValue } from './parameters';
import { t } from '../core/l10n';

export interface QuestionRunnerDeps {
  client: () => MetabaseClient;
  presenter: ResultsPresenter;
  audit: { record(entry: Omit<AuditRecord, 'time'>): Promise<unknown> };
  actor: () => (AccessActor & { label?: string }) | undefined;
  roles: RoleView;
  pageSize: () => number;
  logger?: Logger;
  runTimeoutMs?: number;
}

export type MetabaseRunTarget =
  | {
      kind: 'card';
      cardId: number;
      name: string;
      cardType?: 'question' | 'model' | 'metric';
      display?: string;
      /** Values for the question's parameters, and how the panel names them (label → value). */
      parameters?: readonly ParameterValue[];
      parameterFacts?: Readonly<Record<string, string>>;
    }
  | { kind: 'dashcard'; dashboardId: number; dashboardName: string; dashcardId: number; cardId: number; name: string; display?: string };

export type MetabaseRunOutcome = PanelRunOutcome<MetabaseError> | { status: 'notAllowed'; message: string };

export class QuestionRunner {
  constructor(private readonly deps: QuestionRunnerDeps) {}

  async run(target: MetabaseRunTarget, signal?: AbortSignal): Promise<MetabaseRunOutcome> {
    const { action, resource } = describe(target);
    const name = target.kind === 'card' ? target.name : `${target.dashboardName} · ${target.name}`;
    if (!this.deps.roles.can('metabase.run')) {
      await this.record(action, resource, name, 'denied', 'role');
      return { status: 'notAllowed', message: this.deps.roles.refusal('metabase.run') };
    }
    let client: MetabaseClient;
    try {
      client = this.deps.client();
    } catch (err) {
      const error = toMetabaseError(err);
      await this.record(action, resource, name, 'failed', error.reason);
      return { status: 'failed', error };
    }
    const outcome = await runIntoPanel<MetabaseError>({
      presenter: this.deps.presenter,
      request: { title: target.name, ownerKey: `metabase:${resource}`, origin: `Metabase · ${new URL(client.baseUrl).host}`, exportAudit: () => ({ service: 'metabase', resource, resourceName: name, credential: client.credentialOrigin }) },
      runningMessage: runningMessage(target),
      pageSize: this.deps.pageSize(),
      timeoutMs: this.deps.runTimeoutMs ?? 300_000,
      extra: target.kind === 'card' ? { [t('Question')]: target.name, ...target.parameterFacts } : { [t('Dashboard')]: target.dashboardName, [t('Question')]: target.name },
      chart: metabaseChartHint(target.display),
      signal,
      toError: toMetabaseError,
      denial: (e) => (e.reason === 'forbidden' ? this.explain(target, client.credentialOrigin) : undefined),
      run: (s) => (target.kind === 'card' ? client.runCard(target.cardId, s, target.parameters) : client.runDashboardCard(target.dashboardId, target.dashcardId, target.cardId, s)),
    });
    await this.record(action, resource, name, outcome.status, outcome.error?.errorType ?? outcome.error?.reason, client.credentialOrigin);
    if (outcome.status === 'failed' && outcome.error) this.deps.logger?.warn(`Metabase ${action} of ${resource} failed: ${outcome.error.reason}${outcome.error.errorType ? ` (${outcome.error.errorType})` : ''}`);
    return outcome;
  }

  private explain(target: MetabaseRunTarget, credential: CredentialOrigin): string {
    const actor = this.deps.actor();
    return explainDenied({
      who: actor?.email ?? actor?.label ?? actor?.subject ?? t('you'),
      credential,
      service: 'Metabase',
      action: t('run'),
      resource: target.kind === 'card' ? t('the question "{0}"', target.name) : t('"{0}" on dashboard "{1}"', target.name, target.dashboardName),
      // An API key carries its group's permissions, not the person's: say which one was missing.
      missing: credential === 'api-key' ? t("access for the API key's group to this collection or its data") : t('access to this collection or its data'),
      roles: this.deps.roles.roles,
      access: this.deps.roles.hint('metabase.run'),
    });
  }

  private async record(action: string, resource: string, resourceName: string | undefined, outcome: AuditRecord['outcome'], reason?: string, credential?: CredentialOrigin): Promise<void> {
    await recordAccess(this.deps, { credential: credentialOriginOf(this.deps.client, credential), service: 'metabase', action, resource, resourceName, outcome, reason });
  }
}

function describe(target: MetabaseRunTarget): { action: string; resource: string } {
  if (target.kind === 'card') return { action: 'run-question', resource: `card/${target.cardId}` };
  return { action: 'run-dashboard-card', resource: `dashboard/${target.dashboardId}/dashcard/${target.dashcardId}/card/${target.cardId}` };
}

/** What the panel says while a card runs: one sentence per kind of card. */
function runningMessage(target: MetabaseRunTarget): string {
  if (target.kind !== 'card') return t('Running dashboard card "{0}" in Metabase…', target.name);
  if (target.cardType === 'model') return t('Running model "{0}" in Metabase…', target.name);
  if (target.cardType === 'metric') return t('Running metric "{0}" in Metabase…', target.name);
  return t('Running question "{0}" in Metabase…', target.name);
}
