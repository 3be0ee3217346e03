import { useQuery } from '@tanstack/react-query';
import type { TeamSummary } from '#src/domain/contracts/members.contract.ts';
import { api } from '#src/web/lib/api-client.ts';

/** A team with its member count (GET /api/teams). */
export type Team = TeamSummary;

export const teamsQueryKey = ['teams'] as const;

export async function getTeams(): Promise<Team[]> {
  return api<Team[]>('/api/teams');
}

export function useTeams() {
  return useQuery({ queryKey: teamsQueryKey, queryFn: getTeams, staleTime: 60_000 });
}
