import { sql, type Kysely } from 'kysely';
import { toJson } from '#src/db/json.ts';
import type { DB } from '#src/db/schema.ts';

export interface IdempotencyRecord {
  route: string;
  requestHash: string;
  status: number | null;
  response: unknown;
  leaseExpiresAt: Date | null;
}

/**
 * Replay store for Idempotency-Key: a claim row with a lease and a claim token first, the
 * response once it is known. Only the holder of the current token may complete the claim.
 */
export class IdempotencyRepository {
  constructor(private readonly db: Kysely<DB>) {}

  /**
   * Claims the key with `token` for `leaseMs`: a new key, an expired key (24 hours), or a claim
   * still unanswered whose lease ran out (its holder died) is taken; true when this call holds it.
   */
  async claim(input: {
    userId: string;
    key: string;
    route: string;
    requestHash: string;
    token: string;
    now: Date;
    leaseMs: number;
    ttlMs: number;
  }): Promise<boolean> {
    const leaseEnd = new Date(input.now.getTime() + input.leaseMs);
    const expiresAt = new Date(input.now.getTime() + input.ttlMs);
    const row = await this.db
      .insertInto('idempotency_keys')
      .values({
        user_id: input.userId,
        key: input.key,
        route: input.route,
        request_hash: input.requestHash,
        claim_token: input.token,
        lease_expires_at: leaseEnd,
        expires_at: expiresAt,
      })
      .onConflict((oc) =>
        oc
          .columns(['user_id', 'key'])
          .doUpdateSet({
            claim_token: input.token,
            lease_expires_at: leaseEnd,
            // An expired key starts over as new; a retaken lease keeps the key's request.
            route: sql`case when idempotency_keys.expires_at <= ${input.now} then excluded.route else idempotency_keys.route end`,
            request_hash: sql`case when idempotency_keys.expires_at <= ${input.now} then excluded.request_hash else idempotency_keys.request_hash end`,
            status: sql`case when idempotency_keys.expires_at <= ${input.now} then null else idempotency_keys.status end`,
            response: sql`case when idempotency_keys.expires_at <= ${input.now} then null else idempotency_keys.response end`,
            expires_at: sql`case when idempotency_keys.expires_at <= ${input.now} then excluded.expires_at else idempotency_keys.expires_at end`,
          })
          .where((eb) =>
            eb.or([
              eb('idempotency_keys.expires_at', '<=', input.now),
              eb.and([
                eb('idempotency_keys.status', 'is', null),
                eb('idempotency_keys.request_hash', '=', sql<string>`excluded.request_hash`),
                eb.or([
                  eb('idempotency_keys.lease_expires_at', 'is', null),
                  eb('idempotency_keys.lease_expires_at', '<=', input.now),
                ]),
              ]),
            ]),
          ),
      )
      .returning('claim_token')
      .executeTakeFirst();
    return row?.claim_token === input.token;
  }

  async find(userId: string, key: string): Promise<IdempotencyRecord | undefined> {
    const row = await this.db
      .selectFrom('idempotency_keys')
      .select(['route', 'request_hash', 'status', 'response', 'lease_expires_at'])
      .where('user_id', '=', userId)
      .where('key', '=', key)
      .executeTakeFirst();
    return (
      row && {
        route: row.route,
        requestHash: row.request_hash,
        status: row.status,
        response: row.response,
        leaseExpiresAt: row.lease_expires_at,
      }
    );
  }

  /**
   * Stores the response, only while `token` still holds the claim; false when another retry
   * took the claim over (then the caller's transaction must not commit its effect).
   */
  async complete(
    userId: string,
    key: string,
    token: string,
    status: number,
    response: unknown,
  ): Promise<boolean> {
    const result = await this.db
      .updateTable('idempotency_keys')
      .set({ status, response: toJson(response), lease_expires_at: null })
      .where('user_id', '=', userId)
      .where('key', '=', key)
      .where('claim_token', '=', token)
      .where('status', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Locks the claim row in the caller's transaction; false when `token` no longer holds it. */
  async holds(userId: string, key: string, token: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('idempotency_keys')
      .select('claim_token')
      .where('user_id', '=', userId)
      .where('key', '=', key)
      .where('claim_token', '=', token)
      .where('status', 'is', null)
      .forUpdate()
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Gives the key back (the request failed on our side): the client may retry with it. */
  async release(userId: string, key: string, token: string): Promise<void> {
    await this.db
      .deleteFrom('idempotency_keys')
      .where('user_id', '=', userId)
      .where('key', '=', key)
      .where('claim_token', '=', token)
      .where('status', 'is', null)
      .execute();
  }

  /**
   * Ends every unanswered lease at once. Only for the embedded database at start-up: one
   * process uses it, so a claim left in progress belongs to a process that is gone.
   */
  async endAllLeases(): Promise<number> {
    const result = await this.db
      .updateTable('idempotency_keys')
      .set({ lease_expires_at: null })
      .where('status', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** Deletes keys past their 24 hours (housekeeping; expired keys are already reusable). */
  async deleteExpired(now: Date): Promise<number> {
    const result = await this.db
      .deleteFrom('idempotency_keys')
      .where('expires_at', '<=', now)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
