import { useMutation, useQueryClient } from '@tanstack/react-query';
import { meQueryKey } from '#src/web/features/auth/api/get-me.ts';
import type { AcceptedInvitation } from '#src/domain/contracts/invitations.contract.ts';
import type { Wire } from '#src/domain/contracts/wire.ts';
import { api, setCsrfToken } from '#src/web/lib/api-client.ts';

/** Sets the password, finishes setup, and starts a session (like logging in). */
export async function acceptInvitation(input: {
  token: string;
  password: string;
}): Promise<Wire<AcceptedInvitation>> {
  const session = await api<Wire<AcceptedInvitation>>(
    `/api/invitations/${encodeURIComponent(input.token)}/accept`,
    { method: 'POST', body: { password: input.password } },
  );
  setCsrfToken(session.csrfToken);
  return session;
}

export function useAcceptInvitation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: acceptInvitation,
    onSuccess: async () => {
      // A new session: nothing cached from a previous one may survive.
      queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== meQueryKey[0] });
      await queryClient.invalidateQueries({ queryKey: meQueryKey });
    },
  });
}
