import { Configuration, DealFieldsApi, OAuth2Configuration, UsersApi } from 'pipedrive/v1';
import { Configuration as ConfigurationV2, DealFieldsApi as DealFieldsApiV2 } from 'pipedrive/v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StartedEmulator } from '#emulators/emulator-server.ts';
import { createPipedriveEmulator, type PipedriveEmulator } from '#emulators/pipedrive.emulator.ts';
import { OWNER_FIELD } from '#src/integrations/crm/crm-connector.ts';
import { ownerOptionLabel } from '#src/integrations/crm/owner-option.ts';
import { consent } from '#src/integrations/crm/oauth/consent-page.test-helper.ts';
import { emulatorPeople } from '#tests/factories/crm-connection.factory.ts';

/**
 * The official Node SDK (`pipedrive` 33.7), unmodified, pointed at the emulator with `basePath`
 * (v1: `…/v1` or `{company}/api/v1`; v2: `{company}/api/v2`) and the OAuth host with `host`:
 * proof that the emulator serves Pipedrive's real paths and that the owner-property flow our
 * adapter runs (pipedrive.adapter.ts) works through Pipedrive's own client. Its
 * `OAuth2Configuration` also runs "Connect Pipedrive" (its `authorizationUrl`, the emulator's
 * consent page, its `authorize(code)`) and refreshes (by `expires_in` only: the SDK does not
 * refresh on a 401, read in `dist/versions/v1/configuration.js`). The SDK hands back
 * the JSON bodies as they came (no model classes), so the assertions check the shapes its
 * generated types declare (`GetFieldsResponse`, `GetFieldResponse`, `AddDealFieldOptions200Response`).
 */

const API_TOKEN = 'pd-sdk-test-api-token-5e8d0b14';
const REFRESH = '13057001:7730001:pd-sdk-refresh-token-0001';
const CLIENT_ID = 'ergo-admin-pipedrive-app';
const CLIENT_SECRET = 'sdk-test-client-secret';

let emulator: PipedriveEmulator;
let server: StartedEmulator;
let fieldsV1: DealFieldsApi;

/** An SDK error is the vendor's JSON body (its axios interceptor rejects with `response.data`). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the SDK call to fail');
    },
    (error: unknown) => error,
  );
}

beforeAll(async () => {
  emulator = createPipedriveEmulator({
    people: emulatorPeople('pipedrive'),
    tokens: [API_TOKEN],
    refreshTokens: [REFRESH],
    oauthClients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }],
  });
  server = await emulator.start();
  fieldsV1 = new DealFieldsApi(
    new Configuration({ apiKey: API_TOKEN, basePath: `${server.baseUrl}/v1` }),
  );
});

afterAll(async () => {
  await server.close();
});

describe('pipedrive (official SDK) against the Pipedrive emulator', () => {
  it('finds the owner among the users, on both documented v1 bases', async () => {
    for (const basePath of [`${server.baseUrl}/v1`, `${server.baseUrl}/api/v1`]) {
      const users = new UsersApi(new Configuration({ apiKey: API_TOKEN, basePath }));
      const listed = await users.getUsers();
      expect(listed.success).toBe(true);
      const owner = listed.data?.find((u) => u.email === 'owner@acme.test');
      expect(owner).toMatchObject({ id: 13_057_001, name: 'Olivia Bennett', active_flag: true });
      const me = await users.getCurrentUser();
      expect(me.data).toMatchObject({ id: 13_057_001, company_domain: 'acme' });
    }
    // The SDK sends the API token in the x-api-token header, never in the URL.
    expect(emulator.requestLog.some((e) => e.query.includes('api_token'))).toBe(false);
  });

  it('creates the owner enum field with its first option and finds it in the paged list', async () => {
    const olivia = { id: '13057001', email: 'owner@acme.test', name: 'Olivia Bennett' };
    const firstPage = await fieldsV1.getDealFields({ start: 0, limit: 100 });
    // Pipedrive's "Responses" page nests the list paging under `pagination`; the SDK's
    // generated `GetFieldsResponseAllOfAdditionalData` declares it flat (see the adapter test
    // "pages deal fields in either paging shape").
    expect(firstPage.additional_data).toMatchObject({
      pagination: { start: 0, limit: 100, more_items_in_collection: false },
    });
    expect(firstPage.data.some((f) => f.name === OWNER_FIELD.pipedriveName)).toBe(false);

    const created = await fieldsV1.addDealField({
      CreateFieldRequest: {
        name: OWNER_FIELD.pipedriveName,
        field_type: 'enum',
        options: [{ label: ownerOptionLabel(olivia) }],
      },
    });
    expect(created.success).toBe(true);
    expect(created.data).toMatchObject({ name: OWNER_FIELD.pipedriveName, field_type: 'enum' });
    expect(created.data.key).toMatch(/^[0-9a-f]{40}$/);
    expect(created.data.options).toEqual([
      { id: expect.any(Number) as number, label: 'Olivia Bennett (13057001)' },
    ]);

    const listed = await fieldsV1.getDealFields({ start: 0, limit: 100 });
    const found = listed.data.find((f) => f.name === OWNER_FIELD.pipedriveName);
    expect(found?.key).toBe(created.data.key);
  });

  it('adds an option with the v2 atomic append, which answers only the new option', async () => {
    const field = emulator.field(OWNER_FIELD.pipedriveName);
    const v2 = new DealFieldsApiV2(
      new ConfigurationV2({ apiKey: API_TOKEN, basePath: `${server.baseUrl}/api/v2` }),
    );
    const added = await v2.addDealFieldOptions({
      field_code: field?.key ?? '',
      AddDealFieldOptionsRequestInner: [{ label: 'Priya Natarajan (13057011)' }],
    });
    expect(added.success).toBe(true);
    expect(added.data).toEqual([
      { id: expect.any(Number) as number, label: 'Priya Natarajan (13057011)' },
    ]);
    expect(emulator.field(OWNER_FIELD.pipedriveName)?.options?.map((o) => o.label)).toEqual([
      'Olivia Bennett (13057001)',
      'Priya Natarajan (13057011)',
    ]);

    const duplicate = await rejection(
      v2.addDealFieldOptions({
        field_code: field?.key ?? '',
        AddDealFieldOptionsRequestInner: [{ label: 'Priya Natarajan (13057011)' }],
      }),
    );
    expect(duplicate).toMatchObject({ success: false, error: expect.any(String) as string });
  });

  it('renames an option with the v1 PUT, resending every option with its id', async () => {
    const field = emulator.field(OWNER_FIELD.pipedriveName);
    const options = field?.options ?? [];
    const updated = await fieldsV1.updateDealField({
      id: field?.id ?? 0,
      UpdateFieldRequest: {
        options: options.map((o) =>
          o.label.endsWith('(13057011)') ? { id: o.id, label: 'Priya N. (13057011)' } : o,
        ),
      },
    });
    expect(updated.data.options).toEqual([
      { id: options[0]?.id, label: 'Olivia Bennett (13057001)' },
      { id: options[1]?.id, label: 'Priya N. (13057011)' },
    ]);
  });

  it('answers an unknown API token with the 401 body the SDK rejects with', async () => {
    const stranger = new UsersApi(
      new Configuration({ apiKey: 'pd-unknown', basePath: `${server.baseUrl}/v1` }),
    );
    expect(await rejection(stranger.getUsers())).toMatchObject({
      success: false,
      error: 'unauthorized access',
      errorCode: 401,
    });
  });
});

describe("pipedrive SDK OAuth against the emulator's token endpoint (POST /oauth/token)", () => {
  function oauth(clientSecret = CLIENT_SECRET): OAuth2Configuration {
    return new OAuth2Configuration({
      clientId: CLIENT_ID,
      clientSecret,
      redirectUri: 'http://127.0.0.1/oauth/pipedrive/callback',
      host: server.baseUrl,
    });
  }

  it('refreshes with the refresh token and calls the API at the api_domain it answered', async () => {
    const client = oauth();
    const updates: string[] = [];
    client.onTokenUpdate = (token) => updates.push(token.access_token);
    // A stored grant whose access token has run out: the SDK refreshes before the call.
    client.updateToken({
      access_token: 'v1u:expired-access-token',
      refresh_token: REFRESH,
      token_type: 'Bearer',
      expires_in: 0.001,
      scope: 'base',
      api_domain: server.baseUrl,
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(client.shouldRefreshToken()).toBe(true);
    const tokenCalls = () => emulator.requestLog.filter((e) => e.path === '/oauth/token');
    const before = tokenCalls().length;

    const users = new UsersApi(
      new Configuration({ accessToken: client.getAccessToken, basePath: client.basePath }),
    );
    const me = await users.getCurrentUser();

    expect(me.data?.id).toBe(13_057_001);
    // One refresh; the SDK reports the new token twice (from tokenRefresh and getAccessToken).
    expect(tokenCalls()).toHaveLength(before + 1);
    expect(tokenCalls().at(-1)?.status).toBe(200);
    const fresh = updates.at(-1) ?? '';
    expect(new Set(updates.slice(1))).toEqual(new Set([fresh]));
    expect(fresh).not.toBe('v1u:expired-access-token');
    expect(emulator.oauth.checkAccessToken(fresh)?.status).toBe('ok');
    expect(client.basePath).toBe(`${server.baseUrl}/api/v1`);
    expect(client.shouldRefreshToken()).toBe(false);
  });

  it('answers a wrong client secret and an unknown refresh token with OAuth errors', async () => {
    const wrongClient = oauth('not-the-secret');
    wrongClient.updateToken({
      access_token: 'x',
      refresh_token: REFRESH,
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'base',
      api_domain: server.baseUrl,
    });
    expect(await rejection(wrongClient.tokenRefresh())).toMatchObject({ error: 'invalid_client' });

    const revoked = oauth();
    revoked.updateToken({
      access_token: 'x',
      refresh_token: 'revoked-refresh-token',
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'base',
      api_domain: server.baseUrl,
    });
    expect(await rejection(revoked.tokenRefresh())).toMatchObject({ error: 'invalid_grant' });
  });

  it("connects through the SDK's authorizationUrl and authorize(code), acting as the chosen user", async () => {
    const client = oauth();
    // The SDK's URL has client_id and redirect_uri; state is the app's to add.
    const callback = await consent(
      `${client.authorizationUrl}&state=sdk-state-1`,
      'Allow',
      '13057011',
    );
    expect(callback.searchParams.get('state')).toBe('sdk-state-1');
    const code = callback.searchParams.get('code') ?? '';

    const token = (await client.authorize(code)) as unknown as Record<string, unknown>;
    expect(token).toMatchObject({
      token_type: 'Bearer',
      scope: 'base,deals:full,users:read,admin',
      expires_in: 3599,
      api_domain: server.baseUrl,
    });
    expect(client.basePath).toBe(`${server.baseUrl}/api/v1`);
    const users = new UsersApi(
      new Configuration({ accessToken: client.getAccessToken, basePath: client.basePath }),
    );
    const me = await users.getCurrentUser();
    expect(me.data).toMatchObject({ id: 13_057_011, email: 'rep1@acme.test' });

    // The code is single use.
    expect(await rejection(oauth().authorize(code))).toMatchObject({ error: 'invalid_grant' });
  });

  it('a rotated refresh token replaces the old one, which then answers invalid_grant', async () => {
    const grant = emulator.oauth.issueGrant('13057001', { clientId: CLIENT_ID });
    emulator.oauth.rotateRefreshTokens = true;
    try {
      const client = oauth();
      client.updateToken({
        access_token: grant.accessToken,
        refresh_token: grant.refreshToken,
        token_type: 'Bearer',
        expires_in: 3600,
        scope: 'base',
        api_domain: server.baseUrl,
      });
      const rotated = (await client.tokenRefresh()) as unknown as Record<string, string>;
      expect(rotated.refresh_token).toEqual(expect.any(String));
      expect(rotated.refresh_token).not.toBe(grant.refreshToken);

      const stale = oauth();
      stale.updateToken({
        access_token: 'x',
        refresh_token: grant.refreshToken,
        token_type: 'Bearer',
        expires_in: 3600,
        scope: 'base',
        api_domain: server.baseUrl,
      });
      expect(await rejection(stale.tokenRefresh())).toMatchObject({ error: 'invalid_grant' });
      // The new one keeps working (and rotates again).
      const next = (await client.tokenRefresh()) as unknown as Record<string, string>;
      expect(next.refresh_token).not.toBe(rotated.refresh_token);
      expect(emulator.oauth.checkAccessToken(next.access_token ?? '')?.status).toBe('ok');
    } finally {
      emulator.oauth.rotateRefreshTokens = false;
    }
  });
});
