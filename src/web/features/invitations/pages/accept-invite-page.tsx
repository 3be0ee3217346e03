/** Placeholder: built by the invitations work (issue 13). */
export function AcceptInvitePage() {
  return <p>Coming soon.</p>;
}
