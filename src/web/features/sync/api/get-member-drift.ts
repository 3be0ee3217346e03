import { useQuery } from '@tanstack/react-query';
import type { CategoryResult } from '#src/web/features/sync/api/sync-settings.ts';
import { api } from '#src/web/lib/api-client.ts';

export type DriftState = 'in_sync' | 'differs';

/** One category the admin has set: what their Sync Settings would change on the member's. */
export interface DriftCategory extends CategoryResult {
  state: DriftState;
}

/** GET /api/members/:userId/drift?from=me */
export interface MemberDrift {
  memberId: string;
  /** The admin the member is compared with (you). */
  from: { id: string; name: string };
  driftCount: number;
  /** Only the categories the admin has set, in apply order (CRM keys first). */
  categories: DriftCategory[];
}

/** Every drift answer depends on both dashboards: a sync or a settings change invalidates it. */
export const memberDriftQueryKey = (userId?: string) =>
  userId ? (['member-drift', userId] as const) : (['member-drift'] as const);

/** How a member's dashboard differs from yours, category by category and item by item. */
export async function getMemberDrift(userId: string): Promise<MemberDrift> {
  return api<MemberDrift>(`/api/members/${encodeURIComponent(userId)}/drift`, {
    query: { from: 'me' },
  });
}

export function useMemberDrift(userId: string, options: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: memberDriftQueryKey(userId),
    queryFn: () => getMemberDrift(userId),
    enabled: options.enabled ?? true,
  });
}
