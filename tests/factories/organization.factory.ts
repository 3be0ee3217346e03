import { randomUUID } from 'node:crypto';
import type { UserRow } from '#src/db/schema.ts';
import type { Role, UserStatus } from '#src/domain/roles.ts';
import type { Keyring } from '#src/domain/secrets/secret-box.ts';
import type { ValueCategoryKey } from '#src/domain/settings/categories.ts';
import type { CrmCredentials } from '#src/domain/settings/settings.schema.ts';
import type { Repositories, UnitOfWork } from '#src/repositories/repositories.ts';
import { saveCrmConnections } from '#src/services/crm-connections/crm-connection.service.ts';
import { writeCategory } from '#src/services/settings/settings-store.ts';
import type { SettingsInput } from '#tests/factories/dashboard.factory.ts';
import { testPasswordHash } from '#tests/factories/password.factory.ts';

export interface MakeUserOverrides {
  email?: string;
  name?: string;
  role?: Role;
  status?: UserStatus;
  passwordHash?: string | null;
}

let counter = 0;
function unique(): string {
  counter += 1;
  return `${counter}-${randomUUID().slice(0, 8)}`;
}

export function makeUser(organizationId: string, overrides: MakeUserOverrides = {}) {
  const id = unique();
  return {
    organization_id: organizationId,
    email: overrides.email ?? `user-${id}@example.test`,
    name: overrides.name ?? `User ${id}`,
    role: overrides.role ?? 'member',
    status: overrides.status ?? 'active',
    password_hash: overrides.passwordHash ?? null,
  } as const;
}

export interface InsertedOrganization {
  organizationId: string;
  primaryAdmin: UserRow;
}

/** An organization with its primary admin (the schema requires exactly one), in one transaction. */
export async function insertOrganization(
  uow: UnitOfWork,
  overrides: { name?: string; primaryAdmin?: MakeUserOverrides } = {},
): Promise<InsertedOrganization> {
  return uow.transaction(async (repos) => {
    const org = await repos.organizations.create({ name: overrides.name ?? `Org ${unique()}` });
    const [primaryAdmin] = await repos.users.insertMany([
      makeUser(org.id, { ...overrides.primaryAdmin, role: 'primary_admin' }),
    ]);
    if (!primaryAdmin) throw new Error('primary admin not inserted');
    return { organizationId: org.id, primaryAdmin };
  });
}

export async function insertUser(
  repos: Repositories,
  organizationId: string,
  overrides: MakeUserOverrides & { dashboard?: boolean } = {},
): Promise<UserRow> {
  const [user] = await repos.users.insertMany([makeUser(organizationId, overrides)]);
  if (!user) throw new Error('user not inserted');
  if (overrides.dashboard ?? true) await repos.dashboards.create(user.id, organizationId);
  return user;
}

/** One user of `insertOrganizationWithPeople`. */
export interface PersonSpec extends Omit<MakeUserOverrides, 'role'> {
  /** Names of the organization's teams (`OrganizationSpec.teams`) the user is on. */
  teams?: readonly string[];
  /** False: provisioned without a dashboard (setup not complete, SPEC §1). Default true. */
  dashboard?: boolean;
  /** The user can log in with TEST_PASSWORD (hashed once per process). Default true. */
  canLogIn?: boolean;
  settings?: SettingsInput;
  crm?: readonly CrmCredentials[];
}

export interface OrganizationSpec {
  name?: string;
  teams?: readonly string[];
  primaryAdmin?: PersonSpec;
  admins?: readonly PersonSpec[];
  members?: readonly PersonSpec[];
}

export interface InsertedOrganizationWithPeople extends InsertedOrganization {
  name: string;
  /** In the order of `OrganizationSpec.admins` / `.members`. */
  admins: UserRow[];
  members: UserRow[];
  /** Team id by team name. */
  teamIds: Record<string, string>;
}

/**
 * An organization with its primary admin, secondary admins, members and teams, each user with
 * a dashboard of `settings` and `crm` connections unless told otherwise, in one transaction.
 * Users can log in with TEST_PASSWORD; its argon2id hash is computed once per test process.
 */
export async function insertOrganizationWithPeople(
  uow: UnitOfWork,
  keyring: Keyring,
  spec: OrganizationSpec = {},
): Promise<InsertedOrganizationWithPeople> {
  const people: { person: PersonSpec; role: Role }[] = [
    { person: spec.primaryAdmin ?? {}, role: 'primary_admin' },
    ...(spec.admins ?? []).map((person) => ({ person, role: 'admin' as const })),
    ...(spec.members ?? []).map((person) => ({ person, role: 'member' as const })),
  ];
  const hash = people.some(({ person }) => person.canLogIn ?? true)
    ? await testPasswordHash()
    : null;
  return uow.transaction(async (repos) => {
    const name = spec.name ?? `Org ${unique()}`;
    const org = await repos.organizations.create({ name });
    const teams = await repos.teams.insertMany(org.id, spec.teams ?? []);
    const teamIds = Object.fromEntries(teams.map((t) => [t.name, t.id]));
    const newUsers = people.map(({ person, role }) =>
      makeUser(org.id, {
        ...person,
        role,
        passwordHash: person.passwordHash ?? ((person.canLogIn ?? true) ? hash : null),
      }),
    );
    const inserted = await repos.users.insertMany(newUsers);
    const byEmail = new Map(inserted.map((u) => [u.email, u]));
    const rows = newUsers.map((u) => {
      const row = byEmail.get(u.email);
      if (!row) throw new Error(`user ${u.email} not inserted`);
      return row;
    });
    await repos.teams.addMembers(
      org.id,
      people.flatMap(({ person }, i) =>
        (person.teams ?? []).map((team) => {
          const teamId = teamIds[team];
          if (!teamId) throw new Error(`no team ${team} in the organization spec`);
          return { teamId, userId: rows[i]?.id ?? '' };
        }),
      ),
    );
    for (const [i, { person }] of people.entries()) {
      const user = rows[i];
      if (!user || person.dashboard === false) continue;
      await repos.dashboards.create(user.id, org.id);
      for (const [category, value] of Object.entries(person.settings ?? {})) {
        await writeCategory(repos, user.id, category as ValueCategoryKey, value);
      }
      if (person.crm?.length) await saveCrmConnections(repos, keyring, user.id, person.crm);
    }
    const [primaryAdmin, ...rest] = rows;
    if (!primaryAdmin) throw new Error('primary admin not inserted');
    const adminCount = spec.admins?.length ?? 0;
    return {
      organizationId: org.id,
      name,
      primaryAdmin,
      admins: rest.slice(0, adminCount),
      members: rest.slice(adminCount),
      teamIds,
    };
  });
}
