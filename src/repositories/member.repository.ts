import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { FollowState } from '#src/db/schema.ts';
import type { CrmConnectionStatus, DB, SyncAction, SyncStatus } from '#src/db/schema.ts';
import type { CrmKey } from '#src/domain/crm.ts';
import type { Role, UserStatus } from '#src/domain/roles.ts';

/** One row of a team's member table, everything the Admin member table shows. */
export interface MemberListRow {
  id: string;
  name: string;
  email: string;
  role: Role;
  status: UserStatus;
  hasDashboard: boolean;
  /** Every team of the user in this organization (not only the one listed), by name. */
  teams: { id: string; name: string }[];
  /** The user's CRM connections and their health, by CRM. */
  connections: { crm: CrmKey; status: CrmConnectionStatus; via: 'key' | 'oauth' }[];
  /** Followed categories the member does not follow now, by category (issue 16). */
  followStates: Record<string, FollowState>;
  /** The latest sync aimed at the user (dry runs excluded: they change nothing). */
  lastSync: {
    at: Date;
    byUserId: string | null;
    byName: string | null;
    action: SyncAction;
    categories: string[];
    status: SyncStatus;
  } | null;
  /** The key this row sorts by (`lower(name)`), for the page cursor. */
  sortName: string;
}

/** Which users a member list shows: one team's members, or the organization's (filtered). */
type MemberListScope =
  | { kind: 'team'; teamId: string }
  | { kind: 'organization'; team?: string | null; status?: UserStatus };

/** A page request: the search, the keyset position after which it starts, and its size. */
export interface MemberPage {
  q?: string;
  after?: MemberPagePosition;
  limit: number;
}

/** A keyset position: the last row of the previous page. */
export interface MemberPagePosition {
  sortName: string;
  id: string;
}

export interface ManagedUserRow {
  id: string;
  organizationId: string;
  role: Role;
  status: UserStatus;
  /** Setup completed: the user has a dashboard. */
  hasDashboard: boolean;
}

/**
 * The Admin member table and member management: a team's members page by page, with their
 * teams and latest sync in the same statement (no query per row), and role/status/team writes.
 * Every method takes the organization id and puts it in the WHERE clause (tenancy).
 */
export class MemberRepository {
  constructor(private readonly db: Kysely<DB>) {}

  /** A team of the organization; undefined when it does not exist there. */
  async findTeam(
    organizationId: string,
    teamId: string,
  ): Promise<{ id: string; name: string } | undefined> {
    return this.db
      .selectFrom('teams')
      .select(['id', 'name'])
      .where('organization_id', '=', organizationId)
      .where('id', '=', teamId)
      .executeTakeFirst();
  }
  /**
   * The ids of a team's members in the member table's order (name, id), leaving out the primary
   * admin and `exceptUserId` (the acting admin): they are never targets of a sync.
   */
  async memberIdsOfTeam(
    organizationId: string,
    teamId: string,
    exceptUserId: string,
  ): Promise<string[]> {
    const rows = await this.db
      .selectFrom('team_members')
      .innerJoin('users', (join) =>
        join
          .onRef('users.id', '=', 'team_members.user_id')
          .onRef('users.organization_id', '=', 'team_members.organization_id'),
      )
      .select('users.id')
      .where('team_members.organization_id', '=', organizationId)
      .where('team_members.team_id', '=', teamId)
      .where('users.role', '<>', 'primary_admin')
      .where('users.id', '<>', exceptUserId)
      .orderBy('team_members.name_key')
      .orderBy('team_members.user_id')
      .execute();
    return rows.map((r) => r.id);
  }

  /**
   * One page of a team's members in one statement, ordered by `lower(name)` then id under the
   * "C" collation, so the order (and the keyset cursor) is the same on PGlite and PostgreSQL
   * whatever their default collation. The page walks the index (team_id, name_key, user_id) from
   * the cursor (a row comparison on the same columns), so it reads about `limit` rows however
   * large the team; the latest sync is one entry of a partial index per row. `q` matches name or
   * email, case-insensitively, as a plain substring (LIKE wildcards in it are escaped): a LIKE
   * '%…%' that the trigram indexes serve when the search has three characters or more.
   */
  async listTeamMembers(
    organizationId: string,
    teamId: string,
    page: MemberPage,
  ): Promise<MemberListRow[]> {
    return this.listMembers(organizationId, { kind: 'team', teamId }, page);
  }

  /**
   * One page of the whole organization's member list ("All members"), in the same order, with
   * the same rows and cursor as a team's page: optionally only the members of one team (`team`:
   * its id), only those on no team (`team: null`, the "No team" filter), or one status. The sort
   * key is `lower(name)` under the "C" collation, the value `team_members.name_key` holds.
   */
  async listOrganizationMembers(
    organizationId: string,
    filter: { team?: string | null; status?: UserStatus },
    page: MemberPage,
  ): Promise<MemberListRow[]> {
    return this.listMembers(organizationId, { kind: 'organization', ...filter }, page);
  }

  /**
   * How many members "All members" lists for `filter` and `q` (its "Page 1 of 7 · 163 members"):
   * the same scope and search as `listOrganizationMembers`, counted.
   */
  async countOrganizationMembers(
    organizationId: string,
    filter: { team?: string | null; status?: UserStatus },
    q?: string,
  ): Promise<number> {
    let query = this.db
      .selectFrom((eb) => organizationScope(eb, organizationId, filter).as('scope'))
      .innerJoin('users', (join) =>
        join
          .onRef('users.id', '=', 'scope.user_id')
          .on('users.organization_id', '=', organizationId),
      )
      .select((eb) => eb.fn.countAll<string>().as('count'));
    if (q) query = query.where(matchesSearch(q));
    const row = await query.executeTakeFirstOrThrow();
    return Number(row.count);
  }

  /**
   * The one member-list statement: `scope` yields (user_id, sort_name) for the users listed (a
   * team's memberships, or the organization's users), which PostgreSQL pulls up into the outer
   * query (a plain subquery), so a team's page still walks its index; then every column of the
   * row, the keyset, the search and the page size are the same for every scope.
   */
  private async listMembers(
    organizationId: string,
    scope: MemberListScope,
    page: MemberPage,
  ): Promise<MemberListRow[]> {
    let query = this.db
      .selectFrom((eb) =>
        (scope.kind === 'team'
          ? eb
              .selectFrom('team_members')
              .select(['team_members.user_id', 'team_members.name_key as sort_name'])
              .where('team_members.organization_id', '=', organizationId)
              .where('team_members.team_id', '=', scope.teamId)
          : organizationScope(eb, organizationId, scope)
        ).as('scope'),
      )
      .innerJoin('users', (join) =>
        join
          .onRef('users.id', '=', 'scope.user_id')
          .on('users.organization_id', '=', organizationId),
      )
      .leftJoin('dashboards', 'dashboards.user_id', 'users.id')
      .leftJoinLateral(
        (eb) =>
          eb
            .selectFrom('sync_runs')
            .leftJoin('users as sync_actor', (join) =>
              join
                .onRef('sync_actor.id', '=', 'sync_runs.actor_id')
                .onRef('sync_actor.organization_id', '=', 'sync_runs.organization_id'),
            )
            .select([
              'sync_runs.created_at',
              'sync_runs.actor_id',
              'sync_actor.name as actor_name',
              'sync_runs.action',
              'sync_runs.categories',
              'sync_runs.status',
            ])
            .where('sync_runs.organization_id', '=', organizationId)
            .whereRef('sync_runs.target_id', '=', 'scope.user_id')
            // `<>` as in the partial index's predicate (sync_runs_org_target_applied_seq_idx).
            .where('sync_runs.status', '<>', 'dry_run')
            .orderBy('sync_runs.seq', 'desc')
            .limit(1)
            .as('last_sync'),
        (join) => join.onTrue(),
      )
      .select((eb) => [
        'users.id',
        'users.name',
        'users.email',
        'users.role',
        'users.status',
        sql<boolean>`dashboards.user_id is not null`.as('has_dashboard'),
        'scope.sort_name',
        jsonArrayFrom(
          eb
            .selectFrom('team_members as user_teams')
            .innerJoin('teams', (join) =>
              join
                .onRef('teams.id', '=', 'user_teams.team_id')
                .onRef('teams.organization_id', '=', 'user_teams.organization_id'),
            )
            .select(['teams.id', 'teams.name'])
            .whereRef('user_teams.user_id', '=', 'users.id')
            .where('user_teams.organization_id', '=', organizationId)
            .orderBy('teams.name')
            .orderBy('teams.id'),
        ).as('teams'),
        // The member's CRM connections and their health (a few rows, by primary key).
        jsonArrayFrom(
          eb
            .selectFrom('crm_connections')
            .select([
              'crm_connections.crm',
              'crm_connections.status',
              sql<
                'key' | 'oauth'
              >`case when crm_connections.grant_id is null then 'key' else 'oauth' end`.as('via'),
            ])
            .whereRef('crm_connections.user_id', '=', 'users.id')
            .orderBy('crm_connections.crm'),
        ).as('connections'),
        // Followed categories the member does not follow now (issue 16): a few rows, by key.
        jsonArrayFrom(
          eb
            .selectFrom('member_category_states')
            .select(['member_category_states.category', 'member_category_states.state'])
            .whereRef('member_category_states.user_id', '=', 'users.id')
            .orderBy('member_category_states.category'),
        ).as('follow_states'),
        'last_sync.created_at as last_sync_at',
        'last_sync.actor_id as last_sync_actor_id',
        'last_sync.actor_name as last_sync_actor_name',
        'last_sync.action as last_sync_action',
        'last_sync.categories as last_sync_categories',
        'last_sync.status as last_sync_status',
      ]);
    if (page.q) query = query.where(matchesSearch(page.q));
    const after = page.after;
    if (after) {
      query = query.where(
        sql<boolean>`(scope.sort_name, scope.user_id) > (${after.sortName}::text collate "C", ${after.id}::uuid)`,
      );
    }
    const rows = await query
      .orderBy('scope.sort_name')
      .orderBy('scope.user_id')
      .limit(page.limit)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      email: r.email,
      role: r.role,
      status: r.status,
      hasDashboard: r.has_dashboard,
      teams: r.teams,
      connections: r.connections,
      followStates: Object.fromEntries(r.follow_states.map((f) => [f.category, f.state])),
      lastSync:
        r.last_sync_at === null || r.last_sync_action === null || r.last_sync_status === null
          ? null
          : {
              at: r.last_sync_at,
              byUserId: r.last_sync_actor_id,
              byName: r.last_sync_actor_name,
              action: r.last_sync_action,
              categories: r.last_sync_categories ?? [],
              status: r.last_sync_status,
            },
      sortName: r.sort_name,
    }));
  }

  /**
   * A user of the organization, locked until the transaction ends so that concurrent changes to
   * one member take turns; undefined when not in the organization.
   */
  async lockUserInOrganization(
    organizationId: string,
    userId: string,
  ): Promise<ManagedUserRow | undefined> {
    const row = await this.db
      .selectFrom('users')
      .select(['id', 'organization_id', 'role', 'status'])
      .select((eb) =>
        eb
          .exists(
            eb.selectFrom('dashboards').select('user_id').whereRef('user_id', '=', 'users.id'),
          )
          .as('has_dashboard'),
      )
      .where('organization_id', '=', organizationId)
      .where('id', '=', userId)
      .forUpdate(['users'])
      .executeTakeFirst();
    return (
      row && {
        id: row.id,
        organizationId: row.organization_id,
        role: row.role,
        status: row.status,
        hasDashboard: Boolean(row.has_dashboard),
      }
    );
  }

  /**
   * Sets a user's role and/or status. Never touches a primary admin (nor makes one): that role
   * moves only through its own use case, and the database keeps exactly one per organization.
   */
  async updateRoleAndStatus(
    organizationId: string,
    userId: string,
    patch: { role?: 'admin' | 'member'; status?: UserStatus },
  ): Promise<{ id: string; role: Role; status: UserStatus } | undefined> {
    return this.db
      .updateTable('users')
      .set({
        ...(patch.role === undefined ? {} : { role: patch.role }),
        ...(patch.status === undefined ? {} : { status: patch.status }),
        updated_at: sql<Date>`now()`,
      })
      .where('organization_id', '=', organizationId)
      .where('id', '=', userId)
      .where('role', '!=', 'primary_admin')
      .returning(['id', 'role', 'status'])
      .executeTakeFirst();
  }

  /** Adds a user to a team; false when already on it (idempotent). */
  async addToTeam(organizationId: string, teamId: string, userId: string): Promise<boolean> {
    const row = await this.db
      .insertInto('team_members')
      .values({ team_id: teamId, user_id: userId, organization_id: organizationId })
      .onConflict((oc) => oc.columns(['team_id', 'user_id']).doNothing())
      .returning('user_id')
      .executeTakeFirst();
    return row !== undefined;
  }

  /** How many of the organization's teams the user is on (the "last team" warning). */
  async countTeamsOf(organizationId: string, userId: string): Promise<number> {
    const row = await this.db
      .selectFrom('team_members')
      .select((eb) => eb.fn.countAll<string>().as('teams'))
      .where('organization_id', '=', organizationId)
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow();
    return Number(row.teams);
  }

  /**
   * Hands the primary admin role from one user of the organization to another, in two
   * statements inside the caller's transaction: the current primary admin becomes `admin` first
   * (the unique index allows at most one primary admin at any moment), then the new one is
   * promoted; the deferred constraint checks at commit that there is exactly one (SPEC §1).
   * Returns false, having changed nothing that the caller's rollback would not undo, when either
   * user is not as expected.
   */
  async handOverPrimaryAdmin(
    organizationId: string,
    fromUserId: string,
    toUserId: string,
  ): Promise<boolean> {
    const demoted = await this.db
      .updateTable('users')
      .set({ role: 'admin', updated_at: sql<Date>`now()` })
      .where('organization_id', '=', organizationId)
      .where('id', '=', fromUserId)
      .where('role', '=', 'primary_admin')
      .executeTakeFirst();
    if (demoted.numUpdatedRows !== 1n) return false;
    const promoted = await this.db
      .updateTable('users')
      .set({ role: 'primary_admin', updated_at: sql<Date>`now()` })
      .where('organization_id', '=', organizationId)
      .where('id', '=', toUserId)
      .where('role', 'in', ['admin', 'member'])
      .where('status', '=', 'active')
      .executeTakeFirst();
    return promoted.numUpdatedRows === 1n;
  }

  /** Removes a user from a team; false when they were not on it. */
  async removeFromTeam(organizationId: string, teamId: string, userId: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('team_members')
      .where('organization_id', '=', organizationId)
      .where('team_id', '=', teamId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}

/**
 * A member-list search: name or email contains `q`, case-insensitively, as a plain substring (the
 * same test as strpos(lower(name), lower(q)) > 0, written so the trigram indexes can serve it).
 */
function matchesSearch(q: string) {
  const pattern = sql`'%' || replace(replace(replace(lower(${q}), '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%'`;
  return sql<boolean>`(lower(users.name) like ${pattern} or users.email like ${pattern})`;
}

/** The organization's users as a member-list scope, with the team / "No team" / status filter. */
function organizationScope(
  eb: ExpressionBuilder<DB, never>,
  organizationId: string,
  filter: { team?: string | null; status?: UserStatus },
) {
  let scoped = eb
    .selectFrom('users as listed')
    .select([
      'listed.id as user_id',
      // The value team_members.name_key holds: lowered under the database's collation, then
      // compared under "C".
      sql<string>`lower(listed.name) collate "C"`.as('sort_name'),
    ])
    .where('listed.organization_id', '=', organizationId);
  if (filter.status !== undefined) scoped = scoped.where('listed.status', '=', filter.status);
  const team = filter.team;
  if (team === null) {
    scoped = scoped.where((w) =>
      w.not(
        w.exists(
          w
            .selectFrom('team_members as on_team')
            .select('on_team.user_id')
            .whereRef('on_team.user_id', '=', 'listed.id')
            .where('on_team.organization_id', '=', organizationId),
        ),
      ),
    );
  } else if (team !== undefined) {
    scoped = scoped.where((w) =>
      w.exists(
        w
          .selectFrom('team_members as on_team')
          .select('on_team.user_id')
          .whereRef('on_team.user_id', '=', 'listed.id')
          .where('on_team.organization_id', '=', organizationId)
          .where('on_team.team_id', '=', team),
      ),
    );
  }
  return scoped;
}
