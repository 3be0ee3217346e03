import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { FollowResumed as ContractFollowResumed } from '#src/domain/contracts/policies.contract.ts';
import type { Wire } from '#src/domain/contracts/wire.ts';
import type { CategoryKey } from '#src/domain/settings/categories.ts';
import { teamPoliciesQueryKey } from '#src/web/features/policies/api/get-team-policies.ts';
import { mySettingsQueryKey } from '#src/web/features/settings/api/get-my-settings.ts';
import { api } from '#src/web/lib/api-client.ts';

export type FollowResumed = Wire<ContractFollowResumed>;

/**
 * An admin's "Resume" (or "Reset to the admin's settings") for a member: the member follows the
 * category again, and a one-member run applies the admin's settings to it.
 */
export async function resumeFollow(input: {
  userId: string;
  category: CategoryKey;
}): Promise<FollowResumed> {
  return api<FollowResumed>(
    `/api/members/${encodeURIComponent(input.userId)}/follow/${encodeURIComponent(input.category)}/resume`,
    { method: 'POST' },
  );
}

/** The member's own "Reset to the admin's settings" for one of their categories. */
export async function resetMyCategory(input: { category: CategoryKey }): Promise<FollowResumed> {
  return api<FollowResumed>(`/api/me/settings/${encodeURIComponent(input.category)}/reset`, {
    method: 'POST',
  });
}

export function useResumeFollow() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: resumeFollow,
    onSettled: async () => {
      await queryClient.invalidateQueries({ queryKey: teamPoliciesQueryKey() });
      await queryClient.invalidateQueries({ queryKey: ['team-members'] });
      await queryClient.invalidateQueries({ queryKey: ['member-drift'] });
    },
  });
}

export function useResetMyCategory() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: resetMyCategory,
    onSettled: async () => {
      await queryClient.invalidateQueries({ queryKey: mySettingsQueryKey });
    },
  });
}
