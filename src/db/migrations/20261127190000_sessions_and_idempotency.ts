import { sql, type Kysely } from 'kysely';

/**
 * Login sessions (only a SHA-256 of the session token is stored) and the Idempotency-Key
 * replay store of the sync endpoints.
 */
const up_statements = [
  `create table sessions (
    id text primary key,
    user_id uuid not null references users (id) on delete cascade,
    csrf_token text not null,
    created_at timestamptz not null default now(),
    last_seen_at timestamptz not null default now(),
    expires_at timestamptz not null,
    ip text,
    user_agent text
  )`,
  `create index sessions_user_idx on sessions (user_id)`,
  `create table idempotency_keys (
    user_id uuid not null references users (id) on delete cascade,
    key text not null check (length(key) between 1 and 200),
    route text not null,
    request_hash text not null,
    status integer,
    response jsonb,
    created_at timestamptz not null default now(),
    primary key (user_id, key)
  )`,
];

const down_statements = [`drop table if exists idempotency_keys`, `drop table if exists sessions`];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of up_statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const statement of down_statements) await sql.raw(statement).execute(db);
}
