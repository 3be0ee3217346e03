import { sql } from 'kysely';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '#src/db/database.ts';
import { MIGRATIONS, migrateDownAll, migrateToLatest, migrationState } from '#src/db/migrator.ts';
import {
  createEmptyTestDatabase,
  testEngine,
  type TestDatabase,
} from '#tests/support/test-database.ts';

/**
 * Every test starts from an empty database of its own. A fresh PGlite runs initdb, which takes
 * seconds (tens under load): PGlite makes one empty database for the file, dumps its data dir,
 * and each test loads a copy, as the migrated template does (ADR 0004). PostgreSQL creates an
 * empty database per test, which is fast.
 */
let emptyPgliteDataDir: Blob | undefined;
beforeAll(async () => {
  if (testEngine !== 'pglite') return;
  const fresh = await createEmptyTestDatabase();
  try {
    emptyPgliteDataDir = await fresh.pglite?.dumpDataDir('none');
  } finally {
    await fresh.close();
  }
  if (!emptyPgliteDataDir) throw new Error('PGlite did not dump its data dir');
});

async function emptyDatabase(): Promise<TestDatabase> {
  if (testEngine !== 'pglite') return createEmptyTestDatabase();
  const database = await openDatabase({ engine: 'pglite', loadDataDir: emptyPgliteDataDir });
  return { ...database, name: 'pglite' };
}

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
    database = await emptyDatabase();
    const applied = await migrateToLatest(database.db);
    expect(applied).toEqual(Object.keys(MIGRATIONS));
    expect(await migrationState(database.db)).toEqual({
      applied: Object.keys(MIGRATIONS),
      pending: [],
    });
    expect(await migrateToLatest(database.db)).toEqual([]);
  });

  it('create the same schema on both engines', async () => {
    database = await emptyDatabase();
    await migrateToLatest(database.db);
    const columns = await tableColumns(database.db);
    // The snapshot is shared by both engine projects: a difference between PGlite and
    // PostgreSQL fails one of them.
    expect(columns).toMatchSnapshot();
  });

  it('roll back to an empty schema with down, and come back up', async () => {
    database = await emptyDatabase();
    await migrateToLatest(database.db);
    await migrateDownAll(database.db);
    expect(await tableColumns(database.db)).toEqual([]);
    await migrateToLatest(database.db);
    expect((await tableColumns(database.db)).length).toBeGreaterThan(50);
  });
});
