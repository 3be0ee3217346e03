import { setTimeout as sleep } from 'node:timers/promises';
import { sql, type Kysely } from 'kysely';
import type { DB } from '#src/db/schema.ts';

/** The tables that hold a dashboard: what a sync copies into. */
export const DASHBOARD_TABLES = [
  'dashboards',
  'dashboard_settings',
  'custom_properties',
  'pipeline_stages',
  'salesforce_record_types',
  'crm_connections',
] as const;

/** The run's own record of a sync: its history row and its audit entry. */
export const RECORD_TABLES = ['sync_runs', 'audit_log'] as const;

/** Rows inserted + updated + deleted so far, per table (PostgreSQL's cumulative statistics). */
export type TableWrites = Map<string, number>;

/**
 * PostgreSQL counts each backend's row writes locally and publishes them when the backend goes
 * idle, at most once a second (PG 15: otherwise up to 10 s later). So, after waiting a little
 * over a second, one short statement is run on each pooled connection at once (each goes idle
 * again and publishes), the reader drops its cached snapshot, and the counters are read until
 * two reads agree.
 */
export async function readTableWrites(db: Kysely<DB>, poolSize: number): Promise<TableWrites> {
  let previous: TableWrites | undefined;
  for (let attempt = 0; attempt < 12; attempt += 1) {
    await sleep(1100);
    await Promise.all(
      Array.from({ length: poolSize }, () => sql`select pg_sleep(0.02)`.execute(db)),
    );
    const current = await readCounters(db);
    if (previous && same(previous, current)) return current;
    previous = current;
  }
  throw new Error('the table statistics did not settle');
}

async function readCounters(db: Kysely<DB>): Promise<TableWrites> {
  return db.connection().execute(async (connection) => {
    await sql`select pg_stat_clear_snapshot()`.execute(connection);
    const { rows } = await sql<{ table: string; writes: number }>`
      select relname as table, (n_tup_ins + n_tup_upd + n_tup_del)::int as writes
      from pg_stat_user_tables where schemaname = 'public'`.execute(connection);
    return new Map(rows.map((r) => [r.table, r.writes]));
  });
}

function same(a: TableWrites, b: TableWrites): boolean {
  if (a.size !== b.size) return false;
  for (const [table, n] of a) if (b.get(table) !== n) return false;
  return true;
}

/** Rows written between two reads, summed over `tables`. */
export function writesBetween(
  before: TableWrites,
  after: TableWrites,
  tables: readonly string[],
): number {
  return tables.reduce((sum, t) => sum + (after.get(t) ?? 0) - (before.get(t) ?? 0), 0);
}
