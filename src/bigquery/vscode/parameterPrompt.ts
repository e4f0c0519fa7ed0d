// Asks for the value of each @name a query uses: a type pick (remembered, else guessed from the
// name), then the value, validated against the type. Last answers are remembered per document.
import * as vscode from 'vscode';
import { PARAMETER_TYPES, guessParameterType, parameterValueProblem, type ParameterType } from '../sql';
import type { QueryParameter } from '../types';
import { plain, safe } from '../../core/displayText';

export class ParameterPrompt {
  /** document URI → parameter name → last answer. */
  private readonly remembered = new Map<string, Map<string, QueryParameter>>();

  /** The parameters for `names`, or undefined when the user pressed Escape. */
  async ask(documentKey: string, names: readonly string[]): Promise<QueryParameter[] | undefined> {
    const last = this.remembered.get(documentKey) ?? new Map<string, QueryParameter>();
    const out: QueryParameter[] = [];
    for (const [i, name] of names.entries()) {
      const previous = last.get(name);
      const preferred = (previous?.type as ParameterType | undefined) ?? guessParameterType(name);
      const picks = [preferred, ...PARAMETER_TYPES.filter((t) => t !== preferred)].map((t) => ({
        label: plain(t),
        description: t === previous?.type ? vscode.l10n.t('last used') : t === preferred ? vscode.l10n.t('suggested') : undefined,
      }));
      const type = await vscode.window.showQuickPick(picks, {
        title: safe`Query parameter @${name} (${i + 1}/${names.length})`,
        placeHolder: safe`Type of @${name}`,
        ignoreFocusOut: true,
      });
      if (!type) return undefined;
      const value = await vscode.window.showInputBox({
        title: safe`Query parameter @${name} (${i + 1}/${names.length})`,
        prompt: safe`Value of @${name} (${type.label})`,
        value: previous?.type === type.label && previous.value !== undefined ? String(previous.value) : '',
        ignoreFocusOut: true,
        validateInput: (v) => parameterValueProblem(type.label as ParameterType, v),
      });
      if (value === undefined) return undefined;
      out.push({ name, type: type.label, value: value.trim() === '' && type.label !== 'STRING' ? null : type.label === 'STRING' ? value : value.trim() });
    }
    this.remembered.set(documentKey, new Map(out.map((p) => [p.name!, p])));
    return out;
  }

  /** Remembered values for all of `names`, or undefined when one is missing (for estimates). */
  known(documentKey: string, names: readonly string[]): QueryParameter[] | undefined {
    const last = this.remembered.get(documentKey);
    const out = names.map((n) => last?.get(n));
    return out.every((p): p is QueryParameter => !!p) ? out : undefined;
  }
}
