import { sql, type Kysely } from 'kysely';
import type { DB } from '#src/db/schema.ts';
import type { Role, UserStatus } from '#src/domain/roles.ts';

/** The session lookup's row: the session, its user (null when gone) and the member list version. */
interface SessionLookupRow {
  id: string;
  user_id: string;
  csrf_token: string;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
  u_id: string | null;
  u_organization_id: string | null;
  u_email: string | null;
  u_name: string | null;
  u_role: Role | null;
  u_status: UserStatus | null;
  /** The organization's member list version (ADR 0015), read here so a kept member page costs no statement of its own. */
  member_list_version: string | null;
}

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
  ): Promise<
    | { session: SessionRecord; user: SessionUserRow | undefined; memberListVersion?: string }
    | undefined
  > {
    // Every signed-in request runs this: a prepared statement on PostgreSQL (planning the join
    // cost more than running it, src/db/database.ts), its text fixed rather than built each time.
    const { rows } = await sql<SessionLookupRow>`/* prepared:session_lookup */
      select s.id, s.user_id, s.csrf_token, s.created_at, s.last_seen_at, s.expires_at,
             u.id as u_id, u.organization_id as u_organization_id, u.email as u_email,
             u.name as u_name, u.role as u_role, u.status as u_status,
             o.member_list_version::text as member_list_version
        from sessions s
        left join users u on u.id = s.user_id
        left join organizations o on o.id = u.organization_id
       where s.id = ${id}`.execute(this.db);
    const row = rows[0];
    if (!row) return undefined;
    return {
      ...(row.member_list_version === null ? {} : { memberListVersion: row.member_list_version }),
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
