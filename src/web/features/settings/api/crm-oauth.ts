import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type {
  ConnectOptions,
  ConnectionTestResult as ConnectionTestResultContract,
  OAuthAvailability,
  OAuthStart,
  SALESFORCE_LOGINS,
} from '#src/domain/contracts/settings.contract.ts';
import type { Wire } from '#src/domain/contracts/wire.ts';
import type { CrmKey } from '#src/domain/crm.ts';
import { crmConnectionsQueryKey } from '#src/web/features/settings/api/get-crm-connections.ts';
import { api } from '#src/web/lib/api-client.ts';

/** What `GET /api/me/crm-connections/connect-options` says about one CRM (the contract's type). */
export type ConnectOption = Wire<OAuthAvailability>;
/** What "Test connection" answered. */
export type ConnectionTestResult = Wire<ConnectionTestResultContract>;

export function useConnectOptions() {
  return useQuery({
    queryKey: ['crm-connect-options'],
    queryFn: async () =>
      (await api<Wire<ConnectOptions>>('/api/me/crm-connections/connect-options')).providers,
    staleTime: 5 * 60_000,
    retry: false,
  });
}

export interface StartOAuthInput {
  crm: CrmKey;
  salesforceLogin?: (typeof SALESFORCE_LOGINS)[number];
  myDomain?: string;
  zohoDataCentre?: string;
}

/** Begins "Connect <CRM>": the browser leaves for the CRM's sign-in and comes back to this page. */
export function useStartOAuth() {
  return useMutation({
    mutationFn: async ({ crm, ...body }: StartOAuthInput) => {
      const { authorizationUrl } = await api<OAuthStart>(
        `/api/me/crm-connections/${encodeURIComponent(crm)}/oauth`,
        { method: 'POST', body },
      );
      window.location.assign(authorizationUrl);
    },
  });
}

export function useTestConnection() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (crm: CrmKey) =>
      api<ConnectionTestResult>(`/api/me/crm-connections/${encodeURIComponent(crm)}/test`, {
        method: 'POST',
      }),
    onSettled: async () => {
      await queryClient.invalidateQueries({ queryKey: crmConnectionsQueryKey });
      await queryClient.invalidateQueries({ queryKey: ['team-members'] });
    },
  });
}

/** The callback's outcome codes (`?error=` on the CRM connections page) in words. */
export function oauthOutcomeMessage(code: string, crmLabel: string): string {
  switch (code) {
    case 'oauth_denied':
      return `You did not allow Ergo to access ${crmLabel}, so nothing was connected.`;
    case 'oauth_state_invalid':
      return `This ${crmLabel} sign-in expired or was already used. Choose Connect ${crmLabel} again.`;
    case 'crm_oauth_failed':
      return `${crmLabel} did not complete the sign-in, so nothing was connected. Try again; if it keeps failing, paste a key instead.`;
    case 'oauth_not_configured':
      return `Connect with ${crmLabel} is not set up on this server: paste a key instead.`;
    case 'dashboard_missing':
      return "You don't have a dashboard yet: finish setting up your account first.";
    case 'unauthenticated':
      return `You were signed out while ${crmLabel} was asking for access. Log in and choose Connect ${crmLabel} again.`;
    default:
      return `${crmLabel} was not connected. Try again.`;
  }
}
