import { useQuery } from '@tanstack/react-query';
import type { CrmKey } from '#src/domain/crm.ts';
import { api } from '#src/web/lib/api-client.ts';

export interface CrmConnection {
  crm: CrmKey;
  /** "••••" and the last 4 characters of the key: the key itself never leaves the server. */
  maskedKey: string;
  instance: Record<string, unknown>;
  updatedAt: string;
}

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
