import {
  openSecret,
  sealSecret,
  SecretDecryptError,
  type Keyring,
  type SecretBinding,
} from '#src/domain/secrets/secret-box.ts';
import type { UnitOfWork } from '#src/repositories/repositories.ts';
import {
  SEALED_TABLES,
  type SealedRow,
  type SealedTable,
} from '#src/repositories/sealed-secret.repository.ts';
import { backfillFingerprints } from '#src/services/crm-connections/crm-connection.service.ts';

export interface ResealTableResult {
  table: SealedTable;
  /** Rows re-sealed under the current key. */
  resealed: number;
  /** Rows sealed under a key the keyring does not hold (or altered): left as they are. */
  unreadable: number;
}

export interface ResealResult {
  currentKeyId: string;
  tables: ResealTableResult[];
  /** CRM key fingerprints recomputed under the current key (they compare only under one key). */
  fingerprinted: number;
}

function bindingOf(row: SealedRow): SecretBinding {
  switch (row.table) {
    case 'crm_connections':
      return { userId: row.bindingId, crm: row.crm };
    case 'crm_grants':
      return { grantId: row.bindingId, crm: row.crm };
    case 'oauth_states':
      return { oauthState: row.bindingId, crm: row.crm };
  }
}

/**
 * Secret-key rotation, second half (ADR 0006): every secret sealed under a previous key is opened
 * and sealed again under the current one, so the previous key can then be removed from
 * `ERGO_SECRET_KEYS_PREVIOUS`. One transaction per batch of rows (locked for update), so the app
 * keeps running and a stop half-way loses nothing: the next run picks up what is left. The
 * plaintext never leaves this function and is never logged; its binding (user, grant or
 * authorization, and CRM) stays the same, so a re-sealed row still opens only on its own row.
 */
export async function resealSecrets(
  uow: UnitOfWork,
  keyring: Keyring,
  options: { batchSize?: number } = {},
): Promise<ResealResult> {
  const batchSize = options.batchSize ?? 200;
  const tables: ResealTableResult[] = [];
  for (const table of SEALED_TABLES) {
    const result: ResealTableResult = { table, resealed: 0, unreadable: 0 };
    let after: string | undefined;
    for (;;) {
      const done = await uow.transaction(async (repos) => {
        const rows = await repos.sealedSecrets.lockSealedUnderOtherKeys(
          table,
          keyring.current.id,
          batchSize,
          after,
        );
        const last = rows.at(-1);
        if (!last) return true;
        after = last.rowKey;
        const resealed: { rowKey: string; sealed: SealedRow['sealed'] }[] = [];
        for (const row of rows) {
          const binding = bindingOf(row);
          let plaintext: string;
          try {
            plaintext = openSecret(keyring, row.sealed, binding);
          } catch (error) {
            if (!(error instanceof SecretDecryptError)) throw error;
            result.unreadable += 1;
            continue;
          }
          resealed.push({ rowKey: row.rowKey, sealed: sealSecret(keyring, plaintext, binding) });
        }
        result.resealed += await repos.sealedSecrets.replaceSealed(table, resealed);
        return rows.length < batchSize;
      });
      if (done) break;
    }
    tables.push(result);
  }
  const { fingerprinted } = await backfillFingerprints(uow.read, keyring);
  return { currentKeyId: keyring.current.id, tables, fingerprinted };
}
