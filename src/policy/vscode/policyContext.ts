// The access policy read from machine/application-scoped settings only (a workspace value is
// ignored even if one is written), and the context keys menus use: `gatehouse.can.<capability>`
// for every capability, `gatehouse.roles` (the role list). Kept in a mirror so tests can read
// what VS Code was told.
import * as vscode from 'vscode';
import type { Logger } from '../../core/logger';
import { parseMapping, type GroupRoleMapping } from '../roles';
import { policyContextKeys } from '../contextKeys';
import type { AccessPolicy, RoleModel } from '../roleModel';

const MAPPING = 'roles.mapping';
const ACCESS_REQUEST = 'policy.accessRequest';

/** The value a person or an admin set for this machine (or the default), never a workspace's. */
function machineValue<T>(section: string): T | undefined {
  const i = vscode.workspace.getConfiguration('gatehouse').inspect<T>(section);
  return i?.globalValue ?? i?.defaultValue;
}

let reported = '';

export function readAccessPolicy(logger?: Logger): AccessPolicy {
  const { mapping, problems } = parseMapping(machineValue<GroupRoleMapping>(MAPPING));
  // Read on every decision: say what is wrong with the setting once, not on every read.
  const text = problems.join('\n');
  if (logger && text !== reported) {
    reported = text;
    for (const p of problems) logger.warn(p);
  }
  const contact = machineValue<string>(ACCESS_REQUEST);
  return { mapping, accessRequest: typeof contact === 'string' && contact.trim() ? contact.trim().slice(0, 300) : undefined };
}

export class PolicyContext implements vscode.Disposable {
  /** What the extension last told VS Code, key -> value. */
  readonly keys = new Map<string, unknown>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly roles: RoleModel) {
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(`gatehouse.${MAPPING}`) || e.affectsConfiguration(`gatehouse.${ACCESS_REQUEST}`)) roles.recompute();
      }),
      roles.onDidChange(() => void this.publish()),
    );
    void this.publish();
  }

  /** Sets every key; resolves when VS Code has them all. */
  async publish(): Promise<void> {
    await Promise.all(
      [...policyContextKeys(this.roles)].map(([k, v]) => {
        this.keys.set(k, v);
        return vscode.commands.executeCommand('setContext', k, v);
      }),
    );
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
