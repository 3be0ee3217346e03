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
import { consent } from '#src/integrations/crm/oauth/consent-page.test-helper.ts';
import { emulatorPeople } from '#tests/factories/crm-connection.factory.ts';

/**
 * The official Node SDK (@hubspot/api-client), unmodified, pointed at the emulator with
 * `basePath`: proof that the emulator speaks HubSpot's real paths and shapes. Its OAuth client
 * (`client.oauth`: `getAuthorizationUrl`, `tokensApi.create`, `accessTokensApi.get`) runs
 * "Connect HubSpot" and a refresh against the emulator's token endpoints. The SDK never
 * refreshes by itself (no refresh token in its configuration; a 401 is the caller's to handle).
 */

const TOKEN = 'pat-na1-sdk-test-token-5e8d0b14';
const CLIENT_ID = 'hubspot-sdk-test-client';
const CLIENT_SECRET = 'hubspot-sdk-test-secret-31d9';
const REDIRECT = 'http://127.0.0.1:5998/oauth/hubspot/callback';

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
    oauthClients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [REDIRECT] }],
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

describe("@hubspot/api-client OAuth against the emulator's token endpoints", () => {
  const SCOPES = 'oauth crm.objects.owners.read crm.schemas.deals.write';

  /** The SDK's authorize URL (it always names app.hubspot.com), pointed at the emulator. */
  function authorizeUrl(state: string): string {
    const url = new URL(
      client.oauth.getAuthorizationUrl(CLIENT_ID, REDIRECT, SCOPES, undefined, state),
    );
    expect(url.origin).toBe('https://app.hubspot.com');
    return `${server.baseUrl}${url.pathname}${url.search}`;
  }

  async function connected() {
    const callback = await consent(authorizeUrl('sdk-state'), 'Allow', '41629711');
    expect(callback.searchParams.get('state')).toBe('sdk-state');
    return client.oauth.tokensApi.create(
      'authorization_code',
      callback.searchParams.get('code') ?? '',
      REDIRECT,
      CLIENT_ID,
      CLIENT_SECRET,
    );
  }

  it('exchanges the code with tokensApi.create and reads the token with accessTokensApi.get', async () => {
    const tokens = await connected();
    expect(tokens).toMatchObject({ tokenType: 'bearer', expiresIn: 1800 });
    expect(tokens.accessToken).toEqual(expect.any(String));
    expect(tokens.refreshToken).toEqual(expect.any(String));

    const info = await client.oauth.accessTokensApi.get(tokens.accessToken);
    expect(info).toMatchObject({
      hubId: 24_681_357,
      user: 'rep1@acme.test',
      scopes: SCOPES.split(' '),
      tokenType: 'access',
    });
    expect(info.expiresIn).toBeGreaterThan(1_790);

    const oauthClient = new Client({
      accessToken: tokens.accessToken,
      basePath: server.baseUrl,
      numberOfApiCallRetries: 0,
    });
    const owners = await oauthClient.crm.owners.ownersApi.getPage(undefined, undefined, 1, false);
    expect(owners.results).toHaveLength(1);
  });

  it('refreshes with tokensApi.create(refresh_token) after the access token expired; a bad refresh token is BAD_REFRESH_TOKEN', async () => {
    const tokens = await connected();
    const refreshesBefore = emulator.oauth.tokenRequests.filter(
      (r) => r.grantType === 'refresh_token',
    ).length;
    const api = new Client({
      accessToken: tokens.accessToken,
      basePath: server.baseUrl,
      numberOfApiCallRetries: 0,
    });
    emulator.oauth.expireAccessTokens();
    const expired = await api.crm.owners.ownersApi.getPage().catch((e: unknown) => e);
    expect(expired).toMatchObject({ code: 401 });
    expect(JSON.stringify((expired as { body: unknown }).body)).toContain('EXPIRED_AUTHENTICATION');

    const refreshed = await client.oauth.tokensApi.create(
      'refresh_token',
      undefined,
      REDIRECT,
      CLIENT_ID,
      CLIENT_SECRET,
      tokens.refreshToken,
    );
    expect(refreshed.accessToken).not.toBe(tokens.accessToken);
    // HubSpot refresh tokens do not rotate: the same one comes back.
    expect(refreshed.refreshToken).toBe(tokens.refreshToken);
    expect(
      emulator.oauth.tokenRequests.filter((r) => r.grantType === 'refresh_token'),
    ).toHaveLength(refreshesBefore + 1);
    api.setAccessToken(refreshed.accessToken);
    expect(
      (await api.crm.owners.ownersApi.getPage(undefined, undefined, 1, false)).results,
    ).toHaveLength(1);

    const bad = await client.oauth.tokensApi
      .create('refresh_token', undefined, REDIRECT, CLIENT_ID, CLIENT_SECRET, 'not-a-refresh-token')
      .catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: 400 });
    expect(JSON.stringify((bad as { body: unknown }).body)).toContain('BAD_REFRESH_TOKEN');
  });
});
