import { sql, type Kysely } from 'kysely';
import type { DB } from '#src/db/schema.ts';

export interface LoginFailureLimits {
  windowMs: number;
  /** Failures for one account from one client address. */
  maxPerAccountAndAddress: number;
  /** Failures from one client address, whatever the account. */
  maxPerAddress: number;
  /** Failures for one account from every address together (a distributed guess). */
  maxPerAccount: number;
}

/** Failed logins, shared by every process (the throttle of POST /api/auth/login). */
export class LoginFailureRepository {
  constructor(private readonly db: Kysely<DB>) {}

  /**
   * When the next attempt for (account, address) is allowed, or null when it is allowed now:
   * for each limit that is reached, the moment its oldest counted failure leaves the window.
   */
  async blockedUntil(
    account: string,
    address: string,
    limits: LoginFailureLimits,
    now: Date,
  ): Promise<Date | null> {
    const since = new Date(now.getTime() - limits.windowMs);
    const windowEnd = (offset: number, where: ReturnType<typeof sql>) => sql`(
      select failed_at from login_failures
      where ${where} and failed_at > ${since}
      order by failed_at desc offset ${offset - 1} limit 1)`;
    const result = await sql<{ oldest: Date | null }>`
      select max(failed_at) as oldest from (
        ${windowEnd(limits.maxPerAccountAndAddress, sql`account = ${account} and address = ${address}`)}
        union all ${windowEnd(limits.maxPerAddress, sql`address = ${address}`)}
        union all ${windowEnd(limits.maxPerAccount, sql`account = ${account}`)}
      ) reached`.execute(this.db);
    const oldest = result.rows[0]?.oldest;
    return oldest ? new Date(new Date(oldest).getTime() + limits.windowMs) : null;
  }

  /** Records a failure and forgets this account's failures that left the window. */
  async record(account: string, address: string, limits: LoginFailureLimits, now: Date) {
    await this.db
      .insertInto('login_failures')
      .values({ account, address, failed_at: now })
      .execute();
    await this.db
      .deleteFrom('login_failures')
      .where('account', '=', account)
      .where('failed_at', '<=', new Date(now.getTime() - limits.windowMs))
      .execute();
  }

  /**
   * A successful login clears the account's failures from that address only: an attacker's
   * failures elsewhere keep counting against them, not against the owner.
   */
  async clear(account: string, address: string): Promise<void> {
    await this.db
      .deleteFrom('login_failures')
      .where('account', '=', account)
      .where('address', '=', address)
      .execute();
  }
}
