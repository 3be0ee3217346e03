import type { Kysely } from 'kysely';
import { toJson } from '#src/db/json.ts';
import type { DB } from '#src/db/schema.ts';

export interface IdempotencyRecord {
  route: string;
  requestHash: string;
  status: number | null;
  response: unknown;
}

/** Replay store for Idempotency-Key: a claim row first, the response once it is known. */
export class IdempotencyRepository {
  constructor(private readonly db: Kysely<DB>) {}

  /** Claims the key; false when it already exists (then `find` tells what is stored). */
  async claim(userId: string, key: string, route: string, requestHash: string): Promise<boolean> {
    const result = await this.db
      .insertInto('idempotency_keys')
      .values({ user_id: userId, key, route, request_hash: requestHash })
      .onConflict((oc) => oc.columns(['user_id', 'key']).doNothing())
      .executeTakeFirst();
    return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
  }

  async find(userId: string, key: string): Promise<IdempotencyRecord | undefined> {
    const row = await this.db
      .selectFrom('idempotency_keys')
      .select(['route', 'request_hash', 'status', 'response'])
      .where('user_id', '=', userId)
      .where('key', '=', key)
      .executeTakeFirst();
    return (
      row && {
        route: row.route,
        requestHash: row.request_hash,
        status: row.status,
        response: row.response,
      }
    );
  }

  async complete(userId: string, key: string, status: number, response: unknown): Promise<void> {
    await this.db
      .updateTable('idempotency_keys')
      .set({ status, response: toJson(response) })
      .where('user_id', '=', userId)
      .where('key', '=', key)
      .execute();
  }

  async release(userId: string, key: string): Promise<void> {
    await this.db
      .deleteFrom('idempotency_keys')
      .where('user_id', '=', userId)
      .where('key', '=', key)
      .execute();
  }
}
