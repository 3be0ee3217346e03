import { useQuery } from '@tanstack/react-query';
import type { CrmKey } from '#src/domain/crm.ts';
import { api } from '#src/web/lib/api-client.ts';

export interface CrmConnection {
  crm: CrmKey;
  /** "••••" and the last 4 characters of the key (empty for OAuth): the key never leaves the server. */
  maskedKey: string;
  /** A pasted key, or "Connect <CRM>" (OAuth, renewed by Ergo). */
  via: 'key' | 'oauth';
  /** `reconnect_needed`: the CRM refused the key or revoked the grant. */
  status: 'connected' | 'reconnect_needed';
  statusDetail: string | null;
  checkedAt: string | null;
  scopes?: string[];
  accessExpiresAt?: string | null;
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
