// The context keys menus are written against, computed from the role model: one boolean per
// capability (`gatehouse.can.dbtCloud.trigger`) and the role list. Plain booleans keep `when`
// clauses simple (`… && gatehouse.can.dbtCloud.trigger`) and testable outside VS Code.
import { ACTIONS } from './roles';
import type { RoleView } from './roleModel';

export const CAPABILITY_KEY_PREFIX = 'gatehouse.can.';

export function policyContextKeys(roles: Pick<RoleView, 'can' | 'roles'>): Map<string, unknown> {
  const keys = new Map<string, unknown>([['gatehouse.roles', [...roles.roles].sort()]]);
  for (const a of ACTIONS) keys.set(`${CAPABILITY_KEY_PREFIX}${a}`, roles.can(a));
  return keys;
}
