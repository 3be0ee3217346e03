import { createHash, randomBytes } from 'node:crypto';

/** How long an invitation link works (issue 13): 7 days from when it was (re)sent. */
export const INVITATION_LIFETIME_MS = 7 * 24 * 60 * 60_000;

/** A new invitation token: 32 random bytes, base64url. Shown once (in the mail), stored hashed. */
export function newInvitationToken(): { token: string; tokenHash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, tokenHash: invitationTokenHash(token) };
}

/** The stored form of a token: SHA-256 hex, like sessions and OAuth states. */
export function invitationTokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The link a recipient opens: the console's `/invite` page. */
export function invitationLink(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/invite?token=${encodeURIComponent(token)}`;
}
