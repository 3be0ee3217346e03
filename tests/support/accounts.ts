import type { UserRow } from '#src/db/schema.ts';
import type { Role, UserStatus } from '#src/domain/roles.ts';
import type { UnitOfWork } from '#src/repositories/repositories.ts';
import { insertOrganization, insertUser } from '#tests/factories/organization.factory.ts';
import { testPasswordHash } from '#tests/factories/password.factory.ts';

export { TEST_PASSWORD } from '#tests/factories/password.factory.ts';

export interface LoginOrganization {
  organizationId: string;
  primaryAdmin: UserRow;
  /** Adds a user who can log in with TEST_PASSWORD (with a dashboard unless `dashboard: false`). */
  addUser(options?: {
    role?: Exclude<Role, 'primary_admin'>;
    status?: UserStatus;
    dashboard?: boolean;
  }): Promise<UserRow>;
}

/** An organization whose primary admin (with a dashboard) logs in with TEST_PASSWORD. */
export async function insertLoginOrganization(uow: UnitOfWork): Promise<LoginOrganization> {
  const passwordHash = await testPasswordHash();
  const org = await insertOrganization(uow, { primaryAdmin: { passwordHash } });
  await uow.transaction((repos) =>
    repos.dashboards.create(org.primaryAdmin.id, org.organizationId),
  );
  return {
    ...org,
    addUser: (options = {}) =>
      uow.transaction((repos) =>
        insertUser(repos, org.organizationId, {
          role: options.role ?? 'member',
          status: options.status ?? 'active',
          dashboard: options.dashboard ?? true,
          passwordHash,
        }),
      ),
  };
}
