import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type {
  MemberPage as ContractMemberPage,
  MemberRow as ContractMemberRow,
} from '#src/domain/contracts/members.contract.ts';
import type { Wire } from '#src/domain/contracts/wire.ts';
import { api } from '#src/web/lib/api-client.ts';

export type { MemberAction } from '#src/domain/member-actions.ts';
export type { DriftState, SyncAction, SyncStatus } from '#src/domain/contracts/members.contract.ts';

/** One row of the Admin member table (GET /api/teams/:teamId/members), as JSON. */
export type MemberRow = Wire<ContractMemberRow>;
export type MemberPage = Wire<ContractMemberPage>;

export interface MemberQuery {
  teamId: string;
  q: string;
  cursor: string | undefined;
  limit?: number;
  /** `me`: each row says how it differs from your own settings (drift). */
  driftFrom?: 'me' | undefined;
}

export const teamMembersQueryKey = (query?: MemberQuery) =>
  query ? (['team-members', query] as const) : (['team-members'] as const);

export async function getTeamMembers(query: MemberQuery): Promise<MemberPage> {
  return api<MemberPage>(`/api/teams/${encodeURIComponent(query.teamId)}/members`, {
    query: {
      q: query.q.trim() || undefined,
      cursor: query.cursor,
      limit: query.limit ?? 25,
      driftFrom: query.driftFrom,
    },
  });
}

export function useTeamMembers(query: MemberQuery | undefined) {
  return useQuery({
    queryKey: teamMembersQueryKey(query),
    queryFn: () => getTeamMembers(query as MemberQuery),
    enabled: query !== undefined,
    placeholderData: keepPreviousData,
  });
}
