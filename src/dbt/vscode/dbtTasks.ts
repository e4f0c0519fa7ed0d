// dbt run/build/test/compile/ls as VS Code tasks: a ProcessExecution (the configured executable and an
// argument array, no shell), cwd = the project folder, output in the terminal. Only in a trusted
// workspace: a cloned repository must not get a process started by opening it. Tasks of type
// `gatehouse-dbt` in tasks.json are resolved by the same code.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DBT_COMMANDS, dbtArgs, type DbtCommand } from '../dbtCommandLine';
import { plain } from '../../core/displayText';

export const DBT_TASK_TYPE = 'gatehouse-dbt';

export interface DbtTaskDefinition extends vscode.TaskDefinition {
  type: typeof DBT_TASK_TYPE;
  command: DbtCommand;
  select?: string[];
  /** The project folder, absolute or relative to the workspace folder. */
  project?: string;
}

export class DbtUntrustedError extends Error {
  readonly reason = 'untrusted' as const;
  constructor() {
    super(vscode.l10n.t('Gatehouse runs dbt only in a trusted workspace. Trust this folder (Manage Workspace Trust) to run dbt from here.'));
  }
  static is(value: unknown): value is DbtUntrustedError {
    return value instanceof DbtUntrustedError;
  }
}

export function dbtExecutable(): string {
  const configured = vscode.workspace.getConfiguration('gatehouse.dbt').get<string>('executablePath', 'dbt');
  return configured?.trim() || 'dbt';
}

export function buildDbtTask(definition: DbtTaskDefinition, projectDir: string, scope: vscode.WorkspaceFolder | vscode.TaskScope.Workspace, label?: string, executable = dbtExecutable()): vscode.Task {
  if (!vscode.workspace.isTrusted) throw new DbtUntrustedError();
  const args = dbtArgs({ command: definition.command, select: definition.select, jsonLog: true });
  const name = label ?? `dbt ${args.join(' ')}`;
  const task = new vscode.Task(definition, scope, name, 'Gatehouse', new vscode.ProcessExecution(executable, args, { cwd: projectDir }), []);
  task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, panel: vscode.TaskPanelKind.Dedicated, clear: true };
  task.group = definition.command === 'test' ? vscode.TaskGroup.Test : vscode.TaskGroup.Build;
  return task;
}

/** Starts the task and resolves with the process exit code (undefined when it never started a process). */
export async function runDbtTask(task: vscode.Task, token?: vscode.CancellationToken): Promise<number | undefined> {
  // A fast process can end before executeTask's promise resolves: events are kept until the
  // execution is known, then matched.
  const ended: { execution: vscode.TaskExecution; exitCode?: number; process: boolean }[] = [];
  let wake: (() => void) | undefined;
  const subs: vscode.Disposable[] = [
    vscode.tasks.onDidEndTaskProcess((e) => (ended.push({ execution: e.execution, exitCode: e.exitCode, process: true }), wake?.())),
    vscode.tasks.onDidEndTask((e) => (ended.push({ execution: e.execution, process: false }), wake?.())),
  ];
  try {
    const execution = await vscode.tasks.executeTask(task);
    if (token) subs.push(token.onCancellationRequested(() => execution.terminate()));
    for (;;) {
      const mine = ended.filter((e) => e.execution === execution);
      const processEnd = mine.find((e) => e.process);
      if (processEnd) return processEnd.exitCode;
      // The task ended without a process end (the executable is missing): give the process event a moment.
      if (mine.length) {
        await new Promise((r) => setTimeout(r, 300));
        return ended.find((e) => e.execution === execution && e.process)?.exitCode;
      }
      await new Promise<void>((r) => (wake = r));
    }
  } finally {
    subs.forEach((s) => s.dispose());
  }
}

/** Resolves `gatehouse-dbt` tasks written in tasks.json; offers none by itself (the tree runs them). */
export class DbtTaskProvider implements vscode.TaskProvider {
  provideTasks(): vscode.Task[] {
    return [];
  }

  resolveTask(task: vscode.Task): vscode.Task | undefined {
    const d = task.definition as Partial<DbtTaskDefinition>;
    if (d.type !== DBT_TASK_TYPE || !d.command || !(DBT_COMMANDS as readonly string[]).includes(d.command)) return undefined;
    const folder = typeof task.scope === 'object' ? task.scope : vscode.workspace.workspaceFolders?.[0];
    const base = folder?.uri.fsPath ?? process.cwd();
    const dir = d.project ? path.resolve(base, d.project) : base;
    const select = Array.isArray(d.select) ? d.select.filter((s): s is string => typeof s === 'string') : undefined;
    try {
      return buildDbtTask({ type: DBT_TASK_TYPE, command: d.command, select, project: d.project }, dir, folder ?? vscode.TaskScope.Workspace, task.name);
    } catch (err) {
      void vscode.window.showErrorMessage(plain(err instanceof Error ? err.message : String(err)));
      return undefined;
    }
  }
}
