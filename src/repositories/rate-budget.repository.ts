import { sql, type Kysely } from 'kysely';
import type { DB } from '#src/db/schema.ts';

/**
 * CRM rate budgets kept in PostgreSQL (issue 11 point 3): a fixed window per CRM account, shared
 * by every process, so N workers together stay under the vendor's limit.
 */
export class RateBudgetRepository {
  constructor(private readonly db: Kysely<DB>) {}

  /**
   * Takes one request from the budget: granted while the window's count is within `limit`;
   * otherwise how long until the window ends. One statement (an upsert), so concurrent takers in
   * any number of processes serialise on the row.
   */
  async take(
    key: string,
    limit: number,
    windowMs: number,
  ): Promise<{ granted: boolean; waitMs: number }> {
    const window = `${Math.max(1, Math.round(windowMs))} milliseconds`;
    const result = await sql<{ used: number; wait_ms: number }>`
      insert into crm_rate_budgets as b (budget_key, window_started_at, used)
      values (${key}, clock_timestamp(), 1)
      on conflict (budget_key) do update set
        window_started_at = case when b.window_started_at <= clock_timestamp() - ${window}::interval
          then clock_timestamp() else b.window_started_at end,
        used = case when b.window_started_at <= clock_timestamp() - ${window}::interval
          then 1 else b.used + 1 end
      returning used,
        greatest(0, extract(epoch from (window_started_at + ${window}::interval - clock_timestamp())) * 1000)::float8 as wait_ms
    `.execute(this.db);
    const row = result.rows[0];
    if (!row) throw new Error('rate budget upsert returned no row');
    return { granted: row.used <= limit, waitMs: row.used <= limit ? 0 : Math.ceil(row.wait_ms) };
  }

  /** Holds the account's advisory lock until the transaction ends (see account-lock.ts). */
  async lockAccount(key: string): Promise<void> {
    await sql`select pg_advisory_xact_lock(hashtextextended(${`crm-account:${key}`}, 0))`.execute(
      this.db,
    );
  }
}
