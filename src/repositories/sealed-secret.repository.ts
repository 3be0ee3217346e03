import { sql, type Kysely } from 'kysely';
import type { DB } from '#src/db/schema.ts';
import type { CrmKey } from '#src/domain/crm.ts';
import type { SealedSecret } from '#src/domain/secrets/secret-box.ts';

/**
 * The three tables that hold sealed secrets (ADR 0006, ADR 0014), seen the same way for key
 * rotation: which row, which binding it was sealed under, and its sealed value.
 */
export type SealedTable = 'crm_connections' | 'crm_grants' | 'oauth_states';

export const SEALED_TABLES: readonly SealedTable[] = [
  'crm_connections',
  'crm_grants',
  'oauth_states',
];

/** A row's identity: `(user_id, crm)`, `id` or `state_hash`, as one text key for keyset paging. */
export interface SealedRow {
  table: SealedTable;
  rowKey: string;
  /** The binding's id: the user id, the grant id or the OAuth state hash. */
  bindingId: string;
  crm: CrmKey;
  sealed: SealedSecret;
}

/** How each table names its row key and its binding id, as SQL over the table's own columns. */
const SHAPES: Record<SealedTable, { rowKey: (t: string) => string; bindingId: string }> = {
  crm_connections: {
    rowKey: (t) => `${t}.user_id::text || '/' || ${t}.crm`,
    bindingId: 'user_id::text',
  },
  crm_grants: { rowKey: (t) => `${t}.id::text`, bindingId: 'id::text' },
  oauth_states: { rowKey: (t) => `${t}.state_hash`, bindingId: 'state_hash' },
};

interface Row {
  row_key: string;
  binding_id: string;
  crm: CrmKey;
  key_id: string;
  nonce: Uint8Array;
  ciphertext: Uint8Array;
  auth_tag: Uint8Array;
}

/** Reads and re-writes sealed values whatever table they live in; used by secret-key rotation. */
export class SealedSecretRepository {
  constructor(private readonly db: Kysely<DB>) {}

  /** How many sealed rows each key id holds, per table (pasted keys only for connections). */
  async countByKey(): Promise<{ table: SealedTable; keyId: string; rows: number }[]> {
    const result = await sql<{ table: SealedTable; key_id: string; rows: string | number }>`
      select 'crm_connections' as "table", key_id, count(*) as rows
        from crm_connections where key_id is not null group by key_id
      union all
      select 'crm_grants', key_id, count(*) from crm_grants group by key_id
      union all
      select 'oauth_states', key_id, count(*) from oauth_states where key_id is not null group by key_id
      order by 1, 2`.execute(this.db);
    return result.rows.map((r) => ({ table: r.table, keyId: r.key_id, rows: Number(r.rows) }));
  }

  /**
   * Up to `limit` rows of `table` sealed under another key than `currentKeyId`, in row-key order
   * after `after`, locked for update: a pass over them visits each row once, and a writer that
   * re-seals the same row meanwhile waits (it would seal under the current key anyway).
   */
  async lockSealedUnderOtherKeys(
    table: SealedTable,
    currentKeyId: string,
    limit: number,
    after: string | undefined,
  ): Promise<SealedRow[]> {
    const shape = SHAPES[table];
    const rowKey = sql.raw(shape.rowKey('s'));
    const result = await sql<Row>`
      select ${rowKey} as row_key, s.${sql.raw(shape.bindingId)} as binding_id, s.crm,
             s.key_id, s.nonce, s.ciphertext, s.auth_tag
        from ${sql.table(table)} s
       where s.key_id is not null and s.key_id <> ${currentKeyId}
         and (${after ?? null}::text is null or ${rowKey} > ${after ?? null}::text)
       order by ${rowKey}
       limit ${limit}
         for update`.execute(this.db);
    return result.rows.map((r) => ({
      table,
      rowKey: r.row_key,
      bindingId: r.binding_id,
      crm: r.crm,
      sealed: { keyId: r.key_id, nonce: r.nonce, ciphertext: r.ciphertext, authTag: r.auth_tag },
    }));
  }

  /** Replaces the sealed value of each row, in one statement; the binding stays the same. */
  async replaceSealed(
    table: SealedTable,
    rows: readonly { rowKey: string; sealed: SealedSecret }[],
  ): Promise<number> {
    if (rows.length === 0) return 0;
    const values = rows.map(
      (r) =>
        sql`(${r.rowKey}::text, ${r.sealed.keyId}::text, ${r.sealed.nonce}::bytea, ${r.sealed.ciphertext}::bytea, ${r.sealed.authTag}::bytea)`,
    );
    const touchUpdatedAt = table === 'oauth_states' ? sql`` : sql`, updated_at = now()`;
    const result = await sql`
      update ${sql.table(table)} t
         set key_id = v.key_id, nonce = v.nonce, ciphertext = v.ciphertext, auth_tag = v.auth_tag
             ${touchUpdatedAt}
        from (values ${sql.join(values)}) as v(row_key, key_id, nonce, ciphertext, auth_tag)
       where ${sql.raw(SHAPES[table].rowKey('t'))} = v.row_key`.execute(this.db);
    return Number(result.numAffectedRows ?? 0n);
  }
}
