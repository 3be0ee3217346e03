import type { Kysely } from 'kysely';
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
}
