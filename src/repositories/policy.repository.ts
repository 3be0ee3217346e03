import { sql, type Kysely } from 'kysely';
import type { DB, FollowState, PolicyMode } from '#src/db/schema.ts';

/** A stored team × category policy, with the names the console shows. */
export interface PolicyRecord {
  teamId: string;
  teamName: string;
  category: string;
  mode: PolicyMode;
  sourceUserId: string | null;
  sourceName: string | null;
  locked: boolean;
  updatedAt: Date;
  updatedBy: string | null;
  updatedByName: string | null;
}

/**
 * The policy that governs one member × category: of the policies of every team the member is
 * on, the one changed most recently (ties: the lower team id), and the member's exception.
 */
export interface GoverningPolicyRecord extends PolicyRecord {
  userId: string;
  state: FollowState | null;
}

export interface FollowExceptionRecord {
  userId: string;
  name: string;
  category: string;
  state: FollowState;
  since: Date;
}

/** A follow policy's members to push to: those it governs, without an exception. */
export interface PushTarget {
  teamId: string;
  category: string;
  userId: string;
}

/**
 * Follow policies and members' exceptions to them (issue 16, ADR 0016). Which policy governs a
 * member is decided here, in SQL, once: the lock check, the follow push, a member's arrival and
 * the console all read it through `governing`.
 */
export class PolicyRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async listForTeam(teamId: string): Promise<PolicyRecord[]> {
    const rows = await sql<PolicyRow>`
      select p.team_id, t.name as team_name, p.category, p.mode, p.source_user_id,
             s.name as source_name, p.locked, p.updated_at, p.updated_by, b.name as updated_by_name
        from team_category_policies p
        join teams t on t.id = p.team_id
        left join users s on s.id = p.source_user_id
        left join users b on b.id = p.updated_by
       where p.team_id = ${teamId}`.execute(this.db);
    return rows.rows.map(toPolicy);
  }

  /** The active admins of an organization: who a policy may follow, by name. */
  async adminsOf(organizationId: string): Promise<{ id: string; name: string }[]> {
    return this.db
      .selectFrom('users')
      .select(['id', 'name'])
      .where('organization_id', '=', organizationId)
      .where('role', 'in', ['admin', 'primary_admin'])
      .where('status', '=', 'active')
      .orderBy(sql`lower(name)`)
      .orderBy('id')
      .execute();
  }

  /** Sets a team's policy for one category (its change time is the statement's clock). */
  async upsert(input: {
    teamId: string;
    organizationId: string;
    category: string;
    mode: PolicyMode;
    sourceUserId: string | null;
    locked: boolean;
    updatedBy: string;
  }): Promise<void> {
    await this.db
      .insertInto('team_category_policies')
      .values({
        team_id: input.teamId,
        organization_id: input.organizationId,
        category: input.category,
        mode: input.mode,
        source_user_id: input.sourceUserId,
        locked: input.locked,
        updated_by: input.updatedBy,
        updated_at: sql<Date>`clock_timestamp()`,
      })
      .onConflict((oc) =>
        oc.columns(['team_id', 'category']).doUpdateSet({
          mode: input.mode,
          source_user_id: input.sourceUserId,
          locked: input.locked,
          updated_by: input.updatedBy,
          updated_at: sql<Date>`clock_timestamp()`,
        }),
      )
      .execute();
  }

  /**
   * The governing policy of each member × category asked for (members governed by no policy
   * are absent). `categories` undefined: every category.
   */
  async governing(
    userIds: readonly string[],
    categories?: readonly string[],
  ): Promise<GoverningPolicyRecord[]> {
    if (userIds.length === 0 || categories?.length === 0) return [];
    const categoryFilter =
      categories === undefined ? sql`true` : sql`p.category in (${sql.join([...categories])})`;
    const rows = await sql<PolicyRow & { user_id: string; state: FollowState | null }>`
      select distinct on (tm.user_id, p.category)
             tm.user_id, p.team_id, t.name as team_name, p.category, p.mode, p.source_user_id,
             s.name as source_name, p.locked, p.updated_at, p.updated_by, null as updated_by_name,
             st.state
        from team_members tm
        join team_category_policies p on p.team_id = tm.team_id
        join teams t on t.id = p.team_id
        left join users s on s.id = p.source_user_id
        left join member_category_states st on st.user_id = tm.user_id and st.category = p.category
       where tm.user_id in (${sql.join([...userIds])}) and ${categoryFilter}
       order by tm.user_id, p.category, p.updated_at desc, p.team_id`.execute(this.db);
    return rows.rows.map((r) => ({ ...toPolicy(r), userId: r.user_id, state: r.state }));
  }

  /**
   * The members a follow push of `sourceUserId`'s `category` goes to, per team: members of a
   * team following that source in that category whose governing policy is that team's (a more
   * recent policy of another team wins), who have a dashboard, are not the source or the
   * primary admin, and have no exception (overridden or paused). Ordered by team, then member.
   */
  async pushTargets(
    sourceUserId: string,
    category: string,
    onlyUserIds?: readonly string[],
  ): Promise<PushTarget[]> {
    const userFilter =
      onlyUserIds === undefined
        ? sql`true`
        : onlyUserIds.length === 0
          ? sql`false`
          : sql`tm.user_id in (${sql.join([...onlyUserIds])})`;
    const rows = await sql<{ team_id: string; category: string; user_id: string }>`
      with candidates as (
        select distinct tm.user_id
          from team_members tm
         where tm.team_id in (select team_id from team_category_policies
                               where source_user_id = ${sourceUserId} and category = ${category}
                                 and mode = 'follow')
           and ${userFilter}
      ),
      governing as (
        select distinct on (tm.user_id) tm.user_id, p.team_id, p.mode, p.source_user_id
          from candidates c
          join team_members tm on tm.user_id = c.user_id
          join team_category_policies p on p.team_id = tm.team_id and p.category = ${category}
         order by tm.user_id, p.updated_at desc, p.team_id
      )
      select g.team_id, ${category}::text as category, g.user_id
        from governing g
        join users u on u.id = g.user_id
        join dashboards d on d.user_id = g.user_id
       where g.mode = 'follow' and g.source_user_id = ${sourceUserId}
         and u.id <> ${sourceUserId} and u.role <> 'primary_admin' and u.status = 'active'
         and not exists (select 1 from member_category_states st
                          where st.user_id = g.user_id and st.category = ${category})
       order by g.team_id, g.user_id`.execute(this.db);
    return rows.rows.map((r) => ({ teamId: r.team_id, category: r.category, userId: r.user_id }));
  }

  /** The follow policies governing a member who just joined a team or finished setting up. */
  async followedBy(userId: string): Promise<GoverningPolicyRecord[]> {
    return (await this.governing([userId])).filter((p) => p.mode === 'follow');
  }

  /** Members of `teamId` with an exception, per category. */
  async exceptionsOfTeam(teamId: string): Promise<FollowExceptionRecord[]> {
    const rows = await sql<{
      user_id: string;
      name: string;
      category: string;
      state: FollowState;
      since: Date;
    }>`
      select st.user_id, u.name, st.category, st.state, st.since
        from member_category_states st
        join team_members tm on tm.user_id = st.user_id and tm.team_id = ${teamId}
        join users u on u.id = st.user_id
       order by st.category, lower(u.name), st.user_id`.execute(this.db);
    return rows.rows.map((r) => ({
      userId: r.user_id,
      name: r.name,
      category: r.category,
      state: r.state,
      since: r.since,
    }));
  }

  /**
   * For each category, the other teams sharing members with `teamId` whose policy differs, with
   * how many members they share and whose policy governs those members (the more recent).
   */
  async conflictsOfTeam(teamId: string): Promise<
    {
      category: string;
      teamId: string;
      teamName: string;
      mode: PolicyMode;
      sourceUserId: string | null;
      sourceName: string | null;
      sharedMembers: number;
      governsOther: boolean;
    }[]
  > {
    const rows = await sql<{
      category: string;
      team_id: string;
      team_name: string;
      mode: PolicyMode;
      source_user_id: string | null;
      source_name: string | null;
      shared: number;
      other_newer: boolean;
    }>`
      select o.category, o.team_id, t.name as team_name, o.mode, o.source_user_id,
             s.name as source_name, count(distinct tm_o.user_id)::int as shared,
             bool_or(coalesce(o.updated_at > mine.updated_at, true)) as other_newer
        from team_members tm_mine
        join team_members tm_o on tm_o.user_id = tm_mine.user_id and tm_o.team_id <> tm_mine.team_id
        join team_category_policies o on o.team_id = tm_o.team_id
        left join team_category_policies mine on mine.team_id = tm_mine.team_id
                                             and mine.category = o.category
        join teams t on t.id = o.team_id
        left join users s on s.id = o.source_user_id
       where tm_mine.team_id = ${teamId}
         and (mine.team_id is null and o.mode = 'follow'
              or mine.team_id is not null and (o.mode, o.source_user_id, o.locked)
                 is distinct from (mine.mode, mine.source_user_id, mine.locked))
       group by o.category, o.team_id, t.name, o.mode, o.source_user_id, s.name
       order by o.category, t.name, o.team_id`.execute(this.db);
    return rows.rows.map((r) => ({
      category: r.category,
      teamId: r.team_id,
      teamName: r.team_name,
      mode: r.mode,
      sourceUserId: r.source_user_id,
      sourceName: r.source_name,
      sharedMembers: r.shared,
      governsOther: r.other_newer,
    }));
  }

  /** Records a member's exception, keeping one already there (its `since` and kind). */
  async markState(
    userId: string,
    category: string,
    state: FollowState,
    setBy: string,
    replace = false,
  ): Promise<void> {
    await this.db
      .insertInto('member_category_states')
      .values({
        user_id: userId,
        category,
        state,
        set_by: setBy,
        since: sql<Date>`clock_timestamp()`,
      })
      .onConflict((oc) =>
        replace
          ? oc.columns(['user_id', 'category']).doUpdateSet({
              state,
              set_by: setBy,
              since: sql<Date>`clock_timestamp()`,
            })
          : oc.columns(['user_id', 'category']).doNothing(),
      )
      .execute();
  }

  /** Clears a member's exception; whether there was one. */
  async clearState(userId: string, category: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('member_category_states')
      .where('user_id', '=', userId)
      .where('category', '=', category)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** The members with an exception for the category, and which (callers hold their locks). */
  async exceptedAmong(
    userIds: readonly string[],
    category: string,
  ): Promise<Map<string, FollowState>> {
    if (userIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('member_category_states')
      .select(['user_id', 'state'])
      .where('user_id', 'in', [...userIds])
      .where('category', '=', category)
      .execute();
    return new Map(rows.map((r) => [r.user_id, r.state]));
  }
}

interface PolicyRow {
  team_id: string;
  team_name: string;
  category: string;
  mode: PolicyMode;
  source_user_id: string | null;
  source_name: string | null;
  locked: boolean;
  updated_at: Date;
  updated_by: string | null;
  updated_by_name: string | null;
}

function toPolicy(r: PolicyRow): PolicyRecord {
  return {
    teamId: r.team_id,
    teamName: r.team_name,
    category: r.category,
    mode: r.mode,
    sourceUserId: r.source_user_id,
    sourceName: r.source_name,
    locked: r.locked,
    updatedAt: new Date(r.updated_at),
    updatedBy: r.updated_by,
    updatedByName: r.updated_by_name,
  };
}
