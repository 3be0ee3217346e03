/**
 * Outgoing mail (issue 13): SMTP with nodemailer when ERGO_SMTP_URL is set; otherwise (demo
 * mode) the mail outbox table, shown at the dev-only outbox page. Messages never carry secrets
 * other than the invitation link meant for their recipient, and are never logged whole.
 */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** The organization the mail is about (the outbox page lists per organization). */
  organizationId?: string;
}

export interface Mailer {
  readonly kind: 'smtp' | 'outbox';
  send(message: MailMessage): Promise<void>;
}
