import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS, migrateDownAll, migrateToLatest, migrationState } from '#src/db/migrator.ts';
import { createEmptyTestDatabase, type TestDatabase } from '#tests/support/test-database.ts';

let database: TestDatabase | undefined;
afterEach(async () => {
  await database?.close();
  database = undefined;
});

async function tableColumns(db: TestDatabase['db']): Promise<string[]> {
  const { rows } = await sql<{ column: string }>`
    select table_name || '.' || column_name || ':' || data_type || ':' || is_nullable as column
    from information_schema.columns where table_schema = 'public' and table_name not like 'kysely_%'
    order by table_name, column_name`.execute(db);
  return rows.map((r) => r.column);
}

describe('migrations', () => {
  it('apply every migration in order on an empty database and report none pending', async () => {
    database = await createEmptyTestDatabase();
    const applied = await migrateToLatest(database.db);
    expect(applied).toEqual(Object.keys(MIGRATIONS));
    expect(await migrationState(database.db)).toEqual({
      applied: Object.keys(MIGRATIONS),
      pending: [],
    });
    expect(await migrateToLatest(database.db)).toEqual([]);
  });

  it('create the same schema on both engines', async () => {
    database = await createEmptyTestDatabase();
    await migrateToLatest(database.db);
    const columns = await tableColumns(database.db);
    // The snapshot is shared by both engine projects: a difference between PGlite and
    // PostgreSQL fails one of them.
    expect(columns).toMatchSnapshot();
  });

  it('roll back to an empty schema with down, and come back up', async () => {
    database = await createEmptyTestDatabase();
    await migrateToLatest(database.db);
    await migrateDownAll(database.db);
    expect(await tableColumns(database.db)).toEqual([]);
    await migrateToLatest(database.db);
    expect((await tableColumns(database.db)).length).toBeGreaterThan(50);
  });
});
