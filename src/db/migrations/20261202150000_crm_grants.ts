import { sql, type Kysely } from 'kysely';

/**
 * OAuth connections (issue 12, ADR 0014). A grant holds the sealed tokens once; every
 * connection made from it (the admin's own, and the copies Sync CRM makes) points to it, so a
 * refresh, which may rotate the refresh token, updates one row. A connection has either its own
 * sealed secrets (a pasted key) or a grant, never both. `status` is the connection's health:
 * `reconnect_needed` after the vendor revoked its grant or refused its key. The grant id cascades
 * only so that deleting an organization (users and grants at once) can finish; the code deletes
 * a grant only once no connection uses it (CrmGrantRepository.deleteUnused).
 */
const CRMS = `('hubspot', 'salesforce', 'zoho', 'attio', 'pipedrive')`;

const up_statements = [
  `create table crm_grants (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null references organizations (id) on delete cascade,
    crm text not null check (crm in ${CRMS}),
    key_id text not null,
    nonce bytea not null check (length(nonce) = 12),
    ciphertext bytea not null,
    auth_tag bytea not null check (length(auth_tag) = 16),
    secret_hint text not null check (length(secret_hint) <= 4),
    instance jsonb not null default '{}' check (jsonb_typeof(instance) = 'object'),
    scopes text[] not null default '{}',
    access_expires_at timestamptz,
    status text not null default 'active' check (status in ('active', 'revoked')),
    connected_by uuid references users (id) on delete set null,
    refreshed_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`,
  `create index crm_grants_organization_idx on crm_grants (organization_id)`,
  `alter table crm_connections
     add column grant_id uuid references crm_grants (id) on delete cascade,
     add column status text not null default 'connected'
       check (status in ('connected', 'reconnect_needed')),
     add column status_detail text,
     add column checked_at timestamptz,
     alter column key_id drop not null,
     alter column nonce drop not null,
     alter column ciphertext drop not null,
     alter column auth_tag drop not null`,
  `alter table crm_connections add constraint crm_connections_secret_or_grant check (
     (grant_id is null and key_id is not null and nonce is not null
        and ciphertext is not null and auth_tag is not null)
     or (grant_id is not null and key_id is null and nonce is null
        and ciphertext is null and auth_tag is null))`,
  `create index crm_connections_grant_idx on crm_connections (grant_id) where grant_id is not null`,
  // "Connect <CRM>": the pending authorization, single use, bound to the session that began it.
  `create table oauth_states (
    state_hash text primary key,
    session_id text not null references sessions (id) on delete cascade,
    user_id uuid not null references users (id) on delete cascade,
    crm text not null check (crm in ${CRMS}),
    redirect_uri text not null,
    key_id text,
    nonce bytea,
    ciphertext bytea,
    auth_tag bytea,
    context jsonb not null default '{}' check (jsonb_typeof(context) = 'object'),
    expires_at timestamptz not null,
    created_at timestamptz not null default now()
  )`,
];

const down_statements = [
  `drop table if exists oauth_states`,
  `delete from crm_connections where grant_id is not null`,
  `alter table crm_connections drop constraint if exists crm_connections_secret_or_grant`,
  `alter table crm_connections
     drop column if exists grant_id,
     drop column if exists status,
     drop column if exists status_detail,
     drop column if exists checked_at,
     alter column key_id set not null,
     alter column nonce set not null,
     alter column ciphertext set not null,
     alter column auth_tag set not null`,
  `drop table if exists crm_grants`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of up_statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const statement of down_statements) await sql.raw(statement).execute(db);
}
