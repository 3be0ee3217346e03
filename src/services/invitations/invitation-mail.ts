/** The invitation email (plain text and HTML), from the values the recipient needs. */
export function invitationMail(input: {
  name: string;
  organizationName: string;
  inviterName: string | null;
  link: string;
}): { subject: string; text: string; html: string } {
  const who = input.inviterName ?? 'An admin';
  const subject = `You're invited to ${input.organizationName} on Ergo`;
  const text = [
    `Hi ${input.name},`,
    '',
    `${who} invited you to join ${input.organizationName} on Ergo.`,
    'Open this link to set your password and finish setting up your account:',
    '',
    input.link,
    '',
    'The link works once and expires in 7 days. If it has expired, ask an admin of your organization to resend the invitation.',
  ].join('\n');
  const html = [
    `<p>Hi ${escapeHtml(input.name)},</p>`,
    `<p>${escapeHtml(who)} invited you to join ${escapeHtml(input.organizationName)} on Ergo.</p>`,
    `<p><a href="${escapeHtml(input.link)}">Finish setting up your account</a></p>`,
    '<p>The link works once and expires in 7 days. If it has expired, ask an admin of your organization to resend the invitation.</p>',
  ].join('\n');
  return { subject, text, html };
}

function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
