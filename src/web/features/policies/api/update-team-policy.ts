import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { TeamPolicyInput } from '#src/domain/contracts/policies.contract.ts';
import type { CategoryKey } from '#src/domain/settings/categories.ts';
import {
  teamPoliciesQueryKey,
  type TeamPolicy,
} from '#src/web/features/policies/api/get-team-policies.ts';
import { api } from '#src/web/lib/api-client.ts';

export interface UpdateTeamPolicyInput {
  teamId: string;
  category: CategoryKey;
  policy: TeamPolicyInput;
}

/** Sets one category's policy for a team: manual, or follow an admin (optionally locked). */
export async function updateTeamPolicy({
  teamId,
  category,
  policy,
}: UpdateTeamPolicyInput): Promise<TeamPolicy> {
  return api<TeamPolicy>(
    `/api/teams/${encodeURIComponent(teamId)}/policies/${encodeURIComponent(category)}`,
    { method: 'PUT', body: policy },
  );
}

export function useUpdateTeamPolicy() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateTeamPolicy,
    onSettled: async () => {
      // Another team's conflicts name this one: every team's policies are read again.
      await queryClient.invalidateQueries({ queryKey: teamPoliciesQueryKey() });
      await queryClient.invalidateQueries({ queryKey: ['team-members'] });
    },
  });
}
