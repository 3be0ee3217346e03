import nodemailer from 'nodemailer';
import type { Mailer } from '#src/services/mail/mailer.ts';

/**
 * Mail over SMTP with nodemailer (`ERGO_SMTP_URL`: smtp:// or smtps://, credentials in the URL).
 * `close()` ends the pooled connections at shutdown.
 */
export function createSmtpMailer(url: string, from: string): Mailer & { close(): void } {
  const transport = nodemailer.createTransport(url);
  return {
    kind: 'smtp',
    async send(message) {
      await transport.sendMail({
        from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        ...(message.html === undefined ? {} : { html: message.html }),
      });
    },
    close() {
      transport.close();
    },
  };
}
