import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api } from '#src/web/lib/api-client.ts';
import type { Role, UserStatus } from '#src/web/lib/format.ts';

export type MemberAction =
  | 'sync_crm'
  | 'sync_settings'
  | 'promote_to_admin'
  | 'demote_to_member'
  | 'deactivate'
  | 'reactivate'
  | 'remove_from_team';

export type SyncAction = 'sync_crm' | 'sync_settings' | 'revert';
export type SyncStatus = 'applied' | 'dry_run' | 'failed' | 'refused';

/** One row of the Admin member table (GET /api/teams/:teamId/members). */
export interface MemberRow {
  id: string;
  name: string;
  email: string;
  role: Role;
  status: UserStatus;
  hasDashboard: boolean;
  teams: { id: string; name: string }[];
  lastSync: {
    at: string;
    byUserId: string | null;
    byName: string | null;
    action: SyncAction;
    categories: string[];
    status: SyncStatus;
  } | null;
  /** What the row's action menu offers; the server checks again on use. */
  actions: MemberAction[];
}

export interface MemberPage {
  items: MemberRow[];
  nextCursor: string | null;
}

export interface MemberQuery {
  teamId: string;
  q: string;
  cursor: string | undefined;
  limit?: number;
}

export const teamMembersQueryKey = (query?: MemberQuery) =>
  query ? (['team-members', query] as const) : (['team-members'] as const);

export async function getTeamMembers(query: MemberQuery): Promise<MemberPage> {
  return api<MemberPage>(`/api/teams/${encodeURIComponent(query.teamId)}/members`, {
    query: { q: query.q.trim() || undefined, cursor: query.cursor, limit: query.limit ?? 25 },
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
