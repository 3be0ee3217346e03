import { sql, type Kysely } from 'kysely';
import type { DB } from '#src/db/schema.ts';

/** An open invitation as a visitor of its link needs it (no token: only its hash is stored). */
export interface OpenInvitation {
  id: string;
  organizationId: string;
  organizationName: string;
  userId: string;
  email: string;
  name: string;
  expiresAt: Date;
}

/** A user's open invitation (the member table's "Resend invite"). */
export interface UserInvitation {
  id: string;
  userId: string;
  expiresAt: Date;
  sentCount: number;
}

/**
 * Invitations of `invited` users (issue 13). A token is stored only as its SHA-256 hex; at most
 * one open (not accepted, not revoked) invitation per user, enforced by a partial unique index.
 * Every query names the organization, except the lookups by token hash (the public link), whose
 * hash is unguessable.
 */
export class InvitationRepository {
  constructor(private readonly db: Kysely<DB>) {}

  /** The subset of `emails` (lower-cased) already used by any user, in any organization. */
  async findTakenEmails(emails: readonly string[]): Promise<string[]> {
    if (emails.length === 0) return [];
    const rows = await this.db
      .selectFrom('users')
      .select('email')
      .where(
        'email',
        'in',
        emails.map((e) => e.trim().toLowerCase()),
      )
      .execute();
    return rows.map((r) => r.email);
  }

  /** The subset of `teamIds` that are teams of the organization. */
  async findTeamIdsInOrganization(
    organizationId: string,
    teamIds: readonly string[],
  ): Promise<string[]> {
    if (teamIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('teams')
      .select('id')
      .where('organization_id', '=', organizationId)
      .where('id', 'in', [...teamIds])
      .execute();
    return rows.map((r) => r.id);
  }

  /** Inserts open invitations in one statement, each counted as sent once. */
  async insertMany(
    invitations: readonly {
      organizationId: string;
      userId: string;
      tokenHash: string;
      expiresAt: Date;
      invitedBy: string | null;
      now: Date;
    }[],
  ): Promise<{ id: string; userId: string; expiresAt: Date }[]> {
    if (invitations.length === 0) return [];
    const rows = await this.db
      .insertInto('invitations')
      .values(
        invitations.map((i) => ({
          organization_id: i.organizationId,
          user_id: i.userId,
          token_hash: i.tokenHash,
          expires_at: i.expiresAt,
          invited_by: i.invitedBy,
          sent_count: 1,
          last_sent_at: i.now,
          created_at: i.now,
        })),
      )
      .returning(['id', 'user_id', 'expires_at'])
      .execute();
    return rows.map((r) => ({ id: r.id, userId: r.user_id, expiresAt: r.expires_at }));
  }

  /**
   * The open, unexpired invitation behind a token hash with its user and organization; with
   * `lock`, the invitation row is locked until the transaction ends (acceptance is single use).
   * Only `invited` users: an invitation of a deactivated user does not open.
   */
  async findOpenByTokenHash(
    tokenHash: string,
    now: Date,
    options: { lock?: boolean } = {},
  ): Promise<OpenInvitation | undefined> {
    let query = this.db
      .selectFrom('invitations')
      .innerJoin('users', (join) =>
        join
          .onRef('users.id', '=', 'invitations.user_id')
          .onRef('users.organization_id', '=', 'invitations.organization_id'),
      )
      .innerJoin('organizations', 'organizations.id', 'invitations.organization_id')
      .select([
        'invitations.id',
        'invitations.organization_id',
        'invitations.user_id',
        'invitations.expires_at',
        'users.email',
        'users.name',
        'organizations.name as organization_name',
      ])
      .where('invitations.token_hash', '=', tokenHash)
      .where('invitations.accepted_at', 'is', null)
      .where('invitations.revoked_at', 'is', null)
      .where('invitations.expires_at', '>', now)
      .where('users.status', '=', 'invited');
    if (options.lock) query = query.forUpdate(['invitations']);
    const row = await query.executeTakeFirst();
    return (
      row && {
        id: row.id,
        organizationId: row.organization_id,
        organizationName: row.organization_name,
        userId: row.user_id,
        email: row.email,
        name: row.name,
        expiresAt: row.expires_at,
      }
    );
  }

  /** The user's open invitation (expired or not), locked until the transaction ends. */
  async lockOpenForUser(
    organizationId: string,
    userId: string,
  ): Promise<UserInvitation | undefined> {
    const row = await this.db
      .selectFrom('invitations')
      .select(['id', 'user_id', 'expires_at', 'sent_count'])
      .where('organization_id', '=', organizationId)
      .where('user_id', '=', userId)
      .where('accepted_at', 'is', null)
      .where('revoked_at', 'is', null)
      .forUpdate()
      .executeTakeFirst();
    return (
      row && {
        id: row.id,
        userId: row.user_id,
        expiresAt: row.expires_at,
        sentCount: row.sent_count,
      }
    );
  }

  /** Gives an open invitation a new token and expiry (the old link stops working) and counts the send. */
  async replaceToken(
    organizationId: string,
    invitationId: string,
    change: { tokenHash: string; expiresAt: Date; now: Date },
  ): Promise<UserInvitation | undefined> {
    const row = await this.db
      .updateTable('invitations')
      .set((eb) => ({
        token_hash: change.tokenHash,
        expires_at: change.expiresAt,
        sent_count: eb('sent_count', '+', 1),
        last_sent_at: change.now,
      }))
      .where('organization_id', '=', organizationId)
      .where('id', '=', invitationId)
      .where('accepted_at', 'is', null)
      .where('revoked_at', 'is', null)
      .returning(['id', 'user_id', 'expires_at', 'sent_count'])
      .executeTakeFirst();
    return (
      row && {
        id: row.id,
        userId: row.user_id,
        expiresAt: row.expires_at,
        sentCount: row.sent_count,
      }
    );
  }

  /** Revokes the user's open invitation; false when there was none. */
  async revokeOpenForUser(organizationId: string, userId: string, now: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('invitations')
      .set({ revoked_at: now })
      .where('organization_id', '=', organizationId)
      .where('user_id', '=', userId)
      .where('accepted_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Marks an open invitation accepted; false when it was no longer open. */
  async markAccepted(organizationId: string, invitationId: string, now: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('invitations')
      .set({ accepted_at: now })
      .where('organization_id', '=', organizationId)
      .where('id', '=', invitationId)
      .where('accepted_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /**
   * Setup completion's user change: the password set and the status `active`, only for a user of
   * the organization still `invited`; false otherwise.
   */
  async activateInvitedUser(
    organizationId: string,
    userId: string,
    passwordHash: string,
  ): Promise<boolean> {
    const result = await this.db
      .updateTable('users')
      .set({ password_hash: passwordHash, status: 'active', updated_at: sql<Date>`now()` })
      .where('organization_id', '=', organizationId)
      .where('id', '=', userId)
      .where('status', '=', 'invited')
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }
}
