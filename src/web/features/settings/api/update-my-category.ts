import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ValueCategoryKey } from '#src/domain/settings/categories.ts';
import type { OwnCategoryWithVersion } from '#src/domain/contracts/settings.contract.ts';
import type { Wire } from '#src/domain/contracts/wire.ts';
import { mySettingsQueryKey } from '#src/web/features/settings/api/get-my-settings.ts';
import { api } from '#src/web/lib/api-client.ts';

export interface UpdateMyCategoryInput {
  key: ValueCategoryKey;
  value: unknown;
  dashboardVersion: number;
}

/** Replaces one of your settings categories; refused with `version_conflict` if it changed. */
export async function updateMyCategory({
  key,
  value,
  dashboardVersion,
}: UpdateMyCategoryInput): Promise<Wire<OwnCategoryWithVersion>> {
  return api<Wire<OwnCategoryWithVersion>>(`/api/me/settings/${encodeURIComponent(key)}`, {
    method: 'PUT',
    body: { value, dashboardVersion },
  });
}

export function useUpdateMyCategory() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: updateMyCategory,
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: mySettingsQueryKey });
      // The member table's drift compares members with your settings: it is stale now.
      await queryClient.invalidateQueries({ queryKey: ['team-members'] });
      await queryClient.invalidateQueries({ queryKey: ['member-drift'] });
    },
  });
}
