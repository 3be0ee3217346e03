import type { Kysely } from 'kysely';
import type { DB, OrganizationRow } from '#src/db/schema.ts';

export class OrganizationRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async create(input: { name: string }): Promise<OrganizationRow> {
    return this.db
      .insertInto('organizations')
      .values({ name: input.name })
      .returning(['id', 'name', 'created_at'])
      .executeTakeFirstOrThrow();
  }

  async findByName(name: string): Promise<OrganizationRow | undefined> {
    return this.db
      .selectFrom('organizations')
      .select(['id', 'name', 'created_at'])
      .where('name', '=', name)
      .executeTakeFirst();
  }

  async findById(id: string): Promise<OrganizationRow | undefined> {
    return this.db
      .selectFrom('organizations')
      .select(['id', 'name', 'created_at'])
      .where('id', '=', id)
      .executeTakeFirst();
  }
}
