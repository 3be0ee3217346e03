import type { Me } from '#src/web/features/auth/api/get-me.ts';

/** Placeholder: built by the members-and-teams work (issue 13). */
export function OrganizationRoute({ me }: { me: Me }) {
  return <p>Coming soon for {me.user.name}.</p>;
}
