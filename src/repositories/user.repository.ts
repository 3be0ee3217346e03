import { sql, type Kysely } from 'kysely';
import type { DB, NewUser, UserRow } from '#src/db/schema.ts';

const USER_COLUMNS = [
  'id',
  'organization_id',
  'email',
  'name',
  'password_hash',
  'role',
  'status',
  'scim_external_id',
  'created_at',
  'updated_at',
] as const;

export class UserRepository {
  constructor(private readonly db: Kysely<DB>) {}

  /** Inserts users in one statement; emails are stored lower-cased. */
  async insertMany(users: readonly NewUser[]): Promise<UserRow[]> {
    if (users.length === 0) return [];
    return this.db
      .insertInto('users')
      .values(users.map((u) => ({ ...u, email: u.email.trim().toLowerCase() })))
      .returning(USER_COLUMNS)
      .execute();
  }

  async findByEmail(email: string): Promise<UserRow | undefined> {
    return this.db
      .selectFrom('users')
      .select(USER_COLUMNS)
      .where('email', '=', email.trim().toLowerCase())
      .executeTakeFirst();
  }

  /** Tenancy is part of the WHERE clause: another organization's user is simply not found. */
  async findInOrganization(organizationId: string, userId: string): Promise<UserRow | undefined> {
    return this.db
      .selectFrom('users')
      .select(USER_COLUMNS)
      .where('organization_id', '=', organizationId)
      .where('id', '=', userId)
      .executeTakeFirst();
  }

  async listByOrganization(organizationId: string): Promise<UserRow[]> {
    return this.db
      .selectFrom('users')
      .select(USER_COLUMNS)
      .where('organization_id', '=', organizationId)
      .orderBy('email')
      .execute();
  }

  /** A user of the organization with whether they have a dashboard; undefined if not in it. */
  async findMemberWithDashboard(
    organizationId: string,
    userId: string,
  ): Promise<(UserRow & { has_dashboard: boolean }) | undefined> {
    return this.db
      .selectFrom('users')
      .leftJoin('dashboards', 'dashboards.user_id', 'users.id')
      .select(USER_COLUMNS.map((c) => `users.${c}` as const))
      .select(sql<boolean>`dashboards.user_id is not null`.as('has_dashboard'))
      .where('users.organization_id', '=', organizationId)
      .where('users.id', '=', userId)
      .executeTakeFirst();
  }

  /** Many members at once (bulk batches): the rows of `userIds` found in the organization. */
  async findMembersWithDashboard(
    organizationId: string,
    userIds: readonly string[],
  ): Promise<(UserRow & { has_dashboard: boolean })[]> {
    if (userIds.length === 0) return [];
    return this.db
      .selectFrom('users')
      .leftJoin('dashboards', 'dashboards.user_id', 'users.id')
      .select(USER_COLUMNS.map((c) => `users.${c}` as const))
      .select(sql<boolean>`dashboards.user_id is not null`.as('has_dashboard'))
      .where('users.organization_id', '=', organizationId)
      .where('users.id', 'in', [...userIds])
      .execute();
  }

  async findById(userId: string): Promise<UserRow | undefined> {
    return this.db
      .selectFrom('users')
      .select(USER_COLUMNS)
      .where('id', '=', userId)
      .executeTakeFirst();
  }

  /** The organization admin: source of CRM keys for Sync CRM (SPEC §3). */
  async findPrimaryAdmin(organizationId: string): Promise<UserRow | undefined> {
    return this.db
      .selectFrom('users')
      .select(USER_COLUMNS)
      .where('organization_id', '=', organizationId)
      .where('role', '=', 'primary_admin')
      .executeTakeFirst();
  }
}
