import { CRM_KEYS, type CrmKey } from '#src/domain/crm.ts';
import { createAttioEmulator } from '#emulators/attio.emulator.ts';
import type { EmulatorAccounts } from '#emulators/emulator-accounts.ts';
import type { EmulatorServer, StartedEmulator } from '#emulators/emulator-server.ts';
import { createHubSpotEmulator } from '#emulators/hubspot.emulator.ts';
import { createPipedriveEmulator } from '#emulators/pipedrive.emulator.ts';
import { createSalesforceEmulator } from '#emulators/salesforce.emulator.ts';
import { createZohoEmulator } from '#emulators/zoho.emulator.ts';

/**
 * `npm run crm-emulators -- --port-base 4101` binds 4101 HubSpot, 4102 Salesforce, 4103 Zoho,
 * 4104 Attio, 4105 Pipedrive (CRM_KEYS order); everything else asks for free ports (0).
 */

export interface RunningEmulators {
  urls: Record<CrmKey, string>;
  servers: Record<CrmKey, EmulatorServer>;
  close(): Promise<void>;
}

/** Each CRM's users and keys, as the caller (the demo, a test) wants the emulators to know them. */
export type EmulatorAccountsByCrm = Partial<Record<CrmKey, Partial<EmulatorAccounts>>>;

export function createEmulators(
  accounts: EmulatorAccountsByCrm = {},
): Record<CrmKey, EmulatorServer> {
  return {
    hubspot: createHubSpotEmulator(accounts.hubspot),
    salesforce: createSalesforceEmulator(accounts.salesforce),
    zoho: createZohoEmulator(accounts.zoho),
    attio: createAttioEmulator(accounts.attio),
    pipedrive: createPipedriveEmulator(accounts.pipedrive),
  };
}

/**
 * Starts all five emulators on 127.0.0.1, on free ports (`portBase` 0, the default) or on
 * `portBase`…`portBase+4` in the order of CRM_KEYS. Fails (closing what started) if a port is taken.
 */
export async function startEmulators(
  options: { portBase?: number; accounts?: EmulatorAccountsByCrm } = {},
): Promise<RunningEmulators> {
  return startEmulatorServers(createEmulators(options.accounts), options.portBase ?? 0);
}

/** Starts the given five emulator servers as `startEmulators` does (tests pass their own). */
export async function startEmulatorServers(
  servers: Record<CrmKey, EmulatorServer>,
  portBase = 0,
): Promise<RunningEmulators> {
  const started: StartedEmulator[] = [];
  const urls = {} as Record<CrmKey, string>;
  try {
    for (const [index, crm] of CRM_KEYS.entries()) {
      const emulator = await servers[crm].start(portBase === 0 ? 0 : portBase + index);
      started.push(emulator);
      urls[crm] = emulator.baseUrl;
    }
  } catch (error) {
    await Promise.all(started.map((s) => s.close()));
    throw error;
  }
  return {
    urls,
    servers,
    close: async () => {
      await Promise.all(started.map((s) => s.close()));
    },
  };
}
