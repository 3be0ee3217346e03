import { sql, type Kysely } from 'kysely';

/**
 * The data model of SPEC §1–2 and §7. Integrity lives in the database where it can:
 * tenancy through composite foreign keys (a team member and their team share an organization),
 * one primary admin per organization (unique index + deferred constraint trigger), and an
 * append-only audit log (triggers refuse UPDATE, DELETE and TRUNCATE).
 */

const CRMS = `('hubspot', 'salesforce', 'zoho', 'attio', 'pipedrive')`;
const CATEGORIES = `('custom_properties', 'pipeline_stages', 'company_details', 'meeting_titles',
  'alternate_domains', 'partnership_domains', 'task_settings', 'crm_keys', 'email_templates',
  'advanced_settings')`;

const up_statements = [
  `create table organizations (
    id uuid primary key default gen_random_uuid(),
    name text not null check (length(btrim(name)) between 1 and 200),
    created_at timestamptz not null default now()
  )`,

  `create table users (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null references organizations (id) on delete cascade,
    email text not null check (email = lower(btrim(email)) and email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
    name text not null check (length(btrim(name)) between 1 and 200),
    password_hash text,
    role text not null check (role in ('primary_admin', 'admin', 'member')),
    status text not null check (status in ('active', 'invited', 'deactivated')),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint users_id_organization_key unique (id, organization_id)
  )`,
  `create unique index users_email_key on users (email)`,
  `create unique index users_one_primary_admin_key on users (organization_id) where role = 'primary_admin'`,

  // "Exactly one primary admin" (SPEC §1): the unique index gives at most one; this deferred
  // check, run at commit, gives at least one, so an admin can be swapped inside a transaction.
  `create function ergo_assert_one_primary_admin(org uuid) returns void language plpgsql as $$
   begin
     if exists (select 1 from organizations where id = org)
        and (select count(*) from users where organization_id = org and role = 'primary_admin') <> 1 then
       raise exception 'organization % must have exactly one primary admin', org
         using errcode = '23514', constraint = 'organizations_one_primary_admin';
     end if;
   end $$`,
  `create function ergo_users_primary_admin_check() returns trigger language plpgsql as $$
   begin
     if tg_op in ('UPDATE', 'DELETE') then perform ergo_assert_one_primary_admin(old.organization_id); end if;
     if tg_op in ('INSERT', 'UPDATE') then perform ergo_assert_one_primary_admin(new.organization_id); end if;
     return null;
   end $$`,
  `create constraint trigger users_primary_admin_check after insert or update of role, organization_id or delete
     on users deferrable initially deferred for each row execute function ergo_users_primary_admin_check()`,
  `create function ergo_organizations_primary_admin_check() returns trigger language plpgsql as $$
   begin
     perform ergo_assert_one_primary_admin(new.id);
     return null;
   end $$`,
  `create constraint trigger organizations_primary_admin_check after insert on organizations
     deferrable initially deferred for each row execute function ergo_organizations_primary_admin_check()`,

  `create table teams (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null references organizations (id) on delete cascade,
    name text not null check (length(btrim(name)) between 1 and 120),
    created_at timestamptz not null default now(),
    constraint teams_organization_name_key unique (organization_id, name),
    constraint teams_id_organization_key unique (id, organization_id)
  )`,

  `create table team_members (
    team_id uuid not null,
    user_id uuid not null,
    organization_id uuid not null,
    created_at timestamptz not null default now(),
    primary key (team_id, user_id),
    foreign key (team_id, organization_id) references teams (id, organization_id) on delete cascade,
    foreign key (user_id, organization_id) references users (id, organization_id) on delete cascade
  )`,
  `create index team_members_user_idx on team_members (user_id)`,

  `create table dashboards (
    user_id uuid primary key,
    organization_id uuid not null,
    version integer not null default 1 check (version > 0),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    foreign key (user_id, organization_id) references users (id, organization_id) on delete cascade
  )`,

  // One row per category the user has set: its version (optimistic concurrency, revert checks)
  // and, for document categories, the validated JSON value. No row = never set = default value.
  `create table dashboard_settings (
    user_id uuid not null references dashboards (user_id) on delete cascade,
    category text not null check (category in ${CATEGORIES}),
    document jsonb,
    version integer not null default 1 check (version > 0),
    updated_at timestamptz not null default now(),
    primary key (user_id, category),
    constraint dashboard_settings_document_check check (
      (category in ('custom_properties', 'pipeline_stages', 'crm_keys')) = (document is null)
    )
  )`,

  `create table custom_properties (
    id uuid primary key default gen_random_uuid(),
    user_id uuid not null references dashboards (user_id) on delete cascade,
    crm text not null check (crm in ${CRMS}),
    object text not null check (object in ('deal', 'contact', 'company')),
    name text not null,
    label text not null,
    type text not null check (type in ('string', 'number', 'date', 'bool', 'enumeration')),
    options jsonb not null default '[]' check (jsonb_typeof(options) = 'array'),
    owner_property boolean not null default false,
    position integer not null default 0,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint custom_properties_user_crm_object_name_key unique (user_id, crm, object, name)
  )`,

  `create table pipeline_stages (
    id uuid primary key default gen_random_uuid(),
    user_id uuid not null references dashboards (user_id) on delete cascade,
    internal_id text not null,
    name text not null,
    position integer not null check (position >= 0),
    probability integer not null check (probability between 0 and 100),
    crm_stage_mappings jsonb not null default '{}' check (jsonb_typeof(crm_stage_mappings) = 'object'),
    synced boolean not null default false,
    synced_at timestamptz,
    synced_from_user_id uuid references users (id) on delete set null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint pipeline_stages_user_internal_id_key unique (user_id, internal_id)
  )`,

  `create table salesforce_record_types (
    id uuid primary key default gen_random_uuid(),
    user_id uuid not null references dashboards (user_id) on delete cascade,
    record_type_id text not null,
    name text not null,
    developer_name text not null,
    stage_internal_ids jsonb not null default '[]' check (jsonb_typeof(stage_internal_ids) = 'array'),
    is_active boolean not null default true,
    position integer not null default 0,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint salesforce_record_types_user_record_type_key unique (user_id, record_type_id)
  )`,

  // SPEC §7: the secrets are one AES-256-GCM sealed JSON object, bound to (user, crm) as
  // associated data; secret_hint holds at most the last 4 characters for the masked view.
  `create table crm_connections (
    user_id uuid not null references dashboards (user_id) on delete cascade,
    crm text not null check (crm in ${CRMS}),
    key_id text not null,
    nonce bytea not null check (length(nonce) = 12),
    ciphertext bytea not null,
    auth_tag bytea not null check (length(auth_tag) = 16),
    secret_hint text not null check (length(secret_hint) <= 4),
    instance jsonb not null default '{}' check (jsonb_typeof(instance) = 'object'),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (user_id, crm)
  )`,

  `create table sync_runs (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null references organizations (id) on delete cascade,
    actor_id uuid references users (id) on delete set null,
    target_id uuid references users (id) on delete set null,
    source_user_id uuid references users (id) on delete set null,
    action text not null check (action in ('sync_crm', 'sync_settings', 'revert')),
    categories text[] not null default '{}',
    status text not null check (status in ('applied', 'dry_run', 'failed', 'refused')),
    result jsonb not null default '{}',
    snapshot jsonb,
    reverts_sync_id uuid references sync_runs (id),
    reverted_by_sync_id uuid references sync_runs (id),
    error_code text,
    request_id text,
    created_at timestamptz not null default now(),
    finished_at timestamptz
  )`,
  `create index sync_runs_org_target_created_idx on sync_runs (organization_id, target_id, created_at desc)`,
  `create index sync_runs_org_created_idx on sync_runs (organization_id, created_at desc)`,

  // Append-only and hash-chained (each entry stores the previous entry's hash). No foreign keys:
  // the log outlives what it talks about.
  `create table audit_log (
    id bigint generated always as identity primary key,
    organization_id uuid not null,
    occurred_at timestamptz not null default now(),
    actor_id uuid,
    target_id uuid,
    action text not null,
    outcome text not null,
    categories text[] not null default '{}',
    details jsonb not null default '{}',
    request_id text,
    prev_hash text not null,
    hash text not null unique,
    constraint audit_log_outcome_check check (outcome in ('applied', 'dry_run', 'refused', 'failed')),
    -- A fork in the chain is impossible, not just prevented by the append lock.
    constraint audit_log_chain_key unique (organization_id, prev_hash)
  )`,
  `create index audit_log_org_id_idx on audit_log (organization_id, id)`,
  `create function ergo_audit_log_append_only() returns trigger language plpgsql as $$
   begin
     raise exception 'audit_log is append-only' using errcode = '55000';
   end $$`,
  `create trigger audit_log_no_update_delete before update or delete on audit_log
     for each row execute function ergo_audit_log_append_only()`,
  `create trigger audit_log_no_truncate before truncate on audit_log
     for each statement execute function ergo_audit_log_append_only()`,
];

const down_statements = [
  `drop table if exists audit_log`,
  `drop function if exists ergo_audit_log_append_only()`,
  `drop table if exists sync_runs`,
  `drop table if exists crm_connections`,
  `drop table if exists salesforce_record_types`,
  `drop table if exists pipeline_stages`,
  `drop table if exists custom_properties`,
  `drop table if exists dashboard_settings`,
  `drop table if exists dashboards`,
  `drop table if exists team_members`,
  `drop table if exists teams`,
  `drop table if exists users`,
  `drop table if exists organizations`,
  `drop function if exists ergo_organizations_primary_admin_check()`,
  `drop function if exists ergo_users_primary_admin_check()`,
  `drop function if exists ergo_assert_one_primary_admin(uuid)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of up_statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const statement of down_statements) await sql.raw(statement).execute(db);
}
