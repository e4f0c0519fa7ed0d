// Sync, reset, cancel and follow, with the decisions that must not live in a command handler:
// roles decide what is offered and attempted, a trigger checks for a running job first and never
// resends its POST, a 403 becomes a sentence the person can act on, and every trigger, final
// state, cancel and denial goes to the audit trail with the Airbyte job id.
import type { AuditRecord, CredentialOrigin } from '../audit/auditTrail';
import { credentialOriginOf } from '../audit/recordAccess';
import type { Logger } from '../core/logger';
import { explainDenied, type Action } from '../policy/roles';
import type { RoleView } from '../policy/roleModel';
import type { AirbyteClient } from './client';
import { toAirbyteError, type AirbyteError } from './errors';
import { JobFollower, type JobFollowerOptions } from './follower';
import type { Connection, Job } from './types';
import { l10nTable, t } from '../core/l10n';

export interface ActionTarget {
  connection: Pick<Connection, 'connectionId' | 'name'>;
  workspace: { workspaceId: string; name?: string };
}

export interface Actor {
  subject: string;
  email?: string;
  issuer?: string;
  label?: string;
}

export interface JobActionsDeps {
  client: () => AirbyteClient;
  audit: { record(entry: Omit<AuditRecord, 'time'>): Promise<unknown> };
  actor: () => Actor | undefined;
  roles: RoleView;
  logger?: Logger;
  follower?: JobFollowerOptions;
}

export type TriggerOutcome =
  | { kind: 'started'; job: Job }
  | { kind: 'alreadyRunning'; job?: Job }
  | { kind: 'notAllowed'; message: string }
  | { kind: 'denied'; message: string; error: AirbyteError }
  | { kind: 'failed'; error: AirbyteError };

export type CancelOutcome =
  | { kind: 'cancelled'; job: Job }
  | { kind: 'alreadyFinished'; message: string }
  | { kind: 'notAllowed'; message: string }
  | { kind: 'denied'; message: string; error: AirbyteError }
  | { kind: 'failed'; error: AirbyteError };

export type FollowOutcome = { kind: 'finished'; job: Job } | { kind: 'stopped' } | { kind: 'failed'; error: AirbyteError };

const TRIGGER_ACTION: Record<'sync' | 'reset', Action> = { sync: 'airbyte.sync', reset: 'airbyte.reset' };
const TRIGGER_WORDS = l10nTable<Record<'sync' | 'reset', string>>({ sync: 'start a sync of', reset: 'reset' });

export class AirbyteJobActions {
  constructor(private readonly deps: JobActionsDeps) {}

  /** Whether the policy lets the person trigger this job type (commands skip their confirmation when not). */
  mayTrigger(jobType: 'sync' | 'reset'): boolean {
    return this.deps.roles.can(TRIGGER_ACTION[jobType]);
  }

  async trigger(target: ActionTarget, jobType: 'sync' | 'reset', signal?: AbortSignal): Promise<TriggerOutcome> {
    const action = TRIGGER_ACTION[jobType];
    const auditAction = `trigger-${jobType}`;
    if (!this.deps.roles.can(action)) {
      await this.record(auditAction, target, 'denied', { reason: 'role' });
      return { kind: 'notAllowed', message: this.deps.roles.refusal(action) };
    }
    let client: AirbyteClient;
    try {
      client = this.deps.client();
      const result = await client.trigger(target.connection.connectionId, jobType, signal);
      if (result.kind === 'started') await this.record(auditAction, target, 'started', { jobIds: [String(result.job.jobId)], credential: client.credentialOrigin });
      return result;
    } catch (err) {
      const e = toAirbyteError(err);
      if (e.reason === 'forbidden') {
        await this.record(auditAction, target, 'denied', { reason: e.reason });
        return { kind: 'denied', error: e, message: this.explain(action, t(TRIGGER_WORDS[jobType]), target, e, t('the permission to run jobs in this workspace')) };
      }
      if (e.reason !== 'cancelled') await this.record(auditAction, target, 'failed', { reason: e.reason });
      return { kind: 'failed', error: e };
    }
  }

  async cancel(target: ActionTarget, jobId: number, signal?: AbortSignal): Promise<CancelOutcome> {
    if (!this.deps.roles.can('airbyte.cancel')) {
      await this.record('cancel-job', target, 'denied', { jobIds: [String(jobId)], reason: 'role' });
      return { kind: 'notAllowed', message: this.deps.roles.refusal('airbyte.cancel') };
    }
    try {
      const client = this.deps.client();
      const job = await client.cancelJob(jobId, signal);
      await this.record('cancel-job', target, 'cancelled', { jobIds: [String(job.jobId)], credential: client.credentialOrigin });
      return { kind: 'cancelled', job };
    } catch (err) {
      const e = toAirbyteError(err);
      if (e.reason === 'forbidden') {
        await this.record('cancel-job', target, 'denied', { jobIds: [String(jobId)], reason: e.reason });
        return { kind: 'denied', error: e, message: this.explain('airbyte.cancel', t('cancel job {0} of', jobId), target, e, t('the permission to run jobs in this workspace')) };
      }
      await this.record('cancel-job', target, 'failed', { jobIds: [String(jobId)], reason: e.reason });
      if (e.reason === 'unprocessable') return { kind: 'alreadyFinished', message: t('Job {0} has already finished.', jobId) };
      return { kind: 'failed', error: e };
    }
  }

  /**
   * Follows a job to its final state. `audited`: the job was triggered here, so its final state
   * goes to the audit trail too. Stopping (the signal) ends the following, not the job.
   */
  async follow(target: ActionTarget, jobId: number, opts: { signal?: AbortSignal; onUpdate?: (job: Job) => void; audited?: boolean } = {}): Promise<FollowOutcome> {
    let client: AirbyteClient;
    try {
      client = this.deps.client();
    } catch (err) {
      return { kind: 'failed', error: toAirbyteError(err) };
    }
    const follower = new JobFollower(client, this.deps.follower);
    try {
      const job = await follower.follow(jobId, { signal: opts.signal, onUpdate: opts.onUpdate });
      if (opts.audited) await this.record(`trigger-${job.jobType}`, target, job.status as 'succeeded' | 'failed' | 'cancelled', { jobIds: [String(job.jobId)], credential: client.credentialOrigin });
      return { kind: 'finished', job };
    } catch (err) {
      const e = toAirbyteError(err);
      if (e.reason === 'cancelled') return { kind: 'stopped' };
      this.deps.logger?.warn(`stopped following Airbyte job ${jobId}: ${e.reason}`);
      return { kind: 'failed', error: e };
    }
  }

  private explain(capability: Action, action: string, target: ActionTarget, e: AirbyteError, missing: string): string {
    const actor = this.deps.actor();
    const credential = credentialOriginOf(this.deps.client);
    return explainDenied({
      who: actor?.email ?? actor?.label ?? actor?.subject ?? t('you'),
      credential,
      service: 'Airbyte',
      action,
      resource: target.workspace.name ? t('"{0}" in workspace "{1}"', target.connection.name, target.workspace.name) : `"${target.connection.name}"`,
      missing: e.status === 403 ? missing : undefined,
      roles: this.deps.roles.roles,
      access: this.deps.roles.hint(capability),
    });
  }

  private async record(
    action: string,
    target: ActionTarget,
    outcome: AuditRecord['outcome'],
    extra: { jobIds?: string[]; reason?: string; credential?: CredentialOrigin } = {},
  ): Promise<void> {
    const actor = this.deps.actor();
    const credential = credentialOriginOf(this.deps.client, extra.credential);
    try {
      await this.deps.audit.record({
        actor: actor ? { subject: actor.subject, email: actor.email, issuer: actor.issuer } : { subject: 'unknown' },
        credential,
        service: 'airbyte',
        action,
        resource: `connection/${target.connection.connectionId}`,
        resourceName: target.workspace.name ? `${target.connection.name} (${target.workspace.name})` : target.connection.name,
        jobIds: extra.jobIds,
        outcome,
        reason: extra.reason,
      });
    } catch (err) {
      // The action happened; a full disk must not hide that from the person.
      this.deps.logger?.error(`could not write the audit record for ${action}`, err);
    }
  }
}

