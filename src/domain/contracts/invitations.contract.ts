import { z } from 'zod';
import { loginResponseSchema } from '#src/domain/contracts/auth.contract.ts';

/**
 * Invitations and setup completion (issue 13): the server declares these as its responses, its
 * services return their types, and the web app reads them as `Wire<…>`. One declaration.
 */

/** POST /api/invitations. */
export const inviteBodySchema = z.strictObject({
  email: z.string().max(320),
  name: z.string().max(200),
  role: z.enum(['member', 'admin'], {
    error: 'must be "member" or "admin" (nobody can be invited as primary admin)',
  }),
  teamIds: z.array(z.string().max(100)).max(100).default([]),
});
/** What a client sends (`teamIds` may be left out: no team). */
export type InviteBody = z.input<typeof inviteBodySchema>;

/** What an admin sees of an invitation just sent (never its token). */
export const sentInvitationSchema = z.object({
  userId: z.string(),
  email: z.string(),
  status: z.literal('invited'),
  expiresAt: z.date(),
  mailSent: z
    .boolean()
    .describe(
      'False when the mail server refused or was unreachable: the invitation exists and "Resend invite" sends a new link',
    ),
});
export type SentInvitation = z.infer<typeof sentInvitationSchema>;

/** POST /api/members/{userId}/invitation/resend: a new link, the previous one stops working. */
export const resentInvitationSchema = z.object({
  userId: z.string(),
  expiresAt: z.date(),
  sentCount: z
    .number()
    .int()
    .describe('How many links this invitation has sent, this one included'),
  mailSent: z.boolean().describe('False when the mail could not be sent (resend again)'),
});
export type ResentInvitation = z.infer<typeof resentInvitationSchema>;

/** GET /api/invitations/{token}: what the `/invite` page shows before the password is set. */
export const invitationPreviewSchema = z.object({
  email: z.string(),
  name: z.string(),
  organizationName: z.string(),
});
export type InvitationPreview = z.infer<typeof invitationPreviewSchema>;

/** POST /api/invitations/{token}/accept. */
export const acceptInvitationBodySchema = z.strictObject({
  password: z.string().min(1).max(1000),
});
/** Its answer: a session, as a login's (the cookie is set; the CSRF token is in the body). */
export const acceptedInvitationSchema = loginResponseSchema;
export type AcceptedInvitation = z.infer<typeof acceptedInvitationSchema>;

/** One message of the mail outbox (mail kept, not sent: no SMTP configured). */
export const outboxMessageSchema = z.object({
  id: z.string(),
  organizationId: z.string().nullable(),
  to: z.string(),
  subject: z.string(),
  text: z.string(),
  html: z.string().nullable(),
  createdAt: z.date(),
});
export type OutboxMessage = z.infer<typeof outboxMessageSchema>;

/** GET /api/dev/outbox: the latest messages, newest first. */
export const outboxSchema = z.object({ messages: z.array(outboxMessageSchema) });
export type Outbox = z.infer<typeof outboxSchema>;
