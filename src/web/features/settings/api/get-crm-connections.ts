import { useQuery } from '@tanstack/react-query';
import type { MaskedCrmConnection } from '#src/domain/contracts/settings.contract.ts';
import type { Wire } from '#src/domain/contracts/wire.ts';
import { api } from '#src/web/lib/api-client.ts';

/** A CRM connection, keys masked: the key never leaves the server (typed by the contract). */
export type CrmConnection = Wire<MaskedCrmConnection>;

export const crmConnectionsQueryKey = ['crm-connections'] as const;

export async function getCrmConnections(): Promise<CrmConnection[]> {
  return api<CrmConnection[]>('/api/me/crm-connections');
}

export function useCrmConnections() {
  return useQuery({
    queryKey: crmConnectionsQueryKey,
    queryFn: getCrmConnections,
    retry: false,
  });
}
