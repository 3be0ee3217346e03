import type { Kysely } from 'kysely';
import type { DB } from '#src/db/schema.ts';
import type { Role, UserStatus } from '#src/domain/roles.ts';

/** The user a session belongs to, as every request needs it. */
export interface SessionUserRow {
  id: string;
  organizationId: string;
  email: string;
  name: string;
  role: Role;
  status: UserStatus;
}

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

  /**
   * A session and its user in one statement (every authenticated request starts here); the
   * user is undefined when it no longer exists.
   */
  async findWithUser(
    id: string,
  ): Promise<{ session: SessionRecord; user: SessionUserRow | undefined } | undefined> {
    const row = await this.db
      .selectFrom('sessions')
      .leftJoin('users', 'users.id', 'sessions.user_id')
      .select([
        'sessions.id',
        'sessions.user_id',
        'sessions.csrf_token',
        'sessions.created_at',
        'sessions.last_seen_at',
        'sessions.expires_at',
        'users.id as u_id',
        'users.organization_id as u_organization_id',
        'users.email as u_email',
        'users.name as u_name',
        'users.role as u_role',
        'users.status as u_status',
      ])
      .where('sessions.id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      session: {
        id: row.id,
        userId: row.user_id,
        csrfToken: row.csrf_token,
        createdAt: row.created_at,
        lastSeenAt: row.last_seen_at,
        expiresAt: row.expires_at,
      },
      user:
        row.u_id === null ||
        row.u_organization_id === null ||
        row.u_email === null ||
        row.u_name === null ||
        row.u_role === null ||
        row.u_status === null
          ? undefined
          : {
              id: row.u_id,
              organizationId: row.u_organization_id,
              email: row.u_email,
              name: row.u_name,
              role: row.u_role,
              status: row.u_status,
            },
    };
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
