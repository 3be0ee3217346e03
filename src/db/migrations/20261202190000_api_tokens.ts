import { sql, type Kysely } from 'kysely';

/**
 * Personal API tokens (issue 15): a user's bearer tokens for the CLI and scripts, stored only as
 * the SHA-256 of the token with its last 4 characters as a hint. Scopes are a set of `read`,
 * `sync`, `admin`; a token acts as its owner, never more (the owner's role is read per request).
 * A token dies with its owner (the foreign key) and cannot move between organizations.
 */
const up_statements = [
  `create table api_tokens (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid not null,
    user_id uuid not null,
    name text not null check (length(btrim(name)) between 1 and 100),
    token_hash text not null unique,
    token_hint text not null check (length(token_hint) <= 4),
    scopes text[] not null check (
      cardinality(scopes) between 1 and 3 and scopes <@ array['read', 'sync', 'admin']::text[]
    ),
    created_at timestamptz not null default now(),
    expires_at timestamptz,
    last_used_at timestamptz,
    revoked_at timestamptz,
    foreign key (user_id, organization_id) references users (id, organization_id) on delete cascade
  )`,
  `create index api_tokens_user_idx on api_tokens (user_id, created_at desc)`,
];

const down_statements = [`drop table if exists api_tokens`];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of up_statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const statement of down_statements) await sql.raw(statement).execute(db);
}
