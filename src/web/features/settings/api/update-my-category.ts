import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ValueCategoryKey } from '#src/domain/settings/categories.ts';
import type { OwnCategoryWithVersion } from '#src/domain/contracts/settings.contract.ts';
import type { Wire } from '#src/domain/contracts/wire.ts';
import { mySettingsQueryKey } from '#src/web/features/settings/api/get-my-settings.ts';
import { api, ApiError } from '#src/web/lib/api-client.ts';

export interface UpdateMyCategoryInput {
  key: ValueCategoryKey;
  value: unknown;
  dashboardVersion: number;
}

/**
 * Replaces one of your settings categories; refused with `version_conflict` if it changed, and
 * with `category_locked` when your admin locked it (issue 16).
 */
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
    onError: async (error) => {
      // Your admin locked it meanwhile: the page shows it locked (read-only) from now on.
      if (error instanceof ApiError && error.code === 'category_locked') {
        await queryClient.invalidateQueries({ queryKey: mySettingsQueryKey });
      }
    },
  });
}
