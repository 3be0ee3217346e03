import { useQuery } from '@tanstack/react-query';
import { api } from '#src/web/lib/api-client.ts';

export interface Health {
  status: 'ok' | 'unavailable';
  version: string;
  database: string;
  /** Not sent by the server yet; when it is, `false` hides the demo logins. */
  demo?: boolean;
}

export async function getHealth(): Promise<Health> {
  return api<Health>('/api/health');
}

export function useHealth() {
  return useQuery({ queryKey: ['health'], queryFn: getHealth, staleTime: 60_000, retry: false });
}
