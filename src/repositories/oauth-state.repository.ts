import { sql, type Kysely } from 'kysely';
import { toJson } from '#src/db/json.ts';
import type { DB } from '#src/db/schema.ts';
import type { CrmKey } from '#src/domain/crm.ts';
import type { SealedSecret } from '#src/domain/secrets/secret-box.ts';

/** A pending "Connect <CRM>": the PKCE verifier sealed, the state stored only as its hash. */
export interface PendingOAuthState {
  stateHash: string;
  sessionId: string;
  userId: string;
  crm: CrmKey;
  redirectUri: string;
  verifier: SealedSecret | null;
  context: Record<string, string>;
  expiresAt: Date;
}

export class OAuthStateRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async insert(state: PendingOAuthState): Promise<void> {
    await this.db
      .insertInto('oauth_states')
      .values({
        state_hash: state.stateHash,
        session_id: state.sessionId,
        user_id: state.userId,
        crm: state.crm,
        redirect_uri: state.redirectUri,
        key_id: state.verifier?.keyId ?? null,
        nonce: state.verifier?.nonce ?? null,
        ciphertext: state.verifier?.ciphertext ?? null,
        auth_tag: state.verifier?.authTag ?? null,
        context: toJson(state.context),
        expires_at: state.expiresAt,
      })
      .execute();
    // Expired authorizations are never redeemable: clear them as new ones arrive.
    await this.db
      .deleteFrom('oauth_states')
      .where('expires_at', '<', sql<Date>`now()`)
      .execute();
  }

  /** Removes and returns the state (single use), or undefined when unknown. */
  async take(stateHash: string): Promise<PendingOAuthState | undefined> {
    const row = await this.db
      .deleteFrom('oauth_states')
      .where('state_hash', '=', stateHash)
      .returningAll()
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      stateHash: row.state_hash,
      sessionId: row.session_id,
      userId: row.user_id,
      crm: row.crm,
      redirectUri: row.redirect_uri,
      verifier:
        row.key_id !== null &&
        row.nonce !== null &&
        row.ciphertext !== null &&
        row.auth_tag !== null
          ? {
              keyId: row.key_id,
              nonce: new Uint8Array(row.nonce),
              ciphertext: new Uint8Array(row.ciphertext),
              authTag: new Uint8Array(row.auth_tag),
            }
          : null,
      context: row.context,
      expiresAt: row.expires_at,
    };
  }
}
