import { sql } from 'kysely';
import type { Database } from '#src/db/database.ts';
import { migrationState } from '#src/db/migrator.ts';

export interface DatabaseHealth {
  database: Database['engine'];
  ok: boolean;
  migrations: { applied: number; pending: string[]; latest: string | null };
}

/**
 * The readiness check: one cheap round trip (`select 1`) per call, with the migration state read
 * once, here, at start-up (migrations only change when the app is deployed and restarted).
 */
export async function createReadinessCheck(
  database: Database,
): Promise<() => Promise<DatabaseHealth>> {
  const state = await migrationState(database.db);
  const migrations = {
    applied: state.applied.length,
    pending: state.pending,
    latest: state.applied.at(-1) ?? null,
  };
  return async () => {
    let reachable = true;
    try {
      await sql`select 1`.execute(database.db);
    } catch {
      reachable = false;
    }
    return { database: database.engine, ok: reachable && state.pending.length === 0, migrations };
  };
}
