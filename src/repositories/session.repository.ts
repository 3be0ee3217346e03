import type { Kysely } from 'kysely';
import type { DB } from '#src/db/schema.ts';

export interface SessionRecord {
  id: string;
  userId: string;
  csrfToken: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
}

/** Login sessions. `id` is the SHA-256 of the cookie's token: a database leak yields no session. */
export class SessionRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async create(session: {
    now: Date;
    id: string;
    userId: string;
    csrfToken: string;
    expiresAt: Date;
    ip: string | null;
    userAgent: string | null;
  }): Promise<void> {
    await this.db
      .insertInto('sessions')
      .values({
        id: session.id,
        user_id: session.userId,
        csrf_token: session.csrfToken,
        expires_at: session.expiresAt,
        last_seen_at: session.now,
        ip: session.ip,
        user_agent: session.userAgent,
      })
      .execute();
  }

  async find(id: string): Promise<SessionRecord | undefined> {
    const row = await this.db
      .selectFrom('sessions')
      .select(['id', 'user_id', 'csrf_token', 'created_at', 'last_seen_at', 'expires_at'])
      .where('id', '=', id)
      .executeTakeFirst();
    return (
      row && {
        id: row.id,
        userId: row.user_id,
        csrfToken: row.csrf_token,
        createdAt: row.created_at,
        lastSeenAt: row.last_seen_at,
        expiresAt: row.expires_at,
      }
    );
  }

  async touch(id: string, now: Date): Promise<void> {
    await this.db.updateTable('sessions').set({ last_seen_at: now }).where('id', '=', id).execute();
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('id', '=', id).execute();
  }

  /** Ends every session of a user (deactivation, role change). */
  async deleteForUser(userId: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('user_id', '=', userId).execute();
  }

  async deleteExpired(now: Date): Promise<void> {
    await this.db.deleteFrom('sessions').where('expires_at', '<', now).execute();
  }
}
