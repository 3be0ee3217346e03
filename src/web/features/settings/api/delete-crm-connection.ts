import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { CrmKey } from '#src/domain/crm.ts';
import { crmConnectionsQueryKey } from '#src/web/features/settings/api/get-crm-connections.ts';
import { api } from '#src/web/lib/api-client.ts';

export async function deleteCrmConnection(crm: CrmKey): Promise<void> {
  await api<undefined>(`/api/me/crm-connections/${encodeURIComponent(crm)}`, {
    method: 'DELETE',
  });
}

export function useDeleteCrmConnection() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: deleteCrmConnection,
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: crmConnectionsQueryKey });
      // Your CRM keys are one of the categories members' drift is measured against.
      await queryClient.invalidateQueries({ queryKey: ['team-members'] });
      await queryClient.invalidateQueries({ queryKey: ['member-drift'] });
    },
  });
}
