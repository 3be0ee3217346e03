import { sql, type Kysely } from 'kysely';

/**
 * The member table scales (issue 10 point 5): every page is a walk of an index, never a sort of
 * the team or the organization.
 *
 * - `team_members.name_key` is the row's sort key, `lower(users.name)` (lowered under the
 *   database's collation, as the member list always did) stored under the "C" collation, so the
 *   index (team_id, name_key, user_id) is exactly the page order and the keyset cursor is a row
 *   comparison on it. Triggers keep it equal to the user's name: set on every insert (whoever
 *   inserts the row: repositories, seeds, factories) and rewritten when a user's name changes.
 *   The insert reads the name `for share`, so a rename committing meanwhile is waited for and
 *   seen (the rename's own update of team_members cannot see a row not yet committed).
 * - The latest sync of a member comes from a partial index on the history without dry runs, so
 *   the lateral join reads one index entry per row however many previews were made.
 * - Search by name or email (a substring, case-insensitive) uses trigram GIN indexes (pg_trgm,
 *   a trusted contrib extension; PGlite loads it in openDatabase). Where the server cannot
 *   provide pg_trgm the indexes are left out: the query and its results are the same, only
 *   slower.
 */
const up_statements = [
  `alter table team_members add column name_key text collate "C"`,
  `update team_members set name_key = lower(users.name)
     from users where users.id = team_members.user_id`,
  `alter table team_members alter column name_key set not null`,
  `create function ergo_team_members_name_key() returns trigger language plpgsql as $$
   begin
     -- '' only when the user does not exist: the foreign key then refuses the row as before.
     new.name_key := coalesce(
       (select lower(u.name) from users u where u.id = new.user_id for share), '');
     return new;
   end $$`,
  `create trigger team_members_name_key before insert or update of user_id, name_key
     on team_members for each row execute function ergo_team_members_name_key()`,
  `create function ergo_users_name_key() returns trigger language plpgsql as $$
   begin
     update team_members set name_key = lower(new.name) where user_id = new.id;
     return null;
   end $$`,
  `create trigger users_name_key after update of name on users
     for each row when (old.name is distinct from new.name)
     execute function ergo_users_name_key()`,
  `create index team_members_team_name_key_idx on team_members (team_id, name_key, user_id)`,
  `create index sync_runs_org_target_applied_seq_idx on sync_runs (organization_id, target_id, seq desc)
     where status <> 'dry_run'`,
  `do $$
   begin
     if not exists (select 1 from pg_extension where extname = 'pg_trgm')
        and exists (select 1 from pg_available_extensions where name = 'pg_trgm') then
       begin
         create extension pg_trgm;
       exception when insufficient_privilege then
         raise notice 'pg_trgm could not be created: member search runs without an index';
       end;
     end if;
     if exists (select 1 from pg_extension where extname = 'pg_trgm') then
       create index users_name_trgm_idx on users using gin (lower(name) gin_trgm_ops) with (fastupdate = off);
       create index users_email_trgm_idx on users using gin (email gin_trgm_ops) with (fastupdate = off);
     end if;
   end $$`,
];

const down_statements = [
  `drop index if exists users_email_trgm_idx`,
  `drop index if exists users_name_trgm_idx`,
  // Left in place when something else uses it.
  `do $$
   begin
     drop extension if exists pg_trgm;
   exception when dependent_objects_still_exist then
     null;
   end $$`,
  `drop index if exists sync_runs_org_target_applied_seq_idx`,
  `drop index if exists team_members_team_name_key_idx`,
  `drop trigger if exists users_name_key on users`,
  `drop function if exists ergo_users_name_key()`,
  `drop trigger if exists team_members_name_key on team_members`,
  `drop function if exists ergo_team_members_name_key()`,
  `alter table team_members drop column if exists name_key`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of up_statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const statement of down_statements) await sql.raw(statement).execute(db);
}
