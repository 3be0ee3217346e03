import type { CrmKey } from '#src/domain/crm.ts';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { CategoryKey } from '#src/domain/settings/categories.ts';
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
/** Would Sync Settings from the admin change this category of the member's dashboard? */
export type DriftState = 'in_sync' | 'differs';
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
  /** The member's CRM connections and their health. */
  connections: { crm: CrmKey; status: 'connected' | 'reconnect_needed'; via: 'key' | 'oauth' }[];
  /**
   * With `driftFrom`: per category the admin has set, whether their Sync Settings would change
   * it. Absent for rows without a dashboard and for the admin's own row.
   */
  drift?: Partial<Record<CategoryKey, DriftState>>;
  /** How many of those categories differ. */
  driftCount?: number;
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
