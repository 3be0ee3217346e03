/** Placeholder: the organization's SCIM tokens (issue 13). */
export function ScimTokens() {
  return <p>SCIM tokens.</p>;
}
