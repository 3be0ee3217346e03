import { sql, type Kysely } from 'kysely';
import { toJson } from '#src/db/json.ts';
import type { DB } from '#src/db/schema.ts';
import type { CrmKey } from '#src/domain/crm.ts';
import type { SealedSecret } from '#src/domain/secrets/secret-box.ts';

/** A stored CRM connection: secrets still sealed (SPEC §7). */
export interface StoredCrmConnection {
  userId: string;
  crm: CrmKey;
  sealed: SealedSecret;
  secretHint: string;
  instance: Record<string, unknown>;
  /** Keyed fingerprint of the secrets (compare without decrypting); null until backfilled. */
  fingerprint: string | null;
  updatedAt: Date;
}

export class CrmConnectionRepository {
  constructor(private readonly db: Kysely<DB>) {}

  /** Inserts or replaces one connection per (user, crm), in one statement for all of them. */
  async upsertMany(connections: readonly Omit<StoredCrmConnection, 'updatedAt'>[]): Promise<void> {
    if (connections.length === 0) return;
    await this.db
      .insertInto('crm_connections')
      .values(
        connections.map((c) => ({
          user_id: c.userId,
          crm: c.crm,
          key_id: c.sealed.keyId,
          nonce: c.sealed.nonce,
          ciphertext: c.sealed.ciphertext,
          auth_tag: c.sealed.authTag,
          secret_hint: c.secretHint,
          instance: toJson(c.instance),
          fingerprint: c.fingerprint,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['user_id', 'crm']).doUpdateSet((eb) => ({
          key_id: eb.ref('excluded.key_id'),
          nonce: eb.ref('excluded.nonce'),
          ciphertext: eb.ref('excluded.ciphertext'),
          auth_tag: eb.ref('excluded.auth_tag'),
          secret_hint: eb.ref('excluded.secret_hint'),
          instance: eb.ref('excluded.instance'),
          fingerprint: eb.ref('excluded.fingerprint'),
          updated_at: sql<Date>`now()`,
        })),
      )
      .execute();
  }

  async listForUser(userId: string): Promise<StoredCrmConnection[]> {
    return this.listForUsers([userId]);
  }

  /** The connections of several users in one query, ordered by user and CRM. */
  async listForUsers(userIds: readonly string[]): Promise<StoredCrmConnection[]> {
    if (userIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('crm_connections')
      .select([
        'user_id',
        'crm',
        'key_id',
        'nonce',
        'ciphertext',
        'auth_tag',
        'secret_hint',
        'instance',
        'fingerprint',
        'updated_at',
      ])
      .where('user_id', 'in', userIds)
      .orderBy('user_id')
      .orderBy('crm')
      .execute();
    return rows.map((r) => ({
      userId: r.user_id,
      crm: r.crm,
      sealed: {
        keyId: r.key_id,
        nonce: new Uint8Array(r.nonce),
        ciphertext: new Uint8Array(r.ciphertext),
        authTag: new Uint8Array(r.auth_tag),
      },
      secretHint: r.secret_hint,
      instance: r.instance,
      fingerprint: r.fingerprint,
      updatedAt: r.updated_at,
    }));
  }

  /**
   * Connections whose fingerprint is missing or was made under another key than `keyId`, in
   * (user, crm) order after `after`: a pass over them visits each once.
   */
  async listWithStaleFingerprint(
    keyId: string,
    limit: number,
    after?: { userId: string; crm: CrmKey },
  ): Promise<StoredCrmConnection[]> {
    let query = this.db
      .selectFrom('crm_connections')
      .select(['user_id', 'crm'])
      .where((eb) =>
        eb.or([eb('fingerprint', 'is', null), eb('fingerprint', 'not like', `${keyId}.%`)]),
      )
      .orderBy('user_id')
      .orderBy('crm')
      .limit(limit);
    if (after) {
      query = query.where((eb) =>
        eb(eb.refTuple('user_id', 'crm'), '>', eb.tuple(after.userId, after.crm)),
      );
    }
    const keys = new Set((await query.execute()).map((r) => `${r.user_id}/${r.crm}`));
    const users = [...new Set([...keys].map((k) => k.split('/')[0] ?? ''))];
    return (await this.listForUsers(users)).filter((c) => keys.has(`${c.userId}/${c.crm}`));
  }

  async setFingerprints(
    entries: readonly { userId: string; crm: CrmKey; fingerprint: string }[],
  ): Promise<void> {
    if (entries.length === 0) return;
    await sql`
      update crm_connections c set fingerprint = f.fingerprint
        from jsonb_to_recordset(${JSON.stringify(entries)}::jsonb)
             as f("userId" uuid, crm text, fingerprint text)
       where c.user_id = f."userId" and c.crm = f.crm`.execute(this.db);
  }

  async delete(userId: string, crm: CrmKey): Promise<boolean> {
    const result = await this.db
      .deleteFrom('crm_connections')
      .where('user_id', '=', userId)
      .where('crm', '=', crm)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async deleteAllForUser(userId: string): Promise<void> {
    await this.db.deleteFrom('crm_connections').where('user_id', '=', userId).execute();
  }

  async hasConnection(userId: string, crm: CrmKey): Promise<boolean> {
    const row = await this.db
      .selectFrom('crm_connections')
      .select('crm')
      .where('user_id', '=', userId)
      .where('crm', '=', crm)
      .executeTakeFirst();
    return row !== undefined;
  }
}
