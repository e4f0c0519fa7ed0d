// A service said 403: the notification offers "Explain Access", which opens the explanation of
// that resource (the identity chain, the service's own answer, its permission checks).
import * as vscode from 'vscode';
import { plain } from '../core/displayText';
import { serviceReport } from '../core/serviceReport';
import type { Refusal } from '../policy/accessExplanation';

export const explainAccessLabel = (): string => vscode.l10n.t('Explain Access');

export interface DeniedUi {
  error(message: string, ...actions: string[]): Thenable<string | undefined>;
}

export interface DeniedNotice extends Refusal {
  /** The error the service answered with: its body's words go into the explanation as text (unless `reported` says them). */
  error?: unknown;
  /** The resource, in the shape the feature's explainer reads (e.g. a BigQuery table reference). */
  target?: unknown;
}

/** Shows `message` with "Explain Access" (and `more` actions); resolves to the action picked. */
export async function offerExplainAccess(ui: DeniedUi, message: string, notice: DeniedNotice, ...more: string[]): Promise<string | undefined> {
  const pick = await ui.error(plain(message), explainAccessLabel(), ...more);
  if (pick === explainAccessLabel()) await vscode.commands.executeCommand('gatehouse.policy.explainAccess', undefined, refusalArgument(notice));
  return pick;
}

export function refusalArgument(n: DeniedNotice): Refusal & { target?: unknown } {
  return { service: n.service, what: n.what, missing: n.missing, reported: n.reported ?? (n.error === undefined ? undefined : serviceReport(n.error)), target: n.target };
}
