// Queries from editors and from history: picks the SQL (file, selection or the statement under
// the cursor), asks for @parameters, runs it through BigQueryQueryRunner under a cancellable
// progress notification, marks syntax errors in the editor and records the run in the history.
import * as vscode from 'vscode';
import { BigQueryError, missingPermission } from '../errors';
import type { BigQueryConnection } from '../connection';
import type { BigQueryClient } from '../client';
import type { QueryHistory } from '../queryHistory';
import { Formatter } from '../../core/format';
import { BigQueryQueryRunner, approximateCost, type CostSettings, type QueryOutcome } from '../queryRunner';
import { namedParameters, statementAt } from '../sql';
import type { QueryParameter, TableRef } from '../types';
import type { AuditTrail } from '../../audit/auditTrail';
import type { Logger } from '../../core/logger';
import type { ResultsPanelHandle, ResultsPresenter } from '../../results/resultsPresenter';
import type { RoleModel } from '../../policy/roleModel';
import { explainDenied } from '../../policy/roles';
import type { TokenBroker } from '../../auth/tokenBroker';
import type { Estimate, EstimateTarget } from './costEstimateStatusBar';
import type { ParameterPrompt } from './parameterPrompt';
import { plain, safe } from '../../core/displayText';
import { offerExplainAccess, type DeniedUi } from '../../vscode/accessDenied';
import { vscodeServiceUi } from '../../vscode/serviceUi';
import { describeTarget, targetOfDenial } from '../accessCheck';

export const QUERY_LANGUAGES = ['sql', 'bqsql'];

export type RunMode = 'statement' | 'selection' | 'file';

export interface QueryEditorControllerDeps {
  connection: BigQueryConnection;
  presenter: ResultsPresenter;
  audit: AuditTrail;
  broker: TokenBroker;
  roles: RoleModel;
  history: QueryHistory;
  parameters: ParameterPrompt;
  diagnostics: vscode.DiagnosticCollection;
  costSettings: () => CostSettings;
  logger: Logger;
  /** Called after every run (history view refresh). */
  onDidRun?: () => void;
  /** Where a refusal is told, with "Explain Access" (tests pass a recording one). Default: VS Code's notifications. */
  ui?: () => DeniedUi;
}

/** The SQL to run and where it starts in its document (to place error markers). */
export function queryIn(document: vscode.TextDocument, mode: RunMode, selection?: vscode.Selection, offset?: number): EstimateTarget | undefined {
  const text = document.getText();
  if (mode === 'file') return trimmed(document, text, 0);
  if (selection && !selection.isEmpty && offset === undefined) return trimmed(document, document.getText(selection), document.offsetAt(selection.start));
  if (mode === 'selection') return undefined;
  const at = offset ?? (selection ? document.offsetAt(selection.active) : 0);
  const span = statementAt(text, at);
  return span && { document, sql: span.text, base: span.start };
}

function trimmed(document: vscode.TextDocument, text: string, start: number): EstimateTarget | undefined {
  const sql = text.trim();
  return sql ? { document, sql, base: start + (text.length - text.trimStart().length) } : undefined;
}

export class QueryEditorController implements vscode.Disposable {
  private readonly running = new Set<AbortController>();
  private readonly fmt = new Formatter({ locale: vscode.env.language });
  /** Plain .sql files this user sent to BigQuery (run or estimate); see estimatesAutomatically. */
  private readonly bigQueryDocuments = new Set<string>();
  private last: QueryOutcome | undefined;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly deps: QueryEditorControllerDeps) {
    this.subscriptions = [
      // A marker from the last run is stale as soon as the text changes.
      vscode.workspace.onDidChangeTextDocument((e) => e.contentChanges.length && deps.diagnostics.delete(e.document.uri)),
      vscode.workspace.onDidCloseTextDocument((d) => {
        deps.diagnostics.delete(d.uri);
        this.bigQueryDocuments.delete(d.uri.toString());
      }),
    ];
  }

  /**
   * Whether to dry-run this document while it is edited. A .sql file may be Postgres or anything
   * else: its text goes to BigQuery only once the user ran or estimated it there; .bqsql always.
   */
  estimatesAutomatically(document: vscode.TextDocument): boolean {
    return document.languageId === 'bqsql' || (document.languageId === 'sql' && this.bigQueryDocuments.has(document.uri.toString()));
  }

  get runningCount(): number {
    return this.running.size;
  }

  get lastOutcome(): QueryOutcome | undefined {
    return this.last;
  }

  async runFromEditor(mode: RunMode, uri?: vscode.Uri, offset?: number): Promise<QueryOutcome | undefined> {
    const editor = vscode.window.activeTextEditor;
    const document = uri ? await vscode.workspace.openTextDocument(uri) : editor?.document;
    if (!document) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Open a .sql or .bqsql file to run a BigQuery query.'));
      return undefined;
    }
    const selection = editor?.document === document ? editor.selection : undefined;
    const target = queryIn(document, mode, selection, offset);
    if (!target) {
      void vscode.window.showInformationMessage(mode === 'selection' ? vscode.l10n.t('Select the SQL to run first.') : vscode.l10n.t('There is no SQL here to run.'));
      return undefined;
    }
    this.bigQueryDocuments.add(document.uri.toString());
    const name = document.uri.path.split('/').pop() ?? 'query';
    const title = mode === 'file' ? name : vscode.l10n.t('{0} · line {1}', name, document.positionAt(target.base).line + 1);
    return this.run(target.sql, { title, ownerKey: document.uri.toString(), target });
  }

  /** Runs SQL that has no editor (history); asks for parameters unless given. */
  runSql(sql: string, params?: QueryParameter[], ownerKey?: string): Promise<QueryOutcome | undefined> {
    return this.run(sql, { title: vscode.l10n.t('BigQuery (history)'), ownerKey, params });
  }

  async previewTable(table: TableRef): Promise<QueryOutcome | undefined> {
    const runner = this.runner();
    if (!runner || !this.allowed('bigquery.preview')) return undefined;
    const outcome = await this.track((signal) => runner.previewTable(table, signal), vscode.l10n.t('Reading {0}…', table.tableId));
    this.tellDenied(outcome, 'preview', { kind: 'table', ...table });
    return outcome;
  }

  /**
   * BigQuery said accessDenied: the results panel has the sentence; the notification offers the
   * explanation, with what BigQuery tests on the resource it named (or the previewed table).
   */
  private tellDenied(outcome: QueryOutcome, what: 'query' | 'preview', fallback?: { kind: 'table'; projectId: string; datasetId: string; tableId: string }): void {
    const e = outcome.error;
    if (e?.reason !== 'accessDenied') return;
    const target = targetOfDenial(e.message) ?? fallback;
    const on = target && describeTarget(target);
    // The notification and what was asked, one whole sentence each per case (for translations).
    const [message, asked] =
      what === 'query'
        ? on
          ? [safe`BigQuery refused the query on ${on}: ${e.message}`, vscode.l10n.t('run a query on {0}', on)]
          : [safe`BigQuery refused the query: ${e.message}`, vscode.l10n.t('run a query')]
        : on
          ? [safe`BigQuery refused the preview on ${on}: ${e.message}`, vscode.l10n.t('preview on {0}', on)]
          : [safe`BigQuery refused the preview: ${e.message}`, vscode.l10n.t('preview')];
    void offerExplainAccess((this.deps.ui ?? (() => vscodeServiceUi))(), message, {
      service: 'BigQuery',
      what: asked,
      missing: missingPermission(e.message),
      reported: e.message,
      target: target && { service: 'bigquery', ...target },
    });
  }

  /** A dry run of what the editor would run, for the status bar and the Estimate lens. */
  async estimate(target: EstimateTarget, signal: AbortSignal): Promise<Estimate> {
    let client: BigQueryClient | undefined;
    try {
      client = this.deps.connection.client();
    } catch {
      return { kind: 'unavailable' };
    }
    if (!client) return { kind: 'unavailable' };
    const names = namedParameters(target.sql);
    const params = names.length ? this.deps.parameters.known(target.document.uri.toString(), names) : undefined;
    if (names.length && !params) return { kind: 'needsParameters' };
    try {
      const dry = await client.dryRun(target.sql, { params, signal });
      return { kind: 'bytes', bytes: dry.totalBytesProcessed };
    } catch (err) {
      if (!BigQueryError.is(err) || err.reason === 'cancelled') return { kind: 'unavailable' };
      return { kind: 'error', error: err };
    }
  }

  /** Shows an estimate's error in the editor (syntax errors with a position), or clears it. */
  showEstimate(target: EstimateTarget, estimate: Estimate): void {
    if (estimate.kind === 'error') this.mark(target, estimate.error);
    else if (estimate.kind === 'bytes') this.deps.diagnostics.delete(target.document.uri);
  }

  /** The Estimate lens/command: a dry run of the statement, answered in a notification. */
  async estimateFromEditor(uri?: vscode.Uri, offset?: number): Promise<Estimate | undefined> {
    const editor = vscode.window.activeTextEditor;
    const document = uri ? await vscode.workspace.openTextDocument(uri) : editor?.document;
    if (!document) return undefined;
    const target = queryIn(document, 'statement', editor?.document === document ? editor.selection : undefined, offset);
    if (!target) return undefined;
    this.bigQueryDocuments.add(document.uri.toString());
    const result = await this.estimate(target, AbortSignal.timeout(30_000));
    this.showEstimate(target, result);
    const line = document.positionAt(target.base).line + 1;
    if (result.kind === 'bytes') void vscode.window.showInformationMessage(safe`The statement at line ${line} will process ${this.fmt.bytes(result.bytes)} (${approximateCost(result.bytes, this.fmt)} on demand). Dry run: not billed.`);
    else if (result.kind === 'needsParameters') void vscode.window.showInformationMessage(vscode.l10n.t('Run the statement once to enter its parameters; estimates then use the last values.'));
    else if (result.kind === 'error') void vscode.window.showWarningMessage(plain(result.error.userMessage));
    else void vscode.window.showInformationMessage(vscode.l10n.t('Sign in to BigQuery to estimate queries.'));
    return result;
  }

  cancelAll(): number {
    const n = this.running.size;
    for (const c of this.running) c.abort();
    return n;
  }

  dispose(): void {
    this.cancelAll();
    for (const s of this.subscriptions) s.dispose();
  }

  private async run(sql: string, o: { title: string; ownerKey?: string; target?: EstimateTarget; params?: QueryParameter[] }): Promise<QueryOutcome | undefined> {
    const runner = this.runner();
    if (!runner || !this.allowed('bigquery.query')) return undefined;
    let params = o.params;
    const names = namedParameters(sql);
    if (names.length && !params) {
      params = await this.deps.parameters.ask(o.ownerKey ?? 'history', names);
      if (!params) return undefined;
    }
    if (o.target) this.deps.diagnostics.delete(o.target.document.uri);
    const at = Date.now();
    const outcome = await this.track((signal) => runner.runQuery({ sql, params, title: plain(o.title), ownerKey: o.ownerKey, signal }), vscode.l10n.t('Running query…'));
    this.last = outcome;
    if (o.target && outcome.error) this.mark(o.target, outcome.error);
    this.tellDenied(outcome, 'query');
    await this.deps.history
      .add({ sql, params, at, status: outcome.status, job: outcome.job, bytesProcessed: outcome.stats?.bytesProcessed, ownerKey: o.ownerKey })
      .catch((err) => this.deps.logger.warn('could not save the query history', err));
    this.deps.onDidRun?.();
    return outcome;
  }

  /** Runs under a progress notification whose Cancel stops the job at BigQuery. */
  private async track(task: (signal: AbortSignal) => Promise<QueryOutcome>, message: string): Promise<QueryOutcome> {
    const controller = new AbortController();
    this.running.add(controller);
    try {
      return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('BigQuery'), cancellable: true }, (progress, token) => {
        const sub = token.onCancellationRequested(() => controller.abort());
        progress.report({ message: plain(message) });
        return task(controller.signal).finally(() => sub.dispose());
      });
    } finally {
      this.running.delete(controller);
    }
  }

  private runner(): BigQueryQueryRunner | undefined {
    let client: BigQueryClient | undefined;
    try {
      client = this.deps.connection.client();
    } catch (err) {
      const message = BigQueryError.is(err) ? err.message : vscode.l10n.t('BigQuery is not configured.');
      void vscode.window.showErrorMessage(plain(message), vscode.l10n.t('Open Settings')).then((pick) => pick && vscode.commands.executeCommand('workbench.action.openSettings', 'gatehouse.bigquery'));
      return undefined;
    }
    if (!client) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Sign in to run BigQuery queries.'), vscode.l10n.t('Sign In')).then((pick) => pick && vscode.commands.executeCommand('gatehouse.auth.signIn'));
      return undefined;
    }
    return this.runnerFor(client);
  }

  /**
   * A results panel VS Code restored after a window reload: the job's rows read again as the person
   * signed in now (BigQuery decides whether they may), or a note when nobody is.
   */
  async reopen(key: Readonly<Record<string, string>>, handle: ResultsPanelHandle): Promise<void> {
    let client: BigQueryClient | undefined;
    try {
      client = this.deps.connection.client();
    } catch {
      client = undefined;
    }
    if (!client || !this.deps.roles.can('bigquery.query')) {
      handle.setCancelled(vscode.l10n.t('Sign in with Gatehouse, then run the query again to see this result.'));
      return;
    }
    await this.runnerFor(client).reopenJob(key, handle);
  }

  private runnerFor(client: BigQueryClient): BigQueryQueryRunner {
    const { broker, roles } = this.deps;
    return new BigQueryQueryRunner({
      client,
      presenter: this.deps.presenter,
      audit: this.deps.audit,
      actor: () => {
        const id = broker.currentIdentity();
        return id && { subject: id.subject, email: id.email, issuer: id.issuer };
      },
      costSettings: this.deps.costSettings,
      format: this.fmt,
      confirmCost: async (bytes) => {
        const run = vscode.l10n.t('Run Query');
        const pick = await vscode.window.showWarningMessage(
          safe`This query will process ${this.fmt.bytes(bytes)} (${approximateCost(bytes, this.fmt)} on demand).`,
          { modal: true, detail: vscode.l10n.t('That is above gatehouse.bigquery.confirmAboveBytes. Run it anyway?') },
          run,
        );
        return pick === run;
      },
      explainDenied: (err, resource) =>
        explainDenied({
          who: broker.currentIdentity()?.label ?? vscode.l10n.t('you'),
          credential: client.credentialOrigin,
          service: 'BigQuery',
          // Before the dry run names the tables, the resource is only "query".
          action: resource === 'query' ? vscode.l10n.t('run this query') : vscode.l10n.t('run a query on'),
          resource: resource === 'query' ? '' : resource,
          missing: missingPermission(err.message),
          roles: roles.roles,
          access: roles.hint('bigquery.query'),
        }),
      logger: this.deps.logger,
    });
  }

  private allowed(action: 'bigquery.query' | 'bigquery.preview'): boolean {
    if (this.deps.roles.can(action)) return true;
    void vscode.window.showWarningMessage(plain(this.deps.roles.refusal(action)));
    return false;
  }

  /** A squiggle where BigQuery located a syntax error ("at [line:column]" of the SQL sent). */
  private mark(target: EstimateTarget, error: BigQueryError): void {
    if (error.reason !== 'invalidQuery' || !error.location) return;
    const { document, sql, base } = target;
    const lines = sql.split('\n');
    const line = Math.min(Math.max(1, error.location.line), lines.length);
    const before = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
    const offset = base + before + Math.min(Math.max(0, error.location.column - 1), lines[line - 1].length);
    const start = document.positionAt(offset);
    const range = document.getWordRangeAtPosition(start) ?? new vscode.Range(start, start.translate(0, 1));
    const diagnostic = new vscode.Diagnostic(range, error.message, vscode.DiagnosticSeverity.Error);
    diagnostic.source = 'BigQuery';
    diagnostic.code = error.reason;
    this.deps.diagnostics.set(document.uri, [diagnostic]);
  }
}
