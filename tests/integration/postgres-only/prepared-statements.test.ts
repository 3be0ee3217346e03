import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '#src/db/database.ts';
import { SessionRepository } from '#src/repositories/session.repository.ts';
import { createTestDatabase, type TestDatabase } from '#tests/support/test-database.ts';

/**
 * A statement marked `/* prepared:<name> *\/` runs as a named prepared statement on PostgreSQL
 * (src/db/database.ts): planned once per connection. The session lookup, which every signed-in
 * request runs, is one (ADR 0015, docs/benchmarks.md); other statements are not.
 */
let template: TestDatabase;
let database: Database;

beforeAll(async () => {
  template = await createTestDatabase();
  const url = new URL(process.env.TEST_DATABASE_URL ?? '');
  url.pathname = `/${template.name}`;
  // One connection: the statements below all run on it, and so does the check.
  database = await openDatabase({ engine: 'postgres', url: url.toString(), maxConnections: 1 });
});
afterAll(async () => {
  await database.close();
  await template.close();
});

async function preparedNames(): Promise<string[]> {
  const { rows } = await sql<{
    name: string;
  }>`select name from pg_prepared_statements order by name`.execute(database.db);
  return rows.map((r) => r.name);
}

describe('prepared statements', () => {
  it('the session lookup is a named prepared statement on its connection; an unmarked statement is not', async () => {
    expect(await preparedNames()).toEqual([]);
    const sessions = new SessionRepository(database.db);
    expect(await sessions.findWithUser('0'.repeat(64))).toBeUndefined();
    await sql`select ${1}::int as one`.execute(database.db);
    expect(await preparedNames()).toEqual(['session_lookup']);
    // Run again on the same connection: the same statement, no error for a second prepare.
    expect(await sessions.findWithUser('1'.repeat(64))).toBeUndefined();
    expect(await preparedNames()).toEqual(['session_lookup']);
  });
});
