import { sql, type Kysely } from 'kysely';

/**
 * A keyed fingerprint (HMAC) of each CRM connection's secrets, written when they are sealed, so
 * the sync engine and drift compare CRM keys without decrypting them (issue 10). Rows sealed
 * before this migration get theirs at the next start (`backfillFingerprints`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table crm_connections add column fingerprint text`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table crm_connections drop column if exists fingerprint`.execute(db);
}
