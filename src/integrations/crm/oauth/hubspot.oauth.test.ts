import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHubSpotEmulator, type HubSpotEmulator } from '#emulators/hubspot.emulator.ts';
import type { StartedEmulator } from '#emulators/emulator-server.ts';
import { s256 } from '#emulators/oauth-server.ts';
import { HubSpotConnector } from '#src/integrations/crm/hubspot/hubspot.adapter.ts';
import { consent, readConsentForm } from '#src/integrations/crm/oauth/consent-page.test-helper.ts';
import {
  createHubSpotOAuthProvider,
  HUBSPOT_SCOPES,
} from '#src/integrations/crm/oauth/hubspot.oauth.ts';
import { OAuthError, type OAuthProvider } from '#src/integrations/crm/oauth/oauth-provider.ts';
import { emulatorPeople } from '#tests/factories/crm-connection.factory.ts';
import { FAST_RETRY_POLICY } from '#tests/support/crm-retry-policy.ts';

/**
 * "Connect HubSpot" end to end without a browser: the provider's authorization URL, the
 * emulator's consent page read and submitted over HTTP, the callback's code exchanged for a
 * TokenSet, refreshes, and every refusal mapped to its OAuthError kind.
 */

const CLIENT_ID = 'hubspot-ergo-client-0001';
const CLIENT_SECRET = 'hubspot-client-secret-7c1e99a0';
const REDIRECT = 'http://127.0.0.1:5999/oauth/hubspot/callback';
const PRIYA = '41629711';

let emulator: HubSpotEmulator;
let server: StartedEmulator;
let now: number;

function provider(clientSecret = CLIENT_SECRET, extra: { timeoutMs?: number } = {}): OAuthProvider {
  return createHubSpotOAuthProvider({
    client: { clientId: CLIENT_ID, clientSecret },
    baseUrl: server.baseUrl,
    now: () => now,
    ...extra,
  });
}

function authorizationUrl(state = 'state-hubspot-1', p = provider()): string {
  return p.authorizationUrl({ redirectUri: REDIRECT, state, options: {} }).url;
}

/** Consents as `person` and exchanges the callback's code. */
async function connect(person = PRIYA, p = provider()) {
  const callback = await consent(authorizationUrl(), 'Allow', person);
  return p.exchangeCode({
    code: callback.searchParams.get('code') ?? '',
    redirectUri: REDIRECT,
    context: {},
    callbackParams: callback.searchParams,
  });
}

async function oauthError(promise: Promise<unknown>): Promise<OAuthError> {
  const error = await promise.then(
    () => {
      throw new Error('expected an OAuthError');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OAuthError);
  return error as OAuthError;
}

beforeEach(async () => {
  now = Date.now();
  emulator = createHubSpotEmulator({
    people: emulatorPeople('hubspot'),
    tokens: [],
    oauthClients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [REDIRECT] }],
  });
  server = await emulator.start();
});

afterEach(async () => {
  await server.close();
});

describe('HubSpot OAuth provider against the HubSpot emulator', () => {
  it("builds HubSpot's authorize URL: client_id, redirect_uri, space-separated scopes, state; no PKCE", () => {
    const p = provider();
    expect(p.pkce).toBe(false);
    const request = p.authorizationUrl({ redirectUri: REDIRECT, state: 's-1', options: {} });
    const url = new URL(request.url);
    expect(`${url.origin}${url.pathname}`).toBe(`${server.baseUrl}/oauth/authorize`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT,
      scope: HUBSPOT_SCOPES.join(' '),
      state: 's-1',
    });
    expect(request.context).toEqual({});
    // Without baseUrl: HubSpot's real hosts.
    const real = createHubSpotOAuthProvider({
      client: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
    }).authorizationUrl({ redirectUri: REDIRECT, state: 's-1', options: {} });
    expect(real.url.startsWith('https://app.hubspot.com/oauth/authorize?')).toBe(true);
  });

  it('full flow: consent page, Allow, callback code exchanged for a TokenSet with portal, scopes and expiry', async () => {
    const form = await readConsentForm(authorizationUrl());
    expect(form.title).toBe('Allow Ergo to access HubSpot?');
    expect(form.people.map((p) => p.value)).toContain(PRIYA);
    expect(form.buttons.map((b) => b.label)).toEqual(['Allow', 'Deny']);

    const callback = await consent(authorizationUrl('state-abc'), 'Allow', PRIYA);
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT);
    expect(callback.searchParams.get('state')).toBe('state-abc');
    const code = callback.searchParams.get('code') ?? '';
    expect(code).not.toBe('');

    const tokens = await provider().exchangeCode({
      code,
      redirectUri: REDIRECT,
      context: {},
      callbackParams: callback.searchParams,
    });
    expect(tokens.accessToken).toEqual(expect.any(String));
    expect(tokens.refreshToken).toEqual(expect.any(String));
    // expires_in 1800 (HubSpot's) from the provider's clock.
    expect(tokens.expiresAt).toEqual(new Date(now + 1_800_000));
    expect(tokens.scopes).toEqual([...HUBSPOT_SCOPES]);
    expect(tokens.instance).toEqual({ portalId: '24681357' });
    expect(emulator.oauth.tokenRequests.map((r) => r.grantType)).toEqual(['authorization_code']);

    // The token is accepted by the API, as the person who consented.
    const verified = await new HubSpotConnector({
      credentials: { crm: 'hubspot', secrets: { accessToken: tokens.accessToken }, instance: {} },
      baseUrl: server.baseUrl,
      policy: FAST_RETRY_POLICY,
    }).verifyCredentials();
    expect(verified).toMatchObject({
      status: 'valid',
      account: 'HubSpot portal 24681357 (app.hubspot.com) as rep1@acme.test',
      scopes: [...HUBSPOT_SCOPES],
    });
  });

  it('Deny sends access_denied with the state to the callback; exchangeCode refuses it', async () => {
    const callback = await consent(authorizationUrl('state-deny'), 'Deny');
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('state')).toBe('state-deny');
    expect(callback.searchParams.has('code')).toBe(false);

    const error = await oauthError(
      provider().exchangeCode({
        code: '',
        redirectUri: REDIRECT,
        context: {},
        callbackParams: callback.searchParams,
      }),
    );
    expect(error.kind).toBe('access_denied');
    expect(emulator.oauth.tokenRequests).toHaveLength(0);
  });

  it('a code bound to a PKCE challenge is refused without its verifier (invalid_grant, BAD_AUTH_CODE)', async () => {
    // HubSpot's v1 token endpoint takes no verifier, so the provider sends no challenge; a code
    // issued for one (the URL carrying it) cannot be redeemed by it.
    const url = new URL(authorizationUrl());
    url.searchParams.set('code_challenge', s256('a-verifier-of-enough-length-0123456789-abcdef'));
    url.searchParams.set('code_challenge_method', 'S256');
    const callback = await consent(url.toString());
    const error = await oauthError(
      provider().exchangeCode({
        code: callback.searchParams.get('code') ?? '',
        redirectUri: REDIRECT,
        context: {},
        callbackParams: callback.searchParams,
      }),
    );
    expect(error).toMatchObject({
      kind: 'invalid_grant',
      status: 400,
      vendorCode: 'BAD_AUTH_CODE',
    });
  });

  it('a used code, a wrong redirect URI, a wrong secret and an unknown client are refused by kind', async () => {
    const callback = await consent(authorizationUrl());
    const code = callback.searchParams.get('code') ?? '';
    const exchange = (p: OAuthProvider, redirectUri = REDIRECT) =>
      p.exchangeCode({ code, redirectUri, context: {}, callbackParams: callback.searchParams });

    const wrongSecret = await oauthError(exchange(provider('not-the-client-secret')));
    expect(wrongSecret).toMatchObject({ kind: 'invalid_client', vendorCode: 'BAD_CLIENT_SECRET' });
    const stranger = createHubSpotOAuthProvider({
      client: { clientId: 'unknown-client', clientSecret: CLIENT_SECRET },
      baseUrl: server.baseUrl,
    });
    expect(await oauthError(exchange(stranger))).toMatchObject({
      kind: 'invalid_client',
      vendorCode: 'BAD_CLIENT_ID',
    });
    const otherRedirect = await oauthError(exchange(provider(), `${REDIRECT}/elsewhere`));
    expect(otherRedirect).toMatchObject({ kind: 'invalid_client', vendorCode: 'BAD_REDIRECT_URI' });

    await exchange(provider());
    expect(await oauthError(exchange(provider()))).toMatchObject({
      kind: 'invalid_grant',
      vendorCode: 'BAD_AUTH_CODE',
    });
  });

  it('an unregistered redirect URI gets an error page, never a redirect', async () => {
    const url = provider().authorizationUrl({
      redirectUri: 'http://127.0.0.1:5999/not-registered',
      state: 's',
      options: {},
    }).url;
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.text()).toContain('redirect_uri is not registered');
  });

  it('refresh without rotation: a new access token, no new refresh token, the same one keeps working', async () => {
    const connected = await connect();
    const refreshToken = connected.refreshToken ?? '';
    now += 60_000;

    const first = await provider().refresh({ refreshToken, instance: connected.instance });
    expect(first.accessToken).not.toBe(connected.accessToken);
    // HubSpot answers the same refresh token: no rotation, so the result carries none.
    expect(first.refreshToken).toBeUndefined();
    expect(first.expiresAt).toEqual(new Date(now + 1_800_000));
    expect(first.instance).toEqual({ portalId: '24681357' });
    expect(first.scopes).toEqual([...HUBSPOT_SCOPES]);

    const second = await provider().refresh({ refreshToken, instance: first.instance });
    expect(second.accessToken).not.toBe(first.accessToken);
    expect(emulator.oauth.tokenRequests.map((r) => r.grantType)).toEqual([
      'authorization_code',
      'refresh_token',
      'refresh_token',
    ]);
  });

  it('refresh with rotation: the new refresh token is returned and the spent one is invalid_grant', async () => {
    const connected = await connect();
    emulator.oauth.rotateRefreshTokens = true;

    const rotated = await provider().refresh({
      refreshToken: connected.refreshToken ?? '',
      instance: connected.instance,
    });
    expect(rotated.refreshToken).toEqual(expect.any(String));
    expect(rotated.refreshToken).not.toBe(connected.refreshToken);

    const spent = await oauthError(
      provider().refresh({ refreshToken: connected.refreshToken ?? '', instance: {} }),
    );
    expect(spent).toMatchObject({
      kind: 'invalid_grant',
      status: 400,
      vendorCode: 'BAD_REFRESH_TOKEN',
    });
    const again = await provider().refresh({
      refreshToken: rotated.refreshToken ?? '',
      instance: rotated.instance,
    });
    expect(again.refreshToken).not.toBe(rotated.refreshToken);
  });

  it('expired access tokens answer 401 EXPIRED_AUTHENTICATION and a refresh fixes it; revokeAll makes refresh invalid_grant', async () => {
    const connected = await connect();
    const call = (token: string) =>
      fetch(`${server.baseUrl}/crm/v3/owners?limit=1`, {
        headers: { authorization: `Bearer ${token}` },
      });
    expect((await call(connected.accessToken)).status).toBe(200);

    emulator.oauth.expireAccessTokens();
    const expired = await call(connected.accessToken);
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({ category: 'EXPIRED_AUTHENTICATION' });
    const refreshed = await provider().refresh({
      refreshToken: connected.refreshToken ?? '',
      instance: connected.instance,
    });
    expect((await call(refreshed.accessToken)).status).toBe(200);

    emulator.oauth.revokeAll();
    expect((await call(refreshed.accessToken)).status).toBe(401);
    const revoked = await oauthError(
      provider().refresh({ refreshToken: connected.refreshToken ?? '', instance: {} }),
    );
    expect(revoked.kind).toBe('invalid_grant');
  });

  it('a silent token endpoint is a timeout; an unreachable one is a network error', async () => {
    emulator.setFaults({ latencyMs: 400 });
    const slow = await oauthError(
      provider(CLIENT_SECRET, { timeoutMs: 50 }).refresh({
        refreshToken: 'whatever',
        instance: {},
      }),
    );
    expect(slow.kind).toBe('timeout');
    emulator.resetFaults();

    const closed = createHubSpotOAuthProvider({
      client: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
      baseUrl: 'http://127.0.0.1:9',
    });
    expect((await oauthError(closed.refresh({ refreshToken: 'x', instance: {} }))).kind).toBe(
      'network',
    );
  });

  it('no secret (client secret, code, access or refresh token) appears in any error message', async () => {
    const connected = await connect();
    const callback = await consent(authorizationUrl());
    const code = callback.searchParams.get('code') ?? '';
    const secrets = [CLIENT_SECRET, code, connected.accessToken, connected.refreshToken ?? ''];
    emulator.oauth.rotateRefreshTokens = true;
    await provider().refresh({ refreshToken: connected.refreshToken ?? '', instance: {} });

    const errors = [
      // The spent refresh token, a wrong secret with a live code, the code twice, a bad redirect.
      await oauthError(
        provider().refresh({ refreshToken: connected.refreshToken ?? '', instance: {} }),
      ),
      await oauthError(
        provider(`${CLIENT_SECRET}-wrong`).exchangeCode({
          code,
          redirectUri: REDIRECT,
          context: {},
          callbackParams: callback.searchParams,
        }),
      ),
      await oauthError(
        provider().exchangeCode({
          code,
          redirectUri: `${REDIRECT}?x=${code}`,
          context: {},
          callbackParams: callback.searchParams,
        }),
      ),
    ];
    for (const error of errors) {
      for (const secret of secrets) expect(error.message).not.toContain(secret);
      expect(error.message).not.toContain(`${CLIENT_SECRET}-wrong`);
    }
    expect(errors.map((e) => e.kind)).toEqual([
      'invalid_grant',
      'invalid_client',
      'invalid_client',
    ]);

    // A vendor that echoes the request back in its message (as validation errors echo input).
    const echo = createHubSpotOAuthProvider({
      client: { clientId: CLIENT_ID, clientSecret: 'echoed+secret/value=1' },
      baseUrl: server.baseUrl,
      fetch: async (_url, init) =>
        Promise.resolve(
          new Response(
            JSON.stringify({
              status: 'BAD_REFRESH_TOKEN',
              message: `rejected ${typeof init?.body === 'string' ? init.body : ''} (refresh echoed-refresh-token-9)`,
            }),
            { status: 400, headers: { 'content-type': 'application/json' } },
          ),
        ),
    });
    const echoed = await oauthError(
      echo.refresh({ refreshToken: 'echoed-refresh-token-9', instance: {} }),
    );
    expect(echoed.kind).toBe('invalid_grant');
    expect(echoed.message).toContain('[redacted]');
    for (const secret of [
      'echoed+secret/value=1',
      'echoed%2Bsecret%2Fvalue%3D1',
      'echoed-refresh-token-9',
    ]) {
      expect(echoed.message).not.toContain(secret);
    }
  });
});
