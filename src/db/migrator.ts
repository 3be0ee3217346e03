/* eslint-disable @typescript-eslint/no-explicit-any -- the migrator works on any schema, as Kysely's own Migrator does */
import { Migrator, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import * as initialSchema from '#src/db/migrations/20261127180000_initial_schema.ts';
import * as sessionsAndIdempotency from '#src/db/migrations/20261127190000_sessions_and_idempotency.ts';
import * as reliability from '#src/db/migrations/20261201190000_reliability.ts';
import * as crmKeyFingerprints from '#src/db/migrations/20261201200000_crm_key_fingerprints.ts';
import * as memberListScale from '#src/db/migrations/20261201210000_member_list_scale.ts';
import * as bulkRuns from '#src/db/migrations/20261202090000_bulk_runs.ts';
import * as driftCache from '#src/db/migrations/20261202120000_drift_cache.ts';
import * as crmGrants from '#src/db/migrations/20261202150000_crm_grants.ts';
import * as provisioning from '#src/db/migrations/20261202170000_provisioning.ts';
import * as apiTokens from '#src/db/migrations/20261202190000_api_tokens.ts';
import * as syncPartialStatus from '#src/db/migrations/20261203090000_sync_partial_status.ts';
import * as memberListVersion from '#src/db/migrations/20261204090000_member_list_version.ts';
import * as followPolicies from '#src/db/migrations/20261204210000_follow_policies.ts';
import * as notificationDigest from '#src/db/migrations/20261204230000_notification_digest.ts';

/**
 * Migrations are listed here, in order, rather than read from a folder at run time: the same
 * list works under tsx, vitest and any bundler. File names are timestamps (UTC) + a title.
 */
export const MIGRATIONS: Record<string, Migration> = {
  '20261127180000_initial_schema': initialSchema,
  '20261127190000_sessions_and_idempotency': sessionsAndIdempotency,
  '20261201190000_reliability': reliability,
  '20261201200000_crm_key_fingerprints': crmKeyFingerprints,
  '20261201210000_member_list_scale': memberListScale,
  '20261202090000_bulk_runs': bulkRuns,
  '20261202120000_drift_cache': driftCache,
  '20261202150000_crm_grants': crmGrants,
  '20261202170000_provisioning': provisioning,
  '20261202190000_api_tokens': apiTokens,
  '20261203090000_sync_partial_status': syncPartialStatus,
  '20261204090000_member_list_version': memberListVersion,
  '20261204210000_follow_policies': followPolicies,
  '20261204230000_notification_digest': notificationDigest,
};

export function createMigrator(db: Kysely<any>): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(MIGRATIONS) },
  });
}

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

function check(result: MigrationResultSet): string[] {
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName;
    const what = failed ? `migration ${failed} failed` : 'migrations could not run';
    const reason =
      result.error instanceof Error ? result.error.message : JSON.stringify(result.error);
    throw new MigrationError(`${what}: ${reason}`, { cause: result.error });
  }
  return (result.results ?? []).map((r) => r.migrationName);
}

/** Applies every pending migration; returns the names applied. */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  return check(await createMigrator(db).migrateToLatest());
}

/** Reverts every migration (used by the migration tests to prove `down` works). */
export async function migrateDownAll(db: Kysely<any>): Promise<string[]> {
  const migrator = createMigrator(db);
  const names: string[] = [];
  for (;;) {
    const applied = (await migrator.getMigrations()).filter((m) => m.executedAt !== undefined);
    if (applied.length === 0) return names;
    names.push(...check(await migrator.migrateDown()));
  }
}

export interface MigrationState {
  applied: string[];
  pending: string[];
}

export async function migrationState(db: Kysely<any>): Promise<MigrationState> {
  const migrations = await createMigrator(db).getMigrations();
  return {
    applied: migrations.filter((m) => m.executedAt !== undefined).map((m) => m.name),
    pending: migrations.filter((m) => m.executedAt === undefined).map((m) => m.name),
  };
}
