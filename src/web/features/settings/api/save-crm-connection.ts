import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { CrmKey } from '#src/domain/crm.ts';
import {
  crmConnectionsQueryKey,
  type CrmConnection,
} from '#src/web/features/settings/api/get-crm-connections.ts';
import { api } from '#src/web/lib/api-client.ts';

export interface SaveCrmConnectionInput {
  crm: CrmKey;
  secrets: Record<string, string>;
  instance: Record<string, unknown>;
}

/** Connects a CRM or replaces its keys; the answer is the masked view only. */
export async function saveCrmConnection({
  crm,
  secrets,
  instance,
}: SaveCrmConnectionInput): Promise<CrmConnection> {
  return api<CrmConnection>(`/api/me/crm-connections/${encodeURIComponent(crm)}`, {
    method: 'PUT',
    body: { secrets, instance },
  });
}

export function useSaveCrmConnection() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: saveCrmConnection,
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: crmConnectionsQueryKey });
      // Your CRM keys are one of the categories members' drift is measured against.
      await queryClient.invalidateQueries({ queryKey: ['team-members'] });
      await queryClient.invalidateQueries({ queryKey: ['member-drift'] });
    },
  });
}
