import { useQuery } from '@tanstack/react-query';
import { api } from '#src/web/lib/api-client.ts';

export interface Team {
  id: string;
  name: string;
  memberCount: number;
}

export const teamsQueryKey = ['teams'] as const;

export async function getTeams(): Promise<Team[]> {
  return api<Team[]>('/api/teams');
}

export function useTeams() {
  return useQuery({ queryKey: teamsQueryKey, queryFn: getTeams, staleTime: 60_000 });
}
