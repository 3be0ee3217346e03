import { useQuery } from '@tanstack/react-query';
import type {
  TeamPolicies as ContractTeamPolicies,
  TeamPolicy as ContractTeamPolicy,
} from '#src/domain/contracts/policies.contract.ts';
import type { Wire } from '#src/domain/contracts/wire.ts';
import { api } from '#src/web/lib/api-client.ts';

/** A team's follow policies (GET /api/teams/:teamId/policies), as JSON. */
export type TeamPolicies = Wire<ContractTeamPolicies>;
export type TeamPolicy = Wire<ContractTeamPolicy>;
export type PolicyConflict = TeamPolicy['conflicts'][number];
export type FollowException = TeamPolicy['exceptions'][number];

export const teamPoliciesQueryKey = (teamId?: string) =>
  teamId === undefined ? (['team-policies'] as const) : (['team-policies', teamId] as const);

export async function getTeamPolicies(teamId: string): Promise<TeamPolicies> {
  return api<TeamPolicies>(`/api/teams/${encodeURIComponent(teamId)}/policies`);
}

export function useTeamPolicies(teamId: string) {
  return useQuery({
    queryKey: teamPoliciesQueryKey(teamId),
    queryFn: () => getTeamPolicies(teamId),
  });
}
