import { sql, type Kysely } from 'kysely';

/**
 * Provisioning (issue 13). An invitation belongs to an `invited` user row created when the admin
 * invites (so the member table, teams and Sync Settings' `dashboard_missing` see them at once);
 * its token is stored only as a SHA-256 hash, single use, with a 7-day expiry. SCIM tokens are
 * per organization, stored hashed, revocable. `scim_external_id` is the identity provider's id
 * of a user (SCIM `externalId`). The mail outbox keeps demo-mode mail (no SMTP configured) for
 * the dev-only outbox page.
 */
const up_statements = [
  `create table invitations (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null references organizations (id) on delete cascade,
    user_id uuid not null,
    token_hash text not null unique,
    expires_at timestamptz not null,
    invited_by uuid references users (id) on delete set null,
    accepted_at timestamptz,
    revoked_at timestamptz,
    sent_count integer not null default 0 check (sent_count >= 0),
    last_sent_at timestamptz,
    created_at timestamptz not null default now(),
    foreign key (user_id, organization_id) references users (id, organization_id) on delete cascade
  )`,
  `create index invitations_user_idx on invitations (user_id)`,
  // At most one open invitation per user: resending replaces the token of that row.
  `create unique index invitations_open_per_user_key on invitations (user_id)
     where accepted_at is null and revoked_at is null`,
  `create table scim_tokens (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null references organizations (id) on delete cascade,
    name text not null check (length(btrim(name)) between 1 and 100),
    token_hash text not null unique,
    token_hint text not null check (length(token_hint) <= 4),
    created_by uuid references users (id) on delete set null,
    created_at timestamptz not null default now(),
    last_used_at timestamptz,
    revoked_at timestamptz
  )`,
  `create index scim_tokens_organization_idx on scim_tokens (organization_id)`,
  `alter table users add column scim_external_id text
     check (scim_external_id is null or length(scim_external_id) between 1 and 500)`,
  `create unique index users_scim_external_id_key on users (organization_id, scim_external_id)
     where scim_external_id is not null`,
  // "All members": the organization's page in the same order as a team's (lower(name) under
  // "C", then id), walked from the cursor instead of sorting the organization.
  `create index users_organization_name_key_idx
     on users (organization_id, (lower(name) collate "C"), id)`,
  `create table mail_outbox (
    id bigserial primary key,
    organization_id uuid references organizations (id) on delete cascade,
    to_address text not null,
    subject text not null,
    text_body text not null,
    html_body text,
    created_at timestamptz not null default now()
  )`,
];

const down_statements = [
  `drop table if exists mail_outbox`,
  `drop index if exists users_organization_name_key_idx`,
  `drop index if exists users_scim_external_id_key`,
  `alter table users drop column if exists scim_external_id`,
  `drop table if exists scim_tokens`,
  `drop table if exists invitations`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of up_statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const statement of down_statements) await sql.raw(statement).execute(db);
}
