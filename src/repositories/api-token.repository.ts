import { sql, type Kysely, type Selectable } from 'kysely';
import type { ApiTokensTable, DB } from '#src/db/schema.ts';
import type { ApiToken, ApiTokenScope } from '#src/domain/contracts/api-tokens.contract.ts';
import type { SessionUserRow } from '#src/repositories/session.repository.ts';

/** A presented token that exists and is not revoked, with its owner as every request needs. */
export interface ApiTokenWithOwner {
  id: string;
  name: string;
  scopes: ApiTokenScope[];
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  user: SessionUserRow;
  /** The owner's organization's member list version (ADR 0015). */
  memberListVersion: string;
}

const SUMMARY_COLUMNS = [
  'id',
  'name',
  'scopes',
  'token_hint',
  'created_at',
  'expires_at',
  'last_used_at',
  'revoked_at',
] as const;

/**
 * Personal API tokens (stored as the SHA-256 hex of the token). Every read and write names the
 * owner, so one user never sees or revokes another's token.
 */
export class ApiTokenRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async create(input: {
    organizationId: string;
    userId: string;
    name: string;
    tokenHash: string;
    tokenHint: string;
    scopes: ApiTokenScope[];
    expiresAt: Date | null;
  }): Promise<ApiToken> {
    const row = await this.db
      .insertInto('api_tokens')
      .values({
        organization_id: input.organizationId,
        user_id: input.userId,
        name: input.name,
        token_hash: input.tokenHash,
        token_hint: input.tokenHint,
        scopes: sql<ApiTokenScope[]>`${sql.val(input.scopes)}::text[]`,
        expires_at: input.expiresAt,
      })
      .returning(SUMMARY_COLUMNS)
      .executeTakeFirstOrThrow();
    return toApiToken(row);
  }

  /** The owner's tokens, newest first. */
  async listByUser(userId: string): Promise<ApiToken[]> {
    const rows = await this.db
      .selectFrom('api_tokens')
      .select(SUMMARY_COLUMNS)
      .where('user_id', '=', userId)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .execute();
    return rows.map(toApiToken);
  }

  /** Locks the owner's user row: serializes one user's token creations (the limit holds). */
  async lockOwner(userId: string): Promise<void> {
    await this.db.selectFrom('users').select('id').where('id', '=', userId).forUpdate().execute();
  }

  /** How many of the owner's tokens still work at `now`. */
  async countActive(userId: string, now: Date): Promise<number> {
    const row = await this.db
      .selectFrom('api_tokens')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** One of the owner's tokens, locked for the revocation; undefined when not theirs. */
  async findOwnForUpdate(
    userId: string,
    id: string,
  ): Promise<{ id: string; name: string; revokedAt: Date | null } | undefined> {
    const row = await this.db
      .selectFrom('api_tokens')
      .select(['id', 'name', 'revoked_at'])
      .where('user_id', '=', userId)
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    return row && { id: row.id, name: row.name, revokedAt: row.revoked_at };
  }

  async revoke(userId: string, id: string, now: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('api_tokens')
      .set({ revoked_at: now })
      .where('user_id', '=', userId)
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** The unrevoked token with this hash and its owner, in one statement (expiry checked by the caller). */
  async findActiveWithOwner(tokenHash: string): Promise<ApiTokenWithOwner | undefined> {
    const row = await this.db
      .selectFrom('api_tokens')
      .innerJoin('users', (join) =>
        join
          .onRef('users.id', '=', 'api_tokens.user_id')
          .onRef('users.organization_id', '=', 'api_tokens.organization_id'),
      )
      .innerJoin('organizations', 'organizations.id', 'users.organization_id')
      .select([
        'api_tokens.id',
        'api_tokens.name',
        'api_tokens.scopes',
        'api_tokens.expires_at',
        'api_tokens.last_used_at',
        'users.id as u_id',
        'users.organization_id as u_organization_id',
        'users.email as u_email',
        'users.name as u_name',
        'users.role as u_role',
        'users.status as u_status',
        sql<string>`organizations.member_list_version::text`.as('member_list_version'),
      ])
      .where('api_tokens.token_hash', '=', tokenHash)
      .where('api_tokens.revoked_at', 'is', null)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      id: row.id,
      name: row.name,
      scopes: row.scopes,
      expiresAt: row.expires_at,
      lastUsedAt: row.last_used_at,
      memberListVersion: row.member_list_version,
      user: {
        id: row.u_id,
        organizationId: row.u_organization_id,
        email: row.u_email,
        name: row.u_name,
        role: row.u_role,
        status: row.u_status,
      },
    };
  }

  /**
   * Records use at most once a minute (one statement; nothing written when recent). Returns the
   * previous last-used time when it wrote, undefined when it did not.
   */
  async touch(id: string, now: Date): Promise<{ previous: Date | null } | undefined> {
    const aMinuteAgo = new Date(now.getTime() - 60_000);
    const row = await sql<{ previous: Date | null }>`
      update api_tokens t set last_used_at = ${now}
      from (select id, last_used_at from api_tokens where id = ${id} for update) old
      where t.id = old.id and (old.last_used_at is null or old.last_used_at < ${aMinuteAgo})
      returning old.last_used_at as previous`.execute(this.db);
    const found = row.rows[0];
    return found && { previous: found.previous === null ? null : new Date(found.previous) };
  }
}

function toApiToken(
  row: Pick<Selectable<ApiTokensTable>, (typeof SUMMARY_COLUMNS)[number]>,
): ApiToken {
  return {
    id: row.id,
    name: row.name,
    scopes: row.scopes,
    hint: row.token_hint,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}
