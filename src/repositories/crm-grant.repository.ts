import { sql, type Kysely } from 'kysely';
import { toJson } from '#src/db/json.ts';
import type { DB } from '#src/db/schema.ts';
import type { CrmKey } from '#src/domain/crm.ts';
import type { SealedSecret } from '#src/domain/secrets/secret-box.ts';

/** One OAuth grant (ADR 0014): its tokens still sealed, bound to the grant id. */
export interface StoredCrmGrant {
  id: string;
  organizationId: string;
  crm: CrmKey;
  sealed: SealedSecret;
  secretHint: string;
  instance: Record<string, unknown>;
  scopes: string[];
  accessExpiresAt: Date | null;
  status: 'active' | 'revoked';
  refreshedAt: Date | null;
}

export interface GrantTokens {
  sealed: SealedSecret;
  secretHint: string;
  instance: Record<string, unknown>;
  scopes: string[];
  accessExpiresAt: Date | null;
}

const GRANT_COLUMNS = [
  'id',
  'organization_id',
  'crm',
  'key_id',
  'nonce',
  'ciphertext',
  'auth_tag',
  'secret_hint',
  'instance',
  'scopes',
  'access_expires_at',
  'status',
  'refreshed_at',
] as const;

interface GrantRow {
  id: string;
  organization_id: string;
  crm: CrmKey;
  key_id: string;
  nonce: Uint8Array;
  ciphertext: Uint8Array;
  auth_tag: Uint8Array;
  secret_hint: string;
  instance: Record<string, unknown>;
  scopes: string[];
  access_expires_at: Date | null;
  status: 'active' | 'revoked';
  refreshed_at: Date | null;
}

function toStored(r: GrantRow): StoredCrmGrant {
  return {
    id: r.id,
    organizationId: r.organization_id,
    crm: r.crm,
    sealed: {
      keyId: r.key_id,
      nonce: new Uint8Array(r.nonce),
      ciphertext: new Uint8Array(r.ciphertext),
      authTag: new Uint8Array(r.auth_tag),
    },
    secretHint: r.secret_hint,
    instance: r.instance,
    scopes: r.scopes,
    accessExpiresAt: r.access_expires_at,
    status: r.status,
    refreshedAt: r.refreshed_at,
  };
}

export class CrmGrantRepository {
  constructor(private readonly db: Kysely<DB>) {}

  /** `id` is chosen by the caller: the seal is bound to it before the row exists. */
  async insert(
    grant: GrantTokens & { id: string; organizationId: string; crm: CrmKey; connectedBy: string },
  ): Promise<void> {
    await this.db
      .insertInto('crm_grants')
      .values({
        id: grant.id,
        organization_id: grant.organizationId,
        crm: grant.crm,
        key_id: grant.sealed.keyId,
        nonce: grant.sealed.nonce,
        ciphertext: grant.sealed.ciphertext,
        auth_tag: grant.sealed.authTag,
        secret_hint: grant.secretHint,
        instance: toJson(grant.instance),
        scopes: grant.scopes,
        access_expires_at: grant.accessExpiresAt,
        connected_by: grant.connectedBy,
      })
      .execute();
  }

  async findMany(ids: readonly string[]): Promise<StoredCrmGrant[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .selectFrom('crm_grants')
      .select(GRANT_COLUMNS)
      .where('id', 'in', ids)
      .execute();
    return rows.map(toStored);
  }

  /**
   * The grant, row-locked until the transaction ends: one refresh per grant at a time across
   * processes, and a waiter re-reads what the refresh before it stored (ADR 0014).
   */
  async lockForRefresh(id: string): Promise<StoredCrmGrant | undefined> {
    const row = await this.db
      .selectFrom('crm_grants')
      .select(GRANT_COLUMNS)
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    return row ? toStored(row) : undefined;
  }

  async updateTokens(id: string, tokens: GrantTokens): Promise<void> {
    await this.db
      .updateTable('crm_grants')
      .set({
        key_id: tokens.sealed.keyId,
        nonce: tokens.sealed.nonce,
        ciphertext: tokens.sealed.ciphertext,
        auth_tag: tokens.sealed.authTag,
        secret_hint: tokens.secretHint,
        instance: toJson(tokens.instance),
        scopes: tokens.scopes,
        access_expires_at: tokens.accessExpiresAt,
        refreshed_at: sql<Date>`now()`,
        updated_at: sql<Date>`now()`,
      })
      .where('id', '=', id)
      .execute();
  }

  async markRevoked(id: string): Promise<void> {
    await this.db
      .updateTable('crm_grants')
      .set({ status: 'revoked', updated_at: sql<Date>`now()` })
      .where('id', '=', id)
      .execute();
  }

  /** Deletes the grants no connection points to any more (the FK would refuse the others). */
  async deleteUnused(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db
      .deleteFrom('crm_grants')
      .where('id', 'in', ids)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('crm_connections')
              .select('crm_connections.crm')
              .whereRef('crm_connections.grant_id', '=', 'crm_grants.id'),
          ),
        ),
      )
      .execute();
  }
}
