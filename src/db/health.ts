import type { Database } from '#src/db/database.ts';
import { migrationState } from '#src/db/migrator.ts';

export interface DatabaseHealth {
  database: Database['engine'];
  ok: boolean;
  migrations: { applied: number; pending: string[]; latest: string | null };
}

/** One round trip that proves the database answers and tells where its schema stands. */
export async function databaseHealth(database: Database): Promise<DatabaseHealth> {
  try {
    const state = await migrationState(database.db);
    return {
      database: database.engine,
      ok: state.pending.length === 0,
      migrations: {
        applied: state.applied.length,
        pending: state.pending,
        latest: state.applied.at(-1) ?? null,
      },
    };
  } catch {
    return {
      database: database.engine,
      ok: false,
      migrations: { applied: 0, pending: [], latest: null },
    };
  }
}
