import type { Kysely } from 'kysely';
import type { DB } from '#src/db/schema.ts';
import type { OutboxMessage } from '#src/domain/contracts/invitations.contract.ts';

/** Mail kept instead of sent (demo mode without SMTP), for the dev-only outbox page. */
export class MailOutboxRepository {
  constructor(private readonly db: Kysely<DB>) {}

  async insert(message: {
    organizationId: string | null;
    to: string;
    subject: string;
    text: string;
    html: string | null;
  }): Promise<void> {
    await this.db
      .insertInto('mail_outbox')
      .values({
        organization_id: message.organizationId,
        to_address: message.to,
        subject: message.subject,
        text_body: message.text,
        html_body: message.html,
      })
      .execute();
  }

  /** The newest messages first; of one organization when given. */
  async latest(limit: number, organizationId?: string): Promise<OutboxMessage[]> {
    let query = this.db
      .selectFrom('mail_outbox')
      .select([
        'id',
        'organization_id',
        'to_address',
        'subject',
        'text_body',
        'html_body',
        'created_at',
      ])
      .orderBy('id', 'desc')
      .limit(limit);
    if (organizationId !== undefined) query = query.where('organization_id', '=', organizationId);
    const rows = await query.execute();
    return rows.map((r) => ({
      // The contract's ids are strings (a bigserial reads as a number).
      id: String(r.id),
      organizationId: r.organization_id,
      to: r.to_address,
      subject: r.subject,
      text: r.text_body,
      html: r.html_body,
      createdAt: r.created_at,
    }));
  }
}
