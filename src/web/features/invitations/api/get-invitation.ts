import { useQuery } from '@tanstack/react-query';
import type { InvitationPreview as InvitationPreviewContract } from '#src/domain/contracts/invitations.contract.ts';
import type { Wire } from '#src/domain/contracts/wire.ts';
import { api } from '#src/web/lib/api-client.ts';

/** What an invitation link shows before the password is set (the contract's type). */
export type InvitationPreview = Wire<InvitationPreviewContract>;

export async function getInvitation(token: string): Promise<InvitationPreview> {
  return api<InvitationPreview>(`/api/invitations/${encodeURIComponent(token)}`);
}

export function useInvitation(token: string | null) {
  return useQuery({
    queryKey: ['invitation', token],
    queryFn: () => getInvitation(token ?? ''),
    enabled: token !== null && token !== '',
    retry: false,
    staleTime: Infinity,
  });
}
