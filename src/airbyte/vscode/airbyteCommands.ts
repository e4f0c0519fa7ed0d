// Airbyte commands (thin): Sync now, Reset, Cancel, Follow, Open in Airbyte, Refresh, Set
// Application Credentials. Decisions (roles, the running-job check, 403 explanations, audit)
// live in AirbyteJobActions; following with progress lives in AirbyteFollowing.
import * as vscode from 'vscode';
import { offerExplainAccess } from '../../vscode/accessDenied';
import type { SecretStore } from '../../core/originSecrets';
import type { Logger } from '../../core/logger';
import type { AirbyteClient } from '../client';
import { toAirbyteError } from '../errors';
import type { AirbyteExplorerModel, AirbyteNode, ConnectionNode } from '../explorerModel';
import type { ActionTarget, AirbyteJobActions, FollowOutcome, TriggerOutcome, CancelOutcome } from '../jobActions';
import { Formatter } from '../../core/format';
import { attemptLogs, connectionWebUrl, failureReason, jobHistoryWebUrl, parseIsoDuration } from '../present';
import { isFinal, type Job } from '../types';
import { plain, plainLines, safe } from '../../core/displayText';

/** What the commands ask of the person; tests replace it (no dialogs in an unattended run). */
export interface AirbyteUi {
  info(message: string, ...actions: string[]): Thenable<string | undefined>;
  warn(message: string, ...actions: string[]): Thenable<string | undefined>;
  error(message: string, ...actions: string[]): Thenable<string | undefined>;
  /** A modal question; true when the person chose `action`. */
  confirm(message: string, detail: string, action: string): Thenable<boolean>;
  input(options: vscode.InputBoxOptions): Thenable<string | undefined>;
  openExternal(url: string): Thenable<boolean>;
}

export const vscodeAirbyteUi: AirbyteUi = {
  info: (m, ...a) => vscode.window.showInformationMessage(plain(m), ...a),
  warn: (m, ...a) => vscode.window.showWarningMessage(plain(m), ...a),
  error: (m, ...a) => vscode.window.showErrorMessage(plain(m), ...a),
  confirm: async (message, detail, action) => (await vscode.window.showWarningMessage(plain(message), { modal: true, detail: plainLines(detail) }, action)) === action,
  input: (o) => vscode.window.showInputBox(o),
  openExternal: (url) => vscode.env.openExternal(vscode.Uri.parse(url)),
};

export const APP_CLIENT_ID_KEY = 'gatehouse.airbyte.clientId';
export const APP_CLIENT_SECRET_KEY = 'gatehouse.airbyte.clientSecret';

export interface AirbyteCommandDeps {
  model: AirbyteExplorerModel;
  actions: AirbyteJobActions;
  client: () => AirbyteClient;
  ui: () => AirbyteUi;
  /** The service's own credentials, bound to its origin. */
  secrets: SecretStore;
  logger: Logger;
  refresh: () => void;
  /** Stops following on sign-out. */
  onSessionEnd: (stop: () => void) => void;
}

/** Connection nodes from the tree, or a connection id (tests, links). */
type ConnectionArg = ConnectionNode | { kind: 'job'; connection: { connectionId: string; name: string }; workspaceId: string; job: Job } | string | undefined;

const LOG_SCHEME = 'gatehouse-airbyte-log';
const openLogsLabel = () => vscode.l10n.t('Open Logs');
const openInAirbyteLabel = () => vscode.l10n.t('Open in Airbyte');

export class AirbyteCommands {
  private readonly following = new Map<number, Promise<FollowOutcome>>();
  /** Fetched job logs by document path: read-only documents, a few kept. */
  private readonly logs = new Map<string, string>();
  private readonly fmt = new Formatter({ locale: vscode.env.language });

  constructor(private readonly deps: AirbyteCommandDeps) {}

  register(): vscode.Disposable[] {
    const r = vscode.commands.registerCommand;
    return [
      r('gatehouse.airbyte.refresh', () => this.deps.refresh()),
      r('gatehouse.airbyte.syncNow', (arg: ConnectionArg) => this.trigger(arg, 'sync')),
      r('gatehouse.airbyte.reset', (arg: ConnectionArg) => this.trigger(arg, 'reset')),
      r('gatehouse.airbyte.cancelJob', (arg: AirbyteNode | number) => this.cancel(arg)),
      r('gatehouse.airbyte.followJob', (arg: AirbyteNode | number) => this.followArg(arg)),
      r('gatehouse.airbyte.openInAirbyte', (arg: ConnectionArg) => this.open(arg)),
      r('gatehouse.airbyte.setApplicationCredentials', () => this.setApplicationCredentials()),
      vscode.workspace.registerTextDocumentContentProvider(LOG_SCHEME, { provideTextDocumentContent: (uri) => this.logs.get(uri.path) ?? '' }),
    ];
  }

  /**
   * A job's attempts and log lines (Airbyte's config API) in a read-only document; where there is
   * no config API (Airbyte Cloud), the job history in the Airbyte UI instead.
   */
  async openLogs(target: ActionTarget, jobId: number): Promise<vscode.TextDocument | undefined> {
    const ui = this.deps.ui();
    let attempts;
    try {
      attempts = await this.deps.client().getJobAttempts(jobId);
    } catch (err) {
      void ui.error(safe`Could not read the logs of job ${jobId}: ${toAirbyteError(err).userMessage}`);
      return undefined;
    }
    if (!attempts) {
      await ui.openExternal(jobHistoryWebUrl(this.deps.client().baseUrl, target.workspace.workspaceId, target.connection.connectionId));
      return undefined;
    }
    const path = `/Airbyte job ${jobId} (${target.connection.name.replace(/[\\/]/g, '-').slice(0, 80)}).log`;
    this.logs.set(path, attemptLogs(attempts));
    if (this.logs.size > 10) this.logs.delete(this.logs.keys().next().value!);
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: LOG_SCHEME, path }));
    await vscode.window.showTextDocument(doc, { preview: true });
    return doc;
  }

  /** The follow of a job, while it runs (tests wait on it). */
  followOf(jobId: number): Promise<FollowOutcome> | undefined {
    return this.following.get(jobId);
  }

  async trigger(arg: ConnectionArg, jobType: 'sync' | 'reset'): Promise<TriggerOutcome | undefined> {
    const target = await this.target(arg);
    if (!target) return undefined;
    const ui = this.deps.ui();
    const name = target.connection.name;
    // A refusal comes before any confirmation (the actions audit it and say who grants the capability).
    if (jobType === 'reset' && this.deps.actions.mayTrigger('reset')) {
      const yes = await ui.confirm(
        safe`Reset "${name}"?`,
        vscode.l10n.t('Airbyte clears the data this connection synced into the destination and forgets its state; the next sync reads everything again.'),
        vscode.l10n.t('Reset'),
      );
      if (!yes) return undefined;
    }
    const outcome = await this.deps.actions.trigger(target, jobType);
    switch (outcome.kind) {
      case 'started':
        this.deps.model.applyJob(outcome.job);
        void this.follow(target, outcome.job, true);
        break;
      case 'alreadyRunning':
        this.offerRunning(target, outcome.job);
        break;
      default:
        if (jobType === 'sync') this.tellRefusal(outcome, (reason) => safe`Could not start a sync of "${name}": ${reason}`, vscode.l10n.t('start a sync of connection "{0}"', name));
        else this.tellRefusal(outcome, (reason) => safe`Could not reset "${name}": ${reason}`, vscode.l10n.t('reset connection "{0}"', name));
    }
    return outcome;
  }

  async cancel(arg: AirbyteNode | number): Promise<CancelOutcome | undefined> {
    const found = await this.jobTarget(arg);
    if (!found) return undefined;
    const { target, jobId } = found;
    const ui = this.deps.ui();
    const outcome = await this.deps.actions.cancel(target, jobId);
    switch (outcome.kind) {
      case 'cancelled':
        this.deps.model.applyJob(outcome.job);
        void ui.info(safe`Cancelled job ${jobId} of "${target.connection.name}".`);
        break;
      case 'alreadyFinished':
        void this.deps.model.refreshConnection(target.connection.connectionId);
        void ui.info(plain(outcome.message));
        break;
      default:
        this.tellRefusal(outcome, (reason) => safe`Could not cancel job ${jobId}: ${reason}`, vscode.l10n.t('cancel job {0} of connection "{1}"', jobId, target.connection.name));
    }
    return outcome;
  }

  /**
   * Roles said no (a warning), Airbyte said no (the explanation, `what` naming what was asked), or
   * it failed (`failed` says so with the reason, as one sentence).
   */
  private tellRefusal(outcome: { kind: 'notAllowed'; message: string } | { kind: 'denied'; message: string; error: unknown } | { kind: 'failed'; error: { userMessage: string } }, failed: (reason: string) => string, what: string): void {
    const ui = this.deps.ui();
    if (outcome.kind === 'notAllowed') void ui.warn(plain(outcome.message));
    else if (outcome.kind === 'denied') void offerExplainAccess(ui, outcome.message, { service: 'Airbyte', what, error: outcome.error });
    else void ui.error(plain(failed(outcome.error.userMessage)));
  }

  /**
   * Follows a job with a cancellable progress notification until it ends; the tree updates on
   * every change. "Cancel" on the notification stops following; the job goes on.
   */
  follow(target: ActionTarget, job: Job, audited: boolean): Promise<FollowOutcome> {
    const existing = this.following.get(job.jobId);
    if (existing) return existing;
    const controller = new AbortController();
    this.deps.onSessionEnd(() => controller.abort());
    const name = target.connection.name;
    const run = vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: safe`Airbyte ${job.jobType} of "${name}"`, cancellable: true },
      async (progress, token) => {
        token.onCancellationRequested(() => controller.abort());
        progress.report({ message: plain(describe(job, this.fmt)) });
        return this.deps.actions.follow(target, job.jobId, {
          signal: controller.signal,
          audited,
          onUpdate: (j) => {
            progress.report({ message: plain(describe(j, this.fmt)) });
            this.deps.model.applyJob(j);
          },
        });
      },
    );
    const done = Promise.resolve(run).then(async (outcome) => {
      this.following.delete(job.jobId);
      await this.deps.model.refreshConnection(target.connection.connectionId).catch(() => undefined);
      this.announce(target, job, outcome);
      return outcome;
    });
    this.following.set(job.jobId, done);
    return done;
  }

  private announce(target: ActionTarget, started: Job, outcome: FollowOutcome): void {
    const ui = this.deps.ui();
    const name = target.connection.name;
    if (outcome.kind === 'stopped') return void this.deps.logger.info(`stopped following Airbyte job ${started.jobId}; it keeps running`);
    if (outcome.kind === 'failed') return void ui.warn(safe`Stopped following job ${started.jobId} of "${name}": ${outcome.error.userMessage}`);
    const j = outcome.job;
    if (j.status === 'succeeded') {
      const rows = this.fmt.count(j.rowsSynced ?? 0);
      const bytes = this.fmt.bytes(j.bytesSynced ?? 0);
      void ui.info(
        j.duration
          ? safe`Airbyte ${j.jobType} of "${name}" succeeded: ${rows} rows, ${bytes} in ${this.fmt.duration(parseIsoDuration(j.duration))}.`
          : safe`Airbyte ${j.jobType} of "${name}" succeeded: ${rows} rows, ${bytes}.`,
      );
    } else if (j.status === 'cancelled') void ui.info(safe`Airbyte ${j.jobType} of "${name}" was cancelled (job ${j.jobId}).`);
    else {
      void this.tellFailure(target, j);
    }
  }

  /** The failure where it is seen: the attempt's reason in the notification, its logs one click away. */
  private async tellFailure(target: ActionTarget, j: Job): Promise<void> {
    const ui = this.deps.ui();
    const attempts = await this.deps
      .client()
      .getJobAttempts(j.jobId)
      .catch((err) => void this.deps.logger.debug(`could not read the attempts of Airbyte job ${j.jobId}: ${toAirbyteError(err).reason}`));
    const reason = failureReason(attempts ?? undefined);
    const choice = await ui.error(
      reason ? safe`Airbyte ${j.jobType} of "${target.connection.name}" failed (job ${j.jobId}): ${reason}` : safe`Airbyte ${j.jobType} of "${target.connection.name}" failed (job ${j.jobId}).`,
      ...(attempts ? [openLogsLabel()] : []),
      openInAirbyteLabel(),
    );
    if (choice === openLogsLabel()) await this.openLogs(target, j.jobId);
    else if (choice === openInAirbyteLabel()) void ui.openExternal(jobHistoryWebUrl(this.deps.client().baseUrl, target.workspace.workspaceId, target.connection.connectionId));
  }

  private offerRunning(target: ActionTarget, job: Job | undefined): void {
    const ui = this.deps.ui();
    const follow = vscode.l10n.t('Follow');
    const openInAirbyte = vscode.l10n.t('Open in Airbyte');
    const actions = job ? [follow, openInAirbyte] : [openInAirbyte];
    const name = target.connection.name;
    void ui.info(job ? safe`A sync is already running for "${name}" (job ${job.jobId}, ${job.status}).` : safe`A sync is already running for "${name}".`, ...actions).then((choice) => {
      if (choice === follow && job) void this.follow(target, job, false);
      else if (choice === openInAirbyte) void ui.openExternal(jobHistoryWebUrl(this.deps.client().baseUrl, target.workspace.workspaceId, target.connection.connectionId));
    });
  }

  private async followArg(arg: AirbyteNode | number): Promise<FollowOutcome | undefined> {
    const found = await this.jobTarget(arg);
    if (!found) return undefined;
    const job = found.job ?? (await this.deps.client().getJob(found.jobId));
    if (isFinal(job.status)) {
      void this.deps.ui().info(safe`Job ${job.jobId} has already ${job.status}.`);
      return { kind: 'finished', job };
    }
    return this.follow(found.target, job, false);
  }

  private async open(arg: ConnectionArg): Promise<string | undefined> {
    const target = await this.target(arg);
    if (!target) return undefined;
    const url = connectionWebUrl(this.deps.client().baseUrl, target.workspace.workspaceId, target.connection.connectionId);
    await this.deps.ui().openExternal(url);
    return url;
  }

  private async setApplicationCredentials(): Promise<boolean> {
    const ui = this.deps.ui();
    const clientId = await ui.input({
      title: vscode.l10n.t('Airbyte application client id'),
      prompt: vscode.l10n.t('From Airbyte > Settings > Applications. Stored in the OS keychain (VS Code SecretStorage).'),
      value: (await this.deps.secrets.get(APP_CLIENT_ID_KEY)) ?? '',
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('Enter the client id.')),
    });
    if (!clientId) return false;
    const clientSecret = await ui.input({ title: vscode.l10n.t('Airbyte application client secret'), password: true, ignoreFocusOut: true, validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('Enter the client secret.')) });
    if (!clientSecret) return false;
    await this.deps.secrets.store(APP_CLIENT_ID_KEY, clientId.trim());
    await this.deps.secrets.store(APP_CLIENT_SECRET_KEY, clientSecret.trim());
    this.deps.logger.info('Airbyte application credentials stored');
    return true;
  }

  /** The connection a command acts on: from a tree node, or fetched by id. */
  private async target(arg: ConnectionArg): Promise<ActionTarget | undefined> {
    try {
      if (typeof arg === 'string') {
        const known = this.deps.model.connection(arg);
        if (known) return { connection: known.connection, workspace: known.workspace };
        const connection = await this.deps.client().getConnection(arg);
        return { connection, workspace: { workspaceId: connection.workspaceId } };
      }
      if (arg?.kind === 'connection') return { connection: arg.connection, workspace: arg.workspace };
      if (arg?.kind === 'job') {
        const known = this.deps.model.connection(arg.connection.connectionId);
        return { connection: arg.connection, workspace: known?.workspace ?? { workspaceId: arg.workspaceId } };
      }
    } catch (err) {
      this.tellLoadFailure(err, 'connection', typeof arg === 'string' ? arg : undefined);
      return undefined;
    }
    void this.deps.ui().info(vscode.l10n.t('Choose a connection in the Airbyte view.'));
    return undefined;
  }

  /** The job a command acts on: a job node, a connection node with a running job, or a job id. */
  private async jobTarget(arg: AirbyteNode | number): Promise<{ target: ActionTarget; jobId: number; job?: Job } | undefined> {
    try {
      if (typeof arg === 'number') {
        const job = await this.deps.client().getJob(arg);
        const target = await this.target(job.connectionId);
        return target && { target, jobId: job.jobId, job };
      }
      if (arg?.kind === 'job') {
        const target = await this.target(arg);
        return target && { target, jobId: arg.job.jobId, job: arg.job };
      }
      if (arg?.kind === 'connection') {
        const running = arg.jobs.find((j) => !isFinal(j.status)) ?? (await this.deps.client().activeJob(arg.connection.connectionId));
        if (!running) {
          void this.deps.ui().info(safe`No job is running for "${arg.connection.name}".`);
          return undefined;
        }
        return { target: { connection: arg.connection, workspace: arg.workspace }, jobId: running.jobId, job: running };
      }
    } catch (err) {
      this.tellLoadFailure(err, 'job', typeof arg === 'number' ? arg : undefined);
      return undefined;
    }
    return undefined;
  }

  /** A read of a connection or a job (by id, or the one chosen) failed; a 403 offers Explain Access with what Airbyte answered. */
  private tellLoadFailure(err: unknown, subject: 'connection' | 'job', id?: string | number): void {
    const e = toAirbyteError(err);
    if (e.reason !== 'forbidden') return void this.deps.ui().error(plain(e.userMessage));
    // The notification and what was asked, one whole sentence each per case (for translations).
    const [message, what] =
      subject === 'connection'
        ? id === undefined
          ? [safe`Airbyte refused to read this connection: ${e.userMessage}`, vscode.l10n.t('read this connection')]
          : [safe`Airbyte refused to read connection ${id}: ${e.userMessage}`, vscode.l10n.t('read connection {0}', id)]
        : id === undefined
          ? [safe`Airbyte refused to read this job: ${e.userMessage}`, vscode.l10n.t('read this job')]
          : [safe`Airbyte refused to read job ${id}: ${e.userMessage}`, vscode.l10n.t('read job {0}', id)];
    void offerExplainAccess(this.deps.ui(), message, { service: 'Airbyte', what, error: e });
  }
}

/** A progress line: the job's status from Airbyte, inert. */
function describe(job: Job, fmt: Formatter): string {
  return job.rowsSynced ? safe`job ${job.jobId}: ${job.status} · ${fmt.count(job.rowsSynced)} rows · ${fmt.bytes(job.bytesSynced)}` : safe`job ${job.jobId}: ${job.status}`;
}
