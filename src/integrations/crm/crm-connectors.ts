import type { CrmKey } from '#src/domain/crm.ts';
import type { CrmCredentials } from '#src/domain/settings/settings.schema.ts';
import { AttioConnector } from '#src/integrations/crm/attio/attio.adapter.ts';
import type { CrmConnector } from '#src/integrations/crm/crm-connector.ts';
import type { RetryPolicy } from '#src/integrations/crm/crm-http-client.ts';
import { HubSpotConnector } from '#src/integrations/crm/hubspot/hubspot.adapter.ts';
import { PipedriveConnector } from '#src/integrations/crm/pipedrive/pipedrive.adapter.ts';
import { SalesforceConnector } from '#src/integrations/crm/salesforce/salesforce.adapter.ts';
import { ZohoConnector } from '#src/integrations/crm/zoho/zoho.adapter.ts';

export interface ConnectorFactoryOptions {
  /** Per-CRM base URL overrides (e.g. the local emulators); unset = vendor or credential URL. */
  baseUrls?: Partial<Record<CrmKey, string>>;
  policy?: Partial<RetryPolicy>;
  /** The `fetch` each connector uses, per account (e.g. one that keeps a shared rate budget). */
  fetchFor?: (credentials: CrmCredentials) => typeof fetch;
  /** The clock and sleep of retries and rate-limit waits (tests inject them). */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** Builds the right adapter for a set of decrypted credentials. */
export function createConnectorFactory(
  options: ConnectorFactoryOptions = {},
): (credentials: CrmCredentials) => CrmConnector {
  return (credentials) => {
    const baseUrl = options.baseUrls?.[credentials.crm];
    const common = {
      ...(baseUrl ? { baseUrl } : {}),
      ...(options.policy ? { policy: options.policy } : {}),
      ...(options.fetchFor ? { fetch: options.fetchFor(credentials) } : {}),
      ...(options.now ? { now: options.now } : {}),
      ...(options.sleep ? { sleep: options.sleep } : {}),
    };
    switch (credentials.crm) {
      case 'hubspot':
        return new HubSpotConnector({ credentials, ...common });
      case 'salesforce':
        return new SalesforceConnector({ credentials, ...common });
      case 'zoho':
        return new ZohoConnector({ credentials, ...common });
      case 'attio':
        return new AttioConnector({ credentials, ...common });
      case 'pipedrive':
        return new PipedriveConnector({ credentials, ...common });
    }
  };
}
