import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StartedEmulator } from '#emulators/emulator-server.ts';
import { createZohoEmulator, type ZohoEmulator } from '#emulators/zoho.emulator.ts';
import { emulatorPeople } from '#tests/factories/crm-connection.factory.ts';
import { FAST_RETRY_POLICY } from '#tests/support/crm-retry-policy.ts';
import { consent, readConsentForm } from '#src/integrations/crm/oauth/consent-page.test-helper.ts';
import {
  OAuthError,
  ZOHO_DATA_CENTRES,
  type OAuthProvider,
  type TokenSet,
} from '#src/integrations/crm/oauth/oauth-provider.ts';
import {
  createZohoOAuthProvider,
  ZOHO_ACCOUNTS_SERVERS,
} from '#src/integrations/crm/oauth/zoho.oauth.ts';
import { ZohoConnector } from '#src/integrations/crm/zoho/zoho.adapter.ts';

const CLIENT = { clientId: '1000.ERGOZOHOCLIENT0001', clientSecret: 'zoho-client-secret-c0ffee' };
const REDIRECT = 'http://127.0.0.1:5173/api/crm-connections/oauth/callback';
const REP1 = '4876876000000225101';
const NOW = Date.parse('2026-12-02T10:00:00Z');

let emulator: ZohoEmulator;
let server: StartedEmulator;
let provider: OAuthProvider;
const errors: OAuthError[] = [];
const secrets = new Set<string>([CLIENT.clientSecret]);

async function failure(promise: Promise<unknown>): Promise<OAuthError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OAuthError);
  errors.push(error as OAuthError);
  return error as OAuthError;
}

async function authorize(press: 'Allow' | 'Deny' = 'Allow', personId?: string) {
  const request = provider.authorizationUrl({
    redirectUri: REDIRECT,
    state: 'zoho-state',
    options: { zohoDataCentre: 'eu' },
  });
  const callback = await consent(request.url, press, personId);
  const code = callback.searchParams.get('code');
  if (code !== null) secrets.add(code);
  return { request, callback, code: code ?? '' };
}

async function connect(personId?: string): Promise<TokenSet> {
  const { request, callback, code } = await authorize('Allow', personId);
  const tokens = await provider.exchangeCode({
    code,
    redirectUri: REDIRECT,
    context: request.context,
    callbackParams: callback.searchParams,
  });
  secrets.add(tokens.accessToken);
  if (tokens.refreshToken) secrets.add(tokens.refreshToken);
  return tokens;
}

function connector(tokens: TokenSet): ZohoConnector {
  return new ZohoConnector({
    credentials: {
      crm: 'zoho',
      secrets: { accessToken: tokens.accessToken },
      instance: { apiDomain: tokens.instance.apiDomain ?? '' },
    },
    policy: FAST_RETRY_POLICY,
  });
}

/** A fetch that records the URLs it is asked for and answers `reply` (for the real hosts). */
function recordingFetch(reply: unknown): { fetch: typeof fetch; urls: string[] } {
  const urls: string[] = [];
  return {
    urls,
    fetch: (input) => {
      urls.push(String(input instanceof Request ? input.url : input));
      return Promise.resolve(Response.json(reply));
    },
  };
}

beforeEach(async () => {
  emulator = createZohoEmulator({ people: emulatorPeople('zoho'), oauthClients: [CLIENT] });
  server = await emulator.start();
  provider = createZohoOAuthProvider({ client: CLIENT, baseUrl: server.baseUrl, now: () => NOW });
});

afterEach(async () => {
  await server.close();
});

describe('Zoho OAuth provider against the Zoho emulator', () => {
  it("builds the authorize URL on the data centre's accounts server, offline access, no PKCE", () => {
    const real = createZohoOAuthProvider({ client: CLIENT });
    expect(real.pkce).toBe(false);
    const origins = ZOHO_DATA_CENTRES.map(
      (dc) =>
        new URL(
          real.authorizationUrl({
            redirectUri: REDIRECT,
            state: 's',
            options: { zohoDataCentre: dc },
          }).url,
        ).origin,
    );
    expect(origins).toEqual([
      'https://accounts.zoho.com',
      'https://accounts.zoho.eu',
      'https://accounts.zoho.in',
      'https://accounts.zoho.com.au',
      'https://accounts.zoho.jp',
      'https://accounts.zoho.com.cn',
      'https://accounts.zoho.sa',
      'https://accounts.zohocloud.ca',
    ]);
    const request = real.authorizationUrl({ redirectUri: REDIRECT, state: 's', options: {} });
    const url = new URL(request.url);
    expect(url.origin + url.pathname).toBe('https://accounts.zoho.com/oauth/v2/auth');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      scope: 'ZohoCRM.users.READ,ZohoCRM.settings.fields.ALL,ZohoCRM.org.READ',
      client_id: CLIENT.clientId,
      response_type: 'code',
      access_type: 'offline',
      prompt: 'consent',
      redirect_uri: REDIRECT,
      state: 's',
    });
    expect(request.context).toEqual({ accountsServer: 'https://accounts.zoho.com' });
  });

  it('connects: consent page, Allow as the chosen person, the callback names location and accounts-server, code exchange → tokens', async () => {
    const request = provider.authorizationUrl({ redirectUri: REDIRECT, state: 'x', options: {} });
    const form = await readConsentForm(request.url);
    expect(form.title).toBe('Allow Ergo to access Zoho CRM?');
    expect(form.people.map((p) => p.value)).toContain(REP1);

    const { callback, code } = await authorize('Allow', REP1);
    expect(callback.searchParams.get('state')).toBe('zoho-state');
    expect(callback.searchParams.get('location')).toBe('us');
    expect(callback.searchParams.get('accounts-server')).toBe(server.baseUrl);
    expect(code).toMatch(/^1000\./);

    const tokens = await provider.exchangeCode({
      code,
      redirectUri: REDIRECT,
      context: { accountsServer: server.baseUrl },
      callbackParams: callback.searchParams,
    });
    secrets.add(tokens.accessToken).add(tokens.refreshToken ?? '');
    expect(tokens).toEqual({
      accessToken: expect.stringMatching(/^1000\./) as unknown,
      refreshToken: expect.stringMatching(/^1000\./) as unknown,
      expiresAt: new Date(NOW + 3_600_000),
      scopes: ['ZohoCRM.users.READ', 'ZohoCRM.settings.fields.ALL', 'ZohoCRM.org.READ'],
      instance: { apiDomain: server.baseUrl, accountsServer: server.baseUrl },
    });
    expect(await connector(tokens).verifyCredentials()).toEqual({
      status: 'valid',
      account: 'Acme as Priya Natarajan',
    });
    expect(emulator.oauth.tokenRequests.map((r) => r.grantType)).toEqual(['authorization_code']);
  });

  it('expiresAt comes from expires_in', async () => {
    emulator.oauth.accessTokenLifetimeSeconds = 120;
    const tokens = await connect();
    expect(tokens.expiresAt).toEqual(new Date(NOW + 120_000));
    const renewed = await provider.refresh({
      refreshToken: tokens.refreshToken ?? '',
      instance: tokens.instance,
    });
    expect(renewed.expiresAt).toEqual(new Date(NOW + 120_000));
  });

  it('an accounts-server the callback names that is not one of the eight is bad_request, and nothing is sent', async () => {
    const { request, callback, code } = await authorize();
    for (const named of [
      'https://accounts.zoho.evil.example',
      'https://accounts.zoho.com.evil.example',
      'http://accounts.zoho.com',
      'https://accounts.zoho.com/oauth',
      'https://127.0.0.1:1',
    ]) {
      const params = new URLSearchParams(callback.searchParams);
      params.set('accounts-server', named);
      expect(
        await failure(
          provider.exchangeCode({
            code,
            redirectUri: REDIRECT,
            context: request.context,
            callbackParams: params,
          }),
        ),
      ).toMatchObject({ kind: 'bad_request', crm: 'zoho' });
    }
    expect(emulator.oauth.tokenRequests).toEqual([]);
  });

  it("without the emulator, the code goes to the user's own data centre named by the callback", async () => {
    const recorder = recordingFetch({
      access_token: '1000.fake.access',
      refresh_token: '1000.fake.refresh',
      api_domain: 'https://www.zohoapis.eu',
      token_type: 'Bearer',
      expires_in: 3600,
    });
    const real = createZohoOAuthProvider({ client: CLIENT, fetch: recorder.fetch, now: () => NOW });
    const chosen = real.authorizationUrl({ redirectUri: REDIRECT, state: 's', options: {} });
    const tokens = await real.exchangeCode({
      code: '1000.some-code',
      redirectUri: REDIRECT,
      context: chosen.context,
      callbackParams: new URLSearchParams({
        code: '1000.some-code',
        location: 'eu',
        'accounts-server': 'https://accounts.zoho.eu',
      }),
    });
    expect(recorder.urls).toEqual(['https://accounts.zoho.eu/oauth/v2/token']);
    expect(tokens.instance).toEqual({
      apiDomain: 'https://www.zohoapis.eu',
      accountsServer: ZOHO_ACCOUNTS_SERVERS.eu,
    });
    await real.refresh({ refreshToken: '1000.fake.refresh', instance: tokens.instance });
    expect(recorder.urls[1]).toBe('https://accounts.zoho.eu/oauth/v2/token');

    for (const accountsServer of ['https://accounts.evil.example', 7]) {
      expect(
        await failure(
          real.refresh({ refreshToken: '1000.fake.refresh', instance: { accountsServer } }),
        ),
      ).toMatchObject({ kind: 'bad_request' });
    }
    expect(recorder.urls).toHaveLength(2);
  });

  it('a code works once: the second exchange is invalid_grant (Zoho: 200 invalid_code)', async () => {
    const { request, callback, code } = await authorize();
    const input = {
      code,
      redirectUri: REDIRECT,
      context: request.context,
      callbackParams: callback.searchParams,
    };
    await provider.exchangeCode(input);
    expect(await failure(provider.exchangeCode(input))).toMatchObject({
      kind: 'invalid_grant',
      vendorCode: 'invalid_code',
      status: 200,
    });
  });

  it('a wrong client secret, an unknown client or another redirect URI is invalid_client', async () => {
    const { request, callback, code } = await authorize();
    const input = {
      code,
      redirectUri: REDIRECT,
      context: request.context,
      callbackParams: callback.searchParams,
    };
    const wrongSecret = createZohoOAuthProvider({
      client: { clientId: CLIENT.clientId, clientSecret: 'wrong-zoho-secret-1234' },
      baseUrl: server.baseUrl,
    });
    secrets.add('wrong-zoho-secret-1234');
    expect(await failure(wrongSecret.exchangeCode(input))).toMatchObject({
      kind: 'invalid_client',
      vendorCode: 'invalid_client_secret',
    });
    const unknown = createZohoOAuthProvider({
      client: { clientId: '1000.NOSUCHCLIENT', clientSecret: CLIENT.clientSecret },
      baseUrl: server.baseUrl,
    });
    expect(await failure(unknown.exchangeCode(input))).toMatchObject({
      kind: 'invalid_client',
      vendorCode: 'invalid_client',
    });
    expect(
      await failure(provider.exchangeCode({ ...input, redirectUri: 'http://127.0.0.1:9/other' })),
    ).toMatchObject({ kind: 'invalid_client', vendorCode: 'invalid_redirect_uri' });
  });

  it('Deny comes back as error=access_denied, which exchangeCode reports as access_denied', async () => {
    const { request, callback } = await authorize('Deny');
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('state')).toBe('zoho-state');
    expect(callback.searchParams.get('code')).toBeNull();
    const error = await failure(
      provider.exchangeCode({
        code: '',
        redirectUri: REDIRECT,
        context: request.context,
        callbackParams: callback.searchParams,
      }),
    );
    expect(error.kind).toBe('access_denied');
    expect(emulator.oauth.tokenRequests).toEqual([]);
  });

  it('refresh without rotation (Zoho keeps the refresh token): a new access token, no refresh token, the old one keeps working', async () => {
    const tokens = await connect(REP1);
    const refreshToken = tokens.refreshToken ?? '';
    const renewed = await provider.refresh({ refreshToken, instance: tokens.instance });
    secrets.add(renewed.accessToken);
    expect(renewed.accessToken).not.toBe(tokens.accessToken);
    expect(renewed.refreshToken).toBeUndefined();
    expect(renewed.instance).toEqual(tokens.instance);
    expect((await connector(renewed).verifyCredentials()).account).toBe('Acme as Priya Natarajan');
    await provider.refresh({ refreshToken, instance: tokens.instance });
    expect(emulator.oauth.tokenRequests.map((r) => r.grantType)).toEqual([
      'authorization_code',
      'refresh_token',
      'refresh_token',
    ]);
  });

  it('refresh with rotation (the emulator knob): a new refresh token, and the spent one is invalid_grant', async () => {
    emulator.oauth.rotateRefreshTokens = true;
    const tokens = await connect();
    const first = tokens.refreshToken ?? '';
    const renewed = await provider.refresh({ refreshToken: first, instance: tokens.instance });
    expect(renewed.refreshToken).toMatch(/^1000\./);
    expect(renewed.refreshToken).not.toBe(first);
    secrets.add(renewed.refreshToken ?? '').add(renewed.accessToken);
    expect(
      await failure(provider.refresh({ refreshToken: first, instance: tokens.instance })),
    ).toMatchObject({ kind: 'invalid_grant', vendorCode: 'invalid_code' });
    await provider.refresh({
      refreshToken: renewed.refreshToken ?? '',
      instance: renewed.instance,
    });
  });

  it('expired access tokens answer 401 INVALID_TOKEN until a refresh; revokeAll makes the refresh invalid_grant', async () => {
    const tokens = await connect();
    emulator.oauth.expireAccessTokens();
    expect(await connector(tokens).verifyCredentials()).toMatchObject({
      status: 'expired',
      vendorCode: 'INVALID_TOKEN',
    });
    const renewed = await provider.refresh({
      refreshToken: tokens.refreshToken ?? '',
      instance: tokens.instance,
    });
    secrets.add(renewed.accessToken);
    expect((await connector(renewed).verifyCredentials()).status).toBe('valid');

    emulator.oauth.revokeAll();
    expect((await connector(renewed).verifyCredentials()).status).not.toBe('valid');
    expect(
      await failure(
        provider.refresh({ refreshToken: tokens.refreshToken ?? '', instance: tokens.instance }),
      ),
    ).toMatchObject({ kind: 'invalid_grant' });
  });

  it('no error message contains a secret (client secret, codes, tokens)', async () => {
    const tokens = await connect();
    emulator.oauth.revokeAll();
    await failure(
      provider.refresh({ refreshToken: tokens.refreshToken ?? '', instance: tokens.instance }),
    );
    expect(errors.length).toBeGreaterThanOrEqual(5);
    for (const error of errors) {
      for (const secret of secrets) {
        if (secret.length >= 4) expect(error.message).not.toContain(secret);
      }
    }
  });
});
