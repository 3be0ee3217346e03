import { sql, type Kysely } from 'kysely';

/**
 * Drift kept (issue 10): per source admin × member, the drift the sync engine planned, stamped
 * with both dashboards' versions (`dashboards.version`, bumped by every write to any category or
 * CRM connection of the user) and the rules' version. A row is valid only while all three still
 * match, so it is never invalidated by hand: a write moves a version on and the next read
 * recomputes that member (ADR 0013). It is a read model: deleting every row loses nothing.
 */
const up_statements = [
  `create table drift_cache (
    source_id uuid not null references users (id) on delete cascade,
    target_id uuid not null references users (id) on delete cascade,
    source_version integer not null,
    target_version integer not null,
    rules_version integer not null,
    drift jsonb not null,
    drift_count integer not null check (drift_count >= 0),
    computed_at timestamptz not null default now(),
    primary key (source_id, target_id)
  )`,
  `create index drift_cache_target_idx on drift_cache (target_id)`,
];

const down_statements = [`drop table if exists drift_cache`];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of up_statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const statement of down_statements) await sql.raw(statement).execute(db);
}
