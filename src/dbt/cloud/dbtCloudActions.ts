// Trigger, cancel and follow dbt Cloud runs with the decisions that must not live in a command
// handler: roles decide what is attempted, the trigger names the signed-in person as its cause and
// is sent once, a 403 becomes a sentence the person can act on (explainDenied), and every trigger,
// final state, cancel and denial goes to the audit trail with the run id.
import type { AuditRecord, CredentialOrigin } from '../../audit/auditTrail';
import { credentialOriginOf } from '../../audit/recordAccess';
import type { Logger } from '../../core/logger';
import { explainDenied, type Action } from '../../policy/roles';
import type { RoleView } from '../../policy/roleModel';
import type { DbtCloudClient, DbtCloudJob, DbtCloudRun } from './dbtCloudClient';
import { toDbtCloudError, type DbtCloudError } from './dbtCloudErrors';
import { DbtCloudRunFollower, type RunFollowerOptions } from './dbtCloudRunFollower';
import { lookup } from '../../core/lookup';
import { t } from '../../core/l10n';

export interface DbtCloudActor {
  subject: string;
  email?: string;
  issuer?: string;
  label?: string;
}

export interface DbtCloudActionsDeps {
  client: () => DbtCloudClient;
  audit: { record(entry: Omit<AuditRecord, 'time'>): Promise<unknown> };
  actor: () => DbtCloudActor | undefined;
  roles: RoleView;
  logger?: Logger;
  follower?: RunFollowerOptions;
}

type JobRef = Pick<DbtCloudJob, 'id' | 'name'>;

export type DbtCloudTriggerOutcome =
  | { kind: 'started'; run: DbtCloudRun }
  | { kind: 'notAllowed'; message: string }
  | { kind: 'denied'; message: string; error: DbtCloudError }
  | { kind: 'failed'; error: DbtCloudError };

export type DbtCloudCancelOutcome =
  | { kind: 'cancelled'; run: DbtCloudRun }
  | { kind: 'alreadyFinished'; run: DbtCloudRun }
  | { kind: 'notAllowed'; message: string }
  | { kind: 'denied'; message: string; error: DbtCloudError }
  | { kind: 'failed'; error: DbtCloudError };

export type DbtCloudFollowOutcome = { kind: 'finished'; run: DbtCloudRun } | { kind: 'stopped' } | { kind: 'failed'; error: DbtCloudError };

const FINAL_OUTCOME: Record<string, AuditRecord['outcome']> = { success: 'succeeded', error: 'failed', cancelled: 'cancelled' };

/** The `cause` dbt Cloud stores with the run: who asked, from where. */
export function triggerCause(actor: DbtCloudActor | undefined): string {
  const who = actor?.email ?? actor?.label ?? actor?.subject ?? 'an unknown user';
  return `Triggered from VS Code (Gatehouse) by ${who}`;
}

export class DbtCloudActions {
  constructor(private readonly deps: DbtCloudActionsDeps) {}

  async trigger(job: JobRef, signal?: AbortSignal): Promise<DbtCloudTriggerOutcome> {
    if (!this.deps.roles.can('dbtCloud.trigger')) {
      await this.record('trigger-run', job, 'denied', { reason: 'role' });
      return { kind: 'notAllowed', message: this.deps.roles.refusal('dbtCloud.trigger') };
    }
    try {
      const client = this.deps.client();
      const run = await client.triggerRun(job.id, { cause: triggerCause(this.deps.actor()) }, signal);
      await this.record('trigger-run', job, 'started', { jobIds: [String(run.id)], credential: client.credentialOrigin, link: run.href });
      return { kind: 'started', run };
    } catch (err) {
      const e = toDbtCloudError(err);
      if (e.reason === 'forbidden') {
        await this.record('trigger-run', job, 'denied', { reason: e.reason });
        return { kind: 'denied', error: e, message: this.explain('dbtCloud.trigger', t('trigger a run of'), job) };
      }
      if (e.reason !== 'cancelled') await this.record('trigger-run', job, 'failed', { reason: e.reason });
      return { kind: 'failed', error: e };
    }
  }

  async cancel(job: JobRef, runId: number, signal?: AbortSignal): Promise<DbtCloudCancelOutcome> {
    if (!this.deps.roles.can('dbtCloud.cancel')) {
      await this.record('cancel-run', job, 'denied', { jobIds: [String(runId)], reason: 'role' });
      return { kind: 'notAllowed', message: this.deps.roles.refusal('dbtCloud.cancel') };
    }
    try {
      const client = this.deps.client();
      const run = await client.cancelRun(runId, signal);
      // dbt Cloud answers a cancel of a finished run with the run unchanged.
      if (run.status === 'success' || run.status === 'error') {
        await this.record('cancel-run', job, 'failed', { jobIds: [String(runId)], reason: 'alreadyFinished', credential: client.credentialOrigin });
        return { kind: 'alreadyFinished', run };
      }
      await this.record('cancel-run', job, 'cancelled', { jobIds: [String(runId)], credential: client.credentialOrigin });
      return { kind: 'cancelled', run };
    } catch (err) {
      const e = toDbtCloudError(err);
      if (e.reason === 'forbidden') {
        await this.record('cancel-run', job, 'denied', { jobIds: [String(runId)], reason: e.reason });
        return { kind: 'denied', error: e, message: this.explain('dbtCloud.cancel', t('cancel run {0} of', runId), job) };
      }
      await this.record('cancel-run', job, 'failed', { jobIds: [String(runId)], reason: e.reason });
      return { kind: 'failed', error: e };
    }
  }

  /** Follows a run to its end; `audited` (triggered here) also records the final state. Stopping ends the following, not the run. */
  async follow(job: JobRef, runId: number, opts: { signal?: AbortSignal; onUpdate?: (run: DbtCloudRun) => void; audited?: boolean } = {}): Promise<DbtCloudFollowOutcome> {
    let client: DbtCloudClient;
    try {
      client = this.deps.client();
    } catch (err) {
      return { kind: 'failed', error: toDbtCloudError(err) };
    }
    try {
      const run = await new DbtCloudRunFollower(client, this.deps.follower).follow(runId, { signal: opts.signal, onUpdate: opts.onUpdate });
      if (opts.audited) await this.record('trigger-run', job, lookup(FINAL_OUTCOME, run.status) ?? 'failed', { jobIds: [String(run.id)], credential: client.credentialOrigin, reason: run.status === 'error' ? 'runError' : undefined, link: run.href });
      return { kind: 'finished', run };
    } catch (err) {
      const e = toDbtCloudError(err);
      if (e.reason === 'cancelled') return { kind: 'stopped' };
      this.deps.logger?.warn(`stopped following dbt Cloud run ${runId}: ${e.reason}`);
      return { kind: 'failed', error: e };
    }
  }

  private credential(): CredentialOrigin {
    return credentialOriginOf(this.deps.client);
  }

  private explain(capability: Action, action: string, job: JobRef): string {
    const actor = this.deps.actor();
    return explainDenied({
      who: actor?.email ?? actor?.label ?? actor?.subject ?? t('you'),
      credential: this.credential(),
      service: 'dbt Cloud',
      action,
      resource: t('job "{0}" ({1})', job.name, job.id),
      missing: t('a developer role in the dbt Cloud account'),
      roles: this.deps.roles.roles,
      access: this.deps.roles.hint(capability),
    });
  }

  private async record(action: string, job: JobRef, outcome: AuditRecord['outcome'], extra: { jobIds?: string[]; reason?: string; credential?: CredentialOrigin; link?: string } = {}): Promise<void> {
    const actor = this.deps.actor();
    try {
      await this.deps.audit.record({
        actor: actor ? { subject: actor.subject, email: actor.email, issuer: actor.issuer } : { subject: 'unknown' },
        credential: extra.credential ?? this.credential(),
        service: 'dbtCloud',
        action,
        resource: `job/${job.id}`,
        resourceName: job.name,
        link: extra.link,
        jobIds: extra.jobIds,
        outcome,
        reason: extra.reason,
      });
    } catch (err) {
      // The action happened; a failing audit sink must not hide that from the person.
      this.deps.logger?.error(`could not write the audit record for ${action}`, err);
    }
  }
}
