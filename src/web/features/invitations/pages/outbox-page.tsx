/** Placeholder: built by the invitations work (issue 13). */
export function OutboxPage() {
  return <p>Coming soon.</p>;
}
