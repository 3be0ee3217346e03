import { sql, type Kysely } from 'kysely';

/**
 * Bulk runs (issue 11, ADR 0012): one row per run and one per member of it. The member rows are
 * the durable state of the run: a batch job (pg-boss on PostgreSQL, the in-process runner on
 * PGlite) only says "work on batch k of run r"; what is done is read from, and written to, these
 * rows in the batch's own transaction, so a job delivered twice finds its members no longer
 * pending. `sync_runs.bulk_run_id` with a unique index per (run, member) is the second guard:
 * a member can never have two history entries in one run.
 */
const up_statements = [
  `create table bulk_runs (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null references organizations (id),
    actor_id uuid not null references users (id),
    action text not null check (action in ('sync_settings', 'sync_crm', 'revert')),
    categories text[] not null default '{}',
    dry_run boolean not null default false,
    status text not null check (status in ('queued', 'running', 'completed', 'cancelled')),
    total integer not null check (total >= 0),
    done integer not null default 0,
    applied integer not null default 0,
    unchanged integer not null default 0,
    failed integer not null default 0,
    cancelled integer not null default 0,
    batch_size integer not null check (batch_size > 0),
    batches integer not null check (batches >= 0),
    team_id uuid,
    retry_of uuid references bulk_runs (id),
    reverts_run_id uuid references bulk_runs (id),
    cancel_requested_at timestamptz,
    request_id text,
    created_at timestamptz not null default now(),
    started_at timestamptz,
    finished_at timestamptz,
    seq bigserial not null,
    foreign key (actor_id, organization_id) references users (id, organization_id)
  )`,
  `create index bulk_runs_org_seq_idx on bulk_runs (organization_id, seq desc)`,
  `create table bulk_run_members (
    run_id uuid not null references bulk_runs (id) on delete cascade,
    member_id uuid not null,
    position integer not null,
    batch integer not null,
    status text not null default 'pending'
      check (status in ('pending', 'applied', 'unchanged', 'failed', 'cancelled')),
    error_code text,
    sync_run_id uuid references sync_runs (id),
    counts jsonb,
    finished_at timestamptz,
    primary key (run_id, member_id),
    unique (run_id, position)
  )`,
  `create index bulk_run_members_batch_idx on bulk_run_members (run_id, batch, status)`,
  `create index bulk_run_members_status_idx on bulk_run_members (run_id, status, position)`,
  `alter table sync_runs add column bulk_run_id uuid references bulk_runs (id)`,
  // CRM rate budgets shared by every process: one fixed window per CRM account, keyed by the
  // CRM and the keyed fingerprint of its credentials (never the credentials).
  `create table crm_rate_budgets (
    budget_key text primary key,
    window_started_at timestamptz not null,
    used integer not null
  )`,
  // A bulk run's own entries: started, cancel requested, and how it ended.
  `alter table audit_log drop constraint audit_log_outcome_check`,
  `alter table audit_log add constraint audit_log_outcome_check check (outcome in
     ('applied', 'dry_run', 'refused', 'failed', 'started', 'cancel_requested', 'completed', 'cancelled'))`,
  `create unique index sync_runs_bulk_member_key on sync_runs (bulk_run_id, target_id)
     where bulk_run_id is not null and status = 'applied'`,
];

const down_statements = [
  `drop table if exists crm_rate_budgets`,
  `alter table audit_log drop constraint audit_log_outcome_check`,
  `alter table audit_log add constraint audit_log_outcome_check check (outcome in ('applied', 'dry_run', 'refused', 'failed'))`,
  `drop index if exists sync_runs_bulk_member_key`,
  `alter table sync_runs drop column if exists bulk_run_id`,
  `drop table if exists bulk_run_members`,
  `drop table if exists bulk_runs`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of up_statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const statement of down_statements) await sql.raw(statement).execute(db);
}
