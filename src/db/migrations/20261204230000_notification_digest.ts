import { sql, type Kysely } from 'kysely';

/**
 * The email digest of notifications (issue 16, ADR 0016): a per-user preference, off by default.
 * A digest mails a user their unread notifications not yet mailed (`notifications.emailed_at`).
 */
const up_statements = [
  `create table notification_preferences (
     user_id uuid primary key references users (id) on delete cascade,
     email_digest boolean not null default false,
     updated_at timestamptz not null default clock_timestamp()
   )`,
  `create index notifications_digest_idx on notifications (user_id)
     where emailed_at is null and read_at is null`,
];

const down_statements = [
  `drop index if exists notifications_digest_idx`,
  `drop table if exists notification_preferences`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of up_statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const statement of down_statements) await sql.raw(statement).execute(db);
}
