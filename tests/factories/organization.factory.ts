import { randomUUID } from 'node:crypto';
import type { UserRow } from '#src/db/schema.ts';
import type { Role, UserStatus } from '#src/domain/roles.ts';
import type { Repositories, UnitOfWork } from '#src/repositories/repositories.ts';

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
