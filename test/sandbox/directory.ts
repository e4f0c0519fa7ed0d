// The sandbox's people. Every service seeds its grants against these groups, so one demo
// user sees the same shape of permissions everywhere (and the differences are the point).

export interface DemoUser {
  /** Subject at the IdP (`sub`). */
  id: string;
  email: string;
  name: string;
  /** Group names as the IdP puts them in the `groups` claim. */
  groups: string[];
  /** Only for services that still log in with a password (Metabase sessions, Airbyte applications). */
  password: string;
}

export const GROUPS = {
  engineers: 'data-engineers',
  analysts: 'analysts',
  contractors: 'contractors',
} as const;

/** Google-style group email (BigQuery dataset access lists use `groupByEmail`). */
export function groupEmail(group: string): string {
  return `${group}@example.com`;
}

export const DEMO_USERS: readonly DemoUser[] = [
  {
    id: 'alice',
    email: 'alice@example.com',
    name: 'Alice Engineer',
    groups: [GROUPS.engineers, GROUPS.analysts],
    password: 'alice-demo-password',
  },
  {
    id: 'bob',
    email: 'bob@example.com',
    name: 'Bob Analyst',
    groups: [GROUPS.analysts],
    password: 'bob-demo-password',
  },
  {
    id: 'olivia',
    email: 'olivia@example.com',
    name: 'Olivia Outsider',
    groups: [GROUPS.contractors],
    password: 'olivia-demo-password',
  },
];

export class Directory {
  private readonly byId = new Map<string, DemoUser>();
  private readonly byEmail = new Map<string, DemoUser>();

  constructor(users: readonly DemoUser[] = DEMO_USERS) {
    for (const u of users) {
      this.byId.set(u.id, u);
      this.byEmail.set(u.email.toLowerCase(), u);
    }
  }

  get users(): DemoUser[] {
    return [...this.byId.values()];
  }

  find(idOrEmail: string): DemoUser | undefined {
    return this.byId.get(idOrEmail) ?? this.byEmail.get(idOrEmail.toLowerCase());
  }

  inGroup(user: DemoUser, group: string): boolean {
    return user.groups.includes(group);
  }
}
