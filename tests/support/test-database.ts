import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type Database, type DatabaseEngine } from '#src/db/database.ts';

/** The engine this test project runs against (vitest.config.ts). */
export const testEngine: DatabaseEngine =
  process.env.ERGO_TEST_ENGINE === 'postgres' ? 'postgres' : 'pglite';

export interface TestDatabase extends Database {
  /** A fresh, empty, unmigrated database of the same engine (for migration tests). */
  name: string;
}

/** A freshly migrated database of this project's engine, private to the caller. */
export async function createTestDatabase(): Promise<TestDatabase> {
  if (testEngine === 'pglite') {
    const dump = await readFile(inject('pgliteTemplatePath'));
    const database = await openDatabase({ engine: 'pglite', loadDataDir: new Blob([dump]) });
    return { ...database, name: 'pglite' };
  }
  return createPostgresDatabase(inject('postgresTemplateDatabase'));
}

/** An empty database with no migrations applied. */
export async function createEmptyTestDatabase(): Promise<TestDatabase> {
  if (testEngine === 'pglite')
    return { ...(await openDatabase({ engine: 'pglite' })), name: 'pglite' };
  return createPostgresDatabase(undefined);
}

async function createPostgresDatabase(template: string | undefined): Promise<TestDatabase> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set');
  const name = `ergo_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await adminQuery(url, `create database ${name}${template ? ` template ${template}` : ''}`);
  const dbUrl = new URL(url);
  dbUrl.pathname = `/${name}`;
  const database = await openDatabase({
    engine: 'postgres',
    url: dbUrl.toString(),
    maxConnections: 5,
  });
  return {
    ...database,
    name,
    close: async () => {
      await database.close();
      await adminQuery(url, `drop database if exists ${name} with (force)`);
    },
  };
}

async function adminQuery(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
