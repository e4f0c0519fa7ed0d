// dbt and dbt Cloud commands (thin): open, reveal, filter, lineage, run/build/test/compile as tasks,
// compiled SQL and its BigQuery preview, and dbt Cloud trigger/follow/cancel/open/token. Decisions
// live in vscode-free code (selectors and argv in dbtCommandLine, roles/audit/403 in
// DbtCloudActions); this file asks the person and shows outcomes.
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AuditRecord } from '../../audit/auditTrail';
import type { Logger } from '../../core/logger';
import { DBT_TASK_TYPE, buildDbtTask, runDbtTask, DbtUntrustedError } from './dbtTasks';
import type { LineagePanelManager, LineageTarget } from './lineagePanel';
import type { ResultsPresenter } from '../../results/resultsPresenter';
import type { Action } from '../../policy/roles';
import type { DbtCloudActions, DbtCloudFollowOutcome } from '../cloud/dbtCloudActions';
import type { DbtCloudJob, DbtCloudRun } from '../cloud/dbtCloudClient';
import type { DbtCloudJobsModel } from '../cloud/dbtCloudJobsModel';
import { DBT_SCOPES, DbtCommandLineError, describeScope, selectorFor, type DbtCommand, type DbtScope } from '../dbtCommandLine';
import type { DbtGroupKey } from '../manifest';
import { DbtManifestError } from '../manifestErrors';
import type { DbtNode } from '../manifestTypes';
import { previewSql, type DbtPreviewRunner } from '../modelPreview';
import type { DbtProjectState, DbtProjectsModel } from '../projectsModel';
import type { DbtTreeDataProvider, DbtTreeElement } from './dbtTreeDataProvider';
import { runFailureText } from '../cloud/runFailure';

export const DBT_CLOUD_TOKEN_KEY = 'gatehouse.dbtCloud.personalToken';

/** What the commands ask of the person; tests replace it (no dialogs in an unattended run). */
export interface DbtUi {
  info(message: string, ...actions: string[]): Thenable<string | undefined>;
  warn(message: string, ...actions: string[]): Thenable<string | undefined>;
  error(message: string, ...actions: string[]): Thenable<string | undefined>;
  confirm(message: string, detail: string, action: string): Thenable<boolean>;
  input(options: vscode.InputBoxOptions): Thenable<string | undefined>;
  pick<T extends vscode.QuickPickItem>(items: T[], options: vscode.QuickPickOptions): Thenable<T | undefined>;
  openExternal(url: string): Thenable<boolean>;
}

export const vscodeDbtUi: DbtUi = {
  info: (m, ...a) => vscode.window.showInformationMessage(m, ...a),
  warn: (m, ...a) => vscode.window.showWarningMessage(m, ...a),
  error: (m, ...a) => vscode.window.showErrorMessage(m, ...a),
  confirm: async (message, detail, action) => (await vscode.window.showWarningMessage(message, { modal: true, detail }, action)) === action,
  input: (o) => vscode.window.showInputBox(o),
  pick: (items, o) => vscode.window.showQuickPick(items, o),
  openExternal: (url) => vscode.env.openExternal(vscode.Uri.parse(url)),
};

export interface DbtCommandDeps {
  projects: DbtProjectsModel;
  tree: DbtTreeDataProvider;
  view: vscode.TreeView<DbtTreeElement>;
  lineage: LineagePanelManager;
  cloud: DbtCloudJobsModel;
  cloudActions: DbtCloudActions;
  ui: () => DbtUi;
  secrets: vscode.SecretStorage;
  logger: Logger;
  audit: { record(entry: Omit<AuditRecord, 'time'>): Promise<unknown> };
  actor: () => { subject: string; email?: string; issuer?: string } | undefined;
  can: (action: Action) => boolean;
  /** The sentence shown when the policy withholds an action (capability, granting groups, whom to ask). */
  refusal: (action: Action) => string;
  /** The dbt executable (gatehouse.dbt.executablePath). */
  executable: () => string;
  /** BigQuery preview, when the BigQuery module provides one. */
  preview: () => { runner: DbtPreviewRunner; presenter: ResultsPresenter } | undefined;
  refreshCloud: () => void;
  /** Stops following runs on sign-out. */
  onSessionEnd: (stop: () => void) => void;
}

/** A node from the tree, the lineage panel or a test; undefined means "the active editor's". */
type NodeArg = DbtTreeElement | LineageTarget | undefined;
/** A job from the tree, or a job id (tests, links). */
type JobArg = DbtTreeElement | number | undefined;

export interface DbtRunOutcome {
  kind: 'finished' | 'refused' | 'notStarted';
  exitCode?: number;
  args?: string[];
  message?: string;
}

export class DbtCommands {
  private readonly following = new Map<number, Promise<DbtCloudFollowOutcome>>();

  constructor(private readonly d: DbtCommandDeps) {}

  register(): vscode.Disposable[] {
    const r = vscode.commands.registerCommand;
    const run = (command: DbtCommand) => (arg: NodeArg, scope?: DbtScope) => this.run(command, arg, scope);
    return [
      r('gatehouse.dbt.refresh', () => this.refresh()),
      r('gatehouse.dbt.openFile', (arg: NodeArg) => this.openFile(arg)),
      r('gatehouse.dbt.revealCurrentFile', () => this.revealCurrentFile()),
      r('gatehouse.dbt.filter', (text?: string) => this.filter(text)),
      r('gatehouse.dbt.clearFilter', () => this.filter('')),
      r('gatehouse.dbt.groupBy', (key?: DbtGroupKey) => this.groupBy(key)),
      r('gatehouse.dbt.showLineage', (arg: NodeArg, depth?: { upstream: number; downstream: number }) => this.showLineage(arg, depth)),
      r('gatehouse.dbt.run', run('run')),
      r('gatehouse.dbt.build', run('build')),
      r('gatehouse.dbt.test', run('test')),
      r('gatehouse.dbt.compile', run('compile')),
      r('gatehouse.dbt.showCompiledSql', (arg: NodeArg) => this.showCompiledSql(arg)),
      r('gatehouse.dbt.preview', (arg: NodeArg) => this.preview(arg)),
      r('gatehouse.dbtCloud.refresh', () => this.d.refreshCloud()),
      r('gatehouse.dbtCloud.triggerRun', (arg: JobArg) => this.trigger(arg)),
      r('gatehouse.dbtCloud.cancelRun', (arg: JobArg) => this.cancel(arg)),
      r('gatehouse.dbtCloud.openRun', (arg: JobArg) => this.openRun(arg)),
      r('gatehouse.dbtCloud.setToken', () => this.setToken()),
      r('gatehouse.dbtCloud.clearToken', () => this.clearToken()),
    ];
  }

  /** The follow of a run started here (tests await it). */
  followOf(runId: number): Promise<DbtCloudFollowOutcome> | undefined {
    return this.following.get(runId);
  }

  private async refresh(): Promise<void> {
    await Promise.all(this.d.projects.projects().map((p) => this.d.projects.reloadNow(p.key)));
    this.d.refreshCloud();
  }

  // ---- nodes -------------------------------------------------------------------------------

  /** The project and node a command is about: its argument, else the active editor's file, else a pick. */
  private async resolve(arg: NodeArg): Promise<{ project: DbtProjectState; node: DbtNode } | undefined> {
    if (arg && 'uniqueId' in arg && 'projectKey' in arg) {
      const project = this.d.projects.get(arg.projectKey);
      const node = project?.index?.getNode(arg.uniqueId);
      return project && node ? { project, node } : undefined;
    }
    const file = vscode.window.activeTextEditor?.document.uri;
    if (file?.scheme === 'file') {
      const project = this.d.projects.projectOf(file.fsPath);
      const node = project?.index?.findByFile(path.relative(project.key, file.fsPath))[0];
      if (project && node) return { project, node };
    }
    const items = this.d.projects.projects().flatMap((p) =>
      (p.index?.nodesByType('model') ?? []).map((n) => ({ label: n.name, description: p.name, detail: n.originalFilePath, project: p, node: n })),
    );
    if (!items.length) {
      await this.d.ui().info('No dbt manifest is loaded: run `dbt parse` in your project first.');
      return undefined;
    }
    const picked = await this.d.ui().pick(items, { title: 'dbt model', matchOnDescription: true, matchOnDetail: true });
    return picked && { project: picked.project, node: picked.node };
  }

  /** The file of a node: the project's own, or an installed package's under dbt_packages/. */
  private fileOf(project: DbtProjectState, node: DbtNode): vscode.Uri | undefined {
    const rel = node.originalFilePath ?? node.patchPath;
    if (!rel) return undefined;
    const own = !project.index?.info.projectName || node.packageName === project.index.info.projectName || node.packageName === project.name;
    const base = own ? project.key : path.join(project.key, 'dbt_packages', node.packageName);
    const resolved = path.resolve(base, rel);
    // A manifest names files; it must not name files outside the project.
    if (!resolved.startsWith(project.key + path.sep)) return undefined;
    return vscode.Uri.file(resolved);
  }

  async openFile(arg: NodeArg): Promise<vscode.TextEditor | undefined> {
    const target = await this.resolve(arg);
    if (!target) return undefined;
    const uri = this.fileOf(target.project, target.node);
    if (!uri) {
      await this.d.ui().info(`${target.node.name} has no file in this project.`);
      return undefined;
    }
    try {
      return await vscode.window.showTextDocument(uri, { preview: true, viewColumn: vscode.ViewColumn.One });
    } catch {
      await this.d.ui().warn(`The file of ${target.node.name} (${vscode.workspace.asRelativePath(uri)}) cannot be opened. The manifest may be older than the project: run dbt parse.`);
      return undefined;
    }
  }

  async revealCurrentFile(): Promise<DbtTreeElement | undefined> {
    const file = vscode.window.activeTextEditor?.document.uri;
    const project = file?.scheme === 'file' ? this.d.projects.projectOf(file.fsPath) : undefined;
    const node = project && file ? project.index?.findByFile(path.relative(project.key, file.fsPath))[0] : undefined;
    if (!project || !node) {
      await this.d.ui().info('The active file is not a node of a loaded dbt manifest.');
      return undefined;
    }
    if (this.d.tree.filter && !node.name.toLowerCase().includes(this.d.tree.filter)) this.d.tree.setFilter('');
    const element = this.d.tree.elementOf(project.key, node.uniqueId);
    if (!element) return undefined;
    await this.d.view.reveal(element, { select: true, focus: false, expand: true });
    return element;
  }

  private async filter(text?: string): Promise<void> {
    const value = text ?? (await this.d.ui().input({ title: 'Filter dbt nodes by name', value: this.d.tree.filter, placeHolder: 'part of a name, e.g. orders' }));
    if (value === undefined) return;
    this.d.tree.setFilter(value);
    this.d.view.description = value.trim() ? `filter: ${value.trim()}` : undefined;
    await vscode.commands.executeCommand('setContext', 'gatehouse.dbt.filtered', !!value.trim());
  }

  private async groupBy(key?: DbtGroupKey): Promise<void> {
    const choices: DbtGroupKey[] = ['folder', 'package', 'tag', 'materialization'];
    const chosen = key ?? (await this.d.ui().pick(choices.map((c) => ({ label: c })), { title: 'Group dbt models by' }))?.label;
    if (!chosen || !choices.includes(chosen as DbtGroupKey)) return;
    await vscode.workspace.getConfiguration('gatehouse.dbt').update('treeGrouping', chosen, vscode.ConfigurationTarget.Global);
  }

  private async showLineage(arg: NodeArg, depth?: { upstream: number; downstream: number }): Promise<void> {
    const target = await this.resolve(arg);
    if (target) this.d.lineage.show({ projectKey: target.project.key, uniqueId: target.node.uniqueId }, depth);
  }

  // ---- local dbt --------------------------------------------------------------------------

  async run(command: DbtCommand, arg: NodeArg, scope?: DbtScope): Promise<DbtRunOutcome> {
    const refuse = async (message: string): Promise<DbtRunOutcome> => {
      await this.d.ui().error(message);
      return { kind: 'refused', message };
    };
    if (!vscode.workspace.isTrusted) return refuse(new DbtUntrustedError().message);
    if (!this.d.can('dbt.run')) return refuse(this.d.refusal('dbt.run'));
    const target = await this.resolve(arg);
    if (!target) return { kind: 'notStarted' };
    const chosen =
      scope ??
      (await this.d.ui().pick(
        DBT_SCOPES.map((s) => ({ label: `dbt ${command} ${safeSelector(target.node, s) ?? ''}`, description: describeScope(s), scope: s })),
        { title: `dbt ${command}: ${target.node.name}` },
      ))?.scope;
    if (!chosen) return { kind: 'notStarted' };
    let task: vscode.Task;
    let args: string[];
    try {
      const select = selectorFor(target.node, chosen);
      args = [command, '--select', select];
      const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(target.project.key));
      task = buildDbtTask({ type: DBT_TASK_TYPE, command, select: [select], project: target.project.key }, target.project.key, folder ?? vscode.TaskScope.Workspace, undefined, this.d.executable());
    } catch (err) {
      if (DbtCommandLineError.is(err) || DbtUntrustedError.is(err)) return refuse(err instanceof DbtCommandLineError ? err.userMessage : err.message);
      throw err;
    }
    const resource = target.node.uniqueId;
    await this.record(`dbt-${command}`, resource, 'started');
    let exitCode: number | undefined;
    try {
      exitCode = await runDbtTask(task);
    } catch (err) {
      await this.record(`dbt-${command}`, resource, 'failed', 'taskFailed');
      return refuse(`dbt could not be started: ${err instanceof Error ? err.message : String(err)}. Check gatehouse.dbt.executablePath.`);
    }
    await this.record(`dbt-${command}`, resource, exitCode === 0 ? 'succeeded' : 'failed', exitCode === 0 ? undefined : exitCode === undefined ? 'notStarted' : `exit${exitCode}`);
    // The watcher reloads run_results.json too; asking here makes the tree right when this resolves.
    this.d.projects.fileChanged(target.project.location.runResultsPath);
    await this.d.projects.whenIdle();
    if (exitCode === undefined) void this.d.ui().error(`dbt did not start. Check gatehouse.dbt.executablePath (now "${task.execution instanceof vscode.ProcessExecution ? task.execution.process : 'dbt'}").`);
    else if (exitCode !== 0) void this.d.ui().warn(`dbt ${command} ${target.node.name} ended with exit code ${exitCode}. See the terminal for details.`);
    return { kind: 'finished', exitCode, args };
  }

  private async record(action: string, resource: string, outcome: AuditRecord['outcome'], reason?: string): Promise<void> {
    const actor = this.d.actor();
    try {
      await this.d.audit.record({ actor: actor ?? { subject: `local:${os.userInfo().username}` }, credential: 'local-cli', service: 'dbt', action, resource, outcome, reason });
    } catch (err) {
      this.d.logger.error(`could not write the audit record for ${action}`, err);
    }
  }

  // ---- compiled SQL and preview ------------------------------------------------------------

  private async code(project: DbtProjectState, node: DbtNode): Promise<{ rawCode?: string; compiledCode?: string } | undefined> {
    const index = project.index!;
    try {
      return await index.readCode(node.uniqueId);
    } catch (err) {
      if (DbtManifestError.is(err, 'stale')) {
        // The manifest changed since it was indexed: reload once and read from the new one.
        await this.d.projects.reloadNow(project.key);
        const fresh = this.d.projects.get(project.key)?.index;
        if (fresh && fresh !== index) return fresh.readCode(node.uniqueId).catch(() => undefined);
      }
      await this.d.ui().error(DbtManifestError.is(err) ? err.userMessage : `The code of ${node.name} could not be read from the manifest.`);
      return undefined;
    }
  }

  async showCompiledSql(arg: NodeArg): Promise<vscode.TextDocument | undefined> {
    const target = await this.resolve(arg);
    if (!target) return undefined;
    const code = await this.code(target.project, target.node);
    if (!code) return undefined;
    const content = code.compiledCode ?? `-- ${target.node.name} is not compiled in this manifest: run \`dbt compile --select ${target.node.name}\`. Its source:\n${code.rawCode ?? ''}`;
    const doc = await vscode.workspace.openTextDocument({ language: 'sql', content });
    await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
    return doc;
  }

  async preview(arg: NodeArg): Promise<void> {
    if (!this.d.can('bigquery.query')) {
      await this.d.ui().warn('Sign in to preview a model on BigQuery. "Show Compiled SQL" works without signing in.');
      return;
    }
    const wired = this.d.preview();
    if (!wired) {
      await this.d.ui().warn('Previewing needs a BigQuery connection: check the gatehouse.bigquery settings. "Show Compiled SQL" works without it.');
      return;
    }
    const target = await this.resolve(arg);
    if (!target) return;
    const code = await this.code(target.project, target.node);
    if (!code?.compiledCode) {
      await this.d.ui().warn(`${target.node.name} is not compiled in this manifest: run dbt compile for it first.`);
      return;
    }
    const handle = wired.presenter.open({ title: `Preview: ${target.node.name}`, ownerKey: `dbt:${target.node.uniqueId}`, origin: `dbt · ${wired.runner.origin}` });
    const abort = new AbortController();
    const sub = handle.onDidRequestCancel(() => abort.abort());
    handle.setRunning(`Running the compiled SQL of ${target.node.name} (limited)…`);
    const actor = this.d.actor();
    const resource = target.node.relationName ?? target.node.uniqueId;
    try {
      const result = await wired.runner.run(previewSql(code.compiledCode), { signal: abort.signal });
      await this.d.audit.record({ actor: actor ?? { subject: 'unknown' }, credential: 'google-federation', service: 'bigquery', action: 'preview-dbt-model', resource, jobIds: [result.jobId], outcome: 'succeeded' }).catch(() => undefined);
      handle.setResult(result.source, result.stats);
    } catch (err) {
      const reason = (err as { reason?: string })?.reason ?? 'error';
      await this.d.audit.record({ actor: actor ?? { subject: 'unknown' }, credential: 'google-federation', service: 'bigquery', action: 'preview-dbt-model', resource, outcome: reason === 'cancelled' ? 'cancelled' : reason === 'accessDenied' ? 'denied' : 'failed', reason }).catch(() => undefined);
      const e = err as { message?: string; nextStep?: string };
      handle.setError(e.message ?? 'The preview failed.', e.nextStep);
    } finally {
      sub.dispose();
    }
  }

  // ---- dbt Cloud --------------------------------------------------------------------------

  private jobOf(arg: JobArg): DbtCloudJob | undefined {
    const id = typeof arg === 'number' ? arg : arg?.kind === 'cloudJob' ? arg.jobId : undefined;
    return id === undefined ? undefined : this.d.cloud.job(id);
  }

  async trigger(arg: JobArg): Promise<DbtCloudRun | undefined> {
    const job = this.jobOf(arg) ?? (await this.pickJob('Trigger a dbt Cloud run'));
    if (!job) return undefined;
    const ui = this.d.ui();
    // Refused before any confirmation: cloudActions audits the refusal and says who grants it.
    if (this.d.can('dbtCloud.trigger') && !(await ui.confirm(`Trigger a run of "${job.name}" in dbt Cloud?`, `Steps: ${job.executeSteps.join(' ; ') || '(the job’s own)'}. The run names you as its cause.`, 'Trigger Run'))) return undefined;
    const outcome = await this.d.cloudActions.trigger(job);
    if (outcome.kind === 'notAllowed' || outcome.kind === 'denied') {
      void ui.error(outcome.message);
      return undefined;
    }
    if (outcome.kind === 'failed') {
      void ui.error(`Could not trigger "${job.name}": ${outcome.error.userMessage}`);
      return undefined;
    }
    const run = outcome.run;
    this.d.cloud.updateRun(run);
    this.follow(job, run);
    return run;
  }

  private follow(job: DbtCloudJob, run: DbtCloudRun): void {
    const stop = new AbortController();
    this.d.onSessionEnd(() => stop.abort());
    const following = Promise.resolve(
      vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `dbt Cloud: ${job.name} #${run.id}`, cancellable: this.d.can('dbtCloud.cancel') },
        async (progress, token) => {
          token.onCancellationRequested(() => void this.cancel(job.id, run.id));
          progress.report({ message: run.statusLabel });
          return this.d.cloudActions.follow(job, run.id, {
            signal: stop.signal,
            audited: true,
            onUpdate: (r) => {
              this.d.cloud.updateRun(r);
              const step = r.steps.find((s) => s.status === 'running');
              progress.report({ message: `${r.statusLabel}${step ? `: ${step.name}` : ''}` });
            },
          });
        },
      ),
    );
    this.following.set(run.id, following);
    void following.then(async (outcome) => {
      this.d.refreshCloud();
      const ui = this.d.ui();
      if (outcome.kind === 'failed') void ui.warn(`Stopped following run #${run.id} of "${job.name}": ${outcome.error.userMessage}`);
      if (outcome.kind !== 'finished') return;
      const r = outcome.run;
      const failure = runFailureText(r);
      const words = `Run #${r.id} of "${job.name}" ${r.status === 'success' ? 'succeeded' : r.status === 'cancelled' ? 'was cancelled' : `failed${failure ? `: ${failure}` : ''}`}.`;
      const open = r.href ? 'Open in dbt Cloud' : undefined;
      const answer = await (r.status === 'error' ? ui.error(words, ...(open ? [open] : [])) : ui.info(words, ...(open ? [open] : [])));
      if (answer && r.href) await ui.openExternal(r.href);
    });
  }

  async cancel(arg: JobArg, runId?: number): Promise<DbtCloudRun | undefined> {
    const job = this.jobOf(arg) ?? (await this.pickJob('Cancel a dbt Cloud run'));
    if (!job) return undefined;
    const id = runId ?? this.d.cloud.latestRun(job)?.id;
    const ui = this.d.ui();
    if (id === undefined) {
      void ui.info(`"${job.name}" has no run to cancel.`);
      return undefined;
    }
    const outcome = await this.d.cloudActions.cancel(job, id);
    switch (outcome.kind) {
      case 'cancelled':
        this.d.cloud.updateRun(outcome.run);
        void ui.info(`Cancelled run #${id} of "${job.name}".`);
        return outcome.run;
      case 'alreadyFinished':
        void ui.info(`Run #${id} of "${job.name}" had already finished (${outcome.run.statusLabel}).`);
        return outcome.run;
      case 'notAllowed':
      case 'denied':
        void ui.error(outcome.message);
        return undefined;
      case 'failed':
        void ui.error(`Could not cancel run #${id}: ${outcome.error.userMessage}`);
        return undefined;
    }
  }

  async openRun(arg: JobArg): Promise<string | undefined> {
    const job = this.jobOf(arg) ?? (await this.pickJob('Open a dbt Cloud run'));
    const href = job && this.d.cloud.latestRun(job)?.href;
    if (!job) return undefined;
    if (!href) {
      void this.d.ui().info(`"${job.name}" has no run to open.`);
      return undefined;
    }
    await this.d.ui().openExternal(href);
    return href;
  }

  private async pickJob(title: string): Promise<DbtCloudJob | undefined> {
    const s = this.d.cloud.state;
    if (s.kind !== 'loaded' || !s.jobs.length) {
      void this.d.ui().info('No dbt Cloud jobs are loaded. Check the dbt Cloud settings and refresh.');
      return undefined;
    }
    const picked = await this.d.ui().pick(
      s.jobs.map((j) => ({ label: j.name, description: this.d.cloud.latestRun(j)?.statusLabel, job: j })),
      { title },
    );
    return picked?.job;
  }

  private async setToken(): Promise<void> {
    const token = await this.d.ui().input({
      title: 'dbt Cloud personal access token',
      prompt: 'From dbt Cloud > Account settings > API tokens. Kept in your OS keychain, never in settings.',
      password: true,
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() && !/\s/.test(v.trim()) ? undefined : 'Paste the token (no spaces).'),
    });
    if (!token) return;
    await this.d.secrets.store(DBT_CLOUD_TOKEN_KEY, token.trim());
    void this.d.ui().info('dbt Cloud token saved.');
  }

  private async clearToken(): Promise<void> {
    await this.d.secrets.delete(DBT_CLOUD_TOKEN_KEY);
  }
}

function safeSelector(node: DbtNode, scope: DbtScope): string | undefined {
  try {
    return `--select ${selectorFor(node, scope)}`;
  } catch {
    return undefined;
  }
}
