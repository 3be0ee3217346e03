import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StartedEmulator } from '#emulators/emulator-server.ts';
import { s256 } from '#emulators/oauth-server.ts';
import { createPipedriveEmulator, type PipedriveEmulator } from '#emulators/pipedrive.emulator.ts';
import { consent, readConsentForm } from '#src/integrations/crm/oauth/consent-page.test-helper.ts';
import { OAuthError, type OAuthProvider } from '#src/integrations/crm/oauth/oauth-provider.ts';
import { createPipedriveOAuthProvider } from '#src/integrations/crm/oauth/pipedrive.oauth.ts';
import { PipedriveConnector } from '#src/integrations/crm/pipedrive/pipedrive.adapter.ts';
import { emulatorPeople } from '#tests/factories/crm-connection.factory.ts';
import { FAST_RETRY_POLICY } from '#tests/support/crm-retry-policy.ts';

/**
 * "Connect Pipedrive" end to end without a browser: the provider's authorization URL, the
 * emulator's consent page over HTTP, the code exchanged (HTTP Basic client auth) for a TokenSet
 * whose `apiDomain` the connector then calls, refreshes, and the refusals by OAuthError kind.
 */

const CLIENT_ID = 'pipedrive-ergo-client-0001';
const CLIENT_SECRET = 'pipedrive-client-secret-4d2a81f0';
const REDIRECT = 'http://127.0.0.1:5999/oauth/pipedrive/callback';
const PRIYA = '13057011';

let emulator: PipedriveEmulator;
let server: StartedEmulator;
let now: number;

function provider(clientSecret = CLIENT_SECRET): OAuthProvider {
  return createPipedriveOAuthProvider({
    client: { clientId: CLIENT_ID, clientSecret },
    baseUrl: server.baseUrl,
    now: () => now,
  });
}

function authorizationUrl(state = 'state-pipedrive-1'): string {
  return provider().authorizationUrl({ redirectUri: REDIRECT, state, options: {} }).url;
}

async function connect(person = PRIYA) {
  const callback = await consent(authorizationUrl(), 'Allow', person);
  return provider().exchangeCode({
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
  emulator = createPipedriveEmulator({
    people: emulatorPeople('pipedrive'),
    tokens: [],
    oauthClients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUris: [REDIRECT] }],
  });
  server = await emulator.start();
});

afterEach(async () => {
  await server.close();
});

describe('Pipedrive OAuth provider against the Pipedrive emulator', () => {
  it("builds Pipedrive's authorize URL (client_id, redirect_uri, state; no PKCE)", () => {
    const p = provider();
    expect(p.pkce).toBe(false);
    const url = new URL(p.authorizationUrl({ redirectUri: REDIRECT, state: 's', options: {} }).url);
    expect(`${url.origin}${url.pathname}`).toBe(`${server.baseUrl}/oauth/authorize`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT,
      state: 's',
    });
    const real = createPipedriveOAuthProvider({
      client: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
    }).authorizationUrl({ redirectUri: REDIRECT, state: 's', options: {} });
    expect(real.url.startsWith('https://oauth.pipedrive.com/oauth/authorize?')).toBe(true);
  });

  it('full flow: consent, Allow, code exchanged with Basic client auth; apiDomain, scopes, expiry; the connector calls apiDomain as the chosen user', async () => {
    const form = await readConsentForm(authorizationUrl());
    expect(form.title).toBe('Allow Ergo to access Pipedrive?');
    expect(form.people.map((p) => p.value)).toContain(PRIYA);

    const tokens = await connect(PRIYA);
    expect(tokens.accessToken).toMatch(/^v1u:/);
    expect(tokens.refreshToken).toEqual(expect.any(String));
    expect(tokens.expiresAt).toEqual(new Date(now + 3_599_000));
    expect(tokens.scopes).toEqual(['base', 'deals:full', 'users:read', 'admin']);
    expect(tokens.instance).toEqual({ apiDomain: server.baseUrl });

    const connector = new PipedriveConnector({
      credentials: {
        crm: 'pipedrive',
        secrets: { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken ?? '' },
        instance: { apiDomain: tokens.instance.apiDomain ?? '' },
      },
      policy: FAST_RETRY_POLICY,
    });
    expect(await connector.verifyCredentials()).toEqual({
      status: 'valid',
      account: 'Acme (acme.pipedrive.com) as Priya Natarajan',
    });
  });

  it('Deny sends access_denied with the state; exchangeCode refuses it without calling Pipedrive', async () => {
    const callback = await consent(authorizationUrl('state-deny'), 'Deny');
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('state')).toBe('state-deny');
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

  it('a code bound to a PKCE challenge is refused without its verifier (invalid_grant)', async () => {
    const url = new URL(authorizationUrl());
    url.searchParams.set('code_challenge', s256('another-verifier-of-enough-length-0123456789'));
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
      vendorCode: 'invalid_grant',
    });
  });

  it('a wrong client secret is invalid_client (401); a used code is invalid_grant', async () => {
    const callback = await consent(authorizationUrl());
    const code = callback.searchParams.get('code') ?? '';
    const exchange = (p: OAuthProvider) =>
      p.exchangeCode({
        code,
        redirectUri: REDIRECT,
        context: {},
        callbackParams: callback.searchParams,
      });

    expect(await oauthError(exchange(provider('wrong-secret')))).toMatchObject({
      kind: 'invalid_client',
      status: 401,
      vendorCode: 'invalid_client',
    });
    await exchange(provider());
    expect(await oauthError(exchange(provider()))).toMatchObject({ kind: 'invalid_grant' });
  });

  it('refresh without rotation: a new access token, no new refresh token, apiDomain kept', async () => {
    const connected = await connect();
    now += 120_000;
    const refreshed = await provider().refresh({
      refreshToken: connected.refreshToken ?? '',
      instance: connected.instance,
    });
    expect(refreshed.accessToken).not.toBe(connected.accessToken);
    expect(refreshed.refreshToken).toBeUndefined();
    expect(refreshed.expiresAt).toEqual(new Date(now + 3_599_000));
    expect(refreshed.instance).toEqual({ apiDomain: server.baseUrl });
    expect(emulator.oauth.tokenRequests.map((r) => r.grantType)).toEqual([
      'authorization_code',
      'refresh_token',
    ]);
    // Both access tokens are live: the old one was not revoked by the refresh.
    expect(emulator.oauth.checkAccessToken(refreshed.accessToken)?.status).toBe('ok');
  });

  it('refresh with rotation: a new refresh token, the spent one invalid_grant', async () => {
    const connected = await connect();
    emulator.oauth.rotateRefreshTokens = true;
    const rotated = await provider().refresh({
      refreshToken: connected.refreshToken ?? '',
      instance: connected.instance,
    });
    expect(rotated.refreshToken).toEqual(expect.any(String));
    expect(rotated.refreshToken).not.toBe(connected.refreshToken);
    expect(
      await oauthError(
        provider().refresh({ refreshToken: connected.refreshToken ?? '', instance: {} }),
      ),
    ).toMatchObject({ kind: 'invalid_grant', status: 400 });
    const again = await provider().refresh({
      refreshToken: rotated.refreshToken ?? '',
      instance: rotated.instance,
    });
    expect(again.accessToken).not.toBe(rotated.accessToken);
  });

  it('expireAccessTokens: the API answers the expired 401 and a refresh fixes it; revokeAll: refresh invalid_grant', async () => {
    const connected = await connect();
    const me = (token: string) =>
      fetch(`${server.baseUrl}/api/v1/users/me`, { headers: { authorization: `Bearer ${token}` } });
    expect((await me(connected.accessToken)).status).toBe(200);
    emulator.oauth.expireAccessTokens();
    const expired = await me(connected.accessToken);
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({
      error: 'Invalid token: access token has expired',
    });
    const refreshed = await provider().refresh({
      refreshToken: connected.refreshToken ?? '',
      instance: connected.instance,
    });
    expect((await me(refreshed.accessToken)).status).toBe(200);

    emulator.oauth.revokeAll();
    expect((await me(refreshed.accessToken)).status).toBe(401);
    expect(
      (
        await oauthError(
          provider().refresh({ refreshToken: connected.refreshToken ?? '', instance: {} }),
        )
      ).kind,
    ).toBe('invalid_grant');
  });

  it('no secret (client secret, Basic credentials, code, tokens) appears in any error message', async () => {
    const connected = await connect();
    const callback = await consent(authorizationUrl());
    const code = callback.searchParams.get('code') ?? '';
    emulator.oauth.revokeAll();
    const errors = [
      await oauthError(
        provider().refresh({ refreshToken: connected.refreshToken ?? '', instance: {} }),
      ),
      await oauthError(
        provider('wrong-secret-value').exchangeCode({
          code,
          redirectUri: REDIRECT,
          context: {},
          callbackParams: callback.searchParams,
        }),
      ),
    ];
    // A vendor echoing the request (its Basic header and form) in the message.
    const echo = createPipedriveOAuthProvider({
      client: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
      baseUrl: server.baseUrl,
      fetch: async (_url, init) =>
        Promise.resolve(
          new Response(
            JSON.stringify({
              success: false,
              error: 'invalid_grant',
              message: `bad ${new Headers(init?.headers).get('authorization') ?? ''} ${typeof init?.body === 'string' ? init.body : ''}`,
            }),
            { status: 400 },
          ),
        ),
    });
    errors.push(
      await oauthError(echo.refresh({ refreshToken: 'echoed-refresh-1234', instance: {} })),
    );
    const basic = Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64');
    const secrets = [
      CLIENT_SECRET,
      'wrong-secret-value',
      basic,
      code,
      connected.accessToken,
      connected.refreshToken ?? '',
      'echoed-refresh-1234',
    ];
    for (const error of errors) {
      for (const secret of secrets) expect(error.message).not.toContain(secret);
    }
    expect(errors.map((e) => e.kind)).toEqual(['invalid_grant', 'invalid_client', 'invalid_grant']);
    expect(errors[2]?.message).toContain('[redacted]');
  });
});
