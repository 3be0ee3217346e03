import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '#src/web/lib/api-client.ts';

export interface InvitationInput {
  email: string;
  name: string;
  role: 'member' | 'admin';
  teamIds: string[];
}

export interface SentInvitation {
  userId: string;
  email: string;
  status: 'invited';
  expiresAt: string;
  /** False: the invitation exists but its email could not be sent (resend it). */
  mailSent: boolean;
}

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
