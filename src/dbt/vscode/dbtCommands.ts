// dbt and dbt Cloud commands (thin): open, reveal, filter, lineage, run/build/test/compile/ls as tasks (problems after each),
// compiled SQL and its BigQuery preview, and dbt Cloud trigger/follow/cancel/open/token. Decisions
// live in vscode-free code (selectors and argv in dbtCommandLine, roles/audit/403 in
// DbtCloudActions); this file asks the person and shows outcomes.
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { offerExplainAccess } from '../../vscode/accessDenied';
import type { SecretStore } from '../../core/originSecrets';
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
import { previewModel, type DbtPreviewRunner } from '../modelPreview';
import { BIGQUERY_SECTION, readBigQuerySettings } from '../../bigquery/settings';
import { approximateCost } from '../../bigquery/queryRunner';
import { Formatter } from '../../core/format';
import type { DbtProjectState, DbtProjectsModel } from '../projectsModel';
import type { DbtTreeDataProvider, DbtTreeElement } from './dbtTreeDataProvider';
import { plain, plainLines, safe } from '../../core/displayText';
import { dbtDiagnostics, dbtLogFile, dbtLogOffset, readDbtJsonLog, readDbtLogSince } from '../dbtDiagnostics';
import { DbtCompiledSqlProvider } from './compiledSqlProvider';
import type { DbtProblems } from './dbtProblems';
import { runFailureText } from '../cloud/runFailure';

export const DBT_CLOUD_TOKEN_KEY = 'gatehouse.dbtCloud.personalToken';
/** A service token (`dbtc_`) is kept apart: switching gatehouse.dbtCloud.credential never sends one as the other. */
export const DBT_CLOUD_SERVICE_TOKEN_KEY = 'gatehouse.dbtCloud.serviceToken';

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
  info: (m, ...a) => vscode.window.showInformationMessage(plain(m), ...a),
  warn: (m, ...a) => vscode.window.showWarningMessage(plain(m), ...a),
  error: (m, ...a) => vscode.window.showErrorMessage(plain(m), ...a),
  confirm: async (message, detail, action) => (await vscode.window.showWarningMessage(plain(message), { modal: true, detail: plainLines(detail) }, action)) === action,
  input: (o) => vscode.window.showInputBox(o),
  pick: (items, o) => vscode.window.showQuickPick(items, o),
  openExternal: (url) => vscode.env.openExternal(vscode.Uri.parse(url)),
};

export interface DbtCommandDeps {
  projects: DbtProjectsModel;
  /** Looks for dbt_project.yml files again (a file watcher can miss a new project under load). */
  discover: () => Promise<void>;
  tree: DbtTreeDataProvider;
  view: vscode.TreeView<DbtTreeElement>;
  lineage: LineagePanelManager;
  cloud: DbtCloudJobsModel;
  cloudActions: DbtCloudActions;
  ui: () => DbtUi;
  /** The service's own credentials, bound to its origin. */
  secrets: SecretStore;
  /** Which token Set/Clear dbt Cloud Token handle (gatehouse.dbtCloud.credential). */
  tokenKind: () => 'personalToken' | 'serviceToken';
  /** After Set/Clear dbt Cloud Token: the view and the client follow. */
  tokenChanged: () => Promise<void>;
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
  /** dbt's errors in the Problems view. */
  problems: DbtProblems;
  /** Reads a project file for problem placement (undefined when unreadable). */
  readText: (file: string) => Promise<string | undefined>;
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
  private readonly fmt = new Formatter({ locale: vscode.env.language });

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
      r('gatehouse.dbt.ls', run('ls')),
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
    await this.d.discover();
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
      (p.index?.nodesByType('model') ?? []).map((n) => ({ label: plain(n.name), description: plain(p.name), detail: plainLines(n.originalFilePath), project: p, node: n })),
    );
    if (!items.length) {
      await this.d.ui().info(vscode.l10n.t('No dbt manifest is loaded: run `dbt parse` in your project first.'));
      return undefined;
    }
    const picked = await this.d.ui().pick(items, { title: vscode.l10n.t('dbt model'), matchOnDescription: true, matchOnDetail: true });
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
      await this.d.ui().info(safe`${target.node.name} has no file in this project.`);
      return undefined;
    }
    try {
      return await vscode.window.showTextDocument(uri, { preview: true, viewColumn: vscode.ViewColumn.One });
    } catch {
      await this.d.ui().warn(safe`The file of ${target.node.name} (${vscode.workspace.asRelativePath(uri)}) cannot be opened. The manifest may be older than the project: run dbt parse.`);
      return undefined;
    }
  }

  async revealCurrentFile(): Promise<DbtTreeElement | undefined> {
    const file = vscode.window.activeTextEditor?.document.uri;
    const project = file?.scheme === 'file' ? this.d.projects.projectOf(file.fsPath) : undefined;
    const node = project && file ? project.index?.findByFile(path.relative(project.key, file.fsPath))[0] : undefined;
    if (!project || !node) {
      await this.d.ui().info(vscode.l10n.t('The active file is not a node of a loaded dbt manifest.'));
      return undefined;
    }
    if (this.d.tree.filter && !node.name.toLowerCase().includes(this.d.tree.filter)) this.d.tree.setFilter('');
    const element = this.d.tree.elementOf(project.key, node.uniqueId);
    if (!element) return undefined;
    await this.d.view.reveal(element, { select: true, focus: false, expand: true });
    return element;
  }

  private async filter(text?: string): Promise<void> {
    const value = text ?? (await this.d.ui().input({ title: vscode.l10n.t('Filter dbt nodes by name'), value: this.d.tree.filter, placeHolder: vscode.l10n.t('part of a name, e.g. orders') }));
    if (value === undefined) return;
    this.d.tree.setFilter(value);
    this.d.view.description = value.trim() ? safe`filter: ${value.trim()}` : undefined;
    await vscode.commands.executeCommand('setContext', 'gatehouse.dbt.filtered', !!value.trim());
  }

  private async groupBy(key?: DbtGroupKey): Promise<void> {
    const choices: DbtGroupKey[] = ['folder', 'package', 'tag', 'materialization'];
    const chosen = key ?? (await this.d.ui().pick(choices.map((c) => ({ label: plain(c) })), { title: vscode.l10n.t('Group dbt models by') }))?.label;
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
      await this.d.ui().error(plain(message));
      return { kind: 'refused', message };
    };
    if (!vscode.workspace.isTrusted) return refuse(new DbtUntrustedError().message);
    if (!this.d.can('dbt.run')) return refuse(this.d.refusal('dbt.run'));
    const target = await this.resolve(arg);
    if (!target) return { kind: 'notStarted' };
    const chosen =
      scope ??
      (await this.d.ui().pick(
        DBT_SCOPES.map((s) => ({ label: safe`dbt ${command} ${safeSelector(target.node, s) ?? ''}`, description: plain(describeScope(s)), scope: s })),
        { title: safe`dbt ${command}: ${target.node.name}` },
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
    const logFile = dbtLogFile(target.project.key, process.env);
    const logOffset = await dbtLogOffset(logFile);
    await this.record(`dbt-${command}`, resource, 'started');
    let exitCode: number | undefined;
    try {
      exitCode = await runDbtTask(task);
    } catch (err) {
      await this.record(`dbt-${command}`, resource, 'failed', 'taskFailed');
      return refuse(safe`dbt could not be started: ${err instanceof Error ? err.message : String(err)}. Check gatehouse.dbt.executablePath.`);
    }
    await this.record(`dbt-${command}`, resource, exitCode === 0 ? 'succeeded' : 'failed', exitCode === 0 ? undefined : exitCode === undefined ? 'notStarted' : `exit${exitCode}`);
    // The watcher reloads run_results.json too; asking here makes the tree right when this resolves.
    this.d.projects.fileChanged(target.project.location.runResultsPath);
    this.d.projects.fileChanged(target.project.location.manifestPath);
    await this.d.projects.whenIdle();
    if (exitCode !== undefined) await this.showProblems(target.project.key, logFile, logOffset);
    if (exitCode === undefined) void this.d.ui().error(safe`dbt did not start. Check gatehouse.dbt.executablePath (now "${task.execution instanceof vscode.ProcessExecution ? task.execution.process : 'dbt'}").`);
    else if (exitCode !== 0) void this.d.ui().warn(safe`dbt ${command} ${target.node.name} ended with exit code ${exitCode}. See the terminal for details.`);
    return { kind: 'finished', exitCode, args };
  }

  /** Problems of the run that just ended: its JSON log lines, and run_results.json when it is this run's. */
  private async showProblems(projectKey: string, logFile: string, logOffset: number): Promise<void> {
    try {
      const events = readDbtJsonLog(await readDbtLogSince(logFile, logOffset));
      const project = this.d.projects.get(projectKey);
      const invocation = events.at(-1)?.invocationId;
      // A run that failed before running anything leaves the previous run_results.json in place.
      const runResults = project?.runResults && (!invocation || project.runResults.invocationId === invocation) ? project.runResults : undefined;
      const index = project?.index;
      // The files of nodes that did not succeed, read once, to place database errors on their line.
      const failed = new Set<string>();
      for (const e of events) {
        const id = (e.data.node_info as { unique_id?: unknown } | undefined)?.unique_id;
        if (e.level === 'error' && typeof id === 'string') failed.add(id);
      }
      for (const r of runResults?.results.values() ?? []) if (r.status !== 'success' && r.status !== 'pass' && r.status !== 'skipped') failed.add(r.uniqueId);
      const sources = new Map<string, string | undefined>();
      for (const id of failed) {
        const file = index?.getNode(id)?.originalFilePath;
        if (file && !sources.has(file) && sources.size < 200) sources.set(file, await this.d.readText(path.join(projectKey, file)));
      }
      const problems = dbtDiagnostics({
        events,
        runResults,
        fileOf: (id) => index?.getNode(id)?.originalFilePath,
        readSource: (file) => sources.get(file),
      });
      this.d.problems.set(projectKey, problems);
      this.d.logger.info(`dbt: ${problems.length} problem${problems.length === 1 ? '' : 's'} from the last run of ${project?.name ?? projectKey}`);
    } catch (err) {
      this.d.logger.warn(`dbt problems could not be read: ${err instanceof Error ? err.message : String(err)}`);
    }
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
      await this.d.ui().error(DbtManifestError.is(err) ? plain(err.userMessage) : safe`The code of ${node.name} could not be read from the manifest.`);
      return undefined;
    }
  }

  async showCompiledSql(arg: NodeArg): Promise<vscode.TextDocument | undefined> {
    const target = await this.resolve(arg);
    if (!target) return undefined;
    const code = await this.code(target.project, target.node);
    if (!code) return undefined;
    // A read-only virtual document that follows manifest reloads (see compiledSqlProvider.ts).
    const uri = DbtCompiledSqlProvider.uriOf(target.project.key, target.node.uniqueId, target.node.name);
    const doc = await vscode.languages.setTextDocumentLanguage(await vscode.workspace.openTextDocument(uri), 'sql');
    await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
    return doc;
  }

  async preview(arg: NodeArg): Promise<void> {
    if (!this.d.can('bigquery.query')) {
      await this.d.ui().warn(vscode.l10n.t('Sign in to preview a model on BigQuery. "Show Compiled SQL" works without signing in.'));
      return;
    }
    const wired = this.d.preview();
    if (!wired) {
      await this.d.ui().warn(vscode.l10n.t('Previewing needs a BigQuery connection: check the gatehouse.bigquery settings. "Show Compiled SQL" works without it.'));
      return;
    }
    const target = await this.resolve(arg);
    if (!target) return;
    const code = await this.code(target.project, target.node);
    if (!code?.compiledCode?.trim()) {
      await this.d.ui().warn(safe`${target.node.name} is not compiled in this manifest: run dbt compile for it first.`);
      return;
    }
    const previewResource = target.node.relationName ?? target.node.uniqueId;
    const handle = wired.presenter.open({
      title: safe`Preview: ${target.node.name}`,
      ownerKey: `dbt:${target.node.uniqueId}`,
      origin: `dbt · ${wired.runner.origin}`,
      exportAudit: () => ({ service: 'bigquery', resource: previewResource, resourceName: target.node.name, credential: 'google-federation' }),
    });
    const abort = new AbortController();
    const sub = handle.onDidRequestCancel(() => abort.abort());
    handle.setRunning(safe`Checking the compiled SQL of ${target.node.name} with a dry run…`);
    try {
      await previewModel(
        wired.runner,
        {
          compiledCode: code.compiledCode,
          resource: previewResource,
          actor: this.d.actor() ?? { subject: 'unknown' },
          credential: 'google-federation',
          options: {
            signal: abort.signal,
            // The compiled SQL is the workspace's: it runs only where the person trusted it.
            trusted: vscode.workspace.isTrusted,
            cost: readBigQuerySettings((key, fallback) => vscode.workspace.getConfiguration(BIGQUERY_SECTION).get(key, fallback)).cost,
            confirmCost: (bytes) =>
              Promise.resolve(this.d.ui().confirm(
                safe`Previewing ${target.node.name} will process ${this.fmt.bytes(bytes)} (${approximateCost(bytes, this.fmt)} on demand).`,
                vscode.l10n.t('That is above gatehouse.bigquery.confirmAboveBytes; a LIMIT does not lower the bytes processed. Run it anyway?'),
                vscode.l10n.t('Run Preview'),
              )),
          },
        },
        handle,
        this.d.audit,
      );
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
    const job = this.jobOf(arg) ?? (await this.pickJob(vscode.l10n.t('Trigger a dbt Cloud run')));
    if (!job) return undefined;
    const ui = this.d.ui();
    const steps = job.executeSteps.join(' ; ');
    // Refused before any confirmation: cloudActions audits the refusal and says who grants it.
    const confirmed =
      !this.d.can('dbtCloud.trigger') ||
      (await ui.confirm(
        safe`Trigger a run of "${job.name}" in dbt Cloud?`,
        steps ? safe`Steps: ${steps}. The run names you as its cause.` : vscode.l10n.t('Steps: (the job’s own). The run names you as its cause.'),
        vscode.l10n.t('Trigger Run'),
      ));
    if (!confirmed) return undefined;
    const outcome = await this.d.cloudActions.trigger(job);
    if (outcome.kind === 'denied') {
      void offerExplainAccess(ui, outcome.message, { service: 'dbt Cloud', what: vscode.l10n.t('trigger a run of job "{0}"', job.name), error: outcome.error });
      return undefined;
    }
    if (outcome.kind === 'notAllowed') {
      void ui.error(plain(outcome.message));
      return undefined;
    }
    if (outcome.kind === 'failed') {
      void ui.error(safe`Could not trigger "${job.name}": ${outcome.error.userMessage}`);
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
        { location: vscode.ProgressLocation.Notification, title: safe`dbt Cloud: ${job.name} #${run.id}`, cancellable: this.d.can('dbtCloud.cancel') },
        async (progress, token) => {
          token.onCancellationRequested(() => void this.cancel(job.id, run.id));
          progress.report({ message: plain(run.statusLabel) });
          return this.d.cloudActions.follow(job, run.id, {
            signal: stop.signal,
            audited: true,
            onUpdate: (r) => {
              this.d.cloud.updateRun(r);
              const step = r.steps.find((s) => s.status === 'running');
              progress.report({ message: safe`${r.statusLabel}${step ? `: ${step.name}` : ''}` });
            },
          });
        },
      ),
    );
    this.following.set(run.id, following);
    void following.then(async (outcome) => {
      this.d.refreshCloud();
      const ui = this.d.ui();
      if (outcome.kind === 'failed') void ui.warn(safe`Stopped following run #${run.id} of "${job.name}": ${outcome.error.userMessage}`);
      if (outcome.kind !== 'finished') return;
      const r = outcome.run;
      const failure = runFailureText(r);
      const words =
        r.status === 'success'
          ? safe`Run #${r.id} of "${job.name}" succeeded.`
          : r.status === 'cancelled'
            ? safe`Run #${r.id} of "${job.name}" was cancelled.`
            : failure
              ? safe`Run #${r.id} of "${job.name}" failed: ${failure}.`
              : safe`Run #${r.id} of "${job.name}" failed.`;
      const open = r.href ? vscode.l10n.t('Open in dbt Cloud') : undefined;
      const answer = await (r.status === 'error' ? ui.error(plain(words), ...(open ? [open] : [])) : ui.info(plain(words), ...(open ? [open] : [])));
      if (answer && r.href) await ui.openExternal(r.href);
    });
  }

  async cancel(arg: JobArg, runId?: number): Promise<DbtCloudRun | undefined> {
    const job = this.jobOf(arg) ?? (await this.pickJob(vscode.l10n.t('Cancel a dbt Cloud run')));
    if (!job) return undefined;
    const id = runId ?? this.d.cloud.latestRun(job)?.id;
    const ui = this.d.ui();
    if (id === undefined) {
      void ui.info(safe`"${job.name}" has no run to cancel.`);
      return undefined;
    }
    const outcome = await this.d.cloudActions.cancel(job, id);
    switch (outcome.kind) {
      case 'cancelled':
        this.d.cloud.updateRun(outcome.run);
        void ui.info(safe`Cancelled run #${id} of "${job.name}".`);
        return outcome.run;
      case 'alreadyFinished':
        void ui.info(safe`Run #${id} of "${job.name}" had already finished (${outcome.run.statusLabel}).`);
        return outcome.run;
      case 'denied':
        void offerExplainAccess(ui, outcome.message, { service: 'dbt Cloud', what: vscode.l10n.t('cancel run #{0} of job "{1}"', id, job.name), error: outcome.error });
        return undefined;
      case 'notAllowed':
        void ui.error(plain(outcome.message));
        return undefined;
      case 'failed':
        void ui.error(safe`Could not cancel run #${id}: ${outcome.error.userMessage}`);
        return undefined;
    }
  }

  async openRun(arg: JobArg): Promise<string | undefined> {
    const job = this.jobOf(arg) ?? (await this.pickJob(vscode.l10n.t('Open a dbt Cloud run')));
    const href = job && this.d.cloud.latestRun(job)?.href;
    if (!job) return undefined;
    if (!href) {
      void this.d.ui().info(safe`"${job.name}" has no run to open.`);
      return undefined;
    }
    await this.d.ui().openExternal(href);
    return href;
  }

  private async pickJob(title: string): Promise<DbtCloudJob | undefined> {
    const s = this.d.cloud.state;
    if (s.kind !== 'loaded' || !s.jobs.length) {
      void this.d.ui().info(vscode.l10n.t('No dbt Cloud jobs are loaded. Check the dbt Cloud settings and refresh.'));
      return undefined;
    }
    const picked = await this.d.ui().pick(
      s.jobs.map((j) => ({ label: plain(j.name), description: plain(this.d.cloud.latestRun(j)?.statusLabel), job: j })),
      { title },
    );
    return picked?.job;
  }

  private async setToken(): Promise<void> {
    const service = this.d.tokenKind() === 'serviceToken';
    const token = await this.d.ui().input({
      title: service ? vscode.l10n.t('dbt Cloud service token') : vscode.l10n.t('dbt Cloud personal access token'),
      prompt: service
        ? vscode.l10n.t('From dbt Cloud > Account settings > Service tokens (dbtc_...). It acts with its permission set, not as you. Kept in your OS keychain, never in settings.')
        : vscode.l10n.t('From dbt Cloud > Account settings > API tokens. Kept in your OS keychain, never in settings.'),
      password: true,
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() && !/\s/.test(v.trim()) ? undefined : vscode.l10n.t('Paste the token (no spaces).')),
    });
    if (!token) return;
    await this.d.secrets.store(service ? DBT_CLOUD_SERVICE_TOKEN_KEY : DBT_CLOUD_TOKEN_KEY, token.trim());
    await this.d.tokenChanged();
    void this.d.ui().info(service ? vscode.l10n.t('dbt Cloud service token saved.') : vscode.l10n.t('dbt Cloud token saved.'));
  }

  private async clearToken(): Promise<void> {
    await this.d.secrets.delete(this.d.tokenKind() === 'serviceToken' ? DBT_CLOUD_SERVICE_TOKEN_KEY : DBT_CLOUD_TOKEN_KEY);
    await this.d.tokenChanged();
  }
}

function safeSelector(node: DbtNode, scope: DbtScope): string | undefined {
  try {
    return `--select ${selectorFor(node, scope)}`;
  } catch {
    return undefined;
  }
}
