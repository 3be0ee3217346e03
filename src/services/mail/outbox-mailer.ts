import type { Repositories } from '#src/repositories/repositories.ts';
import type { Mailer } from '#src/services/mail/mailer.ts';

/** Demo mode without SMTP: mail is kept in `mail_outbox` and shown at the dev-only outbox page. */
export function createOutboxMailer(repos: Repositories): Mailer {
  return {
    kind: 'outbox',
    async send(message) {
      await repos.mailOutbox.insert({
        organizationId: message.organizationId ?? null,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html ?? null,
      });
    },
  };
}
