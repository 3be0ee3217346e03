import type { Me } from '#src/web/features/auth/api/get-me.ts';

/** Placeholder: "Finish setting up your account" for an invited user (issue 13). */
export function FinishSetup({ me }: { me: Me }) {
  return <p>Finish setting up your account, {me.user.name}.</p>;
}
