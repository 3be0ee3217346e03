import { sql, type Kysely } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { DB } from '#src/db/schema.ts';
import type { ScimTokenSummary } from '#src/domain/contracts/scim.contract.ts';
import type { Role, UserStatus } from '#src/domain/roles.ts';

/** The organization a presented SCIM token belongs to (active tokens only). */
export interface ScimTokenOwner {
  id: string;
  organizationId: string;
  name: string;
}

/** A user as SCIM shows it (RFC 7643 §4.1), with their teams (`groups`, read-only). */
export interface ScimUserRow {
  id: string;
  email: string;
  name: string;
  role: Role;
  status: UserStatus;
  externalId: string | null;
  hasDashboard: boolean;
  createdAt: Date;
  updatedAt: Date;
  groups: { id: string; name: string }[];
}

/** A team as SCIM shows it (a Group, RFC 7643 §4.2). */
export interface ScimGroupRow {
  id: string;
  name: string;
  createdAt: Date;
  /** The team's creation or its latest membership change, whichever is later. */
  lastModified: Date;
  members: { id: string; email: string }[];
}

export type ScimUserFilter = { attribute: 'userName' | 'externalId'; value: string };

/**
 * SCIM tokens (stored as the SHA-256 hex of the token), and the reads and writes of users and
 * teams that only SCIM needs (SCIM's views of users and teams, profile fields, externalId and
 * set-based team membership; creating, renaming and deleting teams is TeamRepository's). They
 * live here because the SCIM work owns only this repository file; every method takes the
 * organization id and puts it in the WHERE clause (tenancy).
 */
export class ScimTokenRepository {
  constructor(private readonly db: Kysely<DB>) {}

  // --- tokens ---------------------------------------------------------------------------------

  async create(input: {
    organizationId: string;
    name: string;
    tokenHash: string;
    tokenHint: string;
    createdBy: string;
  }): Promise<{ id: string; name: string; createdAt: Date }> {
    const row = await this.db
      .insertInto('scim_tokens')
      .values({
        organization_id: input.organizationId,
        name: input.name,
        token_hash: input.tokenHash,
        token_hint: input.tokenHint,
        created_by: input.createdBy,
      })
      .returning(['id', 'name', 'created_at'])
      .executeTakeFirstOrThrow();
    return { id: row.id, name: row.name, createdAt: row.created_at };
  }

  async listByOrganization(organizationId: string): Promise<ScimTokenSummary[]> {
    const rows = await this.db
      .selectFrom('scim_tokens')
      .select(['id', 'name', 'token_hint', 'created_at', 'last_used_at', 'revoked_at'])
      .where('organization_id', '=', organizationId)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      hint: r.token_hint,
      createdAt: r.created_at,
      lastUsedAt: r.last_used_at,
      revokedAt: r.revoked_at,
    }));
  }

  /** A token of the organization (revoked or not); undefined when not in it. */
  async findInOrganization(
    organizationId: string,
    id: string,
  ): Promise<{ id: string; name: string; revokedAt: Date | null } | undefined> {
    const row = await this.db
      .selectFrom('scim_tokens')
      .select(['id', 'name', 'revoked_at'])
      .where('organization_id', '=', organizationId)
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    return row && { id: row.id, name: row.name, revokedAt: row.revoked_at };
  }

  /** Revokes a token of the organization; false when it was not active there. */
  async revoke(organizationId: string, id: string, now: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('scim_tokens')
      .set({ revoked_at: now })
      .where('organization_id', '=', organizationId)
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async findActiveByHash(tokenHash: string): Promise<ScimTokenOwner | undefined> {
    const row = await this.db
      .selectFrom('scim_tokens')
      .select(['id', 'organization_id', 'name'])
      .where('token_hash', '=', tokenHash)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return row && { id: row.id, organizationId: row.organization_id, name: row.name };
  }

  /** Records use, at most once a minute per token (one statement, no write when recent). */
  async touch(id: string, now: Date): Promise<void> {
    const aMinuteAgo = new Date(now.getTime() - 60_000);
    await this.db
      .updateTable('scim_tokens')
      .set({ last_used_at: now })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', aMinuteAgo)]))
      .execute();
  }

  // --- users ----------------------------------------------------------------------------------

  private usersQuery(organizationId: string) {
    return this.db
      .selectFrom('users')
      .select((eb) => [
        'users.id',
        'users.email',
        'users.name',
        'users.role',
        'users.status',
        'users.scim_external_id',
        'users.created_at',
        'users.updated_at',
        eb
          .exists(
            eb.selectFrom('dashboards').select('user_id').whereRef('user_id', '=', 'users.id'),
          )
          .as('has_dashboard'),
        jsonArrayFrom(
          eb
            .selectFrom('team_members')
            .innerJoin('teams', (join) =>
              join
                .onRef('teams.id', '=', 'team_members.team_id')
                .onRef('teams.organization_id', '=', 'team_members.organization_id'),
            )
            .select(['teams.id', 'teams.name'])
            .whereRef('team_members.user_id', '=', 'users.id')
            .where('team_members.organization_id', '=', organizationId)
            .orderBy('teams.name')
            .orderBy('teams.id'),
        ).as('groups'),
      ])
      .where('users.organization_id', '=', organizationId);
  }

  async findUser(organizationId: string, userId: string): Promise<ScimUserRow | undefined> {
    const row = await this.usersQuery(organizationId)
      .where('users.id', '=', userId)
      .executeTakeFirst();
    return row && toScimUser(row);
  }

  /** One page of the organization's users (by creation, then id) and how many match in all. */
  async listUsers(
    organizationId: string,
    query: { filter?: ScimUserFilter; offset: number; limit: number },
  ): Promise<{ total: number; rows: ScimUserRow[] }> {
    const filter = query.filter;
    let count = this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<string>().as('total'))
      .where('users.organization_id', '=', organizationId);
    let page = this.usersQuery(organizationId);
    if (filter?.attribute === 'userName') {
      count = count.where('users.email', '=', filter.value.trim().toLowerCase());
      page = page.where('users.email', '=', filter.value.trim().toLowerCase());
    } else if (filter?.attribute === 'externalId') {
      count = count.where('users.scim_external_id', '=', filter.value);
      page = page.where('users.scim_external_id', '=', filter.value);
    }
    const [totalRow, rows] = await Promise.all([
      count.executeTakeFirstOrThrow(),
      query.limit === 0
        ? Promise.resolve([])
        : page
            .orderBy('users.created_at')
            .orderBy('users.id')
            .offset(query.offset)
            .limit(query.limit)
            .execute(),
    ]);
    return { total: Number(totalRow.total), rows: rows.map(toScimUser) };
  }

  /** Sets the profile fields SCIM manages; undefined when the user is not in the organization. */
  async updateProfile(
    organizationId: string,
    userId: string,
    patch: { email?: string; name?: string; externalId?: string | null },
  ): Promise<boolean> {
    const result = await this.db
      .updateTable('users')
      .set({
        ...(patch.email === undefined ? {} : { email: patch.email.trim().toLowerCase() }),
        ...(patch.name === undefined ? {} : { name: patch.name }),
        ...(patch.externalId === undefined ? {} : { scim_external_id: patch.externalId }),
        updated_at: sql<Date>`now()`,
      })
      .where('organization_id', '=', organizationId)
      .where('id', '=', userId)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** The user of the organization holding this externalId, if any (it is unique there). */
  async findUserIdByExternalId(
    organizationId: string,
    externalId: string,
  ): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('users')
      .select('id')
      .where('organization_id', '=', organizationId)
      .where('scim_external_id', '=', externalId)
      .executeTakeFirst();
    return row?.id;
  }

  /** Of `userIds`, those in the organization, with their role (one statement). */
  async usersInOrganization(
    organizationId: string,
    userIds: readonly string[],
  ): Promise<{ id: string; role: Role }[]> {
    if (userIds.length === 0) return [];
    return this.db
      .selectFrom('users')
      .select(['id', 'role'])
      .where('organization_id', '=', organizationId)
      .where('id', 'in', [...userIds])
      .execute();
  }

  // --- teams ----------------------------------------------------------------------------------

  private groupsQuery(organizationId: string) {
    return this.db
      .selectFrom('teams')
      .select((eb) => [
        'teams.id',
        'teams.name',
        'teams.created_at',
        sql<Date>`greatest(teams.created_at, (select max(tm.created_at) from team_members tm where tm.team_id = teams.id and tm.organization_id = teams.organization_id))`.as(
          'last_modified',
        ),
        jsonArrayFrom(
          eb
            .selectFrom('team_members')
            .innerJoin('users', (join) =>
              join
                .onRef('users.id', '=', 'team_members.user_id')
                .onRef('users.organization_id', '=', 'team_members.organization_id'),
            )
            .select(['users.id', 'users.email'])
            .whereRef('team_members.team_id', '=', 'teams.id')
            .where('team_members.organization_id', '=', organizationId)
            .orderBy('users.email'),
        ).as('members'),
      ])
      .where('teams.organization_id', '=', organizationId);
  }

  async findGroup(organizationId: string, teamId: string): Promise<ScimGroupRow | undefined> {
    const row = await this.groupsQuery(organizationId)
      .where('teams.id', '=', teamId)
      .executeTakeFirst();
    return row && toScimGroup(row);
  }

  /** One page of the organization's teams (by name, then id); `displayName` case-insensitive. */
  async listGroups(
    organizationId: string,
    query: { displayName?: string; offset: number; limit: number },
  ): Promise<{ total: number; rows: ScimGroupRow[] }> {
    let count = this.db
      .selectFrom('teams')
      .select((eb) => eb.fn.countAll<string>().as('total'))
      .where('teams.organization_id', '=', organizationId);
    let page = this.groupsQuery(organizationId);
    if (query.displayName !== undefined) {
      const name = query.displayName.toLowerCase();
      count = count.where(sql<boolean>`lower(teams.name) = ${name}`);
      page = page.where(sql<boolean>`lower(teams.name) = ${name}`);
    }
    const [totalRow, rows] = await Promise.all([
      count.executeTakeFirstOrThrow(),
      query.limit === 0
        ? Promise.resolve([])
        : page
            .orderBy('teams.name')
            .orderBy('teams.id')
            .offset(query.offset)
            .limit(query.limit)
            .execute(),
    ]);
    return { total: Number(totalRow.total), rows: rows.map(toScimGroup) };
  }

  /** The ids of a team's members. */
  async teamMemberIds(organizationId: string, teamId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('team_members')
      .select('user_id')
      .where('organization_id', '=', organizationId)
      .where('team_id', '=', teamId)
      .execute();
    return rows.map((r) => r.user_id);
  }

  /** Adds users to a team in one statement; returns the ids newly added. */
  async addTeamMembers(
    organizationId: string,
    teamId: string,
    userIds: readonly string[],
  ): Promise<string[]> {
    if (userIds.length === 0) return [];
    const rows = await this.db
      .insertInto('team_members')
      .values(
        userIds.map((userId) => ({
          team_id: teamId,
          user_id: userId,
          organization_id: organizationId,
        })),
      )
      .onConflict((oc) => oc.columns(['team_id', 'user_id']).doNothing())
      .returning('user_id')
      .execute();
    return rows.map((r) => r.user_id);
  }

  /** Removes users from a team in one statement; returns the ids removed. */
  async removeTeamMembers(
    organizationId: string,
    teamId: string,
    userIds: readonly string[],
  ): Promise<string[]> {
    if (userIds.length === 0) return [];
    const rows = await this.db
      .deleteFrom('team_members')
      .where('organization_id', '=', organizationId)
      .where('team_id', '=', teamId)
      .where('user_id', 'in', [...userIds])
      .returning('user_id')
      .execute();
    return rows.map((r) => r.user_id);
  }
}

function toScimUser(row: {
  id: string;
  email: string;
  name: string;
  role: Role;
  status: UserStatus;
  scim_external_id: string | null;
  created_at: Date;
  updated_at: Date;
  has_dashboard: unknown;
  groups: { id: string; name: string }[];
}): ScimUserRow {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    status: row.status,
    externalId: row.scim_external_id,
    hasDashboard: Boolean(row.has_dashboard),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    groups: row.groups,
  };
}

function toScimGroup(row: {
  id: string;
  name: string;
  created_at: Date;
  last_modified: Date | string;
  members: { id: string; email: string }[];
}): ScimGroupRow {
  return {
    id: row.id,
    name: row.name,
    createdAt: row.created_at,
    lastModified: new Date(row.last_modified),
    members: row.members,
  };
}
