import { sql, type Kysely } from 'kysely';
import type { DB, TeamRow } from '#src/db/schema.ts';

export class TeamRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async insertMany(organizationId: string, names: readonly string[]): Promise<TeamRow[]> {
    if (names.length === 0) return [];
    return this.db
      .insertInto('teams')
      .values(names.map((name) => ({ organization_id: organizationId, name })))
      .returning(['id', 'organization_id', 'name', 'created_at'])
      .execute();
  }

  /**
   * Adds memberships in one statement. The composite foreign keys refuse a team and a user of
   * different organizations.
   */
  async addMembers(
    organizationId: string,
    memberships: readonly { teamId: string; userId: string }[],
  ): Promise<void> {
    if (memberships.length === 0) return;
    await this.db
      .insertInto('team_members')
      .values(
        memberships.map((m) => ({
          team_id: m.teamId,
          user_id: m.userId,
          organization_id: organizationId,
        })),
      )
      .onConflict((oc) => oc.columns(['team_id', 'user_id']).doNothing())
      .execute();
  }

  async listWithMemberCounts(
    organizationId: string,
  ): Promise<{ id: string; name: string; memberCount: number }[]> {
    return this.db
      .selectFrom('teams')
      .leftJoin('team_members', 'team_members.team_id', 'teams.id')
      .select(['teams.id', 'teams.name'])
      .select((eb) => eb.fn.count<number>('team_members.user_id').as('memberCount'))
      .where('teams.organization_id', '=', organizationId)
      .groupBy(['teams.id', 'teams.name'])
      .orderBy('teams.name')
      .execute()
      .then((rows) => rows.map((r) => ({ ...r, memberCount: r.memberCount })));
  }

  /**
   * Creates a team; undefined when the organization already has a team of exactly that name
   * (the unique constraint decides, so two concurrent creations cannot both succeed).
   */
  async create(
    organizationId: string,
    name: string,
  ): Promise<{ id: string; name: string } | undefined> {
    return this.db
      .insertInto('teams')
      .values({ organization_id: organizationId, name })
      .onConflict((oc) => oc.columns(['organization_id', 'name']).doNothing())
      .returning(['id', 'name'])
      .executeTakeFirst();
  }

  /**
   * A team of the organization whose name equals `name` ignoring case and surrounding spaces,
   * other than `exceptTeamId`: "Sales" and "sales " would read as the same team to a person.
   */
  async findByNameIgnoringCase(
    organizationId: string,
    name: string,
    exceptTeamId?: string,
  ): Promise<{ id: string; name: string } | undefined> {
    let query = this.db
      .selectFrom('teams')
      .select(['id', 'name'])
      .where('organization_id', '=', organizationId)
      .where(sql<boolean>`lower(btrim(name)) = lower(btrim(${name}))`);
    if (exceptTeamId !== undefined) query = query.where('id', '<>', exceptTeamId);
    return query.executeTakeFirst();
  }

  /** A team of the organization, locked until the transaction ends; undefined if not there. */
  async lockInOrganization(
    organizationId: string,
    teamId: string,
  ): Promise<{ id: string; name: string; memberCount: number } | undefined> {
    const row = await this.db
      .selectFrom('teams')
      .select(['id', 'name'])
      .select((eb) =>
        eb
          .selectFrom('team_members')
          .select(eb.fn.countAll<string>().as('n'))
          .whereRef('team_members.team_id', '=', 'teams.id')
          .as('member_count'),
      )
      .where('organization_id', '=', organizationId)
      .where('id', '=', teamId)
      .forUpdate()
      .executeTakeFirst();
    return row && { id: row.id, name: row.name, memberCount: Number(row.member_count ?? 0) };
  }

  /** Renames a team of the organization (the caller checked that the name is free). */
  async rename(
    organizationId: string,
    teamId: string,
    name: string,
  ): Promise<{ id: string; name: string } | undefined> {
    return this.db
      .updateTable('teams')
      .set({ name })
      .where('organization_id', '=', organizationId)
      .where('id', '=', teamId)
      .returning(['id', 'name'])
      .executeTakeFirst();
  }

  /**
   * Deletes a team of the organization; its memberships go with it (foreign key cascade), its
   * members stay in the organization. False when it was not there.
   */
  async delete(organizationId: string, teamId: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('teams')
      .where('organization_id', '=', organizationId)
      .where('id', '=', teamId)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
