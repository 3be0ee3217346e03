import { sql, type Kysely } from 'kysely';
import type { DB } from '#src/db/schema.ts';

/** A user's notifications claimed for one digest mail. */
export interface ClaimedDigest {
  userId: string;
  email: string;
  organizationId: string;
  notificationIds: string[];
}

/**
 * The email digest (issue 16): each user's preference, and the claim of what a digest mails.
 * A claim marks the notifications mailed in the claiming transaction, skipping rows another
 * worker holds, so two workers never mail the same notification.
 */
export class NotificationDigestRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async preferenceOf(userId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('notification_preferences')
      .select('email_digest')
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row?.email_digest ?? false;
  }

  async setPreference(userId: string, emailDigest: boolean): Promise<void> {
    await this.db
      .insertInto('notification_preferences')
      .values({ user_id: userId, email_digest: emailDigest })
      .onConflict((oc) =>
        oc.column('user_id').doUpdateSet({
          email_digest: emailDigest,
          updated_at: sql<Date>`clock_timestamp()`,
        }),
      )
      .execute();
  }

  /**
   * Claims the unread, not yet mailed notifications of active users who chose the digest (at
   * most `limit`), marking them mailed; grouped per user.
   */
  async claim(limit: number): Promise<ClaimedDigest[]> {
    const { rows } = await sql<{
      id: string;
      user_id: string;
      email: string;
      organization_id: string;
    }>`
      with due as (
        select n.id
          from notifications n
          join notification_preferences p on p.user_id = n.user_id and p.email_digest
          join users u on u.id = n.user_id and u.status = 'active'
         where n.emailed_at is null and n.read_at is null
         order by n.user_id, n.created_at
         limit ${limit}
         for update of n skip locked
      ),
      claimed as (
        update notifications n set emailed_at = clock_timestamp()
          from due where n.id = due.id
        returning n.id, n.user_id
      )
      select c.id, c.user_id, u.email, u.organization_id
        from claimed c join users u on u.id = c.user_id
       order by c.user_id`.execute(this.db);
    const byUser = new Map<string, ClaimedDigest>();
    for (const r of rows) {
      const digest = byUser.get(r.user_id) ?? {
        userId: r.user_id,
        email: r.email,
        organizationId: r.organization_id,
        notificationIds: [],
      };
      digest.notificationIds.push(r.id);
      byUser.set(r.user_id, digest);
    }
    return [...byUser.values()];
  }

  /** Gives a digest back after its mail could not be sent: the next run tries again. */
  async release(notificationIds: readonly string[]): Promise<void> {
    if (notificationIds.length === 0) return;
    await this.db
      .updateTable('notifications')
      .set({ emailed_at: null })
      .where('id', 'in', [...notificationIds])
      .execute();
  }
}
