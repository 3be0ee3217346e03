import type { CrmKey } from '#src/domain/crm.ts';
import { createAttioOAuthProvider } from '#src/integrations/crm/oauth/attio.oauth.ts';
import { createHubSpotOAuthProvider } from '#src/integrations/crm/oauth/hubspot.oauth.ts';
import type {
  OAuthClientCredentials,
  OAuthProvider,
  OAuthProviderOptions,
} from '#src/integrations/crm/oauth/oauth-provider.ts';
import { createPipedriveOAuthProvider } from '#src/integrations/crm/oauth/pipedrive.oauth.ts';
import { createSalesforceOAuthProvider } from '#src/integrations/crm/oauth/salesforce.oauth.ts';
import { createZohoOAuthProvider } from '#src/integrations/crm/oauth/zoho.oauth.ts';

const FACTORIES: Record<CrmKey, (options: OAuthProviderOptions) => OAuthProvider> = {
  hubspot: createHubSpotOAuthProvider,
  salesforce: createSalesforceOAuthProvider,
  zoho: createZohoOAuthProvider,
  attio: createAttioOAuthProvider,
  pipedrive: createPipedriveOAuthProvider,
};

/**
 * One OAuth provider per CRM that has a client configured; a CRM without one offers the
 * paste-in key only. `baseUrls` (the local emulators) replace the vendors' hosts.
 */
export function createOAuthProviders(
  clients: Partial<Record<CrmKey, OAuthClientCredentials>>,
  options: {
    baseUrls?: Partial<Record<CrmKey, string>>;
    fetch?: typeof fetch;
    now?: () => number;
  } = {},
): Partial<Record<CrmKey, OAuthProvider>> {
  const providers: Partial<Record<CrmKey, OAuthProvider>> = {};
  for (const [crm, client] of Object.entries(clients) as [CrmKey, OAuthClientCredentials][]) {
    const baseUrl = options.baseUrls?.[crm];
    providers[crm] = FACTORIES[crm]({
      client,
      ...(baseUrl ? { baseUrl } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
  }
  return providers;
}
