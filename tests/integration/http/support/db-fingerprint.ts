import { sql, type Kysely } from 'kysely';
import type { DB } from '#src/db/schema.ts';

/** Tables whose rows a refused (or failed) request must leave exactly as they were. */
export const GUARDED_TABLES = [
  'organizations',
  'users',
  'teams',
  'team_members',
  'dashboards',
  'dashboard_settings',
  'custom_properties',
  'pipeline_stages',
  'salesforce_record_types',
  'crm_connections',
  'sync_runs',
  'bulk_runs',
  'bulk_run_members',
  // OAuth (issue 12): grants, and the pending "Connect <CRM>" states a start inserts.
  'crm_grants',
  'oauth_states',
  // Provisioning (issue 13): invitations, SCIM tokens, and mail kept in demo mode.
  'invitations',
  'scim_tokens',
  'mail_outbox',
  // Personal API tokens (issue 15), all but their last-used time (see FINGERPRINT_ROWS).
  'api_tokens',
  // Emptied at every commit (ADR 0015): a row left there would be a bump that never happened.
  'member_list_touches',
  // Follow policies, members' exceptions to them and notifications (issue 16).
  'team_category_policies',
  'member_category_states',
  'notifications',
  'notification_preferences',
] as const satisfies readonly (keyof DB)[];

/**
 * What of a guarded table's row the fingerprint covers, where not all of it: a request made with
 * a token records its use (last used, once a minute), as one with a session touches the session.
 */
const FINGERPRINT_ROWS: Partial<Record<(typeof GUARDED_TABLES)[number], ReturnType<typeof sql>>> = {
  api_tokens: sql`(t.id, t.user_id, t.name, t.token_hash, t.scopes, t.expires_at, t.revoked_at)::text`,
};

/**
 * Tables a refusal may write to: the audit trail records refused attempts, every request
 * touches its session (and a login creates one), an Idempotency-Key stores the refusal it
 * answered so a retry replays it, and a failed login is counted against the throttle.
 */
export const TABLES_ALLOWED_TO_CHANGE = [
  'audit_log',
  'sessions',
  'idempotency_keys',
  // A failed login is counted (the throttle, shared by every process).
  'login_failures',
  // CRM requests take from their account's rate budget (shared by every process).
  'crm_rate_budgets',
  // Drift kept per source × member: a read model any reader may fill (ADR 0013).
  'drift_cache',
] as const satisfies readonly (keyof DB)[];

export type Fingerprint = Record<(typeof GUARDED_TABLES)[number], { rows: number; digest: string }>;

/**
 * Row count and a change marker of each guarded table, in one query: any insert, update or
 * delete shows up as a different value. The marker is the newest row version (`xmin`, the
 * transaction that wrote it): an insert or an update writes a row version of a newer
 * transaction, a delete lowers the count (a delete with an insert also writes a newer version).
 * So even an update that rewrites a row with the same values counts as a change: stricter than
 * comparing contents, and it reads no row's contents (no sort, no text), which keeps the matrix
 * fast. Tables with FINGERPRINT_ROWS compare those columns' contents instead (md5, in order).
 */
export async function fingerprint(db: Kysely<DB>): Promise<Fingerprint> {
  const parts = GUARDED_TABLES.map((table) => {
    const columns = FINGERPRINT_ROWS[table];
    const digest = columns
      ? sql`md5(coalesce(string_agg(${columns}, E'\n' order by ${columns}), ''))`
      : sql`coalesce(max(t.xmin::text::bigint), 0)::text`;
    return sql<{
      name: string;
      rows: number;
      digest: string;
    }>`select ${table}::text as name, count(*)::int as rows, ${digest} as digest from ${sql.table(table)} t`;
  });
  const { rows } = await sql<{
    name: string;
    rows: number;
    digest: string;
  }>`${sql.join(parts, sql` union all `)}`.execute(db);
  const result = {} as Fingerprint;
  for (const row of rows) {
    result[row.name as keyof Fingerprint] = { rows: row.rows, digest: row.digest };
  }
  return result;
}

/** The public tables of the schema that are neither guarded nor allowed to change (should be none). */
export async function unclassifiedTables(db: Kysely<DB>): Promise<string[]> {
  const { rows } = await sql<{ table_name: string }>`
    select table_name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE'
    order by table_name`.execute(db);
  const known = new Set<string>([...GUARDED_TABLES, ...TABLES_ALLOWED_TO_CHANGE]);
  return rows.map((r) => r.table_name).filter((t) => !known.has(t) && !t.startsWith('kysely_'));
}
