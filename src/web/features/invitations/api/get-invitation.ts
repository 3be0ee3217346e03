import { useQuery } from '@tanstack/react-query';
import { api } from '#src/web/lib/api-client.ts';

/** What an invitation link shows before the password is set. */
export interface InvitationPreview {
  email: string;
  name: string;
  organizationName: string;
}

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
