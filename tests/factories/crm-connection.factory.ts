import { randomUUID } from 'node:crypto';
import { CRM_KEYS, type CrmKey } from '#src/domain/crm.ts';
import { primarySecretOf, type CrmCredentials } from '#src/domain/settings/settings.schema.ts';
import { createAttioEmulator } from '#src/integrations/crm/emulators/attio.emulator.ts';
import type { EmulatorServer } from '#src/integrations/crm/emulators/emulator-server.ts';
import { createHubSpotEmulator } from '#src/integrations/crm/emulators/hubspot.emulator.ts';
import { createPipedriveEmulator } from '#src/integrations/crm/emulators/pipedrive.emulator.ts';
import { createSalesforceEmulator } from '#src/integrations/crm/emulators/salesforce.emulator.ts';
import {
  startEmulatorServers,
  type RunningEmulators,
} from '#src/integrations/crm/emulators/start-emulators.ts';
import { createZohoEmulator } from '#src/integrations/crm/emulators/zoho.emulator.ts';

export type CrmCredentialsOf<C extends CrmKey> = Extract<CrmCredentials, { crm: C }>;

export interface CrmConnectionOverrides<C extends CrmKey> {
  secrets?: Partial<CrmCredentialsOf<C>['secrets']>;
  instance?: Partial<CrmCredentialsOf<C>['instance']>;
}

let counter = 0;

/**
 * Valid credentials for `crm` with unique secrets. Every primary secret contains
 * `access-token` or `api-token`, so a test can look for a leaked key by pattern too. Instance
 * URLs are loopback; tests point the connectors at the emulators through their base URLs.
 */
export function makeCrmConnection<C extends CrmKey>(
  crm: C,
  overrides: CrmConnectionOverrides<C> = {},
): CrmCredentialsOf<C> {
  counter += 1;
  const id = `${counter}-${randomUUID().slice(0, 8)}`;
  const defaults: { [K in CrmKey]: CrmCredentialsOf<K> } = {
    hubspot: {
      crm: 'hubspot',
      secrets: { accessToken: `pat-na1-test-access-token-${id}` },
      instance: {},
    },
    salesforce: {
      crm: 'salesforce',
      secrets: { accessToken: `00Dtest!salesforce-access-token-${id}` },
      instance: { instanceUrl: 'http://127.0.0.1:4102' },
    },
    zoho: {
      crm: 'zoho',
      secrets: { accessToken: `1000.zoho-access-token-${id}` },
      instance: { apiDomain: 'http://127.0.0.1:4103' },
    },
    attio: {
      crm: 'attio',
      secrets: { accessToken: `attio-access-token-${id}` },
      instance: {},
    },
    pipedrive: {
      crm: 'pipedrive',
      secrets: { apiToken: `pd-test-api-token-${id}` },
      instance: {},
    },
  };
  const base = defaults[crm] as CrmCredentialsOf<C>;
  return {
    ...base,
    secrets: { ...base.secrets, ...overrides.secrets },
    instance: { ...base.instance, ...overrides.instance },
  };
}

/** One connection per CRM (all five unless `crms` says otherwise): an organization's keys. */
export function makeCrmConnections(crms: readonly CrmKey[] = CRM_KEYS): CrmCredentials[] {
  return crms.map((crm) => makeCrmConnection(crm));
}

/**
 * The five CRM emulators on free loopback ports, accepting `connections`' keys (besides their
 * default fixtures). Sync CRM with factory keys then talks to real HTTP servers, as in
 * production, without borrowing the demo's keys.
 */
export async function startEmulatorsAccepting(
  connections: readonly CrmCredentials[],
): Promise<RunningEmulators> {
  const tokens = (crm: CrmKey) =>
    connections.filter((c) => c.crm === crm).map((c) => primarySecretOf(c));
  const refreshTokens = (crm: CrmKey) =>
    connections.flatMap((c) =>
      c.crm === crm && 'refreshToken' in c.secrets && c.secrets.refreshToken
        ? [c.secrets.refreshToken]
        : [],
    );
  const servers: Record<CrmKey, EmulatorServer> = {
    hubspot: createHubSpotEmulator({ tokens: tokens('hubspot') }),
    salesforce: createSalesforceEmulator({
      tokens: tokens('salesforce'),
      refreshTokens: refreshTokens('salesforce'),
    }),
    zoho: createZohoEmulator({ tokens: tokens('zoho'), refreshTokens: refreshTokens('zoho') }),
    attio: createAttioEmulator({ tokens: tokens('attio') }),
    pipedrive: createPipedriveEmulator({ tokens: tokens('pipedrive') }),
  };
  return startEmulatorServers(servers, 0);
}
