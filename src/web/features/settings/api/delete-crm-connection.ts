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
    onSuccess: () => queryClient.invalidateQueries({ queryKey: crmConnectionsQueryKey }),
  });
}
