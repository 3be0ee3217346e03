import { useMutation, useQueryClient } from '@tanstack/react-query';
import type {
  InviteBody,
  SentInvitation as SentInvitationContract,
} from '#src/domain/contracts/invitations.contract.ts';
import type { Wire } from '#src/domain/contracts/wire.ts';
import { api } from '#src/web/lib/api-client.ts';

/** POST /api/invitations, typed by the contract. */
export type InvitationInput = InviteBody;
export type SentInvitation = Wire<SentInvitationContract>;

export async function createInvitation(input: InvitationInput): Promise<SentInvitation> {
  return api<SentInvitation>('/api/invitations', { method: 'POST', body: input });
}

export function useCreateInvitation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createInvitation,
    onSuccess: async () => {
      // The new member shows in every member list and team count at once (the members
      // feature's query keys).
      await Promise.all(
        ['team-members', 'organization-members', 'teams', 'member-directory'].map((key) =>
          queryClient.invalidateQueries({ queryKey: [key] }),
        ),
      );
    },
  });
}
