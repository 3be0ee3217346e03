import { TeamPolicies } from '#src/web/features/policies/components/team-policies.tsx';

/** Admin › Teams › a team's follow policies (issue 16). */
export function TeamPoliciesRoute({ teamId }: { teamId: string }) {
  return <TeamPolicies teamId={teamId} />;
}
