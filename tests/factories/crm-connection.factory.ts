import { randomUUID } from 'node:crypto';
import { CRM_KEYS, type CrmKey } from '#src/domain/crm.ts';
import { primarySecretOf, type CrmCredentials } from '#src/domain/settings/settings.schema.ts';
import { DEMO_CRM_ACCOUNTS } from '#src/db/seed/demo-data.ts';
import type { EmulatorPerson } from '#emulators/emulator-accounts.ts';
import { createAttioEmulator } from '#emulators/attio.emulator.ts';
import type { EmulatorServer } from '#emulators/emulator-server.ts';
import { createHubSpotEmulator } from '#emulators/hubspot.emulator.ts';
import { createPipedriveEmulator } from '#emulators/pipedrive.emulator.ts';
import { createSalesforceEmulator } from '#emulators/salesforce.emulator.ts';
import { startEmulatorServers, type RunningEmulators } from '#emulators/start-emulators.ts';
import { createZohoEmulator } from '#emulators/zoho.emulator.ts';

export type CrmCredentialsOf<C extends CrmKey> = Extract<CrmCredentials, { crm: C }>;

export interface CrmConnectionOverrides<C extends CrmKey> {
  secrets?: Partial<CrmCredentialsOf<C>['secrets']>;
  instance?: Partial<CrmCredentialsOf<C>['instance']>;
}

let counter = 0;

/**
 * Valid credentials for `crm` with unique secrets. Every primary secret contains
 * `access-token` or `api-token`, so a test can look for a leaked key by pattern too. Instance
 * URLs have the vendors' shape (never a local port): tests point the connectors at the
 * emulators through their base URLs.
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
      instance: { instanceUrl: 'https://acme-test.my.salesforce.com' },
    },
    zoho: {
      crm: 'zoho',
      secrets: { accessToken: `1000.zoho-access-token-${id}` },
      instance: { apiDomain: 'https://www.zohoapis.com' },
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
 * The CRM users the emulators know in tests: the demo's (owner@, admin@, repN@acme.test, with
 * the demo's ids in each CRM), after the emulators' own filler users.
 */
export function emulatorPeople(crm: CrmKey): EmulatorPerson[] {
  return structuredClone(DEMO_CRM_ACCOUNTS[crm].people);
}

/** The demo's CRM accounts (people and keys) for one emulator, plus a test's own `tokens`. */
export function demoEmulatorAccounts(crm: CrmKey, tokens: readonly string[] = []) {
  const demo = structuredClone(DEMO_CRM_ACCOUNTS[crm]);
  return { ...demo, tokens: [...demo.tokens, ...tokens] };
}

/**
 * The five CRM emulators on free loopback ports, knowing `emulatorPeople` and accepting
 * `connections`' keys only. Sync CRM with factory keys then talks to real HTTP servers, as in
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
    hubspot: createHubSpotEmulator({
      people: emulatorPeople('hubspot'),
      tokens: tokens('hubspot'),
    }),
    salesforce: createSalesforceEmulator({
      people: emulatorPeople('salesforce'),
      tokens: tokens('salesforce'),
      refreshTokens: refreshTokens('salesforce'),
    }),
    zoho: createZohoEmulator({
      people: emulatorPeople('zoho'),
      tokens: tokens('zoho'),
      refreshTokens: refreshTokens('zoho'),
    }),
    attio: createAttioEmulator({ people: emulatorPeople('attio'), tokens: tokens('attio') }),
    pipedrive: createPipedriveEmulator({
      people: emulatorPeople('pipedrive'),
      tokens: tokens('pipedrive'),
    }),
  };
  return startEmulatorServers(servers, 0);
}
