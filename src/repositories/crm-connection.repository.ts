import { sql, type Kysely } from 'kysely';
import { toJson } from '#src/db/json.ts';
import type { DB } from '#src/db/schema.ts';
import type { CrmConnectionStatus } from '#src/db/schema.ts';
import type { CrmKey } from '#src/domain/crm.ts';
import type { SealedSecret } from '#src/domain/secrets/secret-box.ts';

/**
 * A stored CRM connection: secrets still sealed (SPEC §7). A pasted key has its own `sealed`
 * secrets; an OAuth connection has none and points to its `grantId` (ADR 0014).
 */
export interface StoredCrmConnection {
  userId: string;
  crm: CrmKey;
  sealed: SealedSecret | null;
  grantId: string | null;
  secretHint: string;
  instance: Record<string, unknown>;
  /** Keyed fingerprint of the secrets (of the grant id for OAuth); null until backfilled. */
  fingerprint: string | null;
  updatedAt: Date;
}

/** A connection as written: a new or replaced key is `connected` until a call says otherwise. */
export type NewCrmConnection = Omit<StoredCrmConnection, 'updatedAt'>;

/** One row of My settings' CRM connections (no secrets, not even sealed ones). */
export interface CrmConnectionOverview {
  crm: CrmKey;
  secretHint: string;
  instance: Record<string, unknown>;
  updatedAt: Date;
  status: CrmConnectionStatus;
  statusDetail: string | null;
  checkedAt: Date | null;
  /** OAuth: the grant's scopes and access-token expiry; null for a pasted key. */
  grant: { scopes: string[]; accessExpiresAt: Date | null } | null;
}

const CONNECTION_COLUMNS = [
  'user_id',
  'crm',
  'key_id',
  'nonce',
  'ciphertext',
  'auth_tag',
  'secret_hint',
  'instance',
  'fingerprint',
  'grant_id',
  'updated_at',
] as const;

interface ConnectionRow {
  user_id: string;
  crm: CrmKey;
  key_id: string | null;
  nonce: Uint8Array | null;
  ciphertext: Uint8Array | null;
  auth_tag: Uint8Array | null;
  secret_hint: string;
  instance: Record<string, unknown>;
  fingerprint: string | null;
  grant_id: string | null;
  updated_at: Date;
}

function toStored(r: ConnectionRow): StoredCrmConnection {
  return {
    userId: r.user_id,
    crm: r.crm,
    sealed:
      r.key_id !== null && r.nonce !== null && r.ciphertext !== null && r.auth_tag !== null
        ? {
            keyId: r.key_id,
            nonce: new Uint8Array(r.nonce),
            ciphertext: new Uint8Array(r.ciphertext),
            authTag: new Uint8Array(r.auth_tag),
          }
        : null,
    grantId: r.grant_id,
    secretHint: r.secret_hint,
    instance: r.instance,
    fingerprint: r.fingerprint,
    updatedAt: r.updated_at,
  };
}

export class CrmConnectionRepository {
  constructor(private readonly db: Kysely<DB>) {}

  /** Inserts or replaces one connection per (user, crm), in one statement for all of them. */
  async upsertMany(connections: readonly NewCrmConnection[]): Promise<void> {
    if (connections.length === 0) return;
    await this.db
      .insertInto('crm_connections')
      .values(
        connections.map((c) => ({
          user_id: c.userId,
          crm: c.crm,
          key_id: c.sealed?.keyId ?? null,
          nonce: c.sealed?.nonce ?? null,
          ciphertext: c.sealed?.ciphertext ?? null,
          auth_tag: c.sealed?.authTag ?? null,
          secret_hint: c.secretHint,
          instance: toJson(c.instance),
          fingerprint: c.fingerprint,
          grant_id: c.grantId,
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
          grant_id: eb.ref('excluded.grant_id'),
          status: 'connected',
          status_detail: null,
          checked_at: null,
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
      .select(CONNECTION_COLUMNS)
      .where('user_id', 'in', userIds)
      .orderBy('user_id')
      .orderBy('crm')
      .execute();
    return rows.map(toStored);
  }

  /**
   * What My settings lists about a user's connections, in one query and without any sealed
   * column: the hint, instance data, health, and for OAuth its grant's scopes and expiry.
   */
  async listOverviewForUser(userId: string): Promise<CrmConnectionOverview[]> {
    const rows = await this.db
      .selectFrom('crm_connections')
      .leftJoin('crm_grants', 'crm_grants.id', 'crm_connections.grant_id')
      .select([
        'crm_connections.crm',
        'crm_connections.secret_hint',
        'crm_connections.instance',
        'crm_connections.updated_at',
        'crm_connections.grant_id',
        'crm_connections.status',
        'crm_connections.status_detail',
        'crm_connections.checked_at',
        'crm_grants.scopes',
        'crm_grants.access_expires_at',
      ])
      .where('crm_connections.user_id', '=', userId)
      .orderBy('crm_connections.crm')
      .execute();
    return rows.map((r) => ({
      crm: r.crm,
      secretHint: r.secret_hint,
      instance: r.instance,
      updatedAt: r.updated_at,
      status: r.status,
      statusDetail: r.status_detail,
      checkedAt: r.checked_at,
      grant:
        r.grant_id === null
          ? null
          : { scopes: r.scopes ?? [], accessExpiresAt: r.access_expires_at ?? null },
    }));
  }

  /** Records what a check (Test connection, a Sync CRM call) found about one connection. */
  async setStatus(
    userId: string,
    crm: CrmKey,
    status: CrmConnectionStatus,
    detail: string | null,
  ): Promise<void> {
    await this.db
      .updateTable('crm_connections')
      .set({ status, status_detail: detail, checked_at: sql<Date>`now()` })
      .where('user_id', '=', userId)
      .where('crm', '=', crm)
      .execute();
  }

  /** Every connection on a grant at once (the vendor revoked it: ADR 0014). */
  async setStatusForGrant(
    grantId: string,
    status: CrmConnectionStatus,
    detail: string | null,
  ): Promise<number> {
    const result = await this.db
      .updateTable('crm_connections')
      .set({ status, status_detail: detail, checked_at: sql<Date>`now()` })
      .where('grant_id', '=', grantId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** The grant ids of one user's connections that no connection (of anyone) uses any more. */
  async orphanGrantIds(grantIds: readonly string[]): Promise<string[]> {
    if (grantIds.length === 0) return [];
    const used = await this.db
      .selectFrom('crm_connections')
      .select('grant_id')
      .where('grant_id', 'in', grantIds)
      .execute();
    const inUse = new Set(used.map((r) => r.grant_id));
    return grantIds.filter((id) => !inUse.has(id));
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
