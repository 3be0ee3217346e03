import { CRM_KEYS, type CrmKey } from '#src/domain/crm.ts';
import { createAttioEmulator } from '#src/integrations/crm/emulators/attio.emulator.ts';
import type {
  EmulatorServer,
  StartedEmulator,
} from '#src/integrations/crm/emulators/emulator-server.ts';
import { createHubSpotEmulator } from '#src/integrations/crm/emulators/hubspot.emulator.ts';
import { createPipedriveEmulator } from '#src/integrations/crm/emulators/pipedrive.emulator.ts';
import { createSalesforceEmulator } from '#src/integrations/crm/emulators/salesforce.emulator.ts';
import { createZohoEmulator } from '#src/integrations/crm/emulators/zoho.emulator.ts';

/** Fixed loopback ports: 4101 HubSpot, 4102 Salesforce, 4103 Zoho, 4104 Attio, 4105 Pipedrive. */
export const DEFAULT_EMULATOR_PORT_BASE = 4101;

export interface RunningEmulators {
  urls: Record<CrmKey, string>;
  servers: Record<CrmKey, EmulatorServer>;
  close(): Promise<void>;
}

export function createEmulators(): Record<CrmKey, EmulatorServer> {
  return {
    hubspot: createHubSpotEmulator(),
    salesforce: createSalesforceEmulator(),
    zoho: createZohoEmulator(),
    attio: createAttioEmulator(),
    pipedrive: createPipedriveEmulator(),
  };
}

/**
 * Starts all five emulators on 127.0.0.1: on `portBase`…`portBase+4` in the order of CRM_KEYS,
 * or on free ports when `portBase` is 0. Fails (closing what started) if a port is taken.
 */
export async function startEmulators(
  portBase: number = DEFAULT_EMULATOR_PORT_BASE,
): Promise<RunningEmulators> {
  return startEmulatorServers(createEmulators(), portBase);
}

/** Starts the given five emulator servers as `startEmulators` does (tests pass their own). */
export async function startEmulatorServers(
  servers: Record<CrmKey, EmulatorServer>,
  portBase: number,
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
