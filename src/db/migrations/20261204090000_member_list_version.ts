import { sql, type Kysely } from 'kysely';

/**
 * The member list's version per organization (ADR 0015): a counter that every committed change
 * to what a member-table page shows moves forward, in the same transaction as the change, so a
 * page kept in memory under version N is current exactly while the organization is still at N.
 *
 * - What counts: users, teams, team_members, dashboards (every settings change bumps its
 *   version, so drift is covered), sync_runs (the last sync; previews excepted) and
 *   crm_connections (the row's CRM health). Drift kept in `drift_cache` is derived from
 *   dashboards and is not counted.
 * - How: a statement-level trigger per table and event notes (transaction, organization) in
 *   `member_list_touches`, once per transaction (the primary key and ON CONFLICT DO NOTHING), and
 *   a deferred constraint trigger on that table bumps the organization's counter at commit and
 *   removes the note. The organization row is therefore locked only while a transaction commits
 *   (a transaction holding it waits for nothing else, so it cannot take part in a deadlock), and a
 *   statement that writes 10,000 rows costs one note, not 10,000 trigger calls.
 */
const TABLES_WITH_ORGANIZATION = ['users', 'teams', 'team_members', 'dashboards'] as const;

const noteFrom = (table: string, rows: string): string =>
  table === 'crm_connections'
    ? `select distinct pg_current_xact_id(), u.organization_id
         from ${rows} r join users u on u.id = r.user_id`
    : table === 'sync_runs'
      ? `select distinct pg_current_xact_id(), r.organization_id
           from ${rows} r where r.status <> 'dry_run'`
      : `select distinct pg_current_xact_id(), r.organization_id from ${rows} r`;

const TABLES = [...TABLES_WITH_ORGANIZATION, 'sync_runs', 'crm_connections'] as const;
const EVENTS = [
  { event: 'insert', rows: 'new table as changed_rows' },
  { event: 'update', rows: 'new table as changed_rows' },
  { event: 'delete', rows: 'old table as changed_rows' },
] as const;

const up_statements = [
  `alter table organizations add column member_list_version bigint not null default 0`,
  `create table member_list_touches (
     tx xid8 not null,
     organization_id uuid not null,
     primary key (tx, organization_id)
   )`,
  `create function ergo_member_list_bump() returns trigger language plpgsql as $$
   begin
     update organizations set member_list_version = member_list_version + 1
       where id = new.organization_id;
     delete from member_list_touches where tx = new.tx and organization_id = new.organization_id;
     return null;
   end $$`,
  `create constraint trigger member_list_touches_bump after insert on member_list_touches
     deferrable initially deferred for each row execute function ergo_member_list_bump()`,
  ...TABLES.map(
    (
      table,
    ) => `create function ergo_member_list_touch_${table}() returns trigger language plpgsql as $$
   begin
     insert into member_list_touches (tx, organization_id)
       ${noteFrom(table, 'changed_rows')}
       on conflict do nothing;
     return null;
   end $$`,
  ),
  ...TABLES.flatMap((table) =>
    EVENTS.map(
      ({ event, rows }) =>
        `create trigger ${table}_member_list_${event} after ${event} on ${table}
           referencing ${rows} for each statement
           execute function ergo_member_list_touch_${table}()`,
    ),
  ),
];

const down_statements = [
  ...TABLES.flatMap((table) =>
    EVENTS.map(({ event }) => `drop trigger if exists ${table}_member_list_${event} on ${table}`),
  ),
  ...TABLES.map((table) => `drop function if exists ergo_member_list_touch_${table}()`),
  `drop table if exists member_list_touches`,
  `drop function if exists ergo_member_list_bump()`,
  `alter table organizations drop column if exists member_list_version`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of up_statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const statement of down_statements) await sql.raw(statement).execute(db);
}
