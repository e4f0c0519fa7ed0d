// The signed-in person's Gatehouse roles and capabilities, recomputed when the session or the
// policy changes (no reload). Views ask `can(action)` to decide which actions to offer; context
// keys mirror it for menus (policy/vscode/policyContext.ts); refusals come from `refusal()`.
import { Emitter, type Event } from '../core/event';
import { groupsGranting, grantsFromGroups, isAllowed, refusalText, type AccessHint, type Action, type GroupRoleMapping, type Grants, type Role } from './roles';
import { t } from '../core/l10n';

export interface IdentitySource {
  /** `groups` from the groups claim, `roles` from the roles claim (e.g. Entra ID app roles). */
  currentIdentity(): { groups: readonly string[]; roles?: readonly string[] } | undefined;
  readonly onDidChangeSession: Event<unknown>;
}

export interface AccessPolicy {
  mapping: GroupRoleMapping;
  /** Whom to ask for access: an email address or a URL. */
  accessRequest?: string;
}

/** What views and runners need of the role model (tests build it over a fixed identity). */
export interface RoleView {
  readonly roles: ReadonlySet<Role>;
  can(action: Action): boolean;
  /** The sentence shown when Gatehouse withholds the capability. */
  refusal(action: Action): string;
  hint(action: Action): AccessHint;
}

export class RoleModel implements RoleView {
  private grants: Grants = { roles: new Set(), capabilities: new Set() };
  private signedIn = false;
  private readonly changed = new Emitter<ReadonlySet<Role>>();
  /** Fires when what the person may do changed (roles, capabilities, signed in or out). */
  readonly onDidChange = this.changed.event;
  private readonly subscription: { dispose(): unknown };

  constructor(
    private readonly identity: IdentitySource,
    private readonly policy: () => AccessPolicy,
  ) {
    this.subscription = identity.onDidChangeSession(() => this.recompute());
    this.recompute();
  }

  get roles(): ReadonlySet<Role> {
    return this.grants.roles;
  }

  /** The person's claim values the mapping is matched against (groups and roles claims). */
  claimValues(): string[] {
    const id = this.identity.currentIdentity();
    return id ? [...new Set([...id.groups, ...(id.roles ?? [])])] : [];
  }

  can(action: Action): boolean {
    return this.identity.currentIdentity() !== undefined && isAllowed(action, this.grants.roles, this.grants.capabilities);
  }

  hint(action: Action): AccessHint {
    const p = this.policy();
    return { action, groups: groupsGranting(action, p.mapping), yourGroups: this.claimValues(), contact: p.accessRequest };
  }

  refusal(action: Action): string {
    if (!this.identity.currentIdentity()) return t('Sign in to Gatehouse first: nothing is offered to a signed-out person.');
    return refusalText(this.hint(action));
  }

  /** Call when the policy settings changed. */
  recompute(): void {
    const signedIn = this.identity.currentIdentity() !== undefined;
    const next = grantsFromGroups(this.claimValues(), this.policy().mapping);
    const same =
      signedIn === this.signedIn &&
      sameSet(next.roles, this.grants.roles) &&
      sameSet(next.capabilities, this.grants.capabilities);
    this.grants = next;
    this.signedIn = signedIn;
    if (!same) this.changed.fire(next.roles);
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

function sameSet<T>(a: ReadonlySet<T>, b: ReadonlySet<T>): boolean {
  return a.size === b.size && [...a].every((v) => b.has(v));
}
