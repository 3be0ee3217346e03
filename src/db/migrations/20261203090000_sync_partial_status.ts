import { sql, type Kysely } from 'kysely';

/**
 * A Sync CRM whose keys were copied but whose owner-property step failed for some CRM is
 * `partial` (issue 14): its keys are applied (and revertible), yet it did not do all it set out
 * to. A bulk run's "one applied entry per run and member" counts such entries too.
 */
const up_statements = [
  `alter table sync_runs drop constraint sync_runs_status_check`,
  `alter table sync_runs add constraint sync_runs_status_check
     check (status in ('applied', 'partial', 'dry_run', 'failed', 'refused'))`,
  `drop index if exists sync_runs_bulk_member_key`,
  `create unique index sync_runs_bulk_member_key on sync_runs (bulk_run_id, target_id)
     where bulk_run_id is not null and status in ('applied', 'partial')`,
];

const down_statements = [
  `drop index if exists sync_runs_bulk_member_key`,
  `update sync_runs set status = 'applied' where status = 'partial'`,
  `alter table sync_runs drop constraint sync_runs_status_check`,
  `alter table sync_runs add constraint sync_runs_status_check
     check (status in ('applied', 'dry_run', 'failed', 'refused'))`,
  `create unique index sync_runs_bulk_member_key on sync_runs (bulk_run_id, target_id)
     where bulk_run_id is not null and status = 'applied'`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of up_statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const statement of down_statements) await sql.raw(statement).execute(db);
}
