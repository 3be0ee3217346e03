import { sql, type Kysely } from 'kysely';

/**
 * Reliability (issue 9):
 * - Idempotency-Key claims carry a lease (a retry may take over a claim whose holder died) and a
 *   claim token that fences the effect: the completion is written only by the claim's holder,
 *   in the same transaction as the sync. Keys expire after 24 hours.
 * - Failed logins are kept in the database, so every process shares the throttle and a restart
 *   forgets nothing.
 * - History order is apply order: `seq` is taken under the target's lock, and the timestamps are
 *   the statement's clock, not the transaction's start.
 */
const up_statements = [
  `alter table idempotency_keys
     add column claim_token uuid,
     add column lease_expires_at timestamptz,
     add column expires_at timestamptz not null default (now() + interval '24 hours')`,
  `create table login_failures (
    id bigint generated always as identity primary key,
    account text not null,
    address text not null,
    failed_at timestamptz not null
  )`,
  `create index login_failures_account_address_idx on login_failures (account, address, failed_at)`,
  `create index login_failures_address_idx on login_failures (address, failed_at)`,
  `create index login_failures_account_idx on login_failures (account, failed_at)`,
  `alter table sync_runs add column seq bigint generated always as identity`,
  `alter table sync_runs alter column created_at set default clock_timestamp()`,
  `create unique index sync_runs_seq_idx on sync_runs (seq)`,
  `create index sync_runs_org_seq_idx on sync_runs (organization_id, seq desc)`,
  `create index sync_runs_org_target_seq_idx on sync_runs (organization_id, target_id, seq desc)`,
];

const down_statements = [
  `drop index if exists sync_runs_org_target_seq_idx`,
  `drop index if exists sync_runs_org_seq_idx`,
  `drop index if exists sync_runs_seq_idx`,
  `alter table sync_runs alter column created_at set default now()`,
  `alter table sync_runs drop column if exists seq`,
  `drop table if exists login_failures`,
  `alter table idempotency_keys
     drop column if exists claim_token,
     drop column if exists lease_expires_at,
     drop column if exists expires_at`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of up_statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const statement of down_statements) await sql.raw(statement).execute(db);
}
