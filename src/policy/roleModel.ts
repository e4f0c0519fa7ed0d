// The signed-in person's Gatehouse roles, recomputed when the session or the mapping changes.
// Views ask `can(action)` to decide which actions to offer; context keys mirror it for menus.
import { Emitter, type Event } from '../core/event';
import { isAllowed, rolesFromGroups, type Action, type GroupRoleMapping, type Role } from './roles';

export interface IdentitySource {
  currentIdentity(): { groups: readonly string[] } | undefined;
  readonly onDidChangeSession: Event<unknown>;
}

export class RoleModel {
  private current = new Set<Role>();
  private readonly changed = new Emitter<ReadonlySet<Role>>();
  readonly onDidChange = this.changed.event;
  private readonly subscription: { dispose(): unknown };

  constructor(
    private readonly identity: IdentitySource,
    private readonly mapping: () => GroupRoleMapping,
  ) {
    this.subscription = identity.onDidChangeSession(() => this.recompute());
    this.recompute();
  }

  get roles(): ReadonlySet<Role> {
    return this.current;
  }

  can(action: Action): boolean {
    return this.identity.currentIdentity() !== undefined && isAllowed(action, this.current);
  }

  /** Call when the mapping setting changed. */
  recompute(): void {
    const groups = this.identity.currentIdentity()?.groups ?? [];
    const next = rolesFromGroups(groups, this.mapping());
    const same = next.size === this.current.size && [...next].every((r) => this.current.has(r));
    this.current = next;
    if (!same) this.changed.fire(next);
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
