// A real RoleModel over a fixed identity, for tests of runners that ask what a person may do.
import { Emitter } from '../../../src/core/event';
import { RoleModel } from '../../../src/policy/roleModel';
import type { Role } from '../../../src/policy/roles';

/** A person whose groups map one to one onto `roles`; `signedIn: false` may do nothing. */
export function roleViewOf(roles: Iterable<Role>, opts: { signedIn?: boolean; accessRequest?: string } = {}): RoleModel {
  const groups = [...roles];
  const identity = opts.signedIn === false ? undefined : { groups };
  return new RoleModel(
    { currentIdentity: () => identity, onDidChangeSession: new Emitter<unknown>().event },
    () => ({ mapping: { engineer: ['engineer'], analyst: ['analyst'] }, accessRequest: opts.accessRequest }),
  );
}
