import { useQuery } from '@tanstack/react-query';
import { getTeams } from '#src/web/features/members/api/get-teams.ts';
import { getTeamMembers } from '#src/web/features/members/api/get-team-members.ts';

/**
 * Names of the organization's members by id, for the sync history (whose entries carry ids).
 * Read from the teams' member tables, capped so a very large organization stays cheap; an id
 * not found shows as "a former member". A server-side name in the history would replace this.
 */
export async function getMemberDirectory(): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const teams = await getTeams();
  const MAX_PAGES_PER_TEAM = 10;
  await Promise.all(
    teams.map(async (team) => {
      let cursor: string | undefined;
      for (let page = 0; page < MAX_PAGES_PER_TEAM; page += 1) {
        const result = await getTeamMembers({ teamId: team.id, q: '', cursor, limit: 100 });
        for (const member of result.items) names.set(member.id, member.name);
        if (!result.nextCursor) break;
        cursor = result.nextCursor;
      }
    }),
  );
  return names;
}

export function useMemberDirectory(enabled = true) {
  return useQuery({
    queryKey: ['member-directory'],
    queryFn: getMemberDirectory,
    staleTime: 5 * 60_000,
    enabled,
  });
}
