import { Client } from '@hubspot/api-client';
import {
  OptionInput,
  PropertyCreate,
  PropertyCreateFieldTypeEnum,
  PropertyCreateTypeEnum,
  PropertyUpdate,
} from '@hubspot/api-client/lib/codegen/crm/properties/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StartedEmulator } from '#emulators/emulator-server.ts';
import { createHubSpotEmulator, type HubSpotEmulator } from '#emulators/hubspot.emulator.ts';
import { emulatorPeople } from '#tests/factories/crm-connection.factory.ts';

/**
 * The official Node SDK (@hubspot/api-client), unmodified, pointed at the emulator with
 * `basePath`: proof that the emulator speaks HubSpot's real paths and shapes.
 */

const TOKEN = 'pat-na1-sdk-test-token-5e8d0b14';

/** The SDK's model classes, filled in the way its generated code expects. */
function option(label: string, value: string, displayOrder: number): OptionInput {
  return Object.assign(new OptionInput(), { label, value, displayOrder, hidden: false });
}

let emulator: HubSpotEmulator;
let server: StartedEmulator;
let client: Client;

beforeAll(async () => {
  emulator = createHubSpotEmulator({
    people: emulatorPeople('hubspot'),
    tokens: [TOKEN],
  });
  server = await emulator.start();
  client = new Client({ accessToken: TOKEN, basePath: server.baseUrl, numberOfApiCallRetries: 0 });
});

afterAll(async () => {
  await server.close();
});

describe('@hubspot/api-client against the HubSpot emulator', () => {
  it('lists owners page by page', async () => {
    const first = await client.crm.owners.ownersApi.getPage(undefined, undefined, 100, false);
    expect(first.results).toHaveLength(100);
    expect(first.results[0]?.createdAt).toBeInstanceOf(Date);
    const after = first.paging?.next?.after;
    expect(after).toBe('100');

    const second = await client.crm.owners.ownersApi.getPage(undefined, after, 100, false);
    const owner = second.results.find((o) => o.email === 'owner@acme.test');
    expect(owner).toMatchObject({ id: '41629701', firstName: 'Olivia', lastName: 'Bennett' });
    expect(second.paging).toBeUndefined();
    expect(emulator.requestLog.filter((e) => e.path === '/crm/v3/owners/')).toHaveLength(2);
  });

  it('creates a deal property and reads it back', async () => {
    const created = await client.crm.properties.coreApi.create(
      'deals',
      Object.assign(new PropertyCreate(), {
        name: 'assistant_owner',
        label: 'Assistant owner',
        type: PropertyCreateTypeEnum.Enumeration,
        fieldType: PropertyCreateFieldTypeEnum.Select,
        groupName: 'dealinformation',
        options: [option('Olivia Bennett', '41629701', 0)],
      }),
    );
    expect(created.name).toBe('assistant_owner');

    const read = await client.crm.properties.coreApi.getByName('deals', 'assistant_owner');
    expect(read.type).toBe('enumeration');
    expect(read.options.map((o) => o.value)).toEqual(['41629701']);
    expect(read.createdAt).toBeInstanceOf(Date);
    expect(emulator.property('assistant_owner')?.label).toBe('Assistant owner');
  });

  it('updates the options with PATCH, which replaces the whole list', async () => {
    const updated = await client.crm.properties.coreApi.update(
      'deals',
      'assistant_owner',
      Object.assign(new PropertyUpdate(), { options: [option('Marcus Reed', '41629702', 0)] }),
    );
    expect(updated.options.map((o) => o.value)).toEqual(['41629702']);
    expect(emulator.property('assistant_owner')?.options.map((o) => o.value)).toEqual(['41629702']);
  });

  it('surfaces the emulator errors as the SDK does for HubSpot', async () => {
    const error = await client.crm.properties.coreApi
      .getByName('deals', 'no_such_property')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 404 });

    const stranger = new Client({
      accessToken: 'pat-na1-unknown',
      basePath: server.baseUrl,
      numberOfApiCallRetries: 0,
    });
    const denied = await stranger.crm.owners.ownersApi.getPage().catch((e: unknown) => e);
    expect(denied).toMatchObject({ code: 401 });
  });
});
