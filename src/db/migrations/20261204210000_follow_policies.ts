import { sql, type Kysely } from 'kysely';

/**
 * Follow-the-admin policies, per-member exceptions and notifications (issue 16, ADR 0016).
 *
 * - `team_category_policies`: per team × category, `manual` or `follow` a named source admin,
 *   optionally locked (a lock needs follow). A row set back to `manual` is kept: its
 *   `updated_at` is what decides a member on two teams (the more recent change wins).
 * - `member_category_states`: a member's exception to following one category: `overridden`
 *   (their own edit of an unlocked followed category) or `paused` (a revert of a followed
 *   category). Follow pushes skip both until "Reset to the admin's settings" / "Resume".
 * - `notifications`: written by triggers, so every path that records a sync (single, bulk,
 *   follow push, revert) notifies through one rule: a member whose dashboard an applied sync or
 *   an admin's revert changed gets `dashboard_changed`; the actor of a bulk run that finishes
 *   with failures gets `bulk_failed` (`follow_failed` for a follow push). A notification holds
 *   ids only, never values or secrets.
 * - `bulk_runs.trigger`: `manual` (an admin started it), `follow` (a follow push or a member's
 *   arrival on a following team).
 */
const up_statements = [
  `create table team_category_policies (
     team_id uuid not null,
     organization_id uuid not null,
     category text not null check (category in ('custom_properties', 'pipeline_stages',
       'company_details', 'meeting_titles', 'alternate_domains', 'partnership_domains',
       'task_settings', 'crm_keys', 'email_templates', 'advanced_settings')),
     mode text not null check (mode in ('manual', 'follow')),
     source_user_id uuid,
     locked boolean not null default false,
     updated_at timestamptz not null default clock_timestamp(),
     updated_by uuid references users (id) on delete set null,
     primary key (team_id, category),
     foreign key (team_id, organization_id) references teams (id, organization_id) on delete cascade,
     foreign key (source_user_id, organization_id) references users (id, organization_id)
       on delete cascade,
     constraint team_category_policies_lock_needs_follow check (not locked or mode = 'follow'),
     constraint team_category_policies_follow_needs_source
       check (mode = 'manual' or source_user_id is not null)
   )`,
  `create index team_category_policies_source_idx on team_category_policies
     (source_user_id, category) where mode = 'follow'`,
  `create table member_category_states (
     user_id uuid not null references users (id) on delete cascade,
     category text not null,
     state text not null check (state in ('overridden', 'paused')),
     since timestamptz not null default clock_timestamp(),
     set_by uuid references users (id) on delete set null,
     primary key (user_id, category)
   )`,
  `alter table bulk_runs add column trigger text not null default 'manual'
     check (trigger in ('manual', 'follow'))`,
  `create table notifications (
     id uuid primary key default gen_random_uuid(),
     organization_id uuid not null references organizations (id) on delete cascade,
     user_id uuid not null references users (id) on delete cascade,
     kind text not null check (kind in ('dashboard_changed', 'bulk_failed', 'follow_failed')),
     sync_run_id uuid references sync_runs (id) on delete cascade,
     bulk_run_id uuid references bulk_runs (id) on delete cascade,
     created_at timestamptz not null default clock_timestamp(),
     read_at timestamptz,
     emailed_at timestamptz,
     check ((kind = 'dashboard_changed') = (sync_run_id is not null))
   )`,
  `create index notifications_user_idx on notifications (user_id, created_at desc, id desc)`,
  `create index notifications_unread_idx on notifications (user_id) where read_at is null`,
  `create unique index notifications_sync_run_key on notifications (sync_run_id)
     where sync_run_id is not null`,
  `create unique index notifications_bulk_run_key on notifications (bulk_run_id)
     where bulk_run_id is not null`,
  // A member whose dashboard changed because of someone else: an applied (or partial) sync
  // whose result says it changed something (`changed: true`, which Sync Settings and Sync CRM
  // record), or an admin's revert. A member's own restore is not news to them. The condition
  // reads the small `result`, never the undo snapshot (megabytes for a large dashboard).
  `create function ergo_notify_dashboard_changed() returns trigger language plpgsql as $$
   begin
     insert into notifications (organization_id, user_id, kind, sync_run_id)
       select r.organization_id, r.target_id, 'dashboard_changed', r.id
         from new_runs r
        where r.target_id is not null
          and r.actor_id is distinct from r.target_id
          and r.status in ('applied', 'partial')
          and (r.action = 'revert' or coalesce((r.result ->> 'changed')::boolean, false))
       on conflict do nothing;
     return null;
   end $$`,
  `create trigger sync_runs_notify after insert on sync_runs
     referencing new table as new_runs for each statement
     execute function ergo_notify_dashboard_changed()`,
  // The actor of a bulk run that has just finished with failures (previews included: a
  // preview that could not reach members is worth knowing about).
  `create function ergo_notify_bulk_failed() returns trigger language plpgsql as $$
   begin
     insert into notifications (organization_id, user_id, kind, bulk_run_id)
       select n.organization_id, n.actor_id,
              case when n.trigger = 'follow' then 'follow_failed' else 'bulk_failed' end, n.id
         from new_runs n join old_runs o on o.id = n.id
        where o.finished_at is null and n.finished_at is not null and n.failed > 0
       on conflict do nothing;
     return null;
   end $$`,
  `create trigger bulk_runs_notify after update on bulk_runs
     referencing old table as old_runs new table as new_runs for each statement
     execute function ergo_notify_bulk_failed()`,
  // A member's follow state shows in the member table: count it as a member-list change
  // (ADR 0015).
  `create function ergo_member_list_touch_member_category_states() returns trigger
   language plpgsql as $$
   begin
     insert into member_list_touches (tx, organization_id)
       select distinct pg_current_xact_id(), u.organization_id
         from changed_rows r join users u on u.id = r.user_id
       on conflict do nothing;
     return null;
   end $$`,
  ...(['insert', 'update', 'delete'] as const).map(
    (event) =>
      `create trigger member_category_states_member_list_${event} after ${event}
         on member_category_states
         referencing ${event === 'delete' ? 'old' : 'new'} table as changed_rows
         for each statement execute function ergo_member_list_touch_member_category_states()`,
  ),
];

const down_statements = [
  ...(['insert', 'update', 'delete'] as const).map(
    (event) =>
      `drop trigger if exists member_category_states_member_list_${event} on member_category_states`,
  ),
  `drop function if exists ergo_member_list_touch_member_category_states()`,
  `drop trigger if exists bulk_runs_notify on bulk_runs`,
  `drop function if exists ergo_notify_bulk_failed()`,
  `drop trigger if exists sync_runs_notify on sync_runs`,
  `drop function if exists ergo_notify_dashboard_changed()`,
  `drop table if exists notifications`,
  `alter table bulk_runs drop column if exists trigger`,
  `drop table if exists member_category_states`,
  `drop table if exists team_category_policies`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of up_statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const statement of down_statements) await sql.raw(statement).execute(db);
}
