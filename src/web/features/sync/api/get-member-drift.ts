import { useQuery } from '@tanstack/react-query';
import type { MemberDriftReport } from '#src/domain/contracts/sync.contract.ts';
import type { Wire } from '#src/domain/contracts/wire.ts';
import { api } from '#src/web/lib/api-client.ts';

export type { DriftState } from '#src/domain/contracts/members.contract.ts';
export type MemberDrift = Wire<MemberDriftReport>;
/** One category the admin has set: what their Sync Settings would change on the member's. */
export type DriftCategory = MemberDrift['categories'][number];

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
